import { type Db, ReturnDocument } from 'mongodb';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { AccountAccess, PlatformName, RefreshedToken } from '../platforms/types.ts';
import type { SealedSecret, TokenVault } from './token-vault.ts';

/** `ok`: usable. `reconnect_needed`: the platform refused its token. `disconnected`: its tokens are deleted. */
export type AccountStatus = 'ok' | 'reconnect_needed' | 'disconnected';

/**
 * TikTok: the account's connection to the TikTok API for Business (comments, insights). Made by its own Business
 * authorization with its own app, linked to the Login Kit account it belongs to. Its tokens are sealed like the
 * account's, kept beside it (`businessToken`, `businessRefreshToken`), and removed when it is disconnected.
 */
export interface BusinessConnection {
  /** The id the API for Business knows the account by (`open_id` of the Business token answer), not the Login Kit open_id. */
  businessId: string;
  scopes: string[];
  status: 'ok' | 'reconnect_needed';
  tokenExpiresAt?: Date;
  refreshExpiresAt?: Date;
  /** What went wrong with it last, in words safe to show. */
  problem?: string;
  connectedBy: string;
  connectedAt: Date;
}

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
  /** The Meta user whose login granted the token (for Meta's data-deletion callback and the revocation at Meta). */
  metaUserId?: string;
  /** Instagram through Facebook Login: the Page linked to the account (its webhooks come through that Page). */
  linkedPageId?: string;
  /** Whether Meta sends this account's comments by webhook (the app is subscribed for it); polled either way. */
  liveComments?: boolean;
  connectedBy: string;
  connectedAt: Date;
  lastHealthCheckAt?: Date;
  /** What the last health check found wrong, in words safe to show. */
  lastHealthProblem?: string;
  /** The expiry the admins were last warned about, so each expiry is announced once. */
  expiryWarnedFor?: Date;
  /** While a token refresh is under way: the refreshing worker's claim, released when the refresh fails. */
  refreshingUntil?: Date;
  /** The same for the API for Business token. */
  businessRefreshingUntil?: Date;
  /** TikTok: whether the TikTok API for Business connection (comments, insights) is made for this account. */
  businessApi?: boolean;
  /** TikTok: the API for Business connection, when made. */
  business?: BusinessConnection;
  businessToken?: SealedSecret;
  businessRefreshToken?: SealedSecret;
  disconnectedAt?: Date;
  disconnectedBy?: string;
}

/** An account as everything outside this module sees it: never with its sealed tokens. */
export type AccountSummary = Omit<AccountDoc, 'token' | 'refreshToken' | 'businessToken' | 'businessRefreshToken'>;

/** What `save` takes: the account with its tokens in clear, sealed on the way in. */
export type NewAccount = Omit<AccountDoc, 'token' | 'refreshToken'> & {
  accessToken: string;
  refreshTokenValue?: string;
};

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

const withoutSecrets = {
  projection: { token: 0, refreshToken: 0, businessToken: 0, businessRefreshToken: 0 },
} as const;

/** A token refresh that neither finished nor failed (its worker died) is given up after this long. */
const refreshClaimMs = 2 * 60 * 1000;

/** Connected accounts, and the only way to a usable token: decrypted just before a platform call. */
export class Accounts {
  constructor(
    private readonly db: Db,
    private readonly vault: TokenVault,
  ) {}

  private get collection() {
    return this.db.collection<AccountDoc>('accounts');
  }

  /** Every connected account (ok or needing reconnection), without its sealed tokens. */
  list(): Promise<AccountSummary[]> {
    return this.collection
      .find({ status: { $ne: 'disconnected' } }, withoutSecrets)
      .sort({ platform: 1, name: 1 })
      .toArray();
  }

  /** Every account ever connected, disconnected ones included (for `/wone accounts`). */
  listAll(): Promise<AccountSummary[]> {
    return this.collection.find({}, withoutSecrets).sort({ platform: 1, name: 1 }).toArray();
  }

  get(id: string): Promise<AccountSummary | null> {
    return this.collection.findOne({ _id: id }, withoutSecrets);
  }

  /**
   * Accounts whose tokens came from one Meta user's login (Meta's data-deletion callback names that user). An
   * Instagram Login account is also matched by its professional account id, in case the callback names that one.
   */
  byMetaUser(metaUserId: string): Promise<AccountSummary[]> {
    return this.collection
      .find({ $or: [{ metaUserId }, { login: 'instagram', externalId: metaUserId }] }, withoutSecrets)
      .toArray();
  }

  /**
   * Finds accounts by what a person would type: the id (`instagram:1784…`), the name or @username (any case),
   * optionally prefixed by the platform (`tiktok:@wone`).
   */
  async find(query: string): Promise<AccountSummary[]> {
    const wanted = query.trim();
    if (!wanted) return [];
    const all = await this.listAll();
    const exact = all.filter((account) => account._id === wanted);
    if (exact.length > 0) return exact;
    const [maybePlatform, ...rest] = wanted.split(':');
    const platform = ['instagram', 'facebook', 'tiktok'].includes(maybePlatform?.toLowerCase() ?? '')
      ? maybePlatform?.toLowerCase()
      : undefined;
    const name = normalise(platform ? rest.join(':') : wanted);
    return all.filter(
      (account) =>
        (!platform || account.platform === platform) &&
        (normalise(account.name) === name || account.externalId === name),
    );
  }

  /** What a platform client needs for one call. Throws when the account has no token or needs reconnecting. */
  async access(id: string): Promise<AccountAccess> {
    const account = await this.collection.findOne({ _id: id });
    if (!account?.token || account.status !== 'ok') throw new AccountNotConnectedError(id);
    return this.accessOf(account, account.token, account.business?.status === 'ok');
  }

  /**
   * Links an API for Business connection to a connected TikTok account (replacing an earlier one). False when the
   * account is not connected (any more).
   */
  async attachBusiness(
    id: string,
    connection: BusinessConnection,
    tokens: { token: SealedSecret; refreshToken?: SealedSecret },
  ): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: id, platform: 'tiktok', status: { $ne: 'disconnected' } },
      {
        $set: {
          business: connection,
          businessApi: true,
          businessToken: tokens.token,
          ...(tokens.refreshToken ? { businessRefreshToken: tokens.refreshToken } : {}),
        },
        ...(tokens.refreshToken ? {} : { $unset: { businessRefreshToken: '' } }),
      },
    );
    return result.matchedCount === 1;
  }

  /**
   * Removes the API for Business connection (its tokens with it) in one update, and hands its token back once so
   * TikTok can be asked to revoke it. `undefined` when there was none.
   */
  async detachBusiness(id: string): Promise<{ account: AccountSummary; accessToken: string } | undefined> {
    const before = await this.collection.findOneAndUpdate(
      { _id: id, business: { $exists: true } },
      { $unset: { business: '', businessToken: '', businessRefreshToken: '' }, $set: { businessApi: false } },
      { returnDocument: ReturnDocument.BEFORE },
    );
    if (!before?.businessToken) return undefined;
    const { token: _t, refreshToken: _r, businessToken, businessRefreshToken: _br, business: _b, ...rest } = before;
    return { account: { ...rest, businessApi: false }, accessToken: this.vault.open(businessToken) };
  }

  /** Marks the API for Business connection as refused by TikTok; publishing (Login Kit) is not affected. */
  async markBusinessReconnectNeeded(id: string, problem: string): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: id, 'business.status': 'ok' },
      { $set: { 'business.status': 'reconnect_needed', 'business.problem': problem } },
    );
    return result.modifiedCount === 1;
  }

  /**
   * Refreshes the API for Business token with its refresh token, guarded by the token it replaces (one refresh per
   * token: TikTok rotates refresh tokens). False if there is nothing to refresh or another refresh won.
   */
  async refreshBusinessWith(id: string, refresh: (refreshToken: string) => Promise<RefreshedToken>): Promise<boolean> {
    const account = await this.collection.findOne({ _id: id });
    const token = account?.businessToken;
    if (!token || !account?.businessRefreshToken || account.business?.status !== 'ok') return false;
    // The claim is an update guarded by the token it replaces, given back when the refresh fails.
    const now = new Date();
    const until = new Date(now.getTime() + refreshClaimMs);
    const claimed = await this.collection.updateOne(
      {
        _id: id,
        'businessToken.data': token.data,
        $or: [{ businessRefreshingUntil: { $exists: false } }, { businessRefreshingUntil: { $lt: now } }],
      },
      { $set: { businessRefreshingUntil: until } },
    );
    if (claimed.modifiedCount !== 1) return false;
    let refreshed: RefreshedToken;
    try {
      refreshed = await refresh(this.vault.open(account.businessRefreshToken));
    } catch (error) {
      await this.collection.updateOne(
        { _id: id, businessRefreshingUntil: until },
        { $unset: { businessRefreshingUntil: '' } },
      );
      throw error;
    }
    const set: Record<string, unknown> = { businessToken: this.vault.seal(refreshed.accessToken) };
    if (refreshed.expiresAt) set['business.tokenExpiresAt'] = refreshed.expiresAt;
    if (refreshed.refreshToken) set.businessRefreshToken = this.vault.seal(refreshed.refreshToken);
    if (refreshed.refreshExpiresAt) set['business.refreshExpiresAt'] = refreshed.refreshExpiresAt;
    const result = await this.collection.updateOne(
      { _id: id, 'businessToken.data': token.data },
      { $set: set, $unset: { businessRefreshingUntil: '' } },
    );
    return result.modifiedCount === 1;
  }

  /** Stores (or replaces) an account with freshly sealed tokens. */
  async save(account: NewAccount): Promise<void> {
    const { accessToken, refreshTokenValue, ...rest } = account;
    const doc: AccountDoc = {
      ...rest,
      token: this.vault.seal(accessToken),
      ...(refreshTokenValue ? { refreshToken: this.vault.seal(refreshTokenValue) } : {}),
    };
    await this.collection.replaceOne({ _id: account._id }, doc, { upsert: true });
  }

  /**
   * Stores an account whose tokens were sealed when the login completed (a chosen account of a pending connection):
   * they go from one sealed record to another without being opened.
   */
  async saveSealed(account: AccountDoc): Promise<void> {
    // Reconnecting a TikTok login keeps the account's API for Business connection, which has tokens of its own.
    const kept = await this.collection.findOne(
      { _id: account._id, status: { $ne: 'disconnected' }, business: { $exists: true } },
      { projection: { business: 1, businessApi: 1, businessToken: 1, businessRefreshToken: 1 } },
    );
    const { _id: _keptId, ...business } = kept ?? { _id: '' };
    await this.collection.replaceOne({ _id: account._id }, { ...account, ...business }, { upsert: true });
  }

  /** Ids of the accounts that are connected now, among `ids`. */
  async connectedIds(ids: string[]): Promise<Set<string>> {
    const found = await this.collection
      .find({ _id: { $in: ids }, status: { $ne: 'disconnected' } }, { projection: { _id: 1 } })
      .toArray();
    return new Set(found.map((account) => account._id));
  }

  /** Records whether Meta sends the account's comments by webhook. */
  async setLiveComments(id: string, live: boolean): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { liveComments: live } });
  }

  /** Marks an account as needing a new login (after an auth error from its platform). True if it was ok before. */
  async markReconnectNeeded(id: string, problem?: string): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: id, status: 'ok' },
      { $set: { status: 'reconnect_needed', ...(problem ? { lastHealthProblem: problem } : {}) } },
    );
    return result.modifiedCount === 1;
  }

  /** Records the outcome of a health check. */
  async recordHealthCheck(id: string, found: { at: Date; expiresAt?: Date; problem?: string }): Promise<void> {
    const set: Partial<AccountDoc> = { lastHealthCheckAt: found.at };
    if (found.expiresAt) set.tokenExpiresAt = found.expiresAt;
    if (found.problem) set.lastHealthProblem = found.problem;
    await this.collection.updateOne(
      { _id: id },
      found.problem ? { $set: set } : { $set: set, $unset: { lastHealthProblem: '' } },
    );
  }

  /** Remembers that the admins were warned about this expiry. True only the first time for that expiry. */
  async markExpiryWarned(id: string, expiresAt: Date): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: id, expiryWarnedFor: { $ne: expiresAt } },
      { $set: { expiryWarnedFor: expiresAt } },
    );
    return result.modifiedCount === 1;
  }

  /**
   * Refreshes an account's token with its refresh token (TikTok) or with the token itself (Instagram Login), and
   * stores what the platform returned: a rotated refresh token replaces the old one. The update is guarded by the
   * token it replaces, so two refreshes at once cannot leave an older token in place. False if another refresh won.
   */
  async refreshWith(
    id: string,
    refresh: (account: AccountAccess, refreshToken: string | undefined) => Promise<RefreshedToken>,
  ): Promise<boolean> {
    const account = await this.collection.findOne({ _id: id });
    if (!account?.token || account.status === 'disconnected') throw new AccountNotConnectedError(id);
    // One refresh per token, even when two instances run the health job at once: TikTok rotates refresh tokens, so
    // a second refresh with the same one would be refused and look like a dead account. The claim is an update of the
    // account guarded by the token it replaces; a refresh that fails gives it back, so the next check can try again.
    const now = new Date();
    const until = new Date(now.getTime() + refreshClaimMs);
    const claimed = await this.collection.updateOne(
      {
        _id: id,
        'token.data': account.token.data,
        $or: [{ refreshingUntil: { $exists: false } }, { refreshingUntil: { $lt: now } }],
      },
      { $set: { refreshingUntil: until } },
    );
    if (claimed.modifiedCount !== 1) return false;
    const refreshToken = account.refreshToken ? this.vault.open(account.refreshToken) : undefined;
    let refreshed: RefreshedToken;
    try {
      refreshed = await refresh(this.accessOf(account, account.token, false), refreshToken);
    } catch (error) {
      await this.collection.updateOne({ _id: id, refreshingUntil: until }, { $unset: { refreshingUntil: '' } });
      throw error;
    }
    const set: Partial<AccountDoc> = { token: this.vault.seal(refreshed.accessToken), status: 'ok' };
    if (refreshed.expiresAt) set.tokenExpiresAt = refreshed.expiresAt;
    if (refreshed.refreshToken) set.refreshToken = this.vault.seal(refreshed.refreshToken);
    if (refreshed.refreshExpiresAt) set.refreshExpiresAt = refreshed.refreshExpiresAt;
    const result = await this.collection.updateOne(
      { _id: id, 'token.data': account.token.data },
      { $set: set, $unset: { lastHealthProblem: '', refreshingUntil: '' } },
    );
    return result.modifiedCount === 1;
  }

  /**
   * Disconnects an account: its token fields are removed from the document (not flagged) in one update, and the
   * token as it was is handed back once so the platform can be asked to revoke it. `undefined` if it was not connected.
   */
  async disconnect(
    id: string,
    by: string,
  ): Promise<{ account: AccountSummary; revocable?: AccountAccess } | undefined> {
    // One disconnect per connection, even when two confirmations race: the update is guarded by the state it leaves.
    const before = await this.collection.findOneAndUpdate(
      { _id: id, status: { $ne: 'disconnected' } },
      {
        $unset: {
          token: '',
          refreshToken: '',
          tokenExpiresAt: '',
          refreshExpiresAt: '',
          expiryWarnedFor: '',
          liveComments: '',
          business: '',
          businessToken: '',
          businessRefreshToken: '',
        },
        $set: { status: 'disconnected', disconnectedAt: new Date(), disconnectedBy: by, businessApi: false },
      },
      { returnDocument: ReturnDocument.BEFORE },
    );
    if (!before) return undefined;
    const { token, refreshToken: _refresh, businessToken: _bt, businessRefreshToken: _brt, ...account } = before;
    return { account, ...(token ? { revocable: this.accessOf(before, token, true) } : {}) };
  }

  /** Deletes accounts entirely (data deletion). Returns how many were deleted. */
  async remove(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return (await this.collection.deleteMany({ _id: { $in: ids } })).deletedCount;
  }

  private accessOf(account: AccountDoc, token: SealedSecret, withBusiness: boolean): AccountAccess {
    const business = withBusiness ? account.business : undefined;
    return {
      platform: account.platform,
      externalId: account.externalId,
      login: account.login,
      accessToken: this.vault.open(token),
      ...(business && account.businessToken
        ? { business: { businessId: business.businessId, accessToken: this.vault.open(account.businessToken) } }
        : {}),
    };
  }
}

function normalise(name: string): string {
  return name.trim().replace(/^@/, '').toLowerCase();
}
