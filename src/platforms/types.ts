import type { PlatformName } from './errors.ts';

export type { PlatformName } from './errors.ts';

/** What a post is on its platform. One draft may carry one post type per target platform. */
export type PostType =
  | 'instagram_feed'
  | 'instagram_carousel'
  | 'instagram_reel'
  | 'instagram_story'
  | 'facebook_text'
  | 'facebook_photo'
  | 'facebook_video'
  | 'tiktok_video'
  | 'tiktok_photo';

/** A piece of media as the platform will fetch it. */
export interface MediaItem {
  /** Public https URL the platform fetches (a signed, expiring link to our `/media` route). */
  url: string;
  kind: 'image' | 'video';
  mimeType: string;
  sizeBytes: number;
  width?: number;
  height?: number;
  durationSec?: number;
  /** Reads bytes [start, end) of the file; TikTok `FILE_UPLOAD` uses it. */
  readRange?: (start: number, end: number) => Promise<Uint8Array>;
}

export interface TikTokPostOptions {
  /** `direct` posts to the profile; `inbox` sends a draft to the creator's TikTok inbox. */
  mode: 'direct' | 'inbox';
  /** How TikTok gets the video: it pulls our signed URL, or we upload the bytes in chunks. */
  source: 'pull_from_url' | 'file_upload';
  /** Required for direct posts; must be one of the creator's `privacy_level_options`. Never defaulted. */
  privacyLevel?: string;
  disableComment: boolean;
  disableDuet: boolean;
  disableStitch: boolean;
  /** Commercial content disclosure: paid partnership. */
  brandContentToggle: boolean;
  /** Commercial content disclosure: promoting our own brand. */
  brandOrganicToggle: boolean;
  /** Photo posts only: a short title (at most 90 characters); the caption becomes the description. */
  photoTitle?: string;
  /** Photo posts only: add TikTok's recommended music (the requester's choice, never forced). */
  autoAddMusic?: boolean;
}

/** One post to one account. */
export interface PublishRequest {
  postType: PostType;
  caption: string;
  media: MediaItem[];
  /** Facebook text/link posts. */
  link?: string;
  /** Posted as a comment once the post is live (Instagram and Facebook). */
  firstComment?: string;
  tiktok?: TikTokPostOptions;
}

/** The account a call acts for, with its decrypted token. Built just before a call, never stored or logged. */
export interface AccountAccess {
  platform: PlatformName;
  /** Instagram user id, Facebook Page id, or TikTok open_id. */
  externalId: string;
  /** Which login issued the token: decides the Graph host for Instagram. */
  login: 'facebook' | 'instagram' | 'tiktok';
  accessToken: string;
  /**
   * TikTok only: the account's own connection to the TikTok API for Business (comments, insights), when made. Its
   * token comes from the Business authorization, never from Login Kit, and `businessId` is the id that authorization
   * returned (not the Login Kit open_id).
   */
  business?: { businessId: string; accessToken: string };
}

/** What TikTok's `creator_info/query` says a creator may do; posts are checked against it. */
export interface CreatorInfo {
  username: string;
  nickname: string;
  privacyLevelOptions: string[];
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoPostDurationSec: number;
}

/** A broken platform rule, named by the draft field it concerns so the modal can show it on the right input. */
export interface RuleViolation {
  field:
    | 'post_type'
    | 'caption'
    | 'media'
    | 'link'
    | 'first_comment'
    | 'privacy_level'
    | 'interactions'
    | 'disclosure'
    | 'photo_title';
  message: string;
}

/**
 * Publishing state saved between steps, so a restart resumes instead of posting twice.
 * The caller stores it with the target; the client calls `save` before every step that has a side effect.
 */
export interface PublishProgress {
  /** Instagram container, or its carousel parent. */
  containerId?: string;
  /** Instagram carousel children, in order. */
  childContainerIds?: string[];
  /** Facebook unpublished photos for a multi-photo post. */
  photoIds?: string[];
  /** Facebook video id; the post that shows it (`remoteId`) is read from the video's `post_id`. */
  videoId?: string;
  /** TikTok publish id. */
  publishId?: string;
  /** Set just before the request that makes the post public; on resume its outcome is checked, never re-sent. */
  publishSentAt?: string;
  /** The live item's id, once known. */
  remoteId?: string;
  firstCommentId?: string;
}

export interface PublishContext {
  /** As last saved; `{}` the first time. */
  progress: PublishProgress;
  save(progress: PublishProgress): Promise<void>;
}

export type PublishOutcome =
  | { status: 'published'; remoteId: string; permalink?: string; firstCommentError?: string }
  | { status: 'sent_to_inbox'; publishId: string }
  | { status: 'unconfirmed'; reason: string };

export interface PlatformComment {
  id: string;
  /** The published item the comment is on. */
  itemId: string;
  /** Set for a reply to another comment. */
  parentId?: string;
  authorId?: string;
  authorName: string;
  text: string;
  createdAt: Date;
  /** Written by the connected account itself (our own replies). */
  fromOwner: boolean;
  hidden?: boolean;
}

/** A recent item of the account as a comment listing describes it (published through us or not). */
export interface RecentItem {
  id: string;
  caption?: string;
  permalink?: string;
  publishedAt?: Date;
}

export interface CommentPage {
  comments: PlatformComment[];
  /** The items the listing covered, including those not published through this app. */
  items?: RecentItem[];
  /** Opaque; pass back to get only what is newer. */
  cursor?: string;
  /** How close the platform said we are to its rate limit on this call, when its headers said so. */
  usage?: PlatformUsage;
}

/** A platform's own report of how much of its rate limit is used (e.g. Meta's usage headers). */
export interface PlatformUsage {
  /** Highest share of any limit in use, 0–100 (100 means throttled). */
  percent: number;
  /** How long until the platform lets calls through again, when it said. */
  regainAccessMs?: number;
}

/** Metric values by name; a metric the platform refused is listed in `skipped`, never guessed. */
export interface InsightSet {
  metrics: Record<string, number>;
  skipped: { metric: string; reason: string }[];
}

export interface ItemInsights extends InsightSet {
  remoteId: string;
}

export interface AccountInsights extends InsightSet {
  followers?: number;
  /** Per-day values (views or reach), oldest first, for charts. */
  daily: { date: string; metrics: Record<string, number> }[];
}

/** How many of an account's followers were online in one hour (starting at `at`). */
export interface AudienceHour {
  at: Date;
  online: number;
}

export interface TokenHealth {
  valid: boolean;
  expiresAt?: Date;
  scopes?: string[];
  /** Why it is not valid, in safe words. */
  problem?: string;
}

export interface RefreshedToken {
  accessToken: string;
  expiresAt?: Date;
  /** TikTok rotates refresh tokens: always keep the new one. */
  refreshToken?: string;
  refreshExpiresAt?: Date;
}

/** One platform's API, as the services see it. Every method throws `PlatformError` on failure. */
export interface PlatformClient {
  readonly platform: PlatformName;
  /** The platform's rules, checked before any call (and at draft submit time). */
  validate(request: PublishRequest, creator?: CreatorInfo): RuleViolation[];
  /** TikTok only: what the creator may post. */
  getCreatorInfo?(account: AccountAccess): Promise<CreatorInfo>;
  publish(account: AccountAccess, request: PublishRequest, context: PublishContext): Promise<PublishOutcome>;
  /** Status and permalink of a published item. */
  getPublished(account: AccountAccess, remoteId: string): Promise<{ remoteId: string; permalink?: string }>;
  /**
   * Comments newer than `cursor` on the `itemIds` and, where `listsRecentItems`, on every recent item of the account
   * (with those items in `items`).
   */
  listComments(account: AccountAccess, query: { itemIds: string[]; cursor?: string }): Promise<CommentPage>;
  /** Whether `listComments` covers the account's recent items without being told their ids. */
  readonly listsRecentItems?: boolean;
  replyToComment(
    account: AccountAccess,
    target: { itemId: string; commentId: string },
    text: string,
  ): Promise<{ id: string }>;
  setCommentHidden(
    account: AccountAccess,
    target: { itemId: string; commentId: string },
    hidden: boolean,
  ): Promise<void>;
  getItemInsights(account: AccountAccess, remoteIds: string[]): Promise<ItemInsights[]>;
  getAccountInsights(account: AccountAccess, period: { since: Date; until: Date }): Promise<AccountInsights>;
  /** Followers online per hour over the period, where the platform reports it (Instagram's `online_followers`). */
  getAudienceActivity?(account: AccountAccess, period: { since: Date; until: Date }): Promise<AudienceHour[]>;
  checkToken(account: AccountAccess): Promise<TokenHealth>;
  refreshToken?(account: AccountAccess, refreshToken: string): Promise<RefreshedToken>;
}
