import type { Db } from 'mongodb';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { AccountAccess, PlatformName } from '../platforms/types.ts';
import type { SealedSecret, TokenVault } from './token-vault.ts';

export type AccountStatus = 'ok' | 'reconnect_needed';

/** A connected brand account. Its tokens are sealed; disconnecting deletes them (the fields are removed). */
export interface AccountDoc {
  /** `<platform>:<externalId>`, e.g. `instagram:17841400000000000`. */
  _id: string;
  platform: PlatformName;
  login: AccountAccess['login'];
  /** Instagram user id, Facebook Page id, or TikTok open_id. */
  externalId: string;
  /** What people see: the Page name or @username. */
  name: string;
  status: AccountStatus;
  scopes: string[];
  token?: SealedSecret;
  tokenExpiresAt?: Date;
  refreshToken?: SealedSecret;
  refreshExpiresAt?: Date;
  /** The Meta user whose login granted the token (for Meta's data-deletion callback). */
  metaUserId?: string;
  connectedBy: string;
  connectedAt: Date;
  lastHealthCheckAt?: Date;
  /** TikTok: whether the TikTok API for Business (comments, insights) is available for this account. */
  businessApi?: boolean;
}

export const accountIndexes: CollectionIndexes = {
  collection: 'accounts',
  indexes: [{ key: { platform: 1 } }, { key: { metaUserId: 1 } }],
};

export class AccountNotConnectedError extends Error {
  readonly code = 'account_not_connected';
  constructor(readonly accountId: string) {
    super(`Account ${accountId} is not connected (or needs reconnecting).`);
    this.name = 'AccountNotConnectedError';
  }
}

/** Connected accounts, and the only way to a usable token: decrypted just before a platform call. */
export class Accounts {
  constructor(
    private readonly db: Db,
    private readonly vault: TokenVault,
  ) {}

  private get collection() {
    return this.db.collection<AccountDoc>('accounts');
  }

  /** Every connected account, without its sealed tokens. */
  list(): Promise<Omit<AccountDoc, 'token' | 'refreshToken'>[]> {
    return this.collection
      .find({}, { projection: { token: 0, refreshToken: 0 } })
      .sort({ platform: 1, name: 1 })
      .toArray();
  }

  get(id: string): Promise<Omit<AccountDoc, 'token' | 'refreshToken'> | null> {
    return this.collection.findOne({ _id: id }, { projection: { token: 0, refreshToken: 0 } });
  }

  /** What a platform client needs for one call. Throws when the account has no token or needs reconnecting. */
  async access(id: string): Promise<AccountAccess> {
    const account = await this.collection.findOne({ _id: id });
    if (!account?.token || account.status !== 'ok') throw new AccountNotConnectedError(id);
    return {
      platform: account.platform,
      externalId: account.externalId,
      login: account.login,
      accessToken: this.vault.open(account.token),
    };
  }

  /** Stores (or replaces) an account with freshly sealed tokens. */
  async save(
    account: Omit<AccountDoc, 'token' | 'refreshToken'> & { accessToken: string; refreshTokenValue?: string },
  ): Promise<void> {
    const { accessToken, refreshTokenValue, ...rest } = account;
    const doc: AccountDoc = {
      ...rest,
      token: this.vault.seal(accessToken),
      ...(refreshTokenValue ? { refreshToken: this.vault.seal(refreshTokenValue) } : {}),
    };
    await this.collection.replaceOne({ _id: account._id }, doc, { upsert: true });
  }

  /** Marks an account as needing a new login (after an auth error from its platform). */
  async markReconnectNeeded(id: string): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id, status: 'ok' }, { $set: { status: 'reconnect_needed' } });
    return result.modifiedCount === 1;
  }
}
