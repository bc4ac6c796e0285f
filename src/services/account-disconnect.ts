import type { Logger } from '../logger.ts';
import type { MetaApp, WebhookSubscription } from '../platforms/meta-app.ts';
import type { AccountAccess } from '../platforms/types.ts';
import type { AccountSummary, Accounts } from './accounts.ts';
import type { AuditLog } from './audit.ts';
import type { HeldTarget, TargetHolds } from './target-holds.ts';
import type { TokenPlatforms } from './token-platforms.ts';

export interface DisconnectResult {
  account: AccountSummary;
  /** Pending posts that were put on hold. */
  held: HeldTarget[];
  /** Whether the platform was asked to forget the grant and agreed; `not_supported` where it has no revoke. */
  revoked: 'revoked' | 'failed' | 'not_supported';
}

/**
 * Disconnects accounts: the tokens are deleted from the database first (so nothing can use them again, whatever the
 * platform answers), then the platform revokes the grant where it can (TikTok; Meta once the last account of a
 * Facebook login is gone, after its webhook subscription is dropped), and pending posts are held with their
 * requesters told.
 */
export class AccountDisconnect {
  constructor(
    private readonly accounts: Accounts,
    private readonly holds: TargetHolds,
    private readonly audit: AuditLog,
    private readonly platforms: TokenPlatforms,
    private readonly logger: Logger,
    private readonly metaApp?: MetaApp,
  ) {}

  /** `undefined` when the account is unknown or already disconnected. */
  async disconnect(
    accountId: string,
    by: string,
    reason = 'the account was disconnected',
  ): Promise<DisconnectResult | undefined> {
    const removed = await this.accounts.disconnect(accountId, by);
    if (!removed) return undefined;
    const { account, revocable } = removed;
    let revoked: DisconnectResult['revoked'] = 'not_supported';
    const revoke = this.platforms[account.platform]?.revokeToken;
    if (account.platform !== 'tiktok' && this.metaApp) {
      revoked = await this.leaveMeta(this.metaApp, account, revocable);
    } else if (revocable && revoke) {
      try {
        await revoke.call(this.platforms[account.platform], revocable);
        revoked = 'revoked';
      } catch (error) {
        // The token is already gone from our database; the platform will expire it on its own.
        this.logger.warn({ err: error, accountId }, 'the platform did not revoke the token');
        revoked = 'failed';
      }
    }
    const held = await this.holds.holdForAccount(account._id, account.name, reason);
    await this.audit.record({
      actor: by,
      action: 'disconnect',
      subject: `account:${account._id}`,
      details: { name: account.name, platform: account.platform, held: held.length, revoked },
    });
    return { account, held, revoked };
  }

  /**
   * Disconnects a TikTok account's comments and insights (its API for Business connection) and nothing else: the
   * Business tokens are deleted first, then TikTok is asked to revoke the grant. `undefined` when there was none.
   */
  async disconnectBusiness(
    accountId: string,
    by: string,
  ): Promise<{ account: AccountSummary; revoked: DisconnectResult['revoked'] } | undefined> {
    const removed = await this.accounts.detachBusiness(accountId);
    if (!removed) return undefined;
    let revoked: DisconnectResult['revoked'] = 'not_supported';
    const platform = this.platforms[removed.account.platform];
    if (platform?.revokeBusinessToken) {
      try {
        await platform.revokeBusinessToken(removed.accessToken);
        revoked = 'revoked';
      } catch (error) {
        this.logger.warn({ err: error, accountId }, 'TikTok did not revoke the API for Business token');
        revoked = 'failed';
      }
    }
    await this.audit.record({
      actor: by,
      action: 'disconnect',
      subject: `account:${accountId}`,
      details: { name: removed.account.name, platform: 'tiktok', login: 'tiktok_business', revoked },
    });
    return { account: removed.account, revoked };
  }

  /**
   * Meta: the webhook subscription goes when no connected account still needs it (a Page serves its own posts and
   * its Instagram account's), then the Facebook login is revoked at Meta when it was the last account it connected
   * (`DELETE /{user-id}/permissions`). Instagram Login has no documented revocation: its token is only deleted here.
   */
  private async leaveMeta(
    metaApp: MetaApp,
    account: AccountSummary,
    revocable: AccountAccess | undefined,
  ): Promise<DisconnectResult['revoked']> {
    const others = (await this.accounts.list()).filter((other) => other._id !== account._id);
    const subscription = subscriptionOf(account, revocable);
    const pageId = subscription?.host === 'facebook' ? subscription.pageId : undefined;
    const stillNeeded = pageId
      ? others.some((other) => other.externalId === pageId || other.linkedPageId === pageId)
      : false;
    if (subscription && account.liveComments && !stillNeeded) {
      try {
        await metaApp.unsubscribe(subscription);
      } catch (error) {
        this.logger.warn({ err: error, accountId: account._id }, 'Meta did not drop the webhook subscription');
      }
    }
    if (account.login !== 'facebook' || !account.metaUserId) return 'not_supported';
    if (others.some((other) => other.login === 'facebook' && other.metaUserId === account.metaUserId))
      return 'not_supported';
    try {
      await metaApp.revokeFacebookLogin(account.metaUserId);
      return 'revoked';
    } catch (error) {
      this.logger.warn({ err: error, accountId: account._id }, 'Meta did not revoke the login');
      return 'failed';
    }
  }
}

/** The webhook subscription an account's comments come through, with the token it was made with. */
function subscriptionOf(account: AccountSummary, access: AccountAccess | undefined): WebhookSubscription | undefined {
  if (!access) return undefined;
  if (account.login === 'instagram') return { host: 'instagram', token: access.accessToken };
  const pageId = account.platform === 'facebook' ? account.externalId : account.linkedPageId;
  return pageId ? { host: 'facebook', pageId, token: access.accessToken } : undefined;
}
