import type { Logger } from '../logger.ts';
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
 * platform answers), then the platform revokes the grant where it can (TikTok), and pending posts are held with
 * their requesters told.
 */
export class AccountDisconnect {
  constructor(
    private readonly accounts: Accounts,
    private readonly holds: TargetHolds,
    private readonly audit: AuditLog,
    private readonly platforms: TokenPlatforms,
    private readonly logger: Logger,
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
    if (revocable && revoke) {
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
}
