import type { Logger } from '../logger.ts';
import type { AccountNotifier } from '../notify/account-notifier.ts';
import { PlatformError } from '../platforms/errors.ts';
import type { AccountSummary, Accounts } from './accounts.ts';
import type { AuditLog } from './audit.ts';
import type { TargetHolds } from './target-holds.ts';
import type { TokenPlatform, TokenPlatforms } from './token-platforms.ts';

const DAY_MS = 86_400_000;
/** Admins hear about an expiry this long before it. */
export const EXPIRY_WARNING_MS = 7 * DAY_MS;
/** TikTok access tokens live hours to a day: refreshed by every daily run, with margin. */
const TIKTOK_REFRESH_WITHIN_MS = 3 * DAY_MS;
/** Instagram Login tokens live 60 days: refreshed once fewer than 30 remain (they must be a day old to refresh). */
const INSTAGRAM_REFRESH_WITHIN_MS = 30 * DAY_MS;

export interface HealthOutcome {
  accountId: string;
  result: 'ok' | 'refreshed' | 'reconnect_needed' | 'check_failed' | 'skipped';
  expiresAt?: Date;
  warned?: boolean;
}

/**
 * Keeps tokens alive and tells admins when one will not be: refreshes TikTok (keeping the rotated refresh token) and
 * Instagram Login tokens before they expire, checks every token (Meta `debug_token`, a call as the user elsewhere),
 * warns a week before an expiry nothing can refresh, and reacts at once to an auth error from any platform call.
 */
export class TokenHealthMonitor {
  constructor(
    private readonly accounts: Accounts,
    private readonly platforms: TokenPlatforms,
    private readonly notifier: AccountNotifier,
    private readonly holds: TargetHolds,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The daily run over every connected account. One account's failure never stops the others. */
  async checkAll(): Promise<HealthOutcome[]> {
    const outcomes: HealthOutcome[] = [];
    for (const account of await this.accounts.list()) {
      if (account.status !== 'ok') {
        outcomes.push({ accountId: account._id, result: 'skipped' });
        continue;
      }
      try {
        outcomes.push(await this.checkAccount(account));
      } catch (error) {
        this.logger.warn({ err: error, accountId: account._id }, 'token health check failed');
        await this.accounts.recordHealthCheck(account._id, {
          at: this.now(),
          problem: 'The health check could not reach the platform; it will try again tomorrow.',
        });
        outcomes.push({ accountId: account._id, result: 'check_failed' });
      }
    }
    return outcomes;
  }

  /**
   * For the publishing, comment and insight code: a platform call failed with an auth error. The account is marked
   * reconnect-needed, its queued posts are held, and the admins are told at once (once per failure, however many
   * calls fail). Returns whether this call was the one that marked it.
   */
  async reportAuthFailure(accountId: string, problem = 'The platform refused the token.'): Promise<boolean> {
    if (!(await this.accounts.markReconnectNeeded(accountId, problem))) return false;
    const account = await this.accounts.get(accountId);
    const name = account?.name ?? accountId;
    const held = await this.holds.holdForAccount(accountId, name, 'the account needs reconnecting');
    await this.audit.record({
      actor: 'system',
      action: 'reconnect_needed',
      subject: `account:${accountId}`,
      details: { problem, held: held.length },
    });
    await this.notifier.tellAdmins({
      text:
        `:warning: *${name}* (${account?.platform ?? 'account'}) needs reconnecting: ${problem} ` +
        `${held.length > 0 ? `${held.length} pending post(s) are on hold. ` : ''}` +
        'Open `/wone accounts` and press Reconnect.',
    });
    return true;
  }

  private async checkAccount(account: AccountSummary): Promise<HealthOutcome> {
    const client = this.platforms[account.platform];
    if (!client) return { accountId: account._id, result: 'skipped' };
    const now = this.now();
    let refreshed = false;
    if (this.dueForRefresh(account, now) && client.refreshToken) {
      const refresh = client.refreshToken.bind(client);
      try {
        refreshed = await this.accounts.refreshWith(account._id, (access, refreshToken) =>
          refresh(access, refreshToken ?? access.accessToken),
        );
      } catch (error) {
        if (!isAuthError(error)) throw error;
        await this.reportAuthFailure(account._id, safeProblem(error, 'The token could not be refreshed.'));
        return { accountId: account._id, result: 'reconnect_needed' };
      }
    }

    await this.refreshBusiness(account, client, now);

    let health: Awaited<ReturnType<typeof client.checkToken>>;
    try {
      health = await client.checkToken(await this.accounts.access(account._id));
    } catch (error) {
      if (!isAuthError(error)) throw error;
      health = { valid: false, problem: safeProblem(error, 'The platform refused the token.') };
    }
    if (!health.valid) {
      await this.accounts.recordHealthCheck(account._id, { at: now, problem: health.problem ?? 'Token not valid.' });
      await this.reportAuthFailure(account._id, health.problem ?? 'The platform says the token is no longer valid.');
      return { accountId: account._id, result: 'reconnect_needed' };
    }
    await this.accounts.recordHealthCheck(account._id, {
      at: now,
      ...(health.expiresAt ? { expiresAt: health.expiresAt } : {}),
      ...(health.problem ? { problem: health.problem } : {}),
    });
    const current = await this.accounts.get(account._id);
    const warned = current ? await this.warnIfExpiring(current, now) : false;
    return {
      accountId: account._id,
      result: refreshed ? 'refreshed' : 'ok',
      ...(current?.tokenExpiresAt ? { expiresAt: current.tokenExpiresAt } : {}),
      warned,
    };
  }

  /**
   * TikTok: the API for Business token (comments, insights) lives a day and is renewed with its own refresh token. A
   * refusal ends only that connection: publishing goes on, and the admins are told to connect it again.
   */
  private async refreshBusiness(account: AccountSummary, client: TokenPlatform, now: Date): Promise<void> {
    const business = account.business;
    const refresh = client.refreshBusinessToken?.bind(client);
    if (business?.status !== 'ok' || !refresh) return;
    const expires = business.tokenExpiresAt?.getTime();
    if (expires !== undefined && expires - now.getTime() >= TIKTOK_REFRESH_WITHIN_MS) return;
    try {
      await this.accounts.refreshBusinessWith(account._id, refresh);
    } catch (error) {
      if (!(error instanceof PlatformError) || error.kind === 'transient' || error.kind === 'rate_limited') throw error;
      const problem = 'TikTok refused to renew the comments and insights connection.';
      if (!(await this.accounts.markBusinessReconnectNeeded(account._id, problem))) return;
      await this.notifier.tellAdmins({
        text: `:warning: The comments and insights of *${account.name}* (TikTok) stopped: ${problem} Connect them again with \`/wone connect\`.`,
      });
    }
  }

  private dueForRefresh(account: AccountSummary, now: Date): boolean {
    const expires = account.tokenExpiresAt?.getTime();
    if (account.platform === 'tiktok')
      return expires === undefined || expires - now.getTime() < TIKTOK_REFRESH_WITHIN_MS;
    if (account.login === 'instagram') {
      return expires !== undefined && expires - now.getTime() < INSTAGRAM_REFRESH_WITHIN_MS;
    }
    return false;
  }

  /**
   * The expiry that ends the account's connection: TikTok's refresh token (the access token is renewed daily);
   * otherwise the token's own. Announced once, a week ahead.
   */
  private async warnIfExpiring(account: AccountSummary, now: Date): Promise<boolean> {
    const ending = account.platform === 'tiktok' ? account.refreshExpiresAt : account.tokenExpiresAt;
    if (!ending || ending.getTime() - now.getTime() > EXPIRY_WARNING_MS) return false;
    if (!(await this.accounts.markExpiryWarned(account._id, ending))) return false;
    const days = Math.max(0, Math.ceil((ending.getTime() - now.getTime()) / DAY_MS));
    await this.notifier.tellAdmins({
      text:
        `:hourglass: The connection to *${account.name}* (${account.platform}) expires in ${days} day(s), on ` +
        `${ending.toISOString().slice(0, 10)}, and cannot be renewed automatically. Reconnect it from \`/wone accounts\`.`,
    });
    return true;
  }
}

function isAuthError(error: unknown): error is PlatformError {
  return error instanceof PlatformError && error.kind === 'auth';
}

/** The platform's own words when it gave any (they never contain the token), else ours. */
function safeProblem(error: PlatformError, fallback: string): string {
  return error.userMessage ?? fallback;
}
