import { createHmac } from 'node:crypto';
import { FakeHttpServer, type FakeReply, type FakeRequest } from './fake-http-server.ts';
import { type FieldSpec, FieldSyntaxError, parseFields } from './graph-fields.ts';

/**
 * A fake of the Meta Graph API (graph.facebook.com and graph.instagram.com) following
 * /work/shared/reference/platforms.md sections 0, A and B: the error envelope and codes, usage headers, the Instagram
 * container lifecycle and publishing quota, Page posts, photos and videos, comments and insights, and batch requests
 * (`POST /` with `batch=[…]`). Anything the real API would refuse is refused here with the documented code. Where the reference marks a behaviour unconfirmed, the choice
 * made is noted next to it.
 */

export type GraphHost = 'facebook' | 'instagram';

export type TokenStatus = 'valid' | 'expired' | 'app_removed' | 'password_changed' | 'invalidated';

/** An access token the fake knows. `subjects` are the ids (IG users, Pages) the token may act for. */
export interface TokenRecord {
  token: string;
  kind: 'user' | 'page' | 'instagram_user' | 'app';
  host: GraphHost;
  subjects: string[];
  scopes: string[];
  status: TokenStatus;
  issuedAt: number;
  /** ms since epoch; `undefined` never expires (Page tokens from a long-lived user token). */
  expiresAt?: number;
  userId?: string;
}

export interface IssueTokenInput {
  kind: TokenRecord['kind'];
  host?: GraphHost;
  subjects?: string[];
  scopes?: string[];
  expiresInSec?: number;
  /** A fixed token string; a random one otherwise. */
  token?: string;
  userId?: string;
}

/** A Facebook user who can log in and manages some Pages. */
export interface MetaUser {
  id: string;
  name: string;
  pageIds: string[];
}

interface AuthCode {
  host: GraphHost;
  /** Meta user id (Facebook Login) or Instagram user id (Instagram Login). */
  subject: string;
  /** Facebook Login: the Pages ticked in the dialog. */
  pageIds: string[];
  scopes: string[];
  redirectUri: string;
  used: boolean;
  expiresAt: number;
}

/** Permissions the Facebook Login dialog accepts for this app (reference D.1). */
export const FACEBOOK_LOGIN_PERMISSIONS: string[] = [
  'instagram_basic',
  'instagram_content_publish',
  'instagram_manage_comments',
  'instagram_manage_insights',
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_posts',
  'pages_manage_engagement',
  'pages_read_user_content',
  'read_insights',
  'business_management',
  'pages_manage_metadata',
  'publish_video',
];

type ContainerType = 'IMAGE' | 'VIDEO' | 'REELS' | 'STORIES' | 'CAROUSEL';

interface IgAccount {
  type: 'ig_user';
  id: string;
  /** What `GET /me?fields=id` answers for an Instagram Login token, and Meta's data deletion callback names. */
  appScopedId: string;
  username: string;
  followersCount: number;
}
interface IgContainer {
  type: 'ig_container';
  id: string;
  owner: string;
  mediaType: ContainerType;
  isCarouselItem: boolean;
  isVideo: boolean;
  caption?: string;
  /** The `image_url` or `video_url` the container was made from. */
  mediaUrl?: string;
  children: string[];
  createdAt: number;
  readyAt: number;
  outcome: 'FINISHED' | 'ERROR';
  mediaId?: string;
}
interface IgMedia {
  type: 'ig_media';
  id: string;
  owner: string;
  containerId: string;
  caption: string;
  mediaType: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  productType: 'FEED' | 'REELS' | 'STORY';
  timestamp: number;
  shortcode: string;
  insights: Record<string, number>;
}
interface IgComment {
  type: 'ig_comment';
  id: string;
  mediaId: string;
  parentId?: string;
  fromId: string;
  username: string;
  text: string;
  timestamp: number;
  hidden: boolean;
}
interface Page {
  type: 'page';
  id: string;
  name: string;
  followersCount: number;
  /** The Instagram professional account linked to the Page (`instagram_business_account`). */
  instagramAccountId?: string;
  /** Per-day values of Page metrics that differ from the fixed ones (see `setPageDaily`). */
  daily: Record<string, number>;
  /** Per-week values (`period=week`) that differ from the default (see `setPageWeekly`). */
  weekly: Record<string, number>;
  /** Owned by a business portfolio: `/me/accounts` lists it only to a token with `business_management`. */
  businessOwned: boolean;
}
interface FbPost {
  type: 'fb_post';
  id: string;
  pageId: string;
  message?: string;
  link?: string;
  kind: 'status' | 'link' | 'photo' | 'album' | 'video';
  createdTime: number;
  attachedPhotoIds: string[];
  insights: Record<string, number | Record<string, number>>;
  shares: number;
  reactions: number;
  /** Metrics Graph refuses for this post (see `refuseMetric`). */
  refusedMetrics: string[];
}
interface FbPhoto {
  type: 'fb_photo';
  id: string;
  pageId: string;
  url: string;
  caption?: string;
  published: boolean;
  postId?: string;
  attachedTo?: string;
  createdTime: number;
}
interface FbVideo {
  type: 'fb_video';
  id: string;
  pageId: string;
  fileUrl: string;
  description?: string;
  title?: string;
  postId: string;
  createdTime: number;
}
interface FbComment {
  type: 'fb_comment';
  id: string;
  objectId: string;
  parentId?: string;
  fromId: string;
  fromName: string;
  message: string;
  createdTime: number;
  hidden: boolean;
}

type GraphObject = IgAccount | IgContainer | IgMedia | IgComment | Page | FbPost | FbPhoto | FbVideo | FbComment;

/** What went out on an account: the test's "exactly one post exists" check reads this. */
export interface PublishedItem {
  id: string;
  accountId: string;
  kind: string;
  caption?: string;
  at: number;
}

/** A Graph error reply; `status` defaults to 400 as the IG error table gives for all publishing errors. */
export function graphError(
  code: number,
  message: string,
  extra: {
    subcode?: number;
    userTitle?: string;
    userMsg?: string;
    isTransient?: boolean;
    status?: number;
    type?: string;
  } = {},
): FakeReply {
  return {
    status: extra.status ?? 400,
    json: {
      error: {
        message,
        type: extra.type ?? 'OAuthException',
        code,
        ...(extra.subcode === undefined ? {} : { error_subcode: extra.subcode }),
        ...(extra.isTransient === undefined ? {} : { is_transient: extra.isTransient }),
        ...(extra.userTitle === undefined ? {} : { error_user_title: extra.userTitle }),
        ...(extra.userMsg === undefined ? {} : { error_user_msg: extra.userMsg }),
        fbtrace_id: `Fake${Math.random().toString(36).slice(2, 12)}`,
      },
    },
  };
}

class GraphReplyError extends Error {
  constructor(readonly reply: FakeReply) {
    super('graph error');
  }
}

const fail = (...args: Parameters<typeof graphError>): never => {
  throw new GraphReplyError(graphError(...args));
};

const invalidParam = (message: string, subcode?: number, userMsg?: string): never =>
  fail(100, message, { ...(subcode === undefined ? {} : { subcode }), ...(userMsg === undefined ? {} : { userMsg }) });

/** Permissions Instagram's authorize page accepts for this app (reference D.2). */
export const INSTAGRAM_LOGIN_PERMISSIONS: string[] = [
  'instagram_business_basic',
  'instagram_business_content_publish',
  'instagram_business_manage_comments',
  'instagram_business_manage_insights',
];

const IG_MEDIA_METRICS: Record<IgMedia['productType'], string[]> = {
  FEED: [
    'views',
    'reach',
    'likes',
    'comments',
    'saved',
    'shares',
    'total_interactions',
    'follows',
    'profile_visits',
    'profile_activity',
  ],
  REELS: [
    'views',
    'reach',
    'likes',
    'comments',
    'saved',
    'shares',
    'total_interactions',
    'ig_reels_avg_watch_time',
    'ig_reels_video_view_total_time',
  ],
  STORY: [
    'views',
    'reach',
    'shares',
    'total_interactions',
    'replies',
    'navigation',
    'follows',
    'profile_visits',
    'profile_activity',
  ],
};
const IG_DEPRECATED_METRICS = new Set([
  'impressions',
  'plays',
  'clips_replays_count',
  'ig_reels_aggregated_all_plays_count',
  'video_views',
]);
const IG_MEDIA_DEFAULT_INSIGHTS: Record<string, number> = {
  views: 240,
  reach: 180,
  likes: 21,
  saved: 4,
  shares: 3,
  replies: 1,
  navigation: 12,
  follows: 1,
  profile_visits: 5,
  profile_activity: 6,
  ig_reels_avg_watch_time: 4200,
  ig_reels_video_view_total_time: 998000,
};
/** Per-day values of the IG account metrics. */
const IG_USER_DAILY: Record<string, number> = {
  reach: 50,
  views: 90,
  accounts_engaged: 9,
  total_interactions: 12,
  likes: 8,
  comments: 2,
  saves: 1,
  shares: 1,
  replies: 0,
  reposts: 0,
  follows_and_unfollows: 1,
  profile_links_taps: 1,
};
const IG_USER_TIME_SERIES = new Set(['reach', 'follower_count']);

const PAGE_DAILY: Record<string, number> = {
  page_total_actions: 3,
  page_post_engagements: 40,
  page_daily_follows: 2,
  page_daily_follows_unique: 2,
  page_daily_unfollows_unique: 1,
  page_follows: 1200,
  page_media_view: 660,
  page_total_media_view_unique: 410,
  page_views_total: 35,
  page_video_views: 80,
};
const POST_METRICS = new Set([
  'post_media_view',
  'post_total_media_view_unique',
  'post_clicks',
  'post_clicks_by_type',
  'post_reactions_like_total',
  'post_reactions_love_total',
  'post_reactions_wow_total',
  'post_reactions_haha_total',
  'post_reactions_sorry_total',
  'post_reactions_anger_total',
  'post_reactions_by_type_total',
  'post_activity_by_action_type',
  'post_activity_by_action_type_unique',
  'post_video_views',
]);
const POST_DEFAULT_INSIGHTS: Record<string, number | Record<string, number>> = {
  post_media_view: 530,
  post_total_media_view_unique: 320,
  post_clicks: 14,
  post_clicks_by_type: { 'link clicks': 9, 'other clicks': 5 },
  post_reactions_like_total: 5,
  post_reactions_love_total: 2,
  post_reactions_wow_total: 0,
  post_reactions_haha_total: 0,
  post_reactions_sorry_total: 0,
  post_reactions_anger_total: 0,
  post_reactions_by_type_total: { like: 5, love: 2 },
  post_activity_by_action_type: { share: 2, like: 5, comment: 0 },
  post_activity_by_action_type_unique: { share: 2, like: 5, comment: 0 },
  post_video_views: 0,
};

const DAY_MS = 86_400_000;
/** "Batch requests are limited to 50 requests per batch" (Graph API batch requests guide). */
export const MAX_BATCH_OPERATIONS = 50;
const CONTAINER_LIFETIME_MS = DAY_MS;
const MAX_CONTAINERS_PER_DAY = 400;

const graphTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');

export interface GraphFakeOptions {
  appId?: string;
  appSecret?: string;
  /** Instagram Login's own app id and secret ("API setup with Instagram login"), distinct from the Meta app's. */
  instagramAppId?: string;
  instagramAppSecret?: string;
  /** Instagram API-published posts allowed per rolling 24 h (the docs say 50 in one place and 100 in another). */
  quotaTotal?: number;
  /** Fake-clock time an image container takes to be FINISHED (0 = at once). */
  imageProcessingMs?: number;
  /** Fake-clock time a video container takes to be FINISHED. */
  videoProcessingMs?: number;
  /** Start of the fake clock (ms since epoch). */
  startAt?: number;
}

/**
 * Serves both Graph hosts, one `FakeHttpServer` each (`facebook`, `instagram`), sharing one store of accounts,
 * tokens, media, posts and comments. Time is a fake clock moved with `advance()`.
 */
export class GraphFake {
  readonly facebook = new FakeHttpServer();
  readonly instagram = new FakeHttpServer();
  /** api.instagram.com: Instagram Login's code exchange (reference D.2). */
  readonly instagramApi = new FakeHttpServer();
  readonly appId: string;
  readonly appSecret: string;
  readonly instagramAppId: string;
  readonly instagramAppSecret: string;
  quotaTotal: number;
  imageProcessingMs: number;
  videoProcessingMs: number;
  private clock: number;
  /** Graph ids are numeric strings; kept below 2^53 so they stay exact. */
  private sequence = 17_841_400_000_000;
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly metaUsers = new Map<string, MetaUser>();
  /** Long-lived user tokens: the Page tokens they yield do not expire. */
  private readonly longLived = new Set<string>();
  private readonly authCodes = new Map<string, AuthCode>();
  private readonly objects = new Map<string, GraphObject>();
  private readonly publishLog = new Map<string, PublishedItem[]>();
  /** Followers online per UTC weekday (1 = Monday) and hour, per Instagram account (`online_followers`). */
  private readonly onlineFollowers = new Map<string, (weekday: number, hour: number) => number>();
  private readonly usage: Record<GraphHost, { app?: object; business?: object }> = { facebook: {}, instagram: {} };
  /** Containers created next come out as ERROR (e.g. media that cannot be fetched). */
  private failNextContainers = 0;
  /**
   * The operations received inside batch requests, per host, in order. A batch is one HTTP call (one entry in the
   * host server's `calls`); Graph still counts each operation against the rate limits.
   */
  readonly batched: Record<GraphHost, FakeRequest[]> = { facebook: [], instagram: [] };
  private readonly batchTimeouts: { host: GraphHost; match: (op: FakeRequest) => boolean; remaining: number }[] = [];
  /** App subscriptions per object (`subscribed_apps`), by `host:objectId`: the fields subscribed. */
  private readonly subscriptions = new Map<string, string[]>();
  /** Facebook Login for Business configurations (`config_id`) and the permissions each asks for. */
  private readonly loginConfigurations = new Map<string, string[]>();
  /** The Webhooks product's callback URL, once verified (see `configureWebhooks`). */
  private webhookCallback?: string;
  /** Every webhook delivery made, in order (whatever the app answered). */
  readonly deliveries: {
    object: string;
    entryId: string;
    field: string;
    status: number;
    secret: 'meta' | 'instagram';
  }[] = [];

  constructor(options: GraphFakeOptions = {}) {
    this.appId = options.appId ?? '1234567890';
    this.appSecret = options.appSecret ?? 'fake-app-secret-value';
    this.instagramAppId = options.instagramAppId ?? '9876543210';
    this.instagramAppSecret = options.instagramAppSecret ?? 'fake-instagram-app-secret';
    this.quotaTotal = options.quotaTotal ?? 50;
    this.imageProcessingMs = options.imageProcessingMs ?? 0;
    this.videoProcessingMs = options.videoProcessingMs ?? 30_000;
    this.clock = options.startAt ?? Date.parse('2026-11-20T10:00:00Z');
    for (const host of ['facebook', 'instagram'] as const) {
      const server = this[host];
      // A batch is posted to the host's root (with or without a version).
      server.route('POST', '/', (req) => this.handle(host, req));
      for (const method of ['GET', 'POST', 'DELETE']) {
        for (const path of ['/:a', '/:a/:b', '/:a/:b/:c']) {
          server.route(method, path, (req) => this.handle(host, req));
        }
      }
    }
  }

  async start(): Promise<{ facebookUrl: string; instagramUrl: string; instagramApiUrl: string }> {
    this.instagramApi.route('POST', '/oauth/access_token', (req) => this.instagramCodeExchange(req));
    return {
      facebookUrl: await this.facebook.start(),
      instagramUrl: await this.instagram.start(),
      instagramApiUrl: await this.instagramApi.start(),
    };
  }

  async stop(): Promise<void> {
    await Promise.all([this.facebook.stop(), this.instagram.stop(), this.instagramApi.stop()]);
  }

  // ---------------------------------------------------------------- clock

  now(): number {
    return this.clock;
  }

  /** Moves the fake clock (container processing, expiry, token expiry, quota window). */
  advance(ms: number): void {
    this.clock += ms;
  }

  // ---------------------------------------------------------------- seeding

  /** Registers a token; OAuth endpoints (added later) issue theirs through this too. */
  issueToken(input: IssueTokenInput): string {
    const host = input.host ?? (input.kind === 'instagram_user' ? 'instagram' : 'facebook');
    const token =
      input.token ??
      `${host === 'instagram' ? 'IGAA' : 'EAAB'}${this.nextId().toString(36)}${Math.random().toString(36).slice(2)}`;
    this.tokens.set(token, {
      token,
      kind: input.kind,
      host,
      subjects: input.subjects ?? [],
      scopes: input.scopes ?? [],
      status: 'valid',
      issuedAt: this.clock,
      ...(input.expiresInSec === undefined ? {} : { expiresAt: this.clock + input.expiresInSec * 1000 }),
      ...(input.userId === undefined ? {} : { userId: input.userId }),
    });
    return token;
  }

  /** Marks a token expired (190/463), removed with the app (190/458), or invalidated by a password change (190/460). */
  setTokenStatus(token: string, status: TokenStatus): void {
    const record = this.tokens.get(token);
    if (!record) throw new Error('unknown token');
    record.status = status;
  }

  tokenRecord(token: string): TokenRecord | undefined {
    return this.tokens.get(token);
  }

  /** The app token `app_id|app_secret` that `debug_token` requires. */
  get appToken(): string {
    return `${this.appId}|${this.appSecret}`;
  }

  seedInstagramAccount(input: { id?: string; username?: string; followersCount?: number } = {}): IgAccount {
    const account: IgAccount = {
      type: 'ig_user',
      id: input.id ?? String(this.nextId()),
      appScopedId: String(this.nextId() + 9_000_000_000_000_000),
      username: input.username ?? 'wone.commerce',
      followersCount: input.followersCount ?? 1520,
    };
    this.objects.set(account.id, account);
    return account;
  }

  seedPage(
    input: {
      id?: string;
      name?: string;
      followersCount?: number;
      instagramAccountId?: string;
      businessOwned?: boolean;
    } = {},
  ): Page {
    const page: Page = {
      type: 'page',
      id: input.id ?? String(this.nextId()),
      name: input.name ?? 'Wone Commerce',
      followersCount: input.followersCount ?? 3400,
      daily: {},
      weekly: {},
      businessOwned: input.businessOwned ?? false,
      ...(input.instagramAccountId ? { instagramAccountId: input.instagramAccountId } : {}),
    };
    this.objects.set(page.id, page);
    return page;
  }

  /** A comment from someone else on a published IG media or Page post; `parentId` makes it a reply. */
  seedComment(input: {
    itemId: string;
    text: string;
    parentId?: string;
    authorId?: string;
    author?: string;
    at?: number;
  }): string {
    const target = this.objects.get(input.itemId);
    const id = String(this.nextId());
    const at = input.at ?? this.clock;
    if (target?.type === 'ig_media') {
      this.objects.set(id, {
        type: 'ig_comment',
        id,
        mediaId: target.id,
        ...(input.parentId === undefined ? {} : { parentId: input.parentId }),
        fromId: input.authorId ?? String(this.nextId()),
        username: input.author ?? 'a.customer',
        text: input.text,
        timestamp: at,
        hidden: false,
      });
      return id;
    }
    if (target?.type === 'fb_post' || target?.type === 'fb_video') {
      // A Page video is published as a post: its comments are the post's (the feed webhook names the post).
      const postId = target.type === 'fb_video' ? target.postId : target.id;
      const fbId = `${postId.split('_').at(-1)}_${id}`;
      this.objects.set(fbId, {
        type: 'fb_comment',
        id: fbId,
        objectId: postId,
        ...(input.parentId === undefined ? {} : { parentId: input.parentId }),
        fromId: input.authorId ?? String(this.nextId()),
        fromName: input.author ?? 'A Customer',
        message: input.text,
        createdTime: at,
        hidden: false,
      });
      return fbId;
    }
    throw new Error(`no published item ${input.itemId}`);
  }

  /** The next `count` containers end in ERROR instead of FINISHED. */
  failContainers(count = 1): void {
    this.failNextContainers += count;
  }

  /** Overrides the fixed insight numbers of one item (Page posts also take by-type maps, e.g. reactions by type). */
  setInsights(itemId: string, values: Record<string, number | Record<string, number>>): void {
    const item = this.objects.get(itemId);
    if (item?.type === 'fb_post') Object.assign(item.insights, values);
    else if (item?.type === 'ig_media') {
      for (const [name, value] of Object.entries(values)) {
        if (typeof value !== 'number') throw new Error(`Instagram media metric ${name} is a number`);
        item.insights[name] = value;
      }
    } else throw new Error(`no published item ${itemId}`);
  }

  /**
   * Graph refuses `metric` for this one Page post with #100, as it does for a metric it does not serve for the post
   * (the other posts are unaffected).
   */
  refuseMetric(postId: string, metric: string): void {
    const post = this.objects.get(postId);
    if (post?.type !== 'fb_post') throw new Error(`no Page post ${postId}`);
    post.refusedMetrics.push(metric);
  }

  /**
   * How many of an Instagram account's followers are online in each hour (UTC weekday 1–7, UTC hour 0–23), as
   * `online_followers` reports it; by default a fixed evening peak.
   */
  setOnlineFollowers(igUserId: string, online: (weekday: number, hour: number) => number): void {
    this.onlineFollowers.set(igUserId, online);
  }

  /** The value a Page metric (e.g. `page_media_view`) has on every day from now on, instead of the fixed one. */
  setPageDaily(pageId: string, values: Record<string, number>): void {
    const page = this.objects.get(pageId);
    if (page?.type !== 'page') throw new Error(`no Page ${pageId}`);
    Object.assign(page.daily, values);
  }

  /**
   * The value a Page metric has for every 7-day week from now on (`period=week`). By default a week of a count is
   * seven days of it, and a week of unique people is fewer than seven days of them (the same people come back).
   */
  setPageWeekly(pageId: string, values: Record<string, number>): void {
    const page = this.objects.get(pageId);
    if (page?.type !== 'page') throw new Error(`no Page ${pageId}`);
    Object.assign(page.weekly, values);
  }

  /** How many times a Page post was shared (its `shares.count` field). */
  setShares(postId: string, count: number): void {
    const post = this.objects.get(postId);
    if (post?.type !== 'fb_post') throw new Error(`no Page post ${postId}`);
    post.shares = count;
  }

  /** Usage headers sent on every answer of `host` from now on. */
  setUsage(host: GraphHost, usage: { app?: object; business?: object }): void {
    this.usage[host] = usage;
  }

  /**
   * The next `times` matching calls to `host` are refused with a throttle `code` (4, 17, 32, 613, 80001, 80002) and a
   * `X-Business-Use-Case-Usage` header saying when access comes back.
   */
  throttle(
    host: GraphHost,
    code: number,
    options: { times?: number; regainMinutes?: number; match?: (req: FakeRequest) => boolean } = {},
  ): void {
    const messages: Record<number, string> = {
      4: '(#4) Application request limit reached',
      17: '(#17) User request limit reached',
      32: '(#32) Page request limit reached',
      613: '(#613) Calls to this api have exceeded the rate limit.',
      80001:
        'There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
      80002:
        'There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
    };
    const reply = graphError(code, messages[code] ?? `(#${code}) Rate limited`, { status: 400 });
    reply.headers = {
      'x-business-use-case-usage': JSON.stringify({
        '0': [
          {
            type: host === 'instagram' || code === 80002 ? 'instagram' : 'pages',
            call_count: 100,
            total_cputime: 40,
            total_time: 60,
            estimated_time_to_regain_access: options.regainMinutes ?? 10,
          },
        ],
      }),
    };
    this[host].inject(options.match ?? (() => true), reply, { times: options.times ?? 1 });
  }

  /** The next matching call's side effects happen but its answer is lost (connection closed). */
  loseResponse(host: GraphHost, match: (req: FakeRequest) => boolean, times = 1): void {
    this[host].inject(match, { drop: true }, { when: 'after', times });
  }

  /**
   * The next `times` batch operations on `host` that `match` do not finish in time: Graph answers `null` in their
   * place and the rest of the batch as usual ("Responses for requests that are not successful will be null").
   */
  timeOutInBatch(host: GraphHost, match: (op: FakeRequest) => boolean, times = 1): void {
    this.batchTimeouts.push({ host, match, remaining: times });
  }

  /** Batch operations received on `host` for `method` and a path (version prefix included as sent). */
  batchedTo(host: GraphHost, method: string, path: string | RegExp): FakeRequest[] {
    return this.batched[host].filter(
      (op) => op.method === method && (typeof path === 'string' ? op.path === path : path.test(op.path)),
    );
  }

  /** Everything that went public on an account (IG user or Page), oldest first. */
  published(accountId: string): PublishedItem[] {
    return [...(this.publishLog.get(accountId) ?? [])];
  }

  /** The media URLs a published IG media or Page post was made from (carousel children and album photos in order). */
  mediaUrlsOf(itemId: string): string[] {
    const item = this.objects.get(itemId);
    if (item?.type === 'ig_media') {
      const container = this.objects.get(item.containerId);
      if (container?.type !== 'ig_container') return [];
      const parts = container.children.length > 0 ? container.children.map((id) => this.objects.get(id)) : [container];
      return parts.flatMap((part) => (part?.type === 'ig_container' && part.mediaUrl ? [part.mediaUrl] : []));
    }
    if (item?.type === 'fb_post') {
      const photos = item.attachedPhotoIds.map((id) => this.objects.get(id));
      const video = [...this.objects.values()].find((o) => o.type === 'fb_video' && o.postId === item.id);
      return [
        ...photos.flatMap((photo) => (photo?.type === 'fb_photo' ? [photo.url] : [])),
        ...(video?.type === 'fb_video' ? [video.fileUrl] : []),
      ];
    }
    return [];
  }

  /** Containers created for an IG account (each one a `POST /media`). */
  containers(accountId: string): IgContainer[] {
    return [...this.objects.values()].filter(
      (o): o is IgContainer => o.type === 'ig_container' && o.owner === accountId,
    );
  }

  comment(id: string): { text: string; hidden: boolean; parentId?: string } | undefined {
    const item = this.objects.get(id);
    if (item?.type === 'ig_comment')
      return { text: item.text, hidden: item.hidden, ...(item.parentId ? { parentId: item.parentId } : {}) };
    if (item?.type === 'fb_comment')
      return { text: item.message, hidden: item.hidden, ...(item.parentId ? { parentId: item.parentId } : {}) };
    return undefined;
  }

  /** Comments on a published item (top level and replies). */
  commentsOn(itemId: string): { id: string; text: string; fromId: string; parentId?: string }[] {
    const out: { id: string; text: string; fromId: string; parentId?: string }[] = [];
    for (const o of this.objects.values()) {
      if (o.type === 'ig_comment' && o.mediaId === itemId)
        out.push({ id: o.id, text: o.text, fromId: o.fromId, ...(o.parentId ? { parentId: o.parentId } : {}) });
      if (o.type === 'fb_comment' && o.objectId === itemId)
        out.push({ id: o.id, text: o.message, fromId: o.fromId, ...(o.parentId ? { parentId: o.parentId } : {}) });
    }
    return out;
  }

  /** Photos uploaded to a Page, published or not. */
  photos(pageId: string): { id: string; published: boolean; attachedTo?: string }[] {
    return [...this.objects.values()]
      .filter((o): o is FbPhoto => o.type === 'fb_photo' && o.pageId === pageId)
      .map((p) => ({ id: p.id, published: p.published, ...(p.attachedTo ? { attachedTo: p.attachedTo } : {}) }));
  }

  // ---------------------------------------------------------------- webhooks (reference E, A.8)

  /**
   * What the operator does in the App Dashboard's Webhooks product: gives the callback URL and verify token. Meta
   * checks the callback at once (`hub.mode=subscribe`, `hub.challenge`, `hub.verify_token`) and keeps it only if the
   * challenge comes back.
   */
  async configureWebhooks(callbackUrl: string, verifyToken: string): Promise<void> {
    const challenge = String(this.nextId());
    const url = new URL(callbackUrl);
    url.search = new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.challenge': challenge,
      'hub.verify_token': verifyToken,
    }).toString();
    const answer = await fetch(url);
    if (answer.status !== 200 || (await answer.text()) !== challenge)
      throw new Error('the callback URL did not answer the verification request');
    this.webhookCallback = callbackUrl;
  }

  /** The fields the app is subscribed to for `objectId` on `host` (`subscribed_apps`), or none. */
  subscribedFields(host: GraphHost, objectId: string): string[] {
    return [...(this.subscriptions.get(`${host}:${objectId}`) ?? [])];
  }

  /** Registers a Facebook Login for Business configuration asking for `scopes`; its id goes in `config_id`. */
  registerLoginConfiguration(scopes: string[]): string {
    const id = String(this.nextId());
    this.loginConfigurations.set(id, [...scopes]);
    return id;
  }

  /**
   * Someone comments (`seedComment`) and Meta notifies the app as it would: only when the app is subscribed for the
   * object. A Page post's comment goes out as a Page `feed` change when the Page is subscribed to `feed`; an Instagram
   * comment as an `instagram` `comments` change, in the Instagram Login shape signed with the Instagram app's secret
   * when the account subscribed through Instagram Login, else in the Facebook Login shape when the Page linked to the
   * account is subscribed. Comments on carousels come without the media id, as the docs say. Returns the id and
   * whether a delivery was made (the app's answer is in `deliveries`).
   */
  async commentAndNotify(input: Parameters<GraphFake['seedComment']>[0]): Promise<{ id: string; delivered: boolean }> {
    const id = this.seedComment(input);
    return { id, delivered: await this.notifyComment(id) };
  }

  /** Sends the webhook for an existing comment, if the app is subscribed for its object; see `commentAndNotify`. */
  async notifyComment(commentId: string): Promise<boolean> {
    const comment = this.objects.get(commentId);
    const time = Math.floor(this.clock / 1000);
    if (comment?.type === 'fb_comment') {
      const pageId = this.ownerOf(comment);
      if (!this.subscribedFields('facebook', pageId).includes('feed')) return false;
      const post = this.objects.get(comment.objectId);
      const value = {
        from: { id: comment.fromId, name: comment.fromName },
        post: {
          status_type: post?.type === 'fb_post' && post.kind === 'video' ? 'added_video' : 'mobile_status_update',
          is_published: true,
          updated_time: graphTime(comment.createdTime),
          id: comment.objectId,
        },
        message: comment.message,
        post_id: comment.objectId,
        comment_id: comment.id,
        created_time: Math.floor(comment.createdTime / 1000),
        item: 'comment',
        parent_id: comment.parentId ?? comment.objectId,
        verb: 'add',
      };
      return this.deliver('meta', {
        object: 'page',
        entry: [{ id: pageId, time, changes: [{ field: 'feed', value }] }],
      });
    }
    if (comment?.type !== 'ig_comment') return false;
    const media = this.objects.get(comment.mediaId) as IgMedia;
    const accountId = media.owner;
    // "Webhook notifications for Comments on albums don't include the album ID."
    const mediaField = {
      ...(media.mediaType === 'CAROUSEL_ALBUM' ? {} : { id: media.id }),
      media_product_type: media.productType,
    };
    const from = { id: comment.fromId, username: comment.username };
    const parent = comment.parentId ? { parent_id: comment.parentId } : {};
    if (this.subscribedFields('instagram', accountId).includes('comments')) {
      const value = { id: comment.id, from, text: comment.text, media: mediaField, ...parent };
      return this.deliver('instagram', {
        object: 'instagram',
        entry: [{ id: accountId, time, changes: [{ field: 'comments', value }] }],
      });
    }
    const page = [...this.objects.values()].find(
      (o): o is Page => o.type === 'page' && o.instagramAccountId === accountId,
    );
    if (!page || this.subscribedFields('facebook', page.id).length === 0) return false;
    const value = { from, comment_id: comment.id, text: comment.text, media: mediaField, ...parent };
    return this.deliver('meta', {
      object: 'instagram',
      entry: [{ id: accountId, time, changes: [{ field: 'comments', value }] }],
    });
  }

  private async deliver(
    secret: 'meta' | 'instagram',
    envelope: { object: string; entry: { id: string; time: number; changes: { field: string; value: unknown }[] }[] },
  ): Promise<boolean> {
    if (!this.webhookCallback) return false;
    const body = escapeUnicode(JSON.stringify(envelope));
    const key = secret === 'meta' ? this.appSecret : this.instagramAppSecret;
    const signature = createHmac('sha256', key).update(body).digest('hex');
    const answer = await fetch(this.webhookCallback, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
      body,
    });
    await answer.arrayBuffer();
    const [entry] = envelope.entry;
    this.deliveries.push({
      object: envelope.object,
      entryId: entry?.id ?? '',
      field: entry?.changes[0]?.field ?? '',
      status: answer.status,
      secret,
    });
    return true;
  }

  // ---------------------------------------------------------------- request handling

  private nextId(): number {
    this.sequence += 1 + Math.floor(Math.random() * 7);
    return this.sequence;
  }

  private async handle(host: GraphHost, req: FakeRequest): Promise<FakeReply> {
    const isBatch = req.method === 'POST' && readParams(req).batch !== undefined;
    // Batch requests are a graph.facebook.com feature; graph.instagram.com has no such endpoint.
    if (isBatch && host === 'instagram') return unsupported('POST', '');
    const reply = this.answer(() => (isBatch ? this.batch(host, req) : this.dispatch(host, req)));
    const headers: Record<string, string> = { ...reply.headers };
    const usage = this.usage[host];
    if (usage.app) headers['x-app-usage'] = JSON.stringify(usage.app);
    if (usage.business) headers['x-business-use-case-usage'] = JSON.stringify(usage.business);
    return { ...reply, headers };
  }

  private answer(run: () => FakeReply): FakeReply {
    try {
      return run();
    } catch (error) {
      if (error instanceof GraphReplyError) return error.reply;
      throw error;
    }
  }

  /**
   * `POST /?batch=[{"method","relative_url","body"?}…]` (Graph API batch requests guide): up to 50 operations, each
   * routed and checked exactly like a direct call, answered in order as `{code, headers, body}` with `body` the JSON
   * text of the direct answer. An operation that fails fails alone. The batch's own token (parameter or Bearer
   * header) is required and is the one every operation uses unless it names its own `access_token`.
   */
  private batch(host: GraphHost, req: FakeRequest): FakeReply {
    const params = readParams(req);
    const token = this.tokenFrom(req, params);
    this.authenticate(host, req, params);
    let operations: unknown = params.batch;
    if (typeof operations === 'string') {
      try {
        operations = JSON.parse(operations);
      } catch {
        return invalidParam('(#100) The parameter batch must be a JSON-encoded array');
      }
    }
    if (!Array.isArray(operations) || operations.length === 0)
      return invalidParam('(#100) The parameter batch must be a non-empty JSON-encoded array');
    // The limit's answer as observed from Graph; the reference does not give its code (chosen: #100, invalid parameter).
    if (operations.length > MAX_BATCH_OPERATIONS)
      return fail(100, `Too many requests in batch message. Maximum batch size is ${MAX_BATCH_OPERATIONS}`, {
        type: 'GraphBatchException',
      });
    const includeHeaders = str(params.include_headers) !== 'false';
    const parsed = operations.map((operation, index) => batchOperation(operation, index));
    return {
      json: parsed.map((operation) => this.batchAnswer(host, token ?? '', operation, includeHeaders)),
    };
  }

  private batchAnswer(
    host: GraphHost,
    token: string,
    operation: { method: string; url: URL; body: Record<string, string> },
    includeHeaders: boolean,
  ): unknown {
    const ownToken = operation.url.searchParams.has('access_token') || 'access_token' in operation.body;
    const op: FakeRequest = {
      method: operation.method,
      path: operation.url.pathname,
      params: {},
      query: Object.fromEntries(operation.url.searchParams),
      headers: ownToken ? {} : { authorization: `Bearer ${token}` },
      rawBody: Buffer.alloc(0),
      body: Object.keys(operation.body).length > 0 ? operation.body : undefined,
      at: Date.now(),
    };
    this.batched[host].push(op);
    const timeout = this.batchTimeouts.find((t) => t.host === host && t.remaining > 0 && t.match(op));
    if (timeout) {
      timeout.remaining -= 1;
      return null;
    }
    const reply = this.answer(() => this.dispatch(host, op));
    const status = reply.status ?? 200;
    const headers = [{ name: 'Content-Type', value: 'text/javascript; charset=UTF-8' }];
    if (status >= 400) headers.push({ name: 'WWW-Authenticate', value: 'OAuth "Facebook Platform" "invalid_request"' });
    return {
      code: status,
      ...(includeHeaders ? { headers } : {}),
      body: reply.json === undefined ? (reply.text ?? '') : JSON.stringify(reply.json),
    };
  }

  private dispatch(host: GraphHost, req: FakeRequest): FakeReply {
    const segments = req.path.split('/').filter(Boolean);
    // Any `/vNN.0/` prefix, or none (the app's default version).
    if (segments[0] && /^v\d+\.\d+$/.test(segments[0])) segments.shift();
    const params = readParams(req);
    const [first, edge, extra] = segments;
    if (!first || extra !== undefined) return unsupported(req.method, req.path);

    if (host === 'instagram' && first === 'refresh_access_token' && req.method === 'GET')
      return this.refreshIgToken(params);
    if (host === 'facebook' && first === 'debug_token' && req.method === 'GET') return this.debugToken(params, req);
    if (host === 'facebook' && first === 'oauth' && edge === 'access_token' && req.method === 'GET')
      return this.facebookAccessToken(params);
    if (host === 'instagram' && first === 'access_token' && !edge && req.method === 'GET')
      return this.instagramLongLived(params);

    if (host === 'facebook' && edge === 'permissions' && req.method === 'DELETE')
      return this.revokeLogin(first, req, params);

    const token = this.authenticate(host, req, params);
    if (first === 'me' && !edge && req.method === 'GET') return this.me(token, params);
    if (host === 'instagram' && edge === 'subscribed_apps') {
      const accountId = first === 'me' ? (token.subjects[0] ?? '') : first;
      if (token.kind !== 'instagram_user' || !token.subjects.includes(accountId))
        return unsupported(req.method, `${first}/${edge}`);
      return this.subscribedApps(token, 'instagram', accountId, req.method, params);
    }
    if (host === 'facebook' && first === 'me' && edge === 'accounts' && req.method === 'GET')
      return this.meAccounts(token, params);

    const object = this.objects.get(first);
    if (!object || !this.mayAccess(host, token, object)) return unsupported(req.method, first);

    if (req.method === 'GET' && !edge) {
      const fields = str(params.fields);
      // Field expansion of `insights` reads the insights edge, so it needs that edge's permission.
      if (object.type === 'fb_post' && fields && /(^|[,{])\s*insights\b/.test(fields))
        this.requireScope(token, { facebook: 'read_insights' });
      return { json: this.render(object, fields) };
    }
    if (req.method === 'POST' && !edge) return this.updateNode(token, object, params);
    switch (object.type) {
      case 'ig_user':
        return this.igUserEdge(token, object, edge ?? '', req.method, params);
      case 'ig_media':
        if (edge === 'comments')
          return req.method === 'POST'
            ? this.igComment(token, object, params)
            : this.listEdge(object, 'comments', params);
        if (edge === 'insights' && req.method === 'GET') return this.igMediaInsights(token, object, params);
        break;
      case 'ig_comment':
        if (edge === 'replies')
          return req.method === 'POST' ? this.igReply(token, object, params) : this.listEdge(object, 'replies', params);
        break;
      case 'page':
        return this.pageEdge(token, object, edge ?? '', req.method, params);
      case 'fb_post':
      case 'fb_video':
      case 'fb_comment':
        if (edge === 'comments')
          return req.method === 'POST'
            ? this.fbComment(token, object, params)
            : this.listEdge(object, 'comments', params);
        if (edge === 'insights' && req.method === 'GET' && object.type === 'fb_post')
          return this.postInsights(token, object, params);
        break;
      default:
        break;
    }
    return unsupported(req.method, `${first}/${edge}`);
  }

  // ---------------------------------------------------------------- tokens

  private tokenFrom(req: FakeRequest, params: Params): string | undefined {
    const header = req.headers.authorization;
    const match = header ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header) : null;
    return typeof params.access_token === 'string' ? params.access_token : match?.[1];
  }

  private authenticate(host: GraphHost, req: FakeRequest, params: Params): TokenRecord {
    const token = this.tokenFrom(req, params);
    if (!token) return fail(104, 'An access token is required to request this resource.');
    const record = this.tokens.get(token);
    if (!record || record.host !== host || record.kind === 'app') {
      return fail(190, 'Invalid OAuth access token - Cannot parse access token');
    }
    const problem = this.tokenProblem(record);
    if (problem) fail(190, problem.message, problem.subcode === undefined ? {} : { subcode: problem.subcode });
    return record;
  }

  private tokenProblem(record: TokenRecord): { message: string; subcode?: number } | undefined {
    const expired = record.status === 'expired' || (record.expiresAt !== undefined && record.expiresAt <= this.clock);
    if (expired) {
      const when = new Date(record.expiresAt ?? this.clock).toUTCString();
      return {
        message: `Error validating access token: Session has expired on ${when}. The current time is ${new Date(this.clock).toUTCString()}.`,
        subcode: 463,
      };
    }
    if (record.status === 'app_removed') {
      return {
        message: `Error validating access token: The user has not authorized application ${this.appId}.`,
        subcode: 458,
      };
    }
    if (record.status === 'password_changed') {
      return {
        message:
          'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
        subcode: 460,
      };
    }
    if (record.status === 'invalidated')
      return { message: 'Error validating access token: The session is invalid.', subcode: 467 };
    return undefined;
  }

  private requireScope(token: TokenRecord, scopes: { facebook: string; instagram?: string }): void {
    const needed = token.host === 'instagram' ? scopes.instagram : scopes.facebook;
    if (needed && !token.scopes.includes(needed)) {
      if (token.host === 'instagram' || needed.startsWith('instagram'))
        fail(10, 'Application does not have permission for this action');
      fail(200, `(#200) Requires ${needed} permission to manage the object`);
    }
  }

  private mayAccess(host: GraphHost, token: TokenRecord, object: GraphObject): boolean {
    if (host === 'instagram' && !object.type.startsWith('ig_')) return false;
    return token.subjects.includes(this.ownerOf(object));
  }

  private ownerOf(object: GraphObject): string {
    switch (object.type) {
      case 'ig_user':
      case 'page':
        return object.id;
      case 'ig_container':
      case 'ig_media':
        return object.owner;
      case 'ig_comment':
        return this.ownerOf(this.objects.get(object.mediaId) as IgMedia);
      case 'fb_post':
      case 'fb_photo':
      case 'fb_video':
        return object.pageId;
      case 'fb_comment': {
        const target = this.objects.get(object.objectId);
        return target ? this.ownerOf(target) : '';
      }
    }
  }

  private me(token: TokenRecord, params: Params): FakeReply {
    const subject = this.objects.get(token.subjects[0] ?? '');
    if (token.kind === 'instagram_user' && subject?.type === 'ig_user') {
      // Through Instagram Login, `id` is the app-scoped id; `user_id` is the professional account's.
      const out = this.render(subject, str(params.fields) ?? 'user_id,username');
      return { json: { ...out, id: subject.appScopedId } };
    }
    if (token.kind === 'page' && subject) return { json: this.render(subject, str(params.fields)) };
    return { json: { id: token.userId ?? '100000001', name: 'Wone Admin' } };
  }

  private debugToken(params: Params, req: FakeRequest): FakeReply {
    const appToken = this.tokenFrom(req, params);
    if (appToken !== this.appToken) return fail(190, 'Invalid OAuth access token signature.');
    const input = str(params.input_token);
    if (!input) return invalidParam('(#100) The parameter input_token is required');
    const record = this.tokens.get(input);
    if (record?.host !== 'facebook') {
      return {
        json: { data: { is_valid: false, error: { code: 190, message: 'Invalid OAuth access token.' }, scopes: [] } },
      };
    }
    const problem = this.tokenProblem(record);
    const type = record.kind === 'page' ? 'PAGE' : record.kind === 'app' ? 'APP' : 'USER';
    return {
      json: {
        data: {
          app_id: this.appId,
          type,
          application: 'Wone Social',
          data_access_expires_at: Math.floor((this.clock + 90 * DAY_MS) / 1000),
          expires_at: record.expiresAt === undefined ? 0 : Math.floor(record.expiresAt / 1000),
          is_valid: !problem,
          issued_at: Math.floor(record.issuedAt / 1000),
          scopes: record.scopes,
          ...(record.userId ? { user_id: record.userId } : {}),
          ...(record.kind === 'page' ? { profile_id: record.subjects[0] } : {}),
          ...(problem
            ? {
                error: {
                  code: 190,
                  message: problem.message,
                  ...(problem.subcode ? { subcode: problem.subcode } : {}),
                },
              }
            : {}),
        },
      },
    };
  }

  /** `GET graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token=…` (reference D.2). */
  private refreshIgToken(params: Params): FakeReply {
    if (params.grant_type !== 'ig_refresh_token') return invalidParam('Unsupported grant_type');
    const record = this.tokens.get(str(params.access_token) ?? '');
    if (record?.kind !== 'instagram_user') return fail(190, 'Invalid OAuth access token - Cannot parse access token');
    const problem = this.tokenProblem(record);
    if (problem) return fail(190, problem.message, problem.subcode === undefined ? {} : { subcode: problem.subcode });
    // The token must be at least 24 hours old [OFF]; the error for a younger one is not documented (chosen: #100).
    if (this.clock - record.issuedAt < DAY_MS)
      return invalidParam('(#100) The access token must be at least 24 hours old to be refreshed.');
    const token = this.issueToken({
      kind: 'instagram_user',
      host: 'instagram',
      subjects: record.subjects,
      scopes: record.scopes,
      expiresInSec: 5_184_000,
    });
    return { json: { access_token: token, token_type: 'bearer', expires_in: 5_184_000 } };
  }

  // ---------------------------------------------------------------- OAuth (reference D.1, D.2)

  /** A person who can log in with Facebook, and the Pages they manage. */
  seedMetaUser(input: { id?: string; name?: string; pageIds: string[] }): MetaUser {
    const user: MetaUser = {
      id: input.id ?? String(this.nextId()),
      name: input.name ?? 'Wone Admin',
      pageIds: input.pageIds,
    };
    this.metaUsers.set(user.id, user);
    return user;
  }

  /**
   * What the Facebook Login dialog does in the person's browser: checks the dialog URL as Facebook would, then
   * redirects to `redirect_uri` with a single-use code (or with `error=access_denied` when the person cancels).
   * `pageIds` are the Pages the person ticks in the dialog (default: all of theirs); `decline` the permissions unticked.
   */
  consentFacebook(
    dialogUrl: string,
    as: { userId: string; pageIds?: string[]; deny?: boolean; decline?: string[] },
  ): string {
    const url = new URL(dialogUrl);
    if (url.host !== 'www.facebook.com' || !/^\/v\d+\.0\/dialog\/oauth$/.test(url.pathname))
      throw new Error(`not a Facebook Login dialog URL: ${url.origin}${url.pathname}`);
    const q = Object.fromEntries(url.searchParams);
    if (q.client_id !== this.appId) throw new Error('dialog: client_id is not the app id');
    if (q.response_type !== 'code') throw new Error('dialog: response_type must be code');
    if (!q.redirect_uri || !q.state) throw new Error('dialog: redirect_uri and state are required');
    // Facebook Login for Business: `config_id` names a configuration whose permissions are asked for instead of `scope`.
    const configured = q.config_id === undefined ? undefined : this.loginConfigurations.get(q.config_id);
    if (q.config_id !== undefined && !configured) throw new Error('dialog: unknown config_id');
    const scopes = configured ?? (q.scope ?? '').split(',').filter(Boolean);
    const unknown = scopes.filter((scope) => !FACEBOOK_LOGIN_PERMISSIONS.includes(scope));
    if (scopes.length === 0 || unknown.length > 0) throw new Error(`dialog: invalid scopes ${unknown.join(',')}`);
    const back = new URL(q.redirect_uri);
    if (as.deny) {
      back.searchParams.set('error_reason', 'user_denied');
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'Permissions error');
      back.searchParams.set('state', q.state);
      return back.toString();
    }
    const user = this.metaUsers.get(as.userId);
    if (!user) throw new Error(`no Meta user ${as.userId}`);
    const code = `AQ${this.nextId().toString(36)}${Math.random().toString(36).slice(2)}`;
    this.authCodes.set(code, {
      host: 'facebook',
      subject: user.id,
      pageIds: as.pageIds ?? user.pageIds,
      // The person may untick permissions in the dialog; the token carries only what was granted.
      scopes: scopes.filter((scope) => !as.decline?.includes(scope)),
      redirectUri: q.redirect_uri,
      used: false,
      expiresAt: this.clock + 10 * 60_000,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.state);
    return back.toString();
  }

  /** What Instagram's authorize page does: checks the URL, then redirects with a code (and `#_`) or an error. */
  consentInstagram(authorizeUrl: string, as: { igUserId: string; deny?: boolean }): string {
    const url = new URL(authorizeUrl);
    if (url.host !== 'www.instagram.com' || url.pathname !== '/oauth/authorize')
      throw new Error(`not an Instagram authorize URL: ${url.origin}${url.pathname}`);
    const q = Object.fromEntries(url.searchParams);
    // Instagram Login has its own app: the Meta app's id is not one Instagram knows.
    if (q.client_id !== this.instagramAppId) throw new Error('authorize: client_id is not the Instagram app id');
    if (q.response_type !== 'code') throw new Error('authorize: response_type must be code');
    if (!q.redirect_uri || !q.state) throw new Error('authorize: redirect_uri and state are required');
    const scopes = (q.scope ?? '').split(',').filter(Boolean);
    const unknown = scopes.filter((scope) => !INSTAGRAM_LOGIN_PERMISSIONS.includes(scope));
    if (scopes.length === 0 || unknown.length > 0) throw new Error(`authorize: invalid scopes ${unknown.join(',')}`);
    const back = new URL(q.redirect_uri);
    back.searchParams.set('state', q.state);
    if (as.deny) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_reason', 'user_denied');
      back.searchParams.set('error_description', 'The user denied your request');
      return back.toString();
    }
    const account = this.objects.get(as.igUserId);
    if (account?.type !== 'ig_user') throw new Error(`no Instagram account ${as.igUserId}`);
    const code = `AQB${this.nextId().toString(36)}${Math.random().toString(36).slice(2)}`;
    this.authCodes.set(code, {
      host: 'instagram',
      subject: account.id,
      pageIds: [],
      scopes,
      redirectUri: q.redirect_uri,
      used: false,
      expiresAt: this.clock + 60 * 60_000,
    });
    back.searchParams.set('code', code);
    return `${back.toString()}#_`;
  }

  /** `GET /oauth/access_token`: code → short-lived user token, or `fb_exchange_token` → long-lived (~60 days). */
  private facebookAccessToken(params: Params): FakeReply {
    if (params.client_id !== this.appId || params.client_secret !== this.appSecret)
      return fail(101, 'Error validating application. Invalid application ID.');
    if (params.grant_type === 'fb_exchange_token') {
      const short = this.tokens.get(str(params.fb_exchange_token) ?? '');
      if (short?.kind !== 'user' || this.tokenProblem(short))
        return fail(190, 'Invalid OAuth access token - Cannot parse access token');
      const token = this.issueToken({
        kind: 'user',
        subjects: short.subjects,
        scopes: short.scopes,
        expiresInSec: 5_183_944,
        ...(short.userId ? { userId: short.userId } : {}),
      });
      this.longLived.add(token);
      return { json: { access_token: token, token_type: 'bearer', expires_in: 5_183_944 } };
    }
    const code = this.authCodes.get(str(params.code) ?? '');
    if (code?.host !== 'facebook') return fail(100, 'Invalid verification code format.', { subcode: 36008 });
    if (code.used) return fail(100, 'This authorization code has been used.', { subcode: 36009 });
    if (code.expiresAt <= this.clock) return fail(100, 'This authorization code has expired.', { subcode: 36007 });
    if (params.redirect_uri !== code.redirectUri)
      return fail(100, 'Error validating verification code. Please make sure your redirect_uri is identical.', {
        subcode: 36008,
      });
    code.used = true;
    const token = this.issueToken({
      kind: 'user',
      subjects: code.pageIds,
      scopes: code.scopes,
      expiresInSec: 5_400,
      userId: code.subject,
    });
    return { json: { access_token: token, token_type: 'bearer', expires_in: 5_400 } };
  }

  /** `GET /me/accounts`: the Pages the user token reaches, each with a Page token (no expiry from a long-lived token). */
  private meAccounts(token: TokenRecord, params: Params): FakeReply {
    if (token.kind !== 'user')
      return fail(100, '(#100) Tried accessing nonexisting field (accounts) on node type (Page)');
    this.requireScope(token, { facebook: 'pages_show_list' });
    // Pages owned by a business portfolio are reached through the business: only with `business_management`.
    const pages = token.subjects
      .map((id) => this.objects.get(id))
      .filter((object): object is Page => object?.type === 'page')
      .filter((page) => !page.businessOwned || token.scopes.includes('business_management'));
    const specs = this.parseFieldsParam(params.fields ?? 'id,name,access_token,category,tasks');
    const longLived = this.longLived.has(token.token);
    const data = pages.map((page) => {
      const out: Record<string, unknown> = {};
      for (const spec of specs) {
        if (spec.name === 'access_token') {
          out.access_token = this.issueToken({
            kind: 'page',
            subjects: [page.id, ...(page.instagramAccountId ? [page.instagramAccountId] : [])],
            scopes: token.scopes,
            ...(longLived
              ? {}
              : { expiresInSec: Math.max(1, Math.floor(((token.expiresAt ?? this.clock) - this.clock) / 1000)) }),
            ...(token.userId ? { userId: token.userId } : {}),
          });
        } else if (spec.name === 'tasks') out.tasks = ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'];
        else if (spec.name === 'category') out.category = 'Shopping & retail';
        else out[spec.name] = this.field(page, spec);
      }
      out.id ??= page.id;
      return out;
    });
    return {
      json: { data, ...(data.length > 0 ? { paging: { cursors: { before: 'QVFIU0', after: 'QVFIU1' } } } : {}) },
    };
  }

  /** `POST api.instagram.com/oauth/access_token` (form): code → short-lived Instagram token, flat answer. */
  private instagramCodeExchange(req: FakeRequest): FakeReply {
    const igError = (message: string, type = 'OAuthException'): FakeReply => ({
      status: 400,
      json: { error_type: type, code: 400, error_message: message },
    });
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return igError('Missing required field client_id');
    const form = (req.body ?? {}) as Record<string, string>;
    if (form.client_id !== this.instagramAppId || form.client_secret !== this.instagramAppSecret)
      return igError('Invalid Client ID or secret');
    if (form.grant_type !== 'authorization_code') return igError('Invalid grant_type');
    const code = this.authCodes.get(form.code ?? '');
    if (code?.host !== 'instagram' || code.used || code.expiresAt <= this.clock)
      return igError('This authorization code has been used');
    if (form.redirect_uri !== code.redirectUri) return igError('Error validating verification code');
    code.used = true;
    const token = this.issueToken({
      kind: 'instagram_user',
      host: 'instagram',
      subjects: [code.subject],
      scopes: code.scopes,
      expiresInSec: 3_600,
    });
    return { json: { access_token: token, user_id: Number(code.subject), permissions: code.scopes.join(',') } };
  }

  /** `GET graph.instagram.com/access_token?grant_type=ig_exchange_token`: short-lived → long-lived (60 days). */
  private instagramLongLived(params: Params): FakeReply {
    if (params.grant_type !== 'ig_exchange_token') return invalidParam('Unsupported grant_type');
    if (params.client_secret !== this.instagramAppSecret) return fail(101, 'Error validating client secret.');
    const short = this.tokens.get(str(params.access_token) ?? '');
    if (short?.kind !== 'instagram_user') return fail(190, 'Invalid OAuth access token - Cannot parse access token');
    const problem = this.tokenProblem(short);
    if (problem) return fail(190, problem.message, problem.subcode === undefined ? {} : { subcode: problem.subcode });
    const token = this.issueToken({
      kind: 'instagram_user',
      host: 'instagram',
      subjects: short.subjects,
      scopes: short.scopes,
      expiresInSec: 5_184_000,
    });
    return { json: { access_token: token, token_type: 'bearer', expires_in: 5_184_000 } };
  }

  // ---------------------------------------------------------------- node rendering

  private render(object: GraphObject, fieldsParam: string | undefined, defaults = 'id'): Record<string, unknown> {
    let specs: FieldSpec[];
    try {
      specs = parseFields(fieldsParam ?? defaults);
    } catch (error) {
      if (error instanceof FieldSyntaxError) return invalidParam(`(#100) Syntax error "${error.message}"`);
      throw error;
    }
    return this.renderSpecs(object, specs);
  }

  private renderSpecs(object: GraphObject, specs: FieldSpec[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const spec of specs) {
      const value = this.field(object, spec);
      if (value !== undefined) out[spec.name] = value;
    }
    // Graph always returns a node's id, asked for or not.
    out.id ??= object.id;
    return out;
  }

  private field(object: GraphObject, spec: FieldSpec): unknown {
    const nodeType: Record<GraphObject['type'], string> = {
      ig_user: 'IGUser',
      ig_container: 'ShadowIGMediaBuilder',
      ig_media: 'IGMedia',
      ig_comment: 'IGComment',
      page: 'Page',
      fb_post: 'PagePost',
      fb_photo: 'Photo',
      fb_video: 'Video',
      fb_comment: 'Comment',
    };
    const value = this.fieldValue(object, spec);
    if (value === NO_FIELD) {
      return invalidParam(
        `(#100) Tried accessing nonexisting field (${spec.name}) on node type (${nodeType[object.type]})`,
      );
    }
    return value;
  }

  private fieldValue(o: GraphObject, spec: FieldSpec): unknown {
    const name = spec.name;
    if (name === 'id') return o.id;
    switch (o.type) {
      case 'ig_user':
        if (name === 'user_id') return o.id;
        if (name === 'username') return o.username;
        if (name === 'followers_count') return o.followersCount;
        if (name === 'media_count') return this.mediaOf(o.id).length;
        if (name === 'name') return o.username;
        return NO_FIELD;
      case 'ig_container': {
        if (name === 'status_code') return this.containerStatus(o);
        if (name === 'status') {
          const status = this.containerStatus(o);
          return status === 'ERROR'
            ? 'Error: 2207052 Media download has failed.'
            : status === 'FINISHED'
              ? 'Finished: Media has been uploaded and it is ready to be published.'
              : status;
        }
        if (name === 'copyright_check_status') return { matches_found: false, status: 'completed' };
        return NO_FIELD;
      }
      case 'ig_media': {
        const account = this.objects.get(o.owner) as IgAccount;
        const map: Record<string, unknown> = {
          caption: o.caption || undefined,
          media_type: o.mediaType,
          media_product_type: o.productType,
          permalink:
            o.productType === 'STORY'
              ? `https://instagram.com/stories/${account.username}/${o.id}/`
              : `https://www.instagram.com/p/${o.shortcode}/`,
          shortcode: o.shortcode,
          timestamp: graphTime(o.timestamp),
          username: account.username,
          owner: { id: o.owner },
          like_count: IG_MEDIA_DEFAULT_INSIGHTS.likes,
          comments_count: this.childrenOf(o.id, 'comments').length,
          is_comment_enabled: true,
          media_url: `https://scontent.cdninstagram.com/${o.id}.jpg`,
        };
        if (name === 'comments' || name === 'children') return this.edge(o, name, spec);
        return name in map ? map[name] : NO_FIELD;
      }
      case 'ig_comment': {
        const map: Record<string, unknown> = {
          text: o.text,
          timestamp: graphTime(o.timestamp),
          username: o.username,
          from: { id: o.fromId, username: o.username },
          hidden: o.hidden,
          like_count: 0,
          media: { id: o.mediaId, media_product_type: (this.objects.get(o.mediaId) as IgMedia).productType },
          parent_id: o.parentId,
        };
        if (name === 'replies') return o.parentId ? undefined : this.edge(o, 'replies', spec);
        return name in map ? map[name] : NO_FIELD;
      }
      case 'page':
        if (name === 'name') return o.name;
        if (name === 'instagram_business_account') {
          const linked = o.instagramAccountId ? this.objects.get(o.instagramAccountId) : undefined;
          return linked
            ? this.renderSpecs(linked, spec.children?.length ? spec.children : parseFields('id'))
            : undefined;
        }
        if (name === 'followers_count') return o.followersCount;
        if (name === 'fan_count') return o.followersCount;
        if (name === 'link') return `https://www.facebook.com/${o.id}`;
        return NO_FIELD;
      case 'fb_post': {
        const map: Record<string, unknown> = {
          message: o.message,
          created_time: graphTime(o.createdTime),
          permalink_url: `https://www.facebook.com/${o.id.replace('_', '/posts/')}`,
          from: { id: o.pageId, name: (this.objects.get(o.pageId) as Page).name },
          is_published: true,
          status_type: {
            status: 'mobile_status_update',
            link: 'shared_story',
            photo: 'added_photos',
            album: 'added_photos',
            video: 'added_video',
          }[o.kind],
          shares: o.shares > 0 ? { count: o.shares } : undefined,
        };
        if (name === 'comments' || name === 'reactions') return this.edge(o, name, spec);
        if (name === 'insights') return this.postInsightsPage(o, listParam(spec.modifiers.metric));
        return name in map ? map[name] : NO_FIELD;
      }
      case 'fb_photo': {
        const map: Record<string, unknown> = {
          name: o.caption,
          created_time: graphTime(o.createdTime),
          link: `https://www.facebook.com/photo.php?fbid=${o.id}`,
          published: o.published,
        };
        return name in map ? map[name] : NO_FIELD;
      }
      case 'fb_video': {
        const map: Record<string, unknown> = {
          description: o.description,
          title: o.title,
          created_time: graphTime(o.createdTime),
          permalink_url: `/${o.pageId}/videos/${o.id}/`,
          published: true,
          post_id: o.postId,
        };
        if (name === 'comments') return this.edge(o, 'comments', spec);
        return name in map ? map[name] : NO_FIELD;
      }
      case 'fb_comment': {
        const map: Record<string, unknown> = {
          message: o.message,
          created_time: graphTime(o.createdTime),
          from: { id: o.fromId, name: o.fromName },
          is_hidden: o.hidden,
          can_hide: !(this.ownerOf(o) === o.fromId),
          parent: o.parentId ? { id: o.parentId } : undefined,
          comment_count: this.childrenOf(o.id, 'comments').length,
        };
        if (name === 'comments') return this.edge(o, 'comments', spec);
        return name in map ? map[name] : NO_FIELD;
      }
    }
  }

  /** The items of an edge (`comments`, `replies`, `children`, `reactions`) in their documented order. */
  private childrenOf(id: string, edge: string, modifiers: Record<string, string> = {}): GraphObject[] {
    const object = this.objects.get(id);
    const all = [...this.objects.values()];
    if (object?.type === 'ig_media' && edge === 'comments') {
      return all
        .filter((c): c is IgComment => c.type === 'ig_comment' && c.mediaId === id && !c.parentId)
        .sort((a, b) => b.timestamp - a.timestamp);
    }
    if (object?.type === 'ig_comment' && edge === 'replies') {
      return all
        .filter((c): c is IgComment => c.type === 'ig_comment' && c.parentId === id)
        .sort((a, b) => a.timestamp - b.timestamp);
    }
    if (
      edge === 'comments' &&
      object &&
      (object.type === 'fb_post' || object.type === 'fb_video' || object.type === 'fb_comment')
    ) {
      // filter: toplevel (default: top-level comments as Facebook orders them, ranked, `order` ignored) or stream
      // (every comment, replies included, chronological; `order` chooses oldest or newest first).
      const stream = modifiers.filter === 'stream';
      // A video's comments are its post's.
      const objectId = object.type === 'fb_video' ? object.postId : id;
      const list =
        object.type === 'fb_comment'
          ? all.filter((c): c is FbComment => c.type === 'fb_comment' && c.parentId === id)
          : all.filter(
              (c): c is FbComment => c.type === 'fb_comment' && c.objectId === objectId && (stream || !c.parentId),
            );
      list.sort((a, b) => a.createdTime - b.createdTime);
      if (object.type !== 'fb_comment' && !stream) {
        // Ranked: the most interesting first (here: the most replied-to), whatever `order` asked.
        const replies = (c: FbComment) => all.filter((r) => r.type === 'fb_comment' && r.parentId === c.id).length;
        return list.sort((a, b) => replies(b) - replies(a));
      }
      return modifiers.order === 'reverse_chronological' ? list.reverse() : list;
    }
    return [];
  }

  /** The order an edge's summary reports: `ranked` for a post's top-level comments, else the order asked. */
  private summaryOrder(id: string, edge: string, modifiers: Record<string, string>): string {
    const object = this.objects.get(id);
    const post = object?.type === 'fb_post' || object?.type === 'fb_video';
    if (edge === 'comments' && post && modifiers.filter !== 'stream') return 'ranked';
    return modifiers.order ?? 'chronological';
  }

  private edge(object: GraphObject, edge: string, spec: FieldSpec): unknown {
    if (edge === 'reactions' && object.type === 'fb_post') {
      return {
        data: [],
        summary:
          spec.modifiers.summary === 'true' ? { total_count: object.reactions, viewer_reaction: 'NONE' } : undefined,
      };
    }
    const items = this.childrenOf(object.id, edge, spec.modifiers);
    return this.page(items, spec.children ?? parseFields('id'), {
      ...spec.modifiers,
      order: this.summaryOrder(object.id, edge, spec.modifiers),
    });
  }

  private page(
    items: GraphObject[],
    children: FieldSpec[],
    modifiers: Record<string, string>,
  ): Record<string, unknown> {
    const limit = modifiers.limit === undefined ? 25 : Number(modifiers.limit);
    // Cursor-based paging: `after` is the opaque cursor of the last item served; `next` only while more remain.
    const start = modifiers.after === undefined ? 0 : decodePagingCursor(modifiers.after);
    const data = items.slice(start, start + limit).map((item) => this.renderSpecs(item, children));
    const out: Record<string, unknown> = { data };
    if (data.length > 0) {
      const after = encodePagingCursor(start + data.length);
      out.paging = {
        cursors: { before: encodePagingCursor(start), after },
        ...(start + data.length < items.length
          ? { next: `https://graph.facebook.com/v25.0/next?limit=${limit}&after=${after}` }
          : {}),
      };
    }
    if (modifiers.summary === 'true')
      out.summary = { total_count: items.length, order: modifiers.order ?? 'chronological' };
    return out;
  }

  private listEdge(object: GraphObject, edge: string, params: Params): FakeReply {
    const modifiers: Record<string, string> = {};
    for (const key of ['limit', 'filter', 'order', 'summary', 'after']) {
      const value = str(params[key]);
      if (value !== undefined) modifiers[key] = value;
    }
    const items = this.childrenOf(object.id, edge, modifiers);
    const order = this.summaryOrder(object.id, edge, modifiers);
    return { json: this.page(items, parseFields(str(params.fields) ?? 'id'), { ...modifiers, order }) };
  }

  // ---------------------------------------------------------------- Instagram

  private mediaOf(accountId: string): IgMedia[] {
    return [...this.objects.values()]
      .filter((o): o is IgMedia => o.type === 'ig_media' && o.owner === accountId)
      .sort((a, b) => b.timestamp - a.timestamp);
  }

  private containerStatus(container: IgContainer): 'EXPIRED' | 'ERROR' | 'FINISHED' | 'IN_PROGRESS' | 'PUBLISHED' {
    if (container.mediaId) return 'PUBLISHED';
    if (this.clock - container.createdAt >= CONTAINER_LIFETIME_MS) return 'EXPIRED';
    if (container.outcome === 'ERROR' && this.clock >= container.readyAt) return 'ERROR';
    const children = container.children.map((id) => this.objects.get(id) as IgContainer);
    const childStatuses = children.map((child) => this.containerStatus(child));
    if (childStatuses.includes('ERROR')) return 'ERROR';
    if (this.clock < container.readyAt || childStatuses.includes('IN_PROGRESS')) return 'IN_PROGRESS';
    return 'FINISHED';
  }

  private igUserEdge(token: TokenRecord, account: IgAccount, edge: string, method: string, params: Params): FakeReply {
    if (edge === 'media' && method === 'POST') return this.createContainer(token, account, params);
    if (edge === 'media_publish' && method === 'POST') return this.mediaPublish(token, account, params);
    if (edge === 'content_publishing_limit' && method === 'GET') {
      const fields = (str(params.fields) ?? 'quota_usage').split(',');
      const entry: Record<string, unknown> = {};
      if (fields.includes('quota_usage')) entry.quota_usage = this.recentPublishes(account.id).length;
      if (fields.includes('config')) entry.config = { quota_total: this.quotaTotal, quota_duration: 86_400 };
      return { json: { data: [entry] } };
    }
    if ((edge === 'media' || edge === 'stories') && method === 'GET') {
      // The stories edge lists the stories live now (the last 24 hours).
      let media = this.mediaOf(account.id).filter((m) =>
        edge === 'stories' ? m.productType === 'STORY' && this.clock - m.timestamp < DAY_MS : m.productType !== 'STORY',
      );
      // Time-based pagination: since / until are unix seconds.
      const since = num(params.since);
      const until = num(params.until);
      if (since !== undefined) media = media.filter((m) => m.timestamp >= since * 1000);
      if (until !== undefined) media = media.filter((m) => m.timestamp <= until * 1000);
      return { json: this.page(media, this.parseFieldsParam(params.fields), { limit: str(params.limit) ?? '25' }) };
    }
    if (edge === 'insights' && method === 'GET') return this.igUserInsights(token, account, params);
    return unsupported(method, `${account.id}/${edge}`);
  }

  private parseFieldsParam(fields: unknown): FieldSpec[] {
    try {
      return parseFields(str(fields) ?? 'id');
    } catch (error) {
      if (error instanceof FieldSyntaxError) return invalidParam(`(#100) Syntax error "${error.message}"`);
      throw error;
    }
  }

  private recentPublishes(accountId: string): PublishedItem[] {
    return (this.publishLog.get(accountId) ?? []).filter((item) => this.clock - item.at < DAY_MS);
  }

  /** `POST /{ig-user-id}/media` (reference A.2). */
  private createContainer(token: TokenRecord, account: IgAccount, params: Params): FakeReply {
    this.requireScope(token, {
      facebook: 'instagram_content_publish',
      instagram: 'instagram_business_content_publish',
    });
    const rawType = str(params.media_type);
    const isCarouselItem = params.is_carousel_item === 'true' || params.is_carousel_item === true;
    if (rawType !== undefined && !['REELS', 'STORIES', 'CAROUSEL', 'VIDEO'].includes(rawType)) {
      invalidParam(
        `(#100) The media type ${rawType} is not supported.`,
        2207023,
        'The media type entered is not one of the expected media types.',
      );
    }
    const mediaType = (rawType ?? 'IMAGE') as ContainerType;
    if (mediaType === 'VIDEO' && !isCarouselItem) {
      invalidParam(
        '(#100) The VIDEO media type is no longer supported for single feed videos. Use REELS.',
        2207023,
        'The media type entered is not one of the expected media types.',
      );
    }
    if (isCarouselItem && (mediaType === 'REELS' || mediaType === 'STORIES' || mediaType === 'CAROUSEL')) {
      invalidParam(`(#100) ${mediaType} cannot be a carousel item.`, 2207023);
    }
    const imageUrl = str(params.image_url);
    const videoUrl = str(params.video_url);
    const caption = str(params.caption);
    if (caption !== undefined && isCarouselItem)
      invalidParam('(#100) The parameter caption is not supported on carousel items.');
    if (caption !== undefined) checkCaption(caption);
    const recentContainers = this.containers(account.id).filter((c) => this.clock - c.createdAt < DAY_MS);
    // The error for the 400-containers cap is not in the pages read; code 9 is the documented publishing-limit code.
    if (recentContainers.length >= MAX_CONTAINERS_PER_DAY)
      fail(9, 'Application request limit reached: too many containers in 24 hours.');
    let children: string[] = [];
    if (mediaType === 'IMAGE') {
      if (!imageUrl) invalidParam('(#100) The parameter image_url is required.');
      if (videoUrl)
        invalidParam('(#100) video_url is not supported for an image. Set media_type to REELS or VIDEO.', 2207023);
      checkUrl('image_url', imageUrl ?? '');
      if (
        !/\.jpe?g$/i.test(new URL(imageUrl ?? '').pathname) &&
        /\.[a-z0-9]+$/i.test(new URL(imageUrl ?? '').pathname)
      ) {
        fail(36001, 'The image format is not supported.', {
          subcode: 2207005,
          userTitle: 'Unsupported format',
          userMsg: 'The image format is not supported. Supported formats are: JPEG',
        });
      }
    } else if (mediaType === 'VIDEO' || mediaType === 'REELS') {
      if (!videoUrl) invalidParam('(#100) The parameter video_url is required.');
      checkUrl('video_url', videoUrl ?? '');
    } else if (mediaType === 'STORIES') {
      if (!imageUrl && !videoUrl) invalidParam('(#100) The parameter image_url or video_url is required.');
      checkUrl(imageUrl ? 'image_url' : 'video_url', imageUrl ?? videoUrl ?? '');
    } else {
      children = listParam(params.children);
      if (children.length < 2 || children.length > 10) {
        invalidParam(
          '(#100) The carousel must have between 2 and 10 children.',
          2207028,
          'Carousels must have between 2 and 10 items.',
        );
      }
      for (const id of children) {
        const child = this.objects.get(id);
        if (child?.type !== 'ig_container' || child.owner !== account.id || !child.isCarouselItem || child.mediaId) {
          fail(24, `The media with id ${id} cannot be found.`, { subcode: 2207006 });
        }
      }
    }
    const isVideo = mediaType === 'REELS' || mediaType === 'VIDEO' || (mediaType === 'STORIES' && !imageUrl);
    const outcome = this.failNextContainers > 0 ? 'ERROR' : 'FINISHED';
    if (this.failNextContainers > 0) this.failNextContainers -= 1;
    const container: IgContainer = {
      type: 'ig_container',
      id: String(this.nextId()),
      owner: account.id,
      mediaType,
      isCarouselItem,
      isVideo,
      ...(caption === undefined ? {} : { caption }),
      ...(imageUrl || videoUrl ? { mediaUrl: imageUrl ?? videoUrl } : {}),
      children,
      createdAt: this.clock,
      readyAt: this.clock + (mediaType === 'CAROUSEL' ? 0 : isVideo ? this.videoProcessingMs : this.imageProcessingMs),
      outcome,
    };
    this.objects.set(container.id, container);
    return { json: { id: container.id } };
  }

  /** `POST /{ig-user-id}/media_publish?creation_id=…` (reference A.4, A.5). */
  private mediaPublish(token: TokenRecord, account: IgAccount, params: Params): FakeReply {
    this.requireScope(token, {
      facebook: 'instagram_content_publish',
      instagram: 'instagram_business_content_publish',
    });
    const creationId = str(params.creation_id);
    if (!creationId) return invalidParam('(#100) The parameter creation_id is required.');
    const container = this.objects.get(creationId);
    if (container?.type !== 'ig_container' || container.owner !== account.id || container.isCarouselItem) {
      return fail(24, `Media builder with creation id = ${creationId} does not exist or has expired.`, {
        subcode: 2207008,
      });
    }
    const status = this.containerStatus(container);
    if (status === 'EXPIRED')
      return fail(-2, 'The media has expired.', {
        subcode: 2207020,
        userMsg: 'The media has expired. Create a new container.',
      });
    if (status === 'ERROR')
      return fail(9004, 'Media download has failed.', {
        subcode: 2207052,
        userMsg: 'The media could not be fetched from this URI.',
      });
    if (status === 'IN_PROGRESS') {
      return fail(9007, 'Media ID is not available', {
        subcode: 2207027,
        userTitle: 'Media not ready',
        userMsg: 'The media is not ready for publishing, please wait for a moment',
      });
    }
    // Publishing a PUBLISHED container again: not documented; chosen: refused, so one container never gives two posts.
    if (status === 'PUBLISHED') return invalidParam('(#100) The media has already been published.');
    if (this.recentPublishes(account.id).length >= this.quotaTotal) {
      return fail(9, 'Application request limit reached', {
        subcode: 2207042,
        userTitle: 'Maximum posts reached',
        userMsg: 'You reached maximum number of posts that is allowed to be published by Content Publishing API.',
      });
    }
    const media: IgMedia = {
      type: 'ig_media',
      id: String(this.nextId()),
      owner: account.id,
      containerId: container.id,
      caption: container.caption ?? '',
      mediaType: container.mediaType === 'CAROUSEL' ? 'CAROUSEL_ALBUM' : container.isVideo ? 'VIDEO' : 'IMAGE',
      productType: container.mediaType === 'REELS' ? 'REELS' : container.mediaType === 'STORIES' ? 'STORY' : 'FEED',
      timestamp: this.clock,
      shortcode: `C${container.id.slice(-9)}`,
      insights: {},
    };
    container.mediaId = media.id;
    this.objects.set(media.id, media);
    this.logPublish(account.id, {
      id: media.id,
      accountId: account.id,
      kind: `${media.productType}:${media.mediaType}`,
      caption: media.caption,
      at: this.clock,
    });
    return { json: { id: media.id } };
  }

  private logPublish(accountId: string, item: PublishedItem): void {
    const list = this.publishLog.get(accountId) ?? [];
    list.push(item);
    this.publishLog.set(accountId, list);
  }

  private igComment(token: TokenRecord, media: IgMedia, params: Params): FakeReply {
    this.requireScope(token, {
      facebook: 'instagram_manage_comments',
      instagram: 'instagram_business_manage_comments',
    });
    const message = str(params.message);
    if (!message) return invalidParam('(#100) The parameter message is required.');
    const account = this.objects.get(media.owner) as IgAccount;
    const comment: IgComment = {
      type: 'ig_comment',
      id: String(this.nextId()),
      mediaId: media.id,
      fromId: account.id,
      username: account.username,
      text: message,
      timestamp: this.clock,
      hidden: false,
    };
    this.objects.set(comment.id, comment);
    return { json: { id: comment.id } };
  }

  private igReply(token: TokenRecord, parent: IgComment, params: Params): FakeReply {
    this.requireScope(token, {
      facebook: 'instagram_manage_comments',
      instagram: 'instagram_business_manage_comments',
    });
    const message = str(params.message);
    if (!message) return invalidParam('(#100) The parameter message is required.');
    if (parent.parentId) return invalidParam('(#100) Replies can only be made to top-level comments.');
    const media = this.objects.get(parent.mediaId) as IgMedia;
    const account = this.objects.get(media.owner) as IgAccount;
    const reply: IgComment = {
      type: 'ig_comment',
      id: String(this.nextId()),
      mediaId: media.id,
      parentId: parent.id,
      fromId: account.id,
      username: account.username,
      text: message,
      timestamp: this.clock,
      hidden: false,
    };
    this.objects.set(reply.id, reply);
    return { json: { id: reply.id } };
  }

  private updateNode(token: TokenRecord, object: GraphObject, params: Params): FakeReply {
    if (object.type === 'ig_comment' && params.hide !== undefined) {
      this.requireScope(token, {
        facebook: 'instagram_manage_comments',
        instagram: 'instagram_business_manage_comments',
      });
      object.hidden = boolParam('hide', params.hide);
      return { json: { success: true } };
    }
    if (object.type === 'fb_comment' && params.is_hidden !== undefined) {
      this.requireScope(token, { facebook: 'pages_manage_engagement' });
      if (object.fromId === this.ownerOf(object))
        return invalidParam("(#100) The Page's own comments cannot be hidden.");
      object.hidden = boolParam('is_hidden', params.is_hidden);
      return { json: { success: true } };
    }
    return unsupported('POST', object.id);
  }

  private igMediaInsights(token: TokenRecord, media: IgMedia, params: Params): FakeReply {
    this.requireScope(token, {
      facebook: 'instagram_manage_insights',
      instagram: 'instagram_business_manage_insights',
    });
    const metrics = listParam(params.metric);
    if (metrics.length === 0) return invalidParam('(#100) The parameter metric is required.');
    const allowed = IG_MEDIA_METRICS[media.productType];
    for (const metric of metrics) {
      if (IG_DEPRECATED_METRICS.has(metric) || !Object.values(IG_MEDIA_METRICS).flat().includes(metric)) {
        return invalidParam('(#100) The value must be a valid insights metric');
      }
      if (!allowed.includes(metric)) {
        return invalidParam(
          `(#100) The Media Insights API does not support the ${metric} metric for this media product type.`,
        );
      }
    }
    // Story metrics are served for 24 hours; after that Meta answers with an empty data set.
    if (media.productType === 'STORY' && this.clock - media.timestamp >= DAY_MS) return { json: { data: [] } };
    const comments = this.childrenOf(media.id, 'comments').length;
    const values: Record<string, number> = { ...IG_MEDIA_DEFAULT_INSIGHTS, comments, ...media.insights };
    values.total_interactions ??= (values.likes ?? 0) + comments + (values.saved ?? 0) + (values.shares ?? 0);
    return {
      json: {
        data: metrics.map((name) => ({
          name,
          period: 'lifetime',
          values: [{ value: values[name] ?? 0 }],
          title: name,
          description: `${name} of the media`,
          id: `${media.id}/insights/${name}/lifetime`,
        })),
      },
    };
  }

  private igUserInsights(token: TokenRecord, account: IgAccount, params: Params): FakeReply {
    this.requireScope(token, {
      facebook: 'instagram_manage_insights',
      instagram: 'instagram_business_manage_insights',
    });
    const metrics = listParam(params.metric);
    if (metrics.length === 0) return invalidParam('(#100) The parameter metric is required.');
    if (metrics.includes('online_followers')) return this.igOnlineFollowers(account, metrics, params);
    if (params.period !== 'day') return invalidParam('(#100) The parameter period must be day for these metrics.');
    const metricType = str(params.metric_type) ?? 'time_series';
    for (const metric of metrics) {
      if (!(metric in IG_USER_DAILY) && !IG_USER_TIME_SERIES.has(metric))
        return invalidParam('(#100) The value must be a valid insights metric');
      if (metricType === 'time_series' && !IG_USER_TIME_SERIES.has(metric)) {
        return invalidParam(`(#100) The ${metric} metric only supports total_value for the metric_type parameter.`);
      }
    }
    const { since, until } = this.range(params, 30);
    const days: number[] = [];
    for (let day = since; day < until; day += DAY_MS) days.push(day);
    return {
      json: {
        data: metrics.map((name) => {
          const perDay = name === 'follower_count' ? 3 : (IG_USER_DAILY[name] ?? 0);
          const base = {
            name,
            period: 'day',
            title: name,
            description: `${name} of the account`,
            id: `${account.id}/insights/${name}/day`,
          };
          return metricType === 'total_value'
            ? { ...base, total_value: { value: perDay * days.length } }
            : { ...base, values: days.map((day) => ({ value: perDay, end_time: graphTime(day + DAY_MS) })) };
        }),
        paging: { previous: 'https://graph.example/previous', next: 'https://graph.example/next' },
      },
    };
  }

  /**
   * `online_followers`: period `lifetime`, one value per day (Graph's day ends at 07:00 UTC, midnight Pacific time), each
   * a map of hour (0–23, from the start of that day) to followers online. At most 30 days; nothing for an account with
   * fewer than 100 followers (an empty data set, not zeros).
   */
  private igOnlineFollowers(account: IgAccount, metrics: string[], params: Params): FakeReply {
    if (metrics.length > 1 || params.period !== 'lifetime') {
      return invalidParam('(#100) The online_followers metric is only available with period lifetime.');
    }
    const { since, until } = this.range(params, 30);
    if (account.followersCount < 100) return { json: { data: [] } };
    const online =
      this.onlineFollowers.get(account.id) ??
      ((_weekday: number, hour: number) => (hour >= 17 && hour <= 20 ? 400 : 120) + hour);
    const values: { value: Record<string, number>; end_time: string }[] = [];
    const firstEnd = Math.ceil((since + DAY_MS - 7 * 3_600_000) / DAY_MS) * DAY_MS + 7 * 3_600_000;
    for (let end = firstEnd; end <= until; end += DAY_MS) {
      const value: Record<string, number> = {};
      for (let hour = 0; hour < 24; hour++) {
        const at = new Date(end - DAY_MS + hour * 3_600_000);
        value[String(hour)] = online(at.getUTCDay() === 0 ? 7 : at.getUTCDay(), at.getUTCHours());
      }
      values.push({ value, end_time: graphTime(end) });
    }
    return {
      json: {
        data: [
          {
            name: 'online_followers',
            period: 'lifetime',
            values,
            title: 'Followers online',
            description: 'Total number of followers of the account that were online during the specified range',
            id: `${account.id}/insights/online_followers/lifetime`,
          },
        ],
        paging: { previous: 'https://graph.example/previous', next: 'https://graph.example/next' },
      },
    };
  }

  /** since/until (unix seconds) with a default of the last 24 h, checked against the endpoint's maximum range. */
  private range(params: Params, maxDays: number): { since: number; until: number } {
    const until = (num(params.until) ?? Math.floor(this.clock / 1000)) * 1000;
    const since = (num(params.since) ?? Math.floor((until - DAY_MS) / 1000)) * 1000;
    if (until - since > maxDays * DAY_MS) {
      invalidParam(`(#100) There cannot be more than ${maxDays} days (${maxDays * 86_400} s) between since and until`);
    }
    return { since, until };
  }

  // ---------------------------------------------------------------- Facebook Pages

  /**
   * `POST|GET|DELETE /{page-id}/subscribed_apps` with the Page token (`pages_manage_metadata`), and on
   * graph.instagram.com `/{ig-user-id}|me/subscribed_apps` with the Instagram User token (Instagram Login).
   */
  private subscribedApps(
    token: TokenRecord,
    host: GraphHost,
    objectId: string,
    method: string,
    params: Params,
  ): FakeReply {
    const key = `${host}:${objectId}`;
    if (host === 'facebook') {
      this.requireScope(token, { facebook: 'pages_manage_metadata' });
      if (token.kind !== 'page') return fail(210, '(#210) A page access token is required to request this resource.');
    } else {
      this.requireScope(token, { facebook: '', instagram: 'instagram_business_basic' });
    }
    if (method === 'GET') {
      const fields = this.subscriptions.get(key);
      return {
        json: { data: fields ? [{ id: this.appId, name: 'Wone Social', subscribed_fields: fields }] : [] },
      };
    }
    if (method === 'DELETE') {
      this.subscriptions.delete(key);
      return { json: { success: true } };
    }
    if (method !== 'POST') return unsupported(method, `${objectId}/subscribed_apps`);
    const fields = listParam(params.subscribed_fields);
    if (fields.length === 0) return invalidParam('(#100) The parameter subscribed_fields is required.');
    const allowed = host === 'facebook' ? PAGE_WEBHOOK_FIELDS : INSTAGRAM_WEBHOOK_FIELDS;
    for (const [index, field] of fields.entries()) {
      if (!allowed.includes(field))
        return invalidParam(`(#100) Param subscribed_fields[${index}] must be one of {${allowed.join(', ')}}`);
    }
    if (host === 'instagram' && fields.some((field) => field.endsWith('comments') || field === 'mentions'))
      this.requireScope(token, { facebook: '', instagram: 'instagram_business_manage_comments' });
    this.subscriptions.set(key, [...new Set([...(this.subscriptions.get(key) ?? []), ...fields])]);
    return { json: { success: true } };
  }

  /**
   * `DELETE /{user-id}/permissions` with the app token (or `/me/permissions` with the person's token): the person's
   * login is revoked, and every token it gave (Page tokens included) stops working.
   */
  private revokeLogin(first: string, req: FakeRequest, params: Params): FakeReply {
    let userId: string | undefined;
    if (this.tokenFrom(req, params) === this.appToken) {
      if (first === 'me')
        return fail(2500, 'An active access token must be used to query information about the current user.');
      userId = first;
    } else {
      const token = this.authenticate('facebook', req, params);
      if (token.kind !== 'user' || (first !== 'me' && first !== token.userId)) return unsupported('DELETE', first);
      userId = token.userId;
    }
    if (!userId || ![...this.metaUsers.keys()].includes(userId)) return unsupported('DELETE', `${first}/permissions`);
    for (const record of this.tokens.values()) {
      if (record.host === 'facebook' && record.userId === userId) record.status = 'app_removed';
    }
    return { json: { success: true } };
  }

  private pageEdge(token: TokenRecord, page: Page, edge: string, method: string, params: Params): FakeReply {
    if (edge === 'subscribed_apps') return this.subscribedApps(token, 'facebook', page.id, method, params);
    if (method === 'POST' && edge === 'feed') return this.createFeedPost(token, page, params);
    if (method === 'POST' && edge === 'photos') return this.createPhoto(token, page, params);
    if (method === 'POST' && edge === 'videos') return this.createVideo(token, page, params);
    if (method === 'GET' && (edge === 'feed' || edge === 'published_posts' || edge === 'posts')) {
      this.requireScope(token, { facebook: 'pages_read_engagement' });
      let posts = [...this.objects.values()]
        .filter((o): o is FbPost => o.type === 'fb_post' && o.pageId === page.id)
        .sort((a, b) => b.createdTime - a.createdTime);
      const since = num(params.since);
      const until = num(params.until);
      if (since !== undefined) posts = posts.filter((p) => p.createdTime >= since * 1000);
      if (until !== undefined) posts = posts.filter((p) => p.createdTime <= until * 1000);
      return { json: this.page(posts, this.parseFieldsParam(params.fields), { limit: str(params.limit) ?? '25' }) };
    }
    if (method === 'GET' && edge === 'videos') {
      let videos = [...this.objects.values()]
        .filter((o): o is FbVideo => o.type === 'fb_video' && o.pageId === page.id)
        .sort((a, b) => b.createdTime - a.createdTime);
      const since = num(params.since);
      if (since !== undefined) videos = videos.filter((v) => v.createdTime >= since * 1000);
      return { json: this.page(videos, this.parseFieldsParam(params.fields), { limit: str(params.limit) ?? '25' }) };
    }
    if (method === 'GET' && edge === 'insights') return this.pageInsights(token, page, params);
    return unsupported(method, `${page.id}/${edge}`);
  }

  private requirePageToken(token: TokenRecord): void {
    // Publishing as the Page needs a Page token; a User token gets the documented permission error.
    if (token.kind !== 'page')
      fail(
        200,
        '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission',
      );
  }

  private newPost(page: Page, fields: Partial<FbPost> & { kind: FbPost['kind'] }): FbPost {
    const post: FbPost = {
      type: 'fb_post',
      id: `${page.id}_${this.nextId()}`,
      pageId: page.id,
      createdTime: this.clock,
      attachedPhotoIds: [],
      insights: {},
      shares: 2,
      reactions: 7,
      refusedMetrics: [],
      ...fields,
    };
    this.objects.set(post.id, post);
    this.logPublish(page.id, {
      id: post.id,
      accountId: page.id,
      kind: post.kind,
      ...(post.message === undefined ? {} : { caption: post.message }),
      at: this.clock,
    });
    return post;
  }

  /** `POST /{page-id}/feed` (reference B.1); `fields` reads the new post back (read-after-write). */
  private createFeedPost(token: TokenRecord, page: Page, params: Params): FakeReply {
    this.requireScope(token, { facebook: 'pages_manage_posts' });
    this.requirePageToken(token);
    const message = str(params.message);
    const link = str(params.link);
    if (link !== undefined) checkUrl('link', link);
    if (params.published === 'false' || params.published === false) {
      // Scheduled/unpublished feed posts are outside this product; refuse rather than pretend.
      return invalidParam('(#100) Unpublished feed posts need scheduled_publish_time, which this fake does not serve.');
    }
    const attached = attachedMedia(params.attached_media);
    if (!message && !link && attached.length === 0) return invalidParam('(#100) Missing message or attachment.');
    for (const id of attached) {
      const photo = this.objects.get(id);
      if (photo?.type !== 'fb_photo' || photo.pageId !== page.id || photo.published || photo.attachedTo) {
        return invalidParam(`(#100) Invalid media_fbid: ${id}`);
      }
    }
    const post = this.newPost(page, {
      kind: attached.length > 0 ? 'album' : link ? 'link' : 'status',
      ...(message === undefined ? {} : { message }),
      ...(link === undefined ? {} : { link }),
      attachedPhotoIds: attached,
    });
    for (const id of attached) (this.objects.get(id) as FbPhoto).attachedTo = post.id;
    const fields = str(params.fields);
    return { json: fields ? this.render(post, fields) : { id: post.id } };
  }

  /** `POST /{page-id}/photos` with `url` (reference B.1); `published=false` keeps it for `attached_media`. */
  private createPhoto(token: TokenRecord, page: Page, params: Params): FakeReply {
    this.requireScope(token, { facebook: 'pages_manage_posts' });
    this.requirePageToken(token);
    const url = str(params.url);
    if (!url) return invalidParam('(#100) The parameter url is required.', undefined, 'A photo URL is required.');
    checkUrl('url', url);
    const published = !(params.published === 'false' || params.published === false);
    const caption = str(params.caption) ?? str(params.message);
    const photo: FbPhoto = {
      type: 'fb_photo',
      id: String(this.nextId()),
      pageId: page.id,
      url,
      published,
      createdTime: this.clock,
      ...(caption === undefined ? {} : { caption }),
    };
    this.objects.set(photo.id, photo);
    if (!published) return { json: { id: photo.id } };
    const post = this.newPost(page, {
      kind: 'photo',
      ...(caption === undefined ? {} : { message: caption }),
      attachedPhotoIds: [photo.id],
    });
    photo.postId = post.id;
    return { json: { id: photo.id, post_id: post.id } };
  }

  /** `POST /{page-id}/videos` with `file_url` (reference B.1). */
  private createVideo(token: TokenRecord, page: Page, params: Params): FakeReply {
    this.requireScope(token, { facebook: 'pages_manage_posts' });
    this.requireScope(token, { facebook: 'publish_video' });
    this.requirePageToken(token);
    const fileUrl = str(params.file_url);
    if (!fileUrl) return invalidParam('(#100) The parameter file_url is required.');
    checkUrl('file_url', fileUrl);
    const description = str(params.description);
    const title = str(params.title);
    const post = this.newPost(page, { kind: 'video', ...(description === undefined ? {} : { message: description }) });
    const video: FbVideo = {
      type: 'fb_video',
      id: String(this.nextId()),
      pageId: page.id,
      fileUrl,
      postId: post.id,
      createdTime: this.clock,
      ...(description === undefined ? {} : { description }),
      ...(title === undefined ? {} : { title }),
    };
    this.objects.set(video.id, video);
    return { json: { id: video.id } };
  }

  private fbComment(token: TokenRecord, target: FbPost | FbVideo | FbComment, params: Params): FakeReply {
    this.requireScope(token, { facebook: 'pages_manage_engagement' });
    const message = str(params.message);
    if (!message && !params.attachment_url) return invalidParam('(#100) Missing message or attachment.');
    const pageId = this.ownerOf(target);
    // Commenting as a User instead of the Page gets #1705 (reference B.2).
    if (token.kind !== 'page') return fail(1705, '(#1705) There was an error posting to this wall');
    const page = this.objects.get(pageId) as Page;
    const objectId =
      target.type === 'fb_comment' ? target.objectId : target.type === 'fb_video' ? target.postId : target.id;
    const id = `${objectId.split('_').at(-1)}_${this.nextId()}`;
    const comment: FbComment = {
      type: 'fb_comment',
      id,
      objectId,
      ...(target.type === 'fb_comment' ? { parentId: target.id } : {}),
      fromId: page.id,
      fromName: page.name,
      message: message ?? '',
      createdTime: this.clock,
      hidden: false,
    };
    this.objects.set(id, comment);
    return { json: { id } };
  }

  private postInsights(token: TokenRecord, post: FbPost, params: Params): FakeReply {
    this.requireScope(token, { facebook: 'read_insights' });
    const metrics = listParam(params.metric);
    if (metrics.length === 0)
      return fail(3001, 'Invalid query', {
        subcode: 1504028,
        userTitle: 'No Metric Specified',
        userMsg:
          'No metric was specified to be fetched. Please specify one or more metrics to be fetched and try again.',
      });
    return { json: this.postInsightsPage(post, metrics) };
  }

  /** The post insights answer, for the `/insights` edge and for `fields=insights.metric(…)` alike. */
  private postInsightsPage(post: FbPost, metrics: string[]): Record<string, unknown> {
    if (metrics.length === 0) return invalidParam('(#100) The parameter metric is required.');
    for (const metric of metrics)
      if (!POST_METRICS.has(metric) || post.refusedMetrics.includes(metric))
        return invalidParam('(#100) The value must be a valid insights metric');
    const values = { ...POST_DEFAULT_INSIGHTS, ...post.insights };
    return {
      data: metrics.map((name) => ({
        name,
        period: 'lifetime',
        values: [{ value: values[name] ?? 0 }],
        title: name,
        description: `Lifetime: ${name}`,
        id: `${post.id}/insights/${name}/lifetime`,
      })),
      paging: { previous: 'https://graph.example/previous', next: 'https://graph.example/next' },
    };
  }

  private pageInsights(token: TokenRecord, page: Page, params: Params): FakeReply {
    this.requireScope(token, { facebook: 'read_insights' });
    const metrics = listParam(params.metric);
    if (metrics.length === 0)
      return fail(3001, 'Invalid query', {
        subcode: 1504028,
        userTitle: 'No Metric Specified',
        userMsg:
          'No metric was specified to be fetched. Please specify one or more metrics to be fetched and try again.',
      });
    for (const metric of metrics)
      if (!(metric in PAGE_DAILY)) return invalidParam('(#100) The value must be a valid insights metric');
    const period = str(params.period) ?? 'day';
    if (period !== 'day' && period !== 'week')
      return invalidParam(`(#100) The period ${period} is not served by this fake.`);
    const metricValue = (name: string): number => {
      const daily = page.daily[name] ?? PAGE_DAILY[name] ?? 0;
      if (period === 'day') return daily;
      return page.weekly[name] ?? (name.endsWith('_unique') ? Math.round(daily * 7 * 0.6) : daily * 7);
    };
    const { since, until } = this.range(params, 90);
    const days: number[] = [];
    for (let day = since; day < until; day += DAY_MS) days.push(day);
    return {
      json: {
        data: metrics.map((name) => ({
          name,
          period,
          values: days.map((day) => ({ value: metricValue(name), end_time: graphTime(day + DAY_MS) })),
          title: name,
          description: `${period === 'day' ? 'Daily' : 'Weekly'}: ${name}`,
          id: `${page.id}/insights/${name}/${period}`,
        })),
        paging: { previous: 'https://graph.example/previous', next: 'https://graph.example/next' },
      },
    };
  }
}

const NO_FIELD = Symbol('no such field');

/** Page webhook fields `subscribed_fields` takes (those this product meets; the full list is longer). */
const PAGE_WEBHOOK_FIELDS = ['feed', 'mention', 'name', 'picture', 'category', 'description', 'ratings', 'videos'];
/** Instagram webhook fields (Instagram Login). */
const INSTAGRAM_WEBHOOK_FIELDS = ['comments', 'live_comments', 'mentions', 'messages', 'story_insights'];

type Params = Record<string, unknown>;

/** Query, form body and JSON body merged: Graph takes parameters from any of them. */
function readParams(req: FakeRequest): Params {
  const body = req.body && typeof req.body === 'object' ? (req.body as Params) : {};
  return { ...req.query, ...body };
}

/** One operation of a batch: `method` and `relative_url` required; `body` a form-encoded string for POSTs. */
function batchOperation(operation: unknown, index: number): { method: string; url: URL; body: Record<string, string> } {
  const op = (operation ?? {}) as Record<string, unknown>;
  const method = typeof op.method === 'string' ? op.method.toUpperCase() : undefined;
  if (!method || !['GET', 'POST', 'DELETE'].includes(method))
    return invalidParam(`(#100) batch[${index}]: method must be GET, POST or DELETE`);
  if (typeof op.relative_url !== 'string' || op.relative_url === '')
    return invalidParam(`(#100) batch[${index}]: relative_url is required`);
  // Named operations and JSONPath references between them are part of Graph but not served by this fake.
  if (op.name !== undefined || op.depends_on !== undefined || op.relative_url.includes('{result='))
    return invalidParam(`(#100) batch[${index}]: dependent operations are not served by this fake`);
  if (op.body !== undefined && typeof op.body !== 'string')
    return invalidParam(`(#100) batch[${index}]: body must be a form-encoded string`);
  const url = new URL(op.relative_url.replace(/^\/+/, ''), 'http://graph.invalid/');
  return { method, url, body: Object.fromEntries(new URLSearchParams(op.body ?? '')) };
}

function encodePagingCursor(index: number): string {
  return Buffer.from(`cursor:${index}`).toString('base64url');
}

function decodePagingCursor(cursor: string): number {
  const match = /^cursor:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : invalidParam('(#100) The after cursor is not valid.');
}

function str(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function num(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function listParam(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return (str(value) ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

function boolParam(name: string, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return invalidParam(`(#100) Param ${name} must be a boolean`);
}

/** `attached_media` as a JSON array (form value or JSON body) of `{media_fbid}`. */
function attachedMedia(value: unknown): string[] {
  if (value === undefined) return [];
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return invalidParam('(#100) param attached_media must be an array.');
    }
  }
  if (!Array.isArray(list)) return invalidParam('(#100) param attached_media must be an array.');
  return list.map((entry) => {
    const id = (entry as { media_fbid?: unknown }).media_fbid;
    return typeof id === 'string' ? id : invalidParam('(#100) param attached_media[] must have media_fbid.');
  });
}

function checkUrl(name: string, value: string): void {
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok) invalidParam(`(#100) The parameter ${name} must be a valid URL.`);
}

/** Caption limits of `POST /media` (reference A.2): 2,200 characters, 30 hashtags, 20 @mentions. */
function checkCaption(caption: string): void {
  const hashtags = caption.match(/#[\p{L}\p{N}_]+/gu)?.length ?? 0;
  const mentions = caption.match(/@[\w.]+/g)?.length ?? 0;
  if ([...caption].length > 2200 || hashtags > 30) {
    fail(36004, 'The caption is too long.', {
      subcode: 2207010,
      userTitle: 'Caption too long',
      userMsg: 'The caption exceeded the maximum of 2,200 characters, 30 hashtags or 20 @ tags.',
    });
  }
  if (mentions > 20)
    invalidParam('(#100) Too many @ tags in the caption.', 2207040, 'The caption can have no more than 20 @ tags.');
}

/** Meta sends non-ASCII characters escaped (`\u00e4`), and signs those bytes. */
function escapeUnicode(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function unsupported(method: string, what: string): FakeReply {
  return graphError(
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${what.replace(/^\//, '')}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    { subcode: 33, type: 'GraphMethodException' },
  );
}
