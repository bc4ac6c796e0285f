import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import type { AccountDisconnect } from './account-disconnect.ts';
import type { AccountSummary, Accounts } from './accounts.ts';
import type { AuditLog } from './audit.ts';

/**
 * Collections holding data that came from a connected account (comments, insights), keyed by `accountId`. Deleting
 * an account's data deletes its rows there too. Posts we wrote ourselves are our own content and stay.
 */
export const accountDataCollections = ['comments', 'insights'];

/** One deletion, findable by its confirmation code on the status page. */
export interface DeletionRequestDoc {
  /** The confirmation code (alphanumeric). */
  _id: string;
  source: 'meta' | 'slack';
  /** `meta` (its callback; the Meta user id is not kept) or the Slack user who asked. */
  requestedBy: string;
  requestedAt: Date;
  status: 'completed';
  completedAt: Date;
  /** What was deleted: account names and counts, never tokens. */
  accounts: { id: string; name: string; platform: string }[];
  deletedRecords: number;
}

/**
 * Deletes the data tied to an account or to a Meta user on request: tokens first (by disconnecting, which also holds
 * pending posts and revokes where the platform can), then the account itself, the logins waiting for a choice, and
 * the rows other features keep for the account. Every deletion is recorded under a confirmation code.
 */
export class DataDeletion {
  constructor(
    private readonly db: Db,
    private readonly accounts: Accounts,
    private readonly disconnect: AccountDisconnect,
    private readonly audit: AuditLog,
  ) {}

  private get requests() {
    return this.db.collection<DeletionRequestDoc>('deletion_requests');
  }

  /** Meta's data-deletion callback: everything tied to the Meta user whose login connected accounts. */
  async deleteForMetaUser(metaUserId: string): Promise<DeletionRequestDoc> {
    const accounts = await this.accounts.byMetaUser(metaUserId);
    const pending = await this.db.collection('oauth_pending').deleteMany({ metaUserId });
    return this.deleteAccounts(accounts, { source: 'meta', requestedBy: 'meta' }, pending.deletedCount);
  }

  /** `/wone delete-data <account>`. */
  async deleteAccount(account: AccountSummary, slackUserId: string): Promise<DeletionRequestDoc> {
    return this.deleteAccounts([account], { source: 'slack', requestedBy: slackUserId }, 0);
  }

  status(code: string): Promise<DeletionRequestDoc | null> {
    return this.requests.findOne({ _id: code });
  }

  private async deleteAccounts(
    accounts: AccountSummary[],
    who: { source: 'meta' | 'slack'; requestedBy: string },
    alreadyDeleted: number,
  ): Promise<DeletionRequestDoc> {
    const requestedAt = new Date();
    const actor = who.requestedBy;
    let deletedRecords = alreadyDeleted;
    for (const account of accounts) {
      await this.disconnect.disconnect(account._id, actor, 'the account and its data were deleted on request');
      for (const name of accountDataCollections) {
        deletedRecords += (await this.db.collection(name).deleteMany({ accountId: account._id })).deletedCount;
      }
    }
    deletedRecords += await this.accounts.remove(accounts.map((account) => account._id));
    const request: DeletionRequestDoc = {
      _id: confirmationCode(),
      ...who,
      requestedAt,
      status: 'completed',
      completedAt: new Date(),
      accounts: accounts.map((account) => ({ id: account._id, name: account.name, platform: account.platform })),
      deletedRecords,
    };
    await this.requests.insertOne(request);
    await this.audit.record({
      actor,
      action: 'delete_data',
      subject: accounts.length === 1 ? `account:${accounts[0]?._id}` : `deletion:${request._id}`,
      details: { confirmation: request._id, accounts: accounts.length, records: deletedRecords },
    });
    return request;
  }
}

/** 20 characters from A–Z and 0–9, unguessable. */
function confirmationCode(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...randomBytes(20)].map((byte) => alphabet[byte % 36]).join('');
}
