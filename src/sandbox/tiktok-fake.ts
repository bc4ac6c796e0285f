import { createHash, type Hash, randomBytes } from 'node:crypto';
import { FakeHttpServer, type FakeReply, type FakeRequest } from './fake-http-server.ts';

/**
 * TikTok as documented (see /work/shared/reference/platforms.md, section G): the Open API v2 (Login Kit OAuth, Content
 * Posting API, Display API), the upload URL it hands out for FILE_UPLOAD, and the TikTok API for Business (comments
 * and insights). One server serves all three: the Open API at `url`, the upload URLs under `/upload/video/`, and the
 * Business API under `/open_api/v1.3/` (so `url` is also the Business API base).
 *
 * It refuses what TikTok refuses: a missing or dead Bearer token (401 access_token_invalid), a wrong Content-Type, a
 * privacy level the creator does not offer (403), bad chunk math (400 invalid_param), out-of-order or mis-sized chunks
 * (416), more calls per minute than TikTok allows (429). Posts that went live are recorded per account, so a test can
 * assert that exactly one post exists whatever happened to the answers.
 */

const MB = 1024 * 1024;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];
const BUSINESS = '/open_api/v1.3';

export type PrivacyLevel = 'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY';

/** How a publish of this account ends, and how long it takes, counted in `status/fetch` calls. */
export interface PublishOutcomeConfig {
  result: 'complete' | 'failed';
  failReason?: string;
  /** Status fetches answered PROCESSING_* after the bytes are in. */
  processingPolls: number;
  /** Fetches answered PUBLISH_COMPLETE with an empty `publicaly_available_post_id` (moderation lag). */
  postIdLagPolls: number;
}

export interface FakeAccount {
  openId: string;
  username: string;
  nickname: string;
  privacyLevelOptions: PrivacyLevel[];
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoPostDurationSec: number;
  /** creator_info answers this with HTTP 200 (TikTok's "intentional" errors). */
  creatorInfoError?: 'spam_risk_too_many_posts' | 'spam_risk_user_banned_from_posting' | 'reached_active_user_cap';
  bannedFromPosting: boolean;
  /** Direct posts allowed per rolling 24 h before spam_risk_too_many_posts. */
  dailyPostCap?: number;
  outcome: PublishOutcomeConfig;
  /**
   * The account type in TikTok. Only a Business account can grant the API for Business app access (Business
   * authorization); a personal account is refused there. Being a Business account alone grants nothing: the API for
   * Business serves the account only with a token from that authorization.
   */
  accountType: 'personal' | 'business';
  followers: number;
  dailyMetrics: {
    date: string;
    video_views: number;
    profile_views: number;
    likes: number;
    comments: number;
    shares: number;
  }[];
}

/** A post that went live (or would go live) on the account. */
export interface FakePost {
  publishId: string;
  postId: string;
  openId: string;
  kind: 'video' | 'photo';
  title: string;
  privacyLevel: string;
  source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  /** sha256 of the uploaded bytes, in upload order. */
  sha256?: string;
  sourceUrls: string[];
  at: number;
}

export interface FakeInboxDelivery {
  publishId: string;
  openId: string;
  kind: 'video' | 'photo';
  at: number;
}

export interface FakeComment {
  comment_id: string;
  video_id: string;
  user_id: string;
  username: string;
  create_time: number;
  text: string;
  likes: number;
  replies: number;
  owner: boolean;
  status: 'PUBLIC' | 'HIDDEN';
  parent_comment_id?: string;
}

interface VideoStats {
  video_views: number;
  likes: number;
  comments: number;
  shares: number;
  reach: number;
}

interface TokenRecord {
  openId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

interface RefreshRecord {
  openId: string;
  scopes: string[];
  expiresAt: number;
  active: boolean;
}

/** A token of the API for Business app: its own app, its own ids (`businessId`), never a Login Kit token. */
interface BusinessTokenRecord {
  openId: string;
  businessId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

interface PublishTask {
  publishId: string;
  openId: string;
  kind: 'video' | 'photo';
  mode: 'direct' | 'inbox';
  source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  title: string;
  privacyLevel: string;
  sourceUrls: string[];
  videoSize: number;
  chunkSize: number;
  totalChunks: number;
  uploaded: number;
  hash?: Hash;
  uploadId?: string;
  uploadToken?: string;
  uploadExpiresAt: number;
  ready: boolean;
  pollsSinceReady: number;
  outcome: PublishOutcomeConfig;
  postId?: string;
}

const DEFAULT_SCOPES = ['user.info.basic', 'video.publish', 'video.upload', 'video.list'];
/** Login Kit scopes TikTok knows (reference G.1). */
const LOGIN_KIT_SCOPES = [
  'user.info.basic',
  'user.info.profile',
  'user.info.stats',
  'video.list',
  'video.upload',
  'video.publish',
];

/** Scopes the API for Business app may ask for on the Business authorization page (reference G.5). */
export const BUSINESS_SCOPES = [
  'user.info.basic',
  'user.info.username',
  'user.info.stats',
  'user.account.type',
  'user.insights',
  'video.list',
  'video.insights',
  'comment.list',
  'comment.list.manage',
  'video.publish',
];

/** Per-token limits per minute (Content Posting API reference). */
const LIMITS = { init: 6, creator_info: 20, status: 30 } as const;

export class TikTokFake {
  readonly server = new FakeHttpServer();
  readonly clientKey = 'wone-client-key';
  readonly clientSecret = 'wone-client-secret-0123';
  /** The API for Business app: a separate app in a separate portal, with its own id and secret. */
  readonly businessAppId = '7300000000000000999';
  readonly businessAppSecret = 'wone-business-secret-0123';
  /** Apply TikTok's per-token, per-minute limits. */
  rateLimits = true;
  /** An app TikTok has not audited: only SELF_ONLY posts are allowed. */
  unaudited = false;
  /** URL prefixes verified in the developer portal, for PULL_FROM_URL. */
  verifiedUrlPrefixes = ['https://media.wone.example/'];
  /**
   * TikTok pulls only https URLs. The local sandbox serves its media over http on this machine, so it switches this
   * off; the prefix check still applies.
   */
  requireHttps = true;
  accessTokenLifetimeSec = 86_400;
  refreshTokenLifetimeSec = 31_536_000;

  private readonly accounts = new Map<string, FakeAccount>();
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly authCodes = new Map<
    string,
    { openId: string; redirectUri: string; scopes: string[]; used: boolean }
  >();
  private readonly businessTokens = new Map<string, BusinessTokenRecord>();
  private readonly businessRefreshTokens = new Map<string, BusinessTokenRecord & { active: boolean }>();
  private readonly businessCodes = new Map<
    string,
    { openId: string; redirectUri: string; scopes: string[]; used: boolean }
  >();
  private readonly tasks = new Map<string, PublishTask>();
  private readonly published: FakePost[] = [];
  private readonly inbox: FakeInboxDelivery[] = [];
  private readonly videoStats = new Map<string, { openId: string; stats: VideoStats }>();
  private readonly comments = new Map<string, FakeComment[]>();
  private readonly callLog = new Map<string, number[]>();
  private clockOffsetMs = 0;
  private counter = 0;

  get url(): string {
    return this.server.url;
  }

  async start(): Promise<string> {
    this.registerOAuth();
    this.registerContentPosting();
    this.registerDisplay();
    this.registerBusinessAuth();
    this.registerBusiness();
    return this.server.start();
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Moves the fake's clock on (token expiry, upload URL expiry, rate-limit windows). */
  advance(ms: number): void {
    this.clockOffsetMs += ms;
  }

  // ---- Seeding ---------------------------------------------------------------------------------------------------

  seedAccount(partial: Partial<FakeAccount> & { openId: string }): FakeAccount {
    const account: FakeAccount = {
      username: `wone_${partial.openId}`,
      nickname: 'Wone',
      privacyLevelOptions: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      commentDisabled: false,
      duetDisabled: false,
      stitchDisabled: false,
      maxVideoPostDurationSec: 600,
      bannedFromPosting: false,
      outcome: { result: 'complete', processingPolls: 1, postIdLagPolls: 0 },
      accountType: 'personal',
      followers: 0,
      dailyMetrics: [],
      ...partial,
    };
    this.accounts.set(account.openId, account);
    return account;
  }

  account(openId: string): FakeAccount {
    const account = this.accounts.get(openId);
    if (!account) throw new Error(`no fake TikTok account ${openId}`);
    return account;
  }

  /** A token pair as the authorization-code exchange would issue it. */
  issueTokens(openId: string, scopes: string[] = DEFAULT_SCOPES): { accessToken: string; refreshToken: string } {
    this.account(openId);
    const accessToken = `act.${randomBytes(12).toString('hex')}`;
    const refreshToken = `rft.${randomBytes(12).toString('hex')}`;
    this.tokens.set(accessToken, {
      openId,
      scopes,
      expiresAt: this.now() + this.accessTokenLifetimeSec * 1000,
      revoked: false,
    });
    this.refreshTokens.set(refreshToken, {
      openId,
      scopes,
      expiresAt: this.now() + this.refreshTokenLifetimeSec * 1000,
      active: true,
    });
    return { accessToken, refreshToken };
  }

  /** A code as TikTok's authorization redirect would carry it (single use, bound to the redirect URI). */
  issueAuthCode(openId: string, redirectUri: string, scopes: string[] = DEFAULT_SCOPES): string {
    const code = `code-${randomBytes(8).toString('hex')}`;
    this.authCodes.set(code, { openId, redirectUri, scopes, used: false });
    return code;
  }

  /**
   * What TikTok's authorization page does in the person's browser (reference G.1): checks the URL as TikTok would,
   * then redirects to `redirect_uri` with a single-use code bound to it, or with `error=access_denied`.
   */
  consent(authorizeUrl: string, as: { openId: string; deny?: boolean }): string {
    const url = new URL(authorizeUrl);
    if (url.host !== 'www.tiktok.com' || url.pathname !== '/v2/auth/authorize/')
      throw new Error(`not a TikTok authorize URL: ${url.origin}${url.pathname}`);
    const q = Object.fromEntries(url.searchParams);
    if (q.client_key !== this.clientKey) throw new Error('authorize: client_key is not the app key');
    if (q.response_type !== 'code') throw new Error('authorize: response_type must be code');
    if (!q.redirect_uri || !q.state) throw new Error('authorize: redirect_uri and state are required');
    const scopes = (q.scope ?? '').split(',').filter(Boolean);
    const unknown = scopes.filter((scope) => !LOGIN_KIT_SCOPES.includes(scope));
    if (scopes.length === 0 || unknown.length > 0) throw new Error(`authorize: invalid scopes ${unknown.join(',')}`);
    const back = new URL(q.redirect_uri);
    if (as.deny) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user denied the request.');
    } else {
      back.searchParams.set('code', this.issueAuthCode(as.openId, q.redirect_uri, scopes));
      back.searchParams.set('scopes', scopes.join(','));
    }
    back.searchParams.set('state', q.state);
    return back.toString();
  }

  /**
   * The API for Business's authorization page for a TikTok account holder (the "TikTok account holder authorization
   * URL" of the Business app): same TikTok host, but the Business app's id as `client_key` and the Business scopes.
   * Only a Business account can grant it; the redirect carries a single-use code for `tt_user/oauth2/token/`.
   */
  businessConsent(authorizeUrl: string, as: { openId: string; deny?: boolean }): string {
    const url = new URL(authorizeUrl);
    if (url.host !== 'www.tiktok.com' || url.pathname !== '/v2/auth/authorize/')
      throw new Error(`not a TikTok authorize URL: ${url.origin}${url.pathname}`);
    const q = Object.fromEntries(url.searchParams);
    if (q.client_key !== this.businessAppId)
      throw new Error('business authorize: client_key is not the Business app id');
    if (q.response_type !== 'code') throw new Error('business authorize: response_type must be code');
    if (!q.redirect_uri || !q.state) throw new Error('business authorize: redirect_uri and state are required');
    const scopes = (q.scope ?? '').split(',').filter(Boolean);
    const unknown = scopes.filter((scope) => !BUSINESS_SCOPES.includes(scope));
    if (scopes.length === 0 || unknown.length > 0)
      throw new Error(`business authorize: invalid scopes ${unknown.join(',')}`);
    const back = new URL(q.redirect_uri);
    if (as.deny || this.account(as.openId).accountType !== 'business') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set(
        'error_description',
        as.deny ? 'The user denied the request.' : 'Only a TikTok Business account can authorize this app.',
      );
    } else {
      const code = `bizcode-${randomBytes(8).toString('hex')}`;
      this.businessCodes.set(code, { openId: as.openId, redirectUri: q.redirect_uri, scopes, used: false });
      back.searchParams.set('code', code);
      back.searchParams.set('scopes', scopes.join(','));
    }
    back.searchParams.set('state', q.state);
    return back.toString();
  }

  /**
   * An API for Business token pair as the Business authorization's code exchange would issue it (for seeding the
   * sandbox; tests go through `businessConsent`). Only a Business account can have one.
   */
  issueBusinessTokens(
    openId: string,
    scopes: string[] = BUSINESS_SCOPES,
  ): { accessToken: string; refreshToken: string; businessId: string } {
    if (this.account(openId).accountType !== 'business') throw new Error(`${openId} is not a TikTok Business account`);
    const accessToken = `act.biz.${randomBytes(12).toString('hex')}`;
    const refreshToken = `rft.biz.${randomBytes(12).toString('hex')}`;
    const businessId = this.businessIdOf(openId);
    const record = { openId, businessId, scopes, revoked: false };
    this.businessTokens.set(accessToken, { ...record, expiresAt: this.now() + this.accessTokenLifetimeSec * 1000 });
    this.businessRefreshTokens.set(refreshToken, {
      ...record,
      expiresAt: this.now() + this.refreshTokenLifetimeSec * 1000,
      active: true,
    });
    return { accessToken, refreshToken, businessId };
  }

  /** The id the API for Business knows this account by (`business_id`): not the Login Kit open_id. */
  businessIdOf(openId: string): string {
    return `-000${createHash('sha256').update(`business:${openId}`).digest('hex').slice(0, 28)}`;
  }

  /** Whether any API for Business token of this account still works (false once revoked). */
  hasLiveBusinessGrant(openId: string): boolean {
    return [...this.businessTokens.values()].some(
      (record) => record.openId === openId && !record.revoked && record.expiresAt > this.now(),
    );
  }

  /** Whether any token of this account still works (false once revoked). */
  hasLiveGrant(openId: string): boolean {
    return [...this.tokens.entries()].some(([token, record]) => record.openId === openId && this.isTokenUsable(token));
  }

  isTokenUsable(accessToken: string): boolean {
    const record = this.tokens.get(accessToken);
    return Boolean(record && !record.revoked && record.expiresAt > this.now());
  }

  /** A video already on the account (for comments and insights). */
  seedVideo(openId: string, videoId: string, stats: Partial<VideoStats> = {}): void {
    this.account(openId);
    this.videoStats.set(videoId, {
      openId,
      stats: { video_views: 0, likes: 0, comments: 0, shares: 0, reach: 0, ...stats },
    });
  }

  seedComment(videoId: string, comment: Partial<FakeComment> & { text: string }): FakeComment {
    const full: FakeComment = {
      comment_id: `${7_100_000_000_000_000_000n + BigInt(this.next())}`,
      video_id: videoId,
      user_id: `user-${this.counter}`,
      username: `fan${this.counter}`,
      create_time: Math.floor(this.now() / 1000),
      likes: 0,
      replies: 0,
      owner: false,
      status: 'PUBLIC',
      ...comment,
    };
    const list = this.comments.get(videoId) ?? [];
    list.push(full);
    this.comments.set(videoId, list);
    return full;
  }

  // ---- Inspection ------------------------------------------------------------------------------------------------

  postsOf(openId: string): FakePost[] {
    return this.published.filter((post) => post.openId === openId);
  }

  inboxOf(openId: string): FakeInboxDelivery[] {
    return this.inbox.filter((delivery) => delivery.openId === openId);
  }

  commentsOn(videoId: string): FakeComment[] {
    return this.comments.get(videoId) ?? [];
  }

  // ---- Helpers ---------------------------------------------------------------------------------------------------

  private next(): number {
    this.counter += 1;
    return this.counter;
  }

  private logId(): string {
    return `2026${String(this.next()).padStart(10, '0')}ABCDEF`;
  }

  private ok(data: unknown): FakeReply {
    return { status: 200, json: { data, error: { code: 'ok', message: '', log_id: this.logId() } } };
  }

  private fail(status: number, code: string, message: string): FakeReply {
    return { status, json: { data: {}, error: { code, message, log_id: this.logId() } } };
  }

  private oauthFail(status: number, error: string, description: string): FakeReply {
    return { status, json: { error, error_description: description, log_id: this.logId() } };
  }

  /** Bearer token check shared by every Open API call; the error reply, or the token's record. */
  private bearer(req: FakeRequest, scope?: string): FakeReply | TokenRecord {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const record = match?.[1] ? this.tokens.get(match[1]) : undefined;
    if (!record || record.revoked || record.expiresAt <= this.now()) {
      return this.fail(401, 'access_token_invalid', 'The access token is invalid or has expired.');
    }
    if (scope && !record.scopes.includes(scope)) {
      return this.fail(
        401,
        'scope_not_authorized',
        `The user did not authorize the scope required for this endpoint (${scope}).`,
      );
    }
    return record;
  }

  private jsonUtf8(req: FakeRequest): FakeReply | undefined {
    if (!/^application\/json;\s*charset=utf-8$/i.test(req.headers['content-type'] ?? '')) {
      return this.fail(400, 'invalid_params', 'Content-Type must be application/json; charset=UTF-8.');
    }
    return undefined;
  }

  private limited(req: FakeRequest, bucket: keyof typeof LIMITS): FakeReply | undefined {
    if (!this.rateLimits) return undefined;
    const token = req.headers.authorization ?? '';
    const key = `${bucket}|${token}`;
    const now = this.now();
    const recent = (this.callLog.get(key) ?? []).filter((at) => at > now - MINUTE);
    if (recent.length >= LIMITS[bucket]) {
      this.callLog.set(key, recent);
      return this.fail(
        429,
        'rate_limit_exceeded',
        'API rate limit was exceeded, only 1 request is allowed per second.',
      );
    }
    recent.push(now);
    this.callLog.set(key, recent);
    return undefined;
  }

  private body(req: FakeRequest): Record<string, unknown> {
    return isRecord(req.body) ? req.body : {};
  }

  // ---- OAuth (Login Kit) -----------------------------------------------------------------------------------------

  private registerOAuth(): void {
    this.server.route('POST', '/v2/oauth/token/', (req) => {
      if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        return this.oauthFail(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.');
      }
      const form = this.body(req) as Record<string, string>;
      if (form.client_key !== this.clientKey || form.client_secret !== this.clientSecret) {
        return this.oauthFail(401, 'invalid_client', 'Client key or secret is invalid.');
      }
      let grant: { openId: string; scopes: string[] };
      if (form.grant_type === 'authorization_code') {
        const code = form.code ? this.authCodes.get(form.code) : undefined;
        if (!code || code.used || code.redirectUri !== form.redirect_uri) {
          return this.oauthFail(400, 'invalid_grant', 'Authorization code is expired or invalid.');
        }
        code.used = true;
        grant = code;
      } else if (form.grant_type === 'refresh_token') {
        const record = form.refresh_token ? this.refreshTokens.get(form.refresh_token) : undefined;
        if (!record?.active || record.expiresAt <= this.now()) {
          return this.oauthFail(400, 'invalid_grant', 'Refresh token is invalid or expired.');
        }
        // Rotation: the previous refresh token stops working once a new one is issued.
        record.active = false;
        grant = record;
      } else {
        return this.oauthFail(400, 'unsupported_grant_type', 'The grant type is not supported.');
      }
      const issued = this.issueTokens(grant.openId, grant.scopes);
      return {
        status: 200,
        json: {
          access_token: issued.accessToken,
          expires_in: this.accessTokenLifetimeSec,
          open_id: grant.openId,
          refresh_expires_in: this.refreshTokenLifetimeSec,
          refresh_token: issued.refreshToken,
          scope: grant.scopes.join(','),
          token_type: 'Bearer',
        },
      };
    });

    this.server.route('POST', '/v2/oauth/revoke/', (req) => {
      const form = this.body(req) as Record<string, string>;
      if (form.client_key !== this.clientKey || form.client_secret !== this.clientSecret) {
        return this.oauthFail(401, 'invalid_client', 'Client key or secret is invalid.');
      }
      const record = form.token ? this.tokens.get(form.token) : undefined;
      if (!record) return this.oauthFail(400, 'invalid_request', 'The token is invalid.');
      // Revoking ends the whole grant: every token of the user for this app.
      for (const token of this.tokens.values()) if (token.openId === record.openId) token.revoked = true;
      for (const refresh of this.refreshTokens.values()) if (refresh.openId === record.openId) refresh.active = false;
      return { status: 200 };
    });
  }

  // ---- Content Posting API ---------------------------------------------------------------------------------------

  private registerContentPosting(): void {
    this.server.route('POST', '/v2/post/publish/creator_info/query/', (req) => {
      const auth = this.bearer(req, 'video.publish');
      if (isReply(auth)) return auth;
      const bad = this.jsonUtf8(req) ?? this.limited(req, 'creator_info');
      if (bad) return bad;
      const account = this.account(auth.openId);
      if (account.creatorInfoError) {
        // Documented: these arrive with HTTP 200 and the error code in the envelope.
        return {
          status: 200,
          json: {
            data: {},
            error: { code: account.creatorInfoError, message: 'The user cannot post now.', log_id: this.logId() },
          },
        };
      }
      return this.ok({
        creator_avatar_url: `https://p16.tiktokcdn.example/${account.openId}.jpeg`,
        creator_username: account.username,
        creator_nickname: account.nickname,
        privacy_level_options: account.privacyLevelOptions,
        comment_disabled: account.commentDisabled,
        duet_disabled: account.duetDisabled,
        stitch_disabled: account.stitchDisabled,
        max_video_post_duration_sec: account.maxVideoPostDurationSec,
      });
    });

    this.server.route('POST', '/v2/post/publish/video/init/', (req) => this.initVideo(req, 'direct'));
    this.server.route('POST', '/v2/post/publish/inbox/video/init/', (req) => this.initVideo(req, 'inbox'));
    this.server.route('POST', '/v2/post/publish/content/init/', (req) => this.initPhoto(req));
    this.server.route('PUT', '/upload/video/', (req) => this.uploadChunk(req));
    this.server.route('POST', '/v2/post/publish/status/fetch/', (req) => this.fetchStatus(req));
  }

  private initVideo(req: FakeRequest, mode: 'direct' | 'inbox'): FakeReply {
    const auth = this.bearer(req, mode === 'direct' ? 'video.publish' : 'video.upload');
    if (isReply(auth)) return auth;
    const bad = this.jsonUtf8(req) ?? this.limited(req, 'init');
    if (bad) return bad;
    const account = this.account(auth.openId);
    const body = this.body(req);
    const source = isRecord(body.source_info) ? body.source_info : undefined;
    if (!source) return this.fail(400, 'invalid_param', 'source_info is required.');

    let title = '';
    let privacyLevel = '';
    if (mode === 'direct') {
      const post = isRecord(body.post_info) ? body.post_info : undefined;
      if (!post) return this.fail(400, 'invalid_param', 'post_info is required.');
      if (post.title !== undefined && typeof post.title !== 'string')
        return this.fail(400, 'invalid_param', 'title must be a string.');
      title = (post.title as string | undefined) ?? '';
      if (title.length > 2200) return this.fail(400, 'invalid_param', 'title exceeds 2200 UTF-16 runes.');
      const refusal = this.postingRefusal(account, post.privacy_level);
      if (refusal) return refusal;
      privacyLevel = post.privacy_level as string;
    } else {
      const refusal = this.inboxRefusal(account);
      if (refusal) return refusal;
    }

    const task: PublishTask = {
      publishId: '',
      openId: account.openId,
      kind: 'video',
      mode,
      source: 'PULL_FROM_URL',
      title,
      privacyLevel,
      sourceUrls: [],
      videoSize: 0,
      chunkSize: 0,
      totalChunks: 0,
      uploaded: 0,
      uploadExpiresAt: 0,
      ready: false,
      pollsSinceReady: 0,
      outcome: { ...account.outcome },
    };
    if (source.source === 'FILE_UPLOAD') {
      const problem = chunkMathProblem(source.video_size, source.chunk_size, source.total_chunk_count);
      if (problem) return this.fail(400, 'invalid_param', problem);
      Object.assign(task, {
        source: 'FILE_UPLOAD',
        videoSize: source.video_size,
        chunkSize: source.chunk_size,
        totalChunks: source.total_chunk_count,
        hash: createHash('sha256'),
        uploadId: String(this.next()),
        uploadToken: randomBytes(8).toString('hex'),
        uploadExpiresAt: this.now() + 60 * MINUTE,
      });
      task.publishId = `v_pub_file~v2-1.${7_000_000_000 + this.next()}`;
    } else if (source.source === 'PULL_FROM_URL') {
      const refusal = this.urlRefusal(source.video_url);
      if (refusal) return refusal;
      task.sourceUrls = [source.video_url as string];
      task.publishId = `v_pub_url~v2.${7_000_000_000 + this.next()}`;
    } else {
      return this.fail(400, 'invalid_param', 'source must be FILE_UPLOAD or PULL_FROM_URL.');
    }
    this.tasks.set(task.publishId, task);
    if (task.source === 'PULL_FROM_URL') this.becomeReady(task);
    const data: Record<string, string> = { publish_id: task.publishId };
    if (task.uploadId) {
      data.upload_url = `${this.url}/upload/video/?upload_id=${task.uploadId}&upload_token=${task.uploadToken}`;
    }
    return this.ok(data);
  }

  private initPhoto(req: FakeRequest): FakeReply {
    const body = this.body(req);
    const direct = body.post_mode === 'DIRECT_POST';
    const auth = this.bearer(req, direct ? 'video.publish' : 'video.upload');
    if (isReply(auth)) return auth;
    const bad = this.jsonUtf8(req) ?? this.limited(req, 'init');
    if (bad) return bad;
    const account = this.account(auth.openId);
    if (body.media_type !== 'PHOTO') return this.fail(400, 'invalid_param', 'media_type must be PHOTO.');
    if (body.post_mode !== 'DIRECT_POST' && body.post_mode !== 'MEDIA_UPLOAD') {
      return this.fail(400, 'invalid_param', 'post_mode must be DIRECT_POST or MEDIA_UPLOAD.');
    }
    const post = isRecord(body.post_info) ? body.post_info : undefined;
    const source = isRecord(body.source_info) ? body.source_info : undefined;
    if (!post || !source) return this.fail(400, 'invalid_param', 'post_info and source_info are required.');
    const title = typeof post.title === 'string' ? post.title : '';
    const description = typeof post.description === 'string' ? post.description : '';
    if (title.length > 90) return this.fail(400, 'invalid_param', 'title exceeds 90 UTF-16 runes.');
    if (description.length > 4000) return this.fail(400, 'invalid_param', 'description exceeds 4000 UTF-16 runes.');
    if (source.source !== 'PULL_FROM_URL') return this.fail(400, 'invalid_param', 'photos support PULL_FROM_URL only.');
    const images = source.photo_images;
    if (
      !Array.isArray(images) ||
      images.length === 0 ||
      images.length > 35 ||
      images.some((u) => typeof u !== 'string')
    ) {
      return this.fail(400, 'invalid_param', 'photo_images must hold 1 to 35 URLs.');
    }
    const cover = source.photo_cover_index;
    if (typeof cover !== 'number' || !Number.isInteger(cover) || cover < 0 || cover >= images.length) {
      return this.fail(400, 'invalid_param', 'photo_cover_index must point into photo_images.');
    }
    for (const url of images) {
      const refusal = this.urlRefusal(url);
      if (refusal) return refusal;
    }
    let privacyLevel = '';
    if (direct) {
      const refusal = this.postingRefusal(account, post.privacy_level);
      if (refusal) return refusal;
      privacyLevel = post.privacy_level as string;
    } else {
      const refusal = this.inboxRefusal(account);
      if (refusal) return refusal;
    }
    const task: PublishTask = {
      publishId: `p_pub_url~v2.${7_000_000_000 + this.next()}`,
      openId: account.openId,
      kind: 'photo',
      mode: direct ? 'direct' : 'inbox',
      source: 'PULL_FROM_URL',
      title: title || description,
      privacyLevel,
      sourceUrls: images as string[],
      videoSize: 0,
      chunkSize: 0,
      totalChunks: 0,
      uploaded: 0,
      uploadExpiresAt: 0,
      ready: false,
      pollsSinceReady: 0,
      outcome: { ...account.outcome },
    };
    this.tasks.set(task.publishId, task);
    this.becomeReady(task);
    return this.ok({ publish_id: task.publishId });
  }

  /** The account- and app-level refusals of a direct post (Direct Post reference, 403 codes). */
  private postingRefusal(account: FakeAccount, privacyLevel: unknown): FakeReply | undefined {
    if (typeof privacyLevel !== 'string' || privacyLevel === '') {
      return this.fail(400, 'invalid_param', 'privacy_level is required.');
    }
    if (!account.privacyLevelOptions.includes(privacyLevel as PrivacyLevel)) {
      return this.fail(403, 'privacy_level_option_mismatch', 'privacy_level is not one of the creator_info options.');
    }
    if (account.bannedFromPosting) {
      return this.fail(403, 'spam_risk_user_banned_from_posting', 'The user is banned from making new posts.');
    }
    if (this.unaudited && privacyLevel !== 'SELF_ONLY') {
      return this.fail(
        403,
        'unaudited_client_can_only_post_to_private_accounts',
        'Unaudited clients can only post to a private account.',
      );
    }
    const cap = account.dailyPostCap;
    const recent = this.postsOf(account.openId).filter((post) => post.at > this.now() - DAY).length;
    if (cap !== undefined && recent >= cap) {
      return this.fail(403, 'spam_risk_too_many_posts', 'The daily post cap from API is reached for the current user.');
    }
    return undefined;
  }

  private inboxRefusal(account: FakeAccount): FakeReply | undefined {
    if (account.bannedFromPosting) {
      return this.fail(403, 'spam_risk_user_banned_from_posting', 'The user is banned from making new posts.');
    }
    const pending = this.inboxOf(account.openId).filter((delivery) => delivery.at > this.now() - DAY).length;
    if (pending >= 5) {
      return this.fail(
        403,
        'spam_risk_too_many_pending_share',
        'At most 5 pending shares are allowed within any 24-hour period.',
      );
    }
    return undefined;
  }

  private urlRefusal(url: unknown): FakeReply | undefined {
    if (typeof url !== 'string' || !(url.startsWith('https://') || (!this.requireHttps && url.startsWith('http://')))) {
      return this.fail(400, 'invalid_param', 'The media URL must be an https URL.');
    }
    if (!this.verifiedUrlPrefixes.some((prefix) => url.startsWith(prefix))) {
      return this.fail(403, 'url_ownership_unverified', 'The domain or URL prefix of the media URL is not verified.');
    }
    return undefined;
  }

  /** All media is with TikTok: from now on the post will exist (or be delivered) whoever asks about it. */
  private becomeReady(task: PublishTask): void {
    task.ready = true;
    if (task.outcome.result !== 'complete') return;
    if (task.mode === 'inbox') {
      this.inbox.push({ publishId: task.publishId, openId: task.openId, kind: task.kind, at: this.now() });
      return;
    }
    task.postId = `${7_300_000_000_000_000_000n + BigInt(this.next())}`;
    this.published.push({
      publishId: task.publishId,
      postId: task.postId,
      openId: task.openId,
      kind: task.kind,
      title: task.title,
      privacyLevel: task.privacyLevel,
      source: task.source,
      sha256: task.hash?.digest('hex'),
      sourceUrls: task.sourceUrls,
      at: this.now(),
    });
    this.videoStats.set(task.postId, {
      openId: task.openId,
      stats: { video_views: 0, likes: 0, comments: 0, shares: 0, reach: 0 },
    });
  }

  private uploadChunk(req: FakeRequest): FakeReply {
    const task = [...this.tasks.values()].find(
      (candidate) => candidate.uploadId === req.query.upload_id && candidate.uploadToken === req.query.upload_token,
    );
    if (!task) return this.fail(404, 'invalid_param', 'No upload task for this URL.');
    if (this.now() > task.uploadExpiresAt) return this.fail(403, 'invalid_param', 'The upload URL has expired.');
    const contentType = req.headers['content-type'];
    const contentRange = req.headers['content-range'];
    const contentLength = req.headers['content-length'];
    if (!contentType || !contentRange || contentLength === undefined) {
      return this.fail(400, 'invalid_param', 'Content-Type, Content-Length and Content-Range are required.');
    }
    if (!VIDEO_TYPES.includes(contentType))
      return this.fail(400, 'invalid_param', `Unsupported Content-Type ${contentType}.`);
    if (Number(contentLength) !== req.rawBody.length)
      return this.fail(400, 'invalid_param', 'Content-Length mismatch.');
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange);
    if (!range) return this.fail(400, 'invalid_param', 'Malformed Content-Range.');
    const [first, last, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    const index = Math.floor(task.uploaded / task.chunkSize);
    const isFinal = index === task.totalChunks - 1;
    const expectedLength = isFinal ? task.videoSize - task.uploaded : task.chunkSize;
    if (task.ready || total !== task.videoSize || first !== task.uploaded || last - first + 1 !== expectedLength) {
      return {
        status: 416,
        headers: task.uploaded > 0 ? { 'content-range': `bytes 0-${task.uploaded - 1}/${task.videoSize}` } : {},
      };
    }
    if (req.rawBody.length !== expectedLength) return this.fail(400, 'invalid_param', 'Body length mismatch.');
    task.hash?.update(req.rawBody);
    task.uploaded += req.rawBody.length;
    if (task.uploaded < task.videoSize) {
      return { status: 206, headers: { 'content-range': `bytes 0-${task.uploaded - 1}/${task.videoSize}` } };
    }
    this.becomeReady(task);
    return { status: 201 };
  }

  private fetchStatus(req: FakeRequest): FakeReply {
    const auth = this.bearer(req);
    if (isReply(auth)) return auth;
    const bad = this.jsonUtf8(req) ?? this.limited(req, 'status');
    if (bad) return bad;
    const publishId = this.body(req).publish_id;
    const task = typeof publishId === 'string' ? this.tasks.get(publishId) : undefined;
    if (!task) return this.fail(400, 'invalid_publish_id', 'The publish_id does not exist.');
    if (task.openId !== auth.openId) {
      return this.fail(400, 'token_not_authorized_for_specified_publish_id', 'The token does not own this publish_id.');
    }
    const data: Record<string, unknown> = {};
    let postIds: string[] = [];
    if (task.source === 'FILE_UPLOAD') data.uploaded_bytes = task.uploaded;
    else if (task.kind === 'video') data.downloaded_bytes = task.ready ? 1 : 0;
    if (!task.ready) {
      data.status = task.source === 'FILE_UPLOAD' ? 'PROCESSING_UPLOAD' : 'PROCESSING_DOWNLOAD';
    } else {
      task.pollsSinceReady += 1;
      const afterProcessing = task.pollsSinceReady - task.outcome.processingPolls;
      if (afterProcessing <= 0) {
        data.status = task.source === 'FILE_UPLOAD' ? 'PROCESSING_UPLOAD' : 'PROCESSING_DOWNLOAD';
      } else if (task.outcome.result === 'failed') {
        data.status = 'FAILED';
        data.fail_reason = task.outcome.failReason ?? 'internal';
      } else if (task.mode === 'inbox') {
        data.status = 'SEND_TO_USER_INBOX';
      } else {
        data.status = 'PUBLISH_COMPLETE';
        if (
          afterProcessing > task.outcome.postIdLagPolls &&
          task.privacyLevel === 'PUBLIC_TO_EVERYONE' &&
          task.postId
        ) {
          postIds = [task.postId];
        }
      }
    }
    // int64 post ids go out as JSON numbers, as TikTok sends them, even beyond 2^53.
    data.publicaly_available_post_id = '__POST_IDS__';
    const text = JSON.stringify({ data, error: { code: 'ok', message: '', log_id: this.logId() } }).replace(
      '"__POST_IDS__"',
      `[${postIds.join(',')}]`,
    );
    return { status: 200, headers: { 'content-type': 'application/json' }, text };
  }

  // ---- Display API -----------------------------------------------------------------------------------------------

  private registerDisplay(): void {
    this.server.route('GET', '/v2/user/info/', (req) => {
      const auth = this.bearer(req, 'user.info.basic');
      if (isReply(auth)) return auth;
      const fields = (req.query.fields ?? '').split(',').filter(Boolean);
      if (fields.length === 0) return this.fail(400, 'invalid_params', 'fields is required.');
      const account = this.account(auth.openId);
      const all: Record<string, unknown> = {
        open_id: account.openId,
        union_id: `u-${account.openId}`,
        display_name: account.nickname,
        avatar_url: `https://p16.tiktokcdn.example/${account.openId}.jpeg`,
      };
      return this.ok({ user: Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]])) });
    });

    this.server.route('POST', '/v2/video/query/', (req) => {
      const auth = this.bearer(req, 'video.list');
      if (isReply(auth)) return auth;
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return this.fail(400, 'invalid_params', 'Content-Type must be application/json.');
      }
      const filters = this.body(req).filters;
      const ids = isRecord(filters) && Array.isArray(filters.video_ids) ? filters.video_ids : undefined;
      if (!ids || ids.length === 0 || ids.length > 20)
        return this.fail(400, 'invalid_params', 'filters.video_ids: 1 to 20 ids.');
      const account = this.account(auth.openId);
      const videos = this.published
        .filter(
          (post) =>
            post.openId === auth.openId && ids.includes(post.postId) && post.privacyLevel === 'PUBLIC_TO_EVERYONE',
        )
        .map((post) => ({
          id: post.postId,
          share_url: `https://www.tiktok.com/@${account.username}/video/${post.postId}`,
        }));
      return this.ok({ videos });
    });
  }

  // ---- API for Business ------------------------------------------------------------------------------------------

  private businessOk(data: unknown): FakeReply {
    return { status: 200, json: { code: 0, message: 'OK', request_id: this.logId(), data } };
  }

  /** Business API errors arrive as HTTP 200 with a non-zero code. */
  private businessFail(code: number, message: string): FakeReply {
    return { status: 200, json: { code, message, request_id: this.logId(), data: {} } };
  }

  /**
   * The API for Business's token check: only tokens from the Business authorization work here. A Login Kit token is
   * unknown to it (40105, as TikTok answers), and `business_id` must be the id that authorization returned.
   */
  private businessAuth(req: FakeRequest, businessId: unknown, scope: string): FakeReply | FakeAccount {
    const token = req.headers['access-token'];
    if (!token) return this.businessFail(40104, 'Access token is null.');
    const record = this.businessTokens.get(token);
    if (!record || record.revoked || record.expiresAt <= this.now())
      return this.businessFail(40105, 'Access token is incorrect or has been revoked.');
    if (businessId !== record.businessId) return this.businessFail(40002, 'business_id is invalid.');
    if (!record.scopes.includes(scope))
      return this.businessFail(40001, `No permission to operate this TikTok account (scope ${scope} not granted).`);
    return this.account(record.openId);
  }

  private registerBusinessAuth(): void {
    const json = (req: FakeRequest) => (req.headers['content-type'] ?? '').startsWith('application/json');
    const appOk = (body: Record<string, unknown>) =>
      body.client_id === this.businessAppId && body.client_secret === this.businessAppSecret;
    const issue = (grant: { openId: string; scopes: string[] }): FakeReply => {
      const issued = this.issueBusinessTokens(grant.openId, grant.scopes);
      return this.businessOk({
        access_token: issued.accessToken,
        expires_in: this.accessTokenLifetimeSec,
        open_id: issued.businessId,
        refresh_token: issued.refreshToken,
        refresh_token_expires_in: this.refreshTokenLifetimeSec,
        scope: grant.scopes.join(','),
        token_type: 'Bearer',
      });
    };

    this.server.route('POST', `${BUSINESS}/tt_user/oauth2/token/`, (req) => {
      if (!json(req)) return this.businessFail(40002, 'Content-Type must be application/json.');
      const body = this.body(req);
      if (!appOk(body)) return this.businessFail(40001, 'client_id or client_secret is invalid.');
      if (body.grant_type !== 'authorization_code') return this.businessFail(40002, 'grant_type is invalid.');
      const code = typeof body.auth_code === 'string' ? this.businessCodes.get(body.auth_code) : undefined;
      if (!code || code.used || code.redirectUri !== body.redirect_uri)
        return this.businessFail(40002, 'Authorization code is expired or invalid.');
      code.used = true;
      return issue(code);
    });

    this.server.route('POST', `${BUSINESS}/tt_user/oauth2/refresh_token/`, (req) => {
      if (!json(req)) return this.businessFail(40002, 'Content-Type must be application/json.');
      const body = this.body(req);
      if (!appOk(body)) return this.businessFail(40001, 'client_id or client_secret is invalid.');
      if (body.grant_type !== 'refresh_token') return this.businessFail(40002, 'grant_type is invalid.');
      const record =
        typeof body.refresh_token === 'string' ? this.businessRefreshTokens.get(body.refresh_token) : undefined;
      if (!record?.active || record.revoked || record.expiresAt <= this.now())
        return this.businessFail(40105, 'Refresh token is incorrect or has been revoked.');
      record.active = false;
      return issue(record);
    });

    this.server.route('POST', `${BUSINESS}/tt_user/oauth2/revoke/`, (req) => {
      if (!json(req)) return this.businessFail(40002, 'Content-Type must be application/json.');
      const body = this.body(req);
      if (!appOk(body)) return this.businessFail(40001, 'client_id or client_secret is invalid.');
      const record = typeof body.access_token === 'string' ? this.businessTokens.get(body.access_token) : undefined;
      if (!record) return this.businessFail(40105, 'Access token is incorrect or has been revoked.');
      for (const token of this.businessTokens.values()) if (token.openId === record.openId) token.revoked = true;
      for (const refresh of this.businessRefreshTokens.values())
        if (refresh.openId === record.openId) refresh.active = false;
      return this.businessOk({});
    });
  }

  private ownedVideo(account: FakeAccount, videoId: unknown): VideoStats | undefined {
    const entry = typeof videoId === 'string' ? this.videoStats.get(videoId) : undefined;
    return entry && entry.openId === account.openId ? entry.stats : undefined;
  }

  private registerBusiness(): void {
    this.server.route('GET', `${BUSINESS}/business/get/`, (req) => {
      const wantsInsights = /followers_count|video_views|profile_views|likes|comments|shares/.test(
        req.query.fields ?? '',
      );
      const account = this.businessAuth(
        req,
        req.query.business_id,
        wantsInsights ? 'user.insights' : 'user.info.basic',
      );
      if (isReply(account)) return account;
      const fields = parseJsonArray(req.query.fields);
      if (!fields) return this.businessFail(40002, 'fields must be a JSON array of strings.');
      const data: Record<string, unknown> = {};
      if (fields.includes('username')) data.username = account.username;
      if (fields.includes('display_name')) data.display_name = account.nickname;
      if (fields.includes('followers_count')) data.followers_count = account.followers;
      const daily = ['video_views', 'profile_views', 'likes', 'comments', 'shares'].filter((f) => fields.includes(f));
      if (daily.length > 0) {
        const from = req.query.start_date ?? '0000-00-00';
        const to = req.query.end_date ?? '9999-99-99';
        data.metrics = account.dailyMetrics
          .filter((day) => day.date >= from && day.date <= to)
          .map((day) => ({
            date: day.date,
            ...Object.fromEntries(daily.map((f) => [f, day[f as keyof typeof day]])),
          }));
      }
      return this.businessOk(data);
    });

    this.server.route('GET', `${BUSINESS}/business/video/list/`, (req) => {
      const account = this.businessAuth(req, req.query.business_id, 'video.insights');
      if (isReply(account)) return account;
      const fields = parseJsonArray(req.query.fields);
      if (!fields) return this.businessFail(40002, 'fields must be a JSON array of strings.');
      const maxCount = Number(req.query.max_count ?? 20);
      if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > 20)
        return this.businessFail(40002, 'max_count: 1 to 20.');
      let ids: string[] | undefined;
      if (req.query.filters !== undefined) {
        const filters = parseJson(req.query.filters);
        if (!isRecord(filters)) return this.businessFail(40002, 'filters must be a JSON object.');
        if (filters.video_ids !== undefined) {
          if (!Array.isArray(filters.video_ids)) return this.businessFail(40002, 'filters.video_ids must be an array.');
          ids = filters.video_ids.map(String);
        }
      }
      const videos = [...this.videoStats.entries()]
        .filter(([id, entry]) => entry.openId === account.openId && (!ids || ids.includes(id)))
        .slice(0, maxCount)
        .map(([id, entry]) => {
          const all: Record<string, unknown> = { item_id: id, ...entry.stats };
          return Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]]));
        });
      return this.businessOk({ videos, cursor: videos.length, has_more: false });
    });

    this.server.route('GET', `${BUSINESS}/business/comment/list/`, (req) => {
      const account = this.businessAuth(req, req.query.business_id, 'comment.list');
      if (isReply(account)) return account;
      if (!this.ownedVideo(account, req.query.video_id)) return this.businessFail(40002, 'video_id is invalid.');
      const maxCount = Number(req.query.max_count ?? 20);
      if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > 30)
        return this.businessFail(40002, 'max_count: 1 to 30.');
      const cursor = Number(req.query.cursor ?? 0);
      const order = req.query.sort_order === 'asc' ? 1 : -1;
      const top = this.commentsOn(req.query.video_id ?? '')
        .filter(
          (comment) =>
            !comment.parent_comment_id && (req.query.status === 'ALL' || comment.status === 'PUBLIC' || comment.owner),
        )
        .sort((a, b) => order * (a.create_time - b.create_time || compareIds(a.comment_id, b.comment_id)));
      const page = top
        .slice(cursor, cursor + maxCount)
        .map((comment) => ({ ...comment, create_time: String(comment.create_time) }));
      return this.businessOk({
        comments: page,
        cursor: cursor + page.length,
        has_more: cursor + page.length < top.length,
      });
    });

    this.server.route('POST', `${BUSINESS}/business/comment/reply/create/`, (req) => {
      const body = this.body(req);
      const account = this.businessAuth(req, body.business_id, 'comment.list.manage');
      if (isReply(account)) return account;
      if (!this.ownedVideo(account, body.video_id)) return this.businessFail(40002, 'video_id is invalid.');
      const parent = this.commentsOn(String(body.video_id)).find((comment) => comment.comment_id === body.comment_id);
      if (!parent) return this.businessFail(40002, 'comment_id is invalid.');
      if (typeof body.text !== 'string' || body.text.length === 0 || body.text.length > 150) {
        return this.businessFail(40002, 'text must be 1 to 150 characters.');
      }
      parent.replies += 1;
      const reply = this.seedComment(parent.video_id, {
        text: body.text,
        owner: true,
        user_id: this.businessIdOf(account.openId),
        username: account.username,
        parent_comment_id: parent.comment_id,
      });
      return this.businessOk({
        comment_id: reply.comment_id,
        video_id: reply.video_id,
        create_time: String(reply.create_time),
        text: reply.text,
      });
    });

    this.server.route('POST', `${BUSINESS}/business/comment/hide/`, (req) => {
      const body = this.body(req);
      const account = this.businessAuth(req, body.business_id, 'comment.list.manage');
      if (isReply(account)) return account;
      if (!this.ownedVideo(account, body.video_id)) return this.businessFail(40002, 'video_id is invalid.');
      const comment = this.commentsOn(String(body.video_id)).find(
        (candidate) => candidate.comment_id === body.comment_id,
      );
      if (!comment) return this.businessFail(40002, 'comment_id is invalid.');
      if (body.action !== 'HIDE' && body.action !== 'UNHIDE')
        return this.businessFail(40002, 'action must be HIDE or UNHIDE.');
      comment.status = body.action === 'HIDE' ? 'HIDDEN' : 'PUBLIC';
      return this.businessOk({});
    });
  }
}

/**
 * The documented chunk rules, checked independently of the client's planner (MB = 1024 × 1024): under 5 MB whole;
 * chunks 5–64 MB; total_chunk_count = floor(video_size / chunk_size); 1–1000 chunks; final chunk up to 128 MB.
 */
export function chunkMathProblem(videoSize: unknown, chunkSize: unknown, totalChunkCount: unknown): string | undefined {
  const ints = [videoSize, chunkSize, totalChunkCount];
  if (!ints.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0)) {
    return 'video_size, chunk_size and total_chunk_count must be positive integers.';
  }
  const [size, chunk, count] = ints as number[];
  if (size === undefined || chunk === undefined || count === undefined) return 'missing chunk fields.';
  if (size < 5 * MB) {
    return chunk === size && count === 1
      ? undefined
      : 'a video under 5 MB must be sent as one chunk of its whole size.';
  }
  if (chunk < 5 * MB || chunk > 64 * MB) return 'chunk_size must be between 5 MB and 64 MB.';
  if (chunk > size) return 'chunk_size cannot exceed video_size.';
  if (count !== Math.floor(size / chunk)) return 'total_chunk_count must equal floor(video_size / chunk_size).';
  if (count > 1000) return 'at most 1000 chunks.';
  if (size - (count - 1) * chunk > 128 * MB) return 'the final chunk cannot exceed 128 MB.';
  return undefined;
}

function isReply<T extends { openId: string }>(value: FakeReply | T): value is FakeReply {
  return !('openId' in value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseJsonArray(text: string | undefined): string[] | undefined {
  const value = parseJson(text);
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
