import { z } from 'zod';
import { PlatformError, UnexpectedResponseError } from './errors.ts';
import { PlatformHttp, type PlatformRequest, type PlatformResponse } from './http.ts';
import { type ChunkPlan, chunkRange, DEFAULT_CHUNK_BYTES, planChunks } from './tiktok-chunks.ts';
import {
  businessApiUnavailable,
  businessReconnectNeeded,
  tiktokApiError,
  tiktokBusinessError,
  tiktokOAuthError,
  tiktokPublishFailed,
} from './tiktok-errors.ts';
import type {
  AccountAccess,
  AccountInsights,
  CommentPage,
  CreatorInfo,
  ItemInsights,
  PlatformClient,
  PlatformComment,
  PublishContext,
  PublishOutcome,
  PublishProgress,
  PublishRequest,
  RefreshedToken,
  RuleViolation,
  TokenHealth,
} from './types.ts';

const JSON_UTF8 = 'application/json; charset=UTF-8';
const VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];
const PHOTO_TYPES = ['image/jpeg', 'image/webp'];
/** A video's caption (`title`), in UTF-16 code units. */
export const MAX_VIDEO_TITLE = 2200;
const MAX_PHOTO_TITLE = 90;
/** A photo post's caption (`description`). */
export const MAX_PHOTO_DESCRIPTION = 4000;
const MAX_PHOTOS = 35;
const MAX_VIDEO_BYTES = 4 * 1024 * 1024 * 1024;
const MAX_REPLY_LENGTH = 150;
const BUSINESS_PREFIX = '/open_api/v1.3';

/** How `status/fetch` is polled after a publish starts: first wait, doubling up to `maxDelayMs`, `maxAttempts` fetches. */
export interface StatusPolling {
  firstDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export interface TikTokClientOptions {
  /** Open API host, `TIKTOK_API_URL`. */
  apiUrl: string;
  /** `TIKTOK_LOGIN_URL`: the host of TikTok's authorization page (default `https://www.tiktok.com`). */
  loginUrl?: string;
  /** API for Business host, `TIKTOK_BUSINESS_API_URL`; without it comments and insights are unavailable. */
  businessApiUrl?: string;
  clientKey: string;
  clientSecret: string;
  /** The API for Business app (`TIKTOK_BUSINESS_APP_ID`/`_SECRET`), a separate app from the Login Kit one. */
  businessAppId?: string;
  businessAppSecret?: string;
  /** Preferred upload chunk size; the documented rules win where they disagree. */
  chunkSizeBytes?: number;
  statusPolling?: Partial<StatusPolling>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  responseTimeoutMs?: number;
}

/** A TikTok login's public identity: display name (Display API) and @username (Content Posting `creator_info`). */
export interface TikTokProfile {
  displayName: string;
  username: string;
}

/** Tokens from the API for Business's Business authorization, and the id that API knows the account by. */
export interface TikTokBusinessGrant extends RefreshedToken {
  businessId: string;
  scopes: string[];
}

/** API for Business scopes asked for: profile and username (to link the account), insights, comments. */
export const TIKTOK_BUSINESS_SCOPES = [
  'user.info.basic',
  'user.info.username',
  'user.insights',
  'video.list',
  'video.insights',
  'comment.list',
  'comment.list.manage',
];

/** Tokens from the code exchange that connects an account. */
export interface TikTokGrant extends RefreshedToken {
  openId: string;
  scopes: string[];
}

// ---- Response shapes -------------------------------------------------------------------------------------------

const v2 = <T extends z.ZodType>(data: T) =>
  z.object({
    data,
    error: z.object({ code: z.string(), message: z.string().optional(), log_id: z.string().optional() }),
  });

const creatorInfoSchema = v2(
  z.object({
    creator_username: z.string(),
    creator_nickname: z.string(),
    privacy_level_options: z.array(z.string()),
    comment_disabled: z.boolean(),
    duet_disabled: z.boolean(),
    stitch_disabled: z.boolean(),
    max_video_post_duration_sec: z.number(),
  }),
);

const initSchema = v2(z.object({ publish_id: z.string().min(1), upload_url: z.string().optional() }));

const statusSchema = v2(
  z.object({
    status: z.string(),
    fail_reason: z.string().optional(),
    // Spelled as TikTok spells it. int64 values: read exactly from the raw text, see `postIdsFrom`.
    publicaly_available_post_id: z.array(z.union([z.number(), z.string()])).optional(),
    uploaded_bytes: z.number().optional(),
    downloaded_bytes: z.number().optional(),
  }),
);

const profileSchema = v2(z.object({ user: z.object({ display_name: z.string().optional() }).loose() }));

const userInfoSchema = v2(z.object({ user: z.object({ open_id: z.string().optional() }).loose() }));

const videoQuerySchema = v2(
  z.object({ videos: z.array(z.object({ id: z.string(), share_url: z.string().optional() }).loose()) }),
);

const tokenSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number(),
  open_id: z.string(),
  refresh_token: z.string().min(1),
  refresh_expires_in: z.number(),
  scope: z.string().default(''),
  token_type: z.string().optional(),
});

const business = <T extends z.ZodType>(data: T) =>
  z.object({ code: z.literal(0), message: z.string().optional(), request_id: z.string().optional(), data });

const commentListSchema = business(
  z.object({
    comments: z
      .array(
        z.object({
          comment_id: z.string(),
          video_id: z.string(),
          user_id: z.string().optional(),
          username: z.string().optional(),
          create_time: z.union([z.string(), z.number()]),
          text: z.string(),
          owner: z.boolean().optional(),
          status: z.string().optional(),
          parent_comment_id: z.string().optional(),
        }),
      )
      .default([]),
    cursor: z.number().optional(),
    has_more: z.boolean().default(false),
  }),
);

const replySchema = business(z.object({ comment_id: z.string() }).loose());

const videoListSchema = business(
  z.object({
    videos: z
      .array(
        z
          .object({
            item_id: z.string(),
            video_views: z.number().optional(),
            likes: z.number().optional(),
            comments: z.number().optional(),
            shares: z.number().optional(),
            reach: z.number().optional(),
          })
          .loose(),
      )
      .default([]),
    cursor: z.number().optional(),
    has_more: z.boolean().optional(),
  }),
);

const businessTokenSchema = business(
  z.object({
    access_token: z.string().min(1),
    expires_in: z.number(),
    open_id: z.string().min(1),
    refresh_token: z.string().min(1),
    refresh_token_expires_in: z.number(),
    scope: z.string().default(''),
  }),
);

const businessProfileSchema = business(
  z.object({ username: z.string().optional(), display_name: z.string().optional() }).loose(),
);

const accountSchema = business(
  z
    .object({
      username: z.string().optional(),
      followers_count: z.number().optional(),
      metrics: z.array(z.object({ date: z.string() }).catchall(z.unknown())).default([]),
    })
    .loose(),
);

type StatusData = z.infer<typeof statusSchema>['data'];

/** Business API item metric → the name the weekly digest uses. */
const ITEM_METRICS = {
  video_views: 'view_count',
  likes: 'like_count',
  comments: 'comment_count',
  shares: 'share_count',
  reach: 'reach',
} as const;

/** Business API daily account metric → the digest's name. */
const ACCOUNT_METRICS = {
  video_views: 'view_count',
  profile_views: 'profile_views',
  likes: 'like_count',
  comments: 'comment_count',
  shares: 'share_count',
} as const;

/** A publish id (`v_pub_file~v2-1.…`) stands in for the post id until TikTok reveals the public one. */
export function isPublishId(id: string): boolean {
  return id.includes('~') || /^[vp]_pub_/.test(id);
}

/**
 * TikTok through its official APIs: the Content Posting API for publishing, Login Kit for tokens, and the TikTok API
 * for Business for comments and insights. Publishing is resumable: progress is saved before each step that changes
 * something on TikTok, and a resumed publish checks status instead of starting over.
 */
export class TikTokClient implements PlatformClient {
  readonly platform = 'tiktok' as const;
  private readonly api: PlatformHttp;
  private readonly businessApi: PlatformHttp | undefined;
  private readonly polling: StatusPolling;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;

  constructor(private readonly options: TikTokClientOptions) {
    const timeouts = { responseTimeoutMs: options.responseTimeoutMs };
    this.api = new PlatformHttp({ platform: 'tiktok', baseUrl: options.apiUrl, ...timeouts });
    this.businessApi = options.businessApiUrl
      ? new PlatformHttp({ platform: 'tiktok', baseUrl: options.businessApiUrl, ...timeouts })
      : undefined;
    this.polling = { firstDelayMs: 2_000, maxDelayMs: 30_000, maxAttempts: 20, ...options.statusPolling };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => new Date());
  }

  async close(): Promise<void> {
    await Promise.all([this.api.close(), this.businessApi?.close()]);
  }

  // ---- Rules ---------------------------------------------------------------------------------------------------

  /** TikTok's rules for a post, and, when `creator` is given, what that creator allows right now. */
  validate(request: PublishRequest, creator?: CreatorInfo): RuleViolation[] {
    const violations: RuleViolation[] = [];
    const add = (field: RuleViolation['field'], message: string) => violations.push({ field, message });
    const options = request.tiktok;
    if (request.postType !== 'tiktok_video' && request.postType !== 'tiktok_photo') {
      add('post_type', 'TikTok accounts take TikTok videos or photo posts only.');
      return violations;
    }
    if (!options) {
      add('post_type', 'Choose the TikTok post settings.');
      return violations;
    }
    const direct = options.mode === 'direct';
    const isVideo = request.postType === 'tiktok_video';

    if (direct) {
      if (!options.privacyLevel) add('privacy_level', 'Choose who can see the TikTok post.');
      else if (creator && !creator.privacyLevelOptions.includes(options.privacyLevel)) {
        add('privacy_level', `This account only offers: ${creator.privacyLevelOptions.join(', ')}.`);
      }
      if (creator?.commentDisabled && !options.disableComment) {
        add('interactions', 'Comments are turned off for this TikTok account, so they cannot be allowed on the post.');
      }
      if (isVideo && creator?.duetDisabled && !options.disableDuet) {
        add('interactions', 'Duets are turned off for this TikTok account, so they cannot be allowed on the post.');
      }
      if (isVideo && creator?.stitchDisabled && !options.disableStitch) {
        add('interactions', 'Stitches are turned off for this TikTok account, so they cannot be allowed on the post.');
      }
      if (options.brandContentToggle && options.privacyLevel === 'SELF_ONLY') {
        add(
          'disclosure',
          'Branded content cannot be private: choose a wider visibility or turn off "Paid partnership".',
        );
      }
    }

    if (isVideo) {
      const [video, ...rest] = request.media;
      if (!video || rest.length > 0 || video.kind !== 'video')
        add('media', 'A TikTok video post takes exactly one video.');
      else {
        if (!VIDEO_TYPES.includes(video.mimeType)) add('media', 'TikTok takes MP4, MOV or WebM videos.');
        if (video.sizeBytes > MAX_VIDEO_BYTES) add('media', 'TikTok takes videos up to 4 GB.');
        if (creator && video.durationSec !== undefined && video.durationSec > creator.maxVideoPostDurationSec) {
          add('media', `This account can post videos up to ${creator.maxVideoPostDurationSec} seconds long.`);
        }
      }
      if (request.caption.length > MAX_VIDEO_TITLE) {
        add(
          'caption',
          `TikTok captions are at most ${MAX_VIDEO_TITLE} characters (this one has ${request.caption.length}).`,
        );
      }
    } else {
      if (options.source !== 'pull_from_url')
        add('media', 'TikTok fetches photos from a link; they cannot be uploaded.');
      const photos = request.media;
      if (photos.length === 0 || photos.length > MAX_PHOTOS)
        add('media', `A TikTok photo post takes 1 to ${MAX_PHOTOS} photos.`);
      if (photos.some((item) => item.kind !== 'image' || !PHOTO_TYPES.includes(item.mimeType))) {
        add('media', 'TikTok takes JPEG or WebP photos only.');
      }
      if ((options.photoTitle ?? '').length > MAX_PHOTO_TITLE) {
        add('photo_title', `A TikTok photo title is at most ${MAX_PHOTO_TITLE} characters.`);
      }
      if (request.caption.length > MAX_PHOTO_DESCRIPTION) {
        add(
          'caption',
          `A TikTok photo description is at most ${MAX_PHOTO_DESCRIPTION} characters (this one has ${request.caption.length}).`,
        );
      }
    }
    return violations;
  }

  // ---- Publishing ----------------------------------------------------------------------------------------------

  /** What the creator may post right now (`creator_info/query`); TikTok wants this read before every post. */
  async getCreatorInfo(account: AccountAccess): Promise<CreatorInfo> {
    const { data } = await this.call(
      account,
      creatorInfoSchema,
      '/v2/post/publish/creator_info/query/',
      undefined,
      'creator info',
    );
    return {
      username: data.creator_username,
      nickname: data.creator_nickname,
      privacyLevelOptions: data.privacy_level_options,
      commentDisabled: data.comment_disabled,
      duetDisabled: data.duet_disabled,
      stitchDisabled: data.stitch_disabled,
      maxVideoPostDurationSec: data.max_video_post_duration_sec,
    };
  }

  async publish(account: AccountAccess, request: PublishRequest, context: PublishContext): Promise<PublishOutcome> {
    let progress: PublishProgress = { ...context.progress };
    const save = async (next: PublishProgress) => {
      progress = next;
      await context.save(next);
    };

    if (progress.remoteId) return { status: 'published', remoteId: progress.remoteId };
    if (progress.publishId) {
      const outcome = await this.follow(account, request, progress.publishId, undefined, () => progress, save, true);
      if (outcome !== 'restart') return outcome;
      const { publishId: _abandoned, publishSentAt: _sent, ...rest } = progress;
      await save(rest);
    } else if (progress.publishSentAt) {
      return {
        status: 'unconfirmed',
        reason:
          'A TikTok publish request was sent but its answer was lost, so it is unknown whether TikTok started the post. Check the TikTok profile before posting again.',
      };
    }

    const creator = await this.getCreatorInfo(account);
    const violations = this.validate(request, creator);
    if (violations.length > 0) {
      throw new PlatformError({
        kind: 'permanent',
        platform: 'tiktok',
        code: 'rule_violation',
        message: `tiktok: post breaks ${violations.length} rule(s) for this creator`,
        userMessage: violations.map((violation) => violation.message).join(' '),
      });
    }

    const init = this.initRequest(request);
    await save({ ...progress, publishSentAt: this.now().toISOString() });
    let data: z.infer<typeof initSchema>['data'];
    try {
      ({ data } = await this.call(account, initSchema, init.path, init.body, 'publish init'));
    } catch (error) {
      // A lost answer, one that cannot be read, or a server error may come after TikTok started the post: never sent
      // a second time.
      const unclear =
        error instanceof PlatformError &&
        (error.ambiguous ||
          error instanceof UnexpectedResponseError ||
          (error.kind === 'transient' && (error.status ?? 0) >= 500));
      if (unclear) {
        return {
          status: 'unconfirmed',
          reason: `TikTok's answer to the publish request was lost (${error.code}), so it is unknown whether the post was started. Check the TikTok profile before posting again.`,
        };
      }
      // TikTok answered: nothing was started, so a later attempt may start afresh.
      const { publishSentAt: _sent, ...rest } = progress;
      await save(rest);
      throw error;
    }
    await save({ ...progress, publishId: data.publish_id });

    if (init.plan) {
      if (!data.upload_url) throw this.unexpected('publish init', 'no upload_url for FILE_UPLOAD');
      await this.upload(data.upload_url, request, init.plan);
    }
    const outcome = await this.follow(account, request, data.publish_id, creator, () => progress, save, false);
    if (outcome === 'restart') throw this.unexpected('status', 'upload reported incomplete after finishing');
    return outcome;
  }

  private initRequest(request: PublishRequest): { path: string; body: unknown; plan?: ChunkPlan } {
    const options = request.tiktok;
    if (!options) throw this.unexpected('publish', 'no TikTok options');
    const direct = options.mode === 'direct';
    if (request.postType === 'tiktok_photo') {
      return {
        path: '/v2/post/publish/content/init/',
        body: {
          media_type: 'PHOTO',
          post_mode: direct ? 'DIRECT_POST' : 'MEDIA_UPLOAD',
          post_info: {
            title: options.photoTitle ?? '',
            description: request.caption,
            ...(direct ? { privacy_level: options.privacyLevel } : {}),
            disable_comment: options.disableComment,
            auto_add_music: options.autoAddMusic === true,
            brand_content_toggle: options.brandContentToggle,
            brand_organic_toggle: options.brandOrganicToggle,
          },
          source_info: {
            source: 'PULL_FROM_URL',
            photo_images: request.media.map((item) => item.url),
            photo_cover_index: 0,
          },
        },
      };
    }
    const video = request.media[0];
    if (!video) throw this.unexpected('publish', 'no video');
    let plan: ChunkPlan | undefined;
    let sourceInfo: Record<string, unknown>;
    if (options.source === 'file_upload') {
      plan = planChunks(video.sizeBytes, this.options.chunkSizeBytes ?? DEFAULT_CHUNK_BYTES);
      sourceInfo = {
        source: 'FILE_UPLOAD',
        video_size: plan.videoSize,
        chunk_size: plan.chunkSize,
        total_chunk_count: plan.totalChunkCount,
      };
    } else {
      sourceInfo = { source: 'PULL_FROM_URL', video_url: video.url };
    }
    if (!direct) return { path: '/v2/post/publish/inbox/video/init/', body: { source_info: sourceInfo }, plan };
    return {
      path: '/v2/post/publish/video/init/',
      body: {
        post_info: {
          title: request.caption,
          privacy_level: options.privacyLevel,
          disable_duet: options.disableDuet,
          disable_stitch: options.disableStitch,
          disable_comment: options.disableComment,
          brand_content_toggle: options.brandContentToggle,
          brand_organic_toggle: options.brandOrganicToggle,
        },
        source_info: sourceInfo,
      },
      plan,
    };
  }

  /** Sends the chunks in order; each but the last must answer 206, the last 201. A failed chunk is sent again twice. */
  private async upload(uploadUrl: string, request: PublishRequest, plan: ChunkPlan): Promise<void> {
    const video = request.media[0];
    if (!video?.readRange) throw this.unexpected('upload', 'the video cannot be read');
    for (let index = 0; index < plan.totalChunkCount; index += 1) {
      const { start, end } = chunkRange(plan, index);
      const bytes = await video.readRange(start, end);
      const last = index === plan.totalChunkCount - 1;
      let response: PlatformResponse | undefined;
      for (let attempt = 1; ; attempt += 1) {
        try {
          response = await this.api.send({
            method: 'PUT',
            path: uploadUrl,
            headers: { 'content-range': `bytes ${start}-${end - 1}/${plan.videoSize}` },
            body: { bytes, contentType: video.mimeType },
          });
          if (response.status < 500 || attempt === 3) break;
        } catch (error) {
          if (!(error instanceof PlatformError) || error.kind !== 'transient' || attempt === 3) throw error;
        }
      }
      const expected = last ? 201 : 206;
      // A resent chunk whose first answer was lost: TikTok already holds it and says so in Content-Range.
      const alreadyHeld =
        response.status === 416 && response.headers['content-range'] === `bytes 0-${end - 1}/${plan.videoSize}`;
      if (response.status !== expected && !alreadyHeld) throw this.uploadError(response, index);
    }
  }

  private uploadError(response: PlatformResponse, index: number): PlatformError {
    const mapped = tiktokApiError(response, `upload chunk ${index + 1}`);
    if (mapped && mapped.code !== `http_${response.status}`) return mapped;
    const byStatus: Record<number, { code: string; kind: PlatformError['kind']; userMessage: string }> = {
      400: { code: 'upload_bad_request', kind: 'permanent', userMessage: 'TikTok rejected the video upload.' },
      403: {
        code: 'upload_url_expired',
        kind: 'transient',
        userMessage: 'The TikTok upload link expired; the upload will start over.',
      },
      404: { code: 'upload_not_found', kind: 'transient', userMessage: 'TikTok lost the upload; it will start over.' },
      416: {
        code: 'upload_range_mismatch',
        kind: 'permanent',
        userMessage: 'TikTok did not accept a part of the video upload.',
      },
    };
    const rule = byStatus[response.status] ?? {
      code: `upload_http_${response.status}`,
      kind: response.status >= 500 ? ('transient' as const) : ('permanent' as const),
      userMessage: 'TikTok did not accept the video upload.',
    };
    return new PlatformError({
      ...rule,
      platform: 'tiktok',
      message: `tiktok: upload chunk ${index + 1} answered HTTP ${response.status}`,
      status: response.status,
    });
  }

  /**
   * Polls `status/fetch` until the publish settles. On a resumed FILE_UPLOAD publish whose upload never finished
   * (TikTok holds fewer bytes than the video has), nothing can ever be posted from it, so the caller starts over.
   */
  private async follow(
    account: AccountAccess,
    request: PublishRequest,
    publishId: string,
    creator: CreatorInfo | undefined,
    progress: () => PublishProgress,
    save: (next: PublishProgress) => Promise<void>,
    resumed: boolean,
  ): Promise<PublishOutcome | 'restart'> {
    let delay = this.polling.firstDelayMs;
    for (let attempt = 1; attempt <= this.polling.maxAttempts; attempt += 1) {
      const status = await this.fetchStatus(account, publishId);
      switch (status.data.status) {
        case 'PUBLISH_COMPLETE': {
          const postId = status.postIds[0];
          const remoteId = postId ?? publishId;
          await save({ ...progress(), remoteId });
          const permalink = postId && creator ? permalinkFor(creator.username, postId, request.postType) : undefined;
          return permalink ? { status: 'published', remoteId, permalink } : { status: 'published', remoteId };
        }
        case 'SEND_TO_USER_INBOX':
          return { status: 'sent_to_inbox', publishId };
        case 'FAILED': {
          // A failed publish can never turn into a post: forget it so a later attempt starts afresh.
          const { publishId: _failed, publishSentAt: _sent, ...rest } = progress();
          await save(rest);
          throw tiktokPublishFailed(status.data.fail_reason ?? '', publishId);
        }
        case 'PROCESSING_UPLOAD': {
          const size = request.media[0]?.sizeBytes ?? 0;
          const uploaded = status.data.uploaded_bytes;
          const fileUpload = request.tiktok?.source === 'file_upload' && request.postType === 'tiktok_video';
          if (resumed && fileUpload && uploaded !== undefined && uploaded < size) return 'restart';
          break;
        }
        default:
          break;
      }
      if (attempt < this.polling.maxAttempts) {
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.polling.maxDelayMs);
      }
    }
    throw new PlatformError({
      kind: 'transient',
      platform: 'tiktok',
      code: 'publish_still_processing',
      message: `tiktok: publish ${publishId} still processing after ${this.polling.maxAttempts} status checks`,
      userMessage: 'TikTok is still processing the post. Wone Social will check again.',
    });
  }

  private async fetchStatus(
    account: AccountAccess,
    publishId: string,
  ): Promise<{ data: StatusData; postIds: string[] }> {
    const { data, response } = await this.call(
      account,
      statusSchema,
      '/v2/post/publish/status/fetch/',
      { publish_id: publishId },
      'publish status',
    );
    return { data, postIds: postIdsFrom(response.text, data.publicaly_available_post_id ?? []) };
  }

  /** The post's id and link; a publish id saved while the post id was not yet public is resolved when possible. */
  async getPublished(account: AccountAccess, remoteId: string): Promise<{ remoteId: string; permalink?: string }> {
    let postId = remoteId;
    if (isPublishId(remoteId)) {
      const status = await this.fetchStatus(account, remoteId);
      const found = status.postIds[0];
      if (!found) return { remoteId };
      postId = found;
    }
    const { data } = await this.call(
      account,
      videoQuerySchema,
      '/v2/video/query/',
      { filters: { video_ids: [postId] } },
      'video query',
      { fields: 'id,share_url' },
    );
    const video = data.videos.find((candidate) => candidate.id === postId);
    if (!video) {
      throw new PlatformError({
        kind: 'permanent',
        platform: 'tiktok',
        code: 'not_found',
        message: `tiktok: video ${postId} not found for this account`,
        userMessage: 'TikTok does not show this post (it may be private, removed or still under review).',
      });
    }
    return video.share_url ? { remoteId: postId, permalink: video.share_url } : { remoteId: postId };
  }

  // ---- Tokens --------------------------------------------------------------------------------------------------

  /** Exchanges the code from TikTok's authorization redirect for the account's tokens. */
  async exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<TikTokGrant> {
    const form: Record<string, string> = {
      client_key: this.options.clientKey,
      client_secret: this.options.clientSecret,
      code,
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
    };
    if (codeVerifier) form.code_verifier = codeVerifier;
    const token = await this.tokenCall(form, 'code exchange');
    return { ...this.refreshed(token), openId: token.open_id, scopes: token.scope.split(',').filter(Boolean) };
  }

  /** TikTok rotates refresh tokens: the answer's refresh token replaces the old one, which stops working. */
  async refreshToken(_account: AccountAccess, refreshToken: string): Promise<RefreshedToken> {
    const token = await this.tokenCall(
      {
        client_key: this.options.clientKey,
        client_secret: this.options.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      },
      'token refresh',
    );
    return this.refreshed(token);
  }

  private refreshed(token: z.infer<typeof tokenSchema>): RefreshedToken {
    const now = this.now().getTime();
    return {
      accessToken: token.access_token,
      expiresAt: new Date(now + token.expires_in * 1000),
      refreshToken: token.refresh_token,
      refreshExpiresAt: new Date(now + token.refresh_expires_in * 1000),
    };
  }

  private async tokenCall(form: Record<string, string>, context: string): Promise<z.infer<typeof tokenSchema>> {
    const response = await this.api.send({ method: 'POST', path: '/v2/oauth/token/', body: { form } });
    const error = tiktokOAuthError(response, context);
    if (error) throw error;
    return this.api.parse(tokenSchema, response.body, context);
  }

  /** Revokes the account's access on disconnect (its API for Business grant too), so TikTok forgets them as well. */
  async revokeToken(account: AccountAccess): Promise<void> {
    const response = await this.api.send({
      method: 'POST',
      path: '/v2/oauth/revoke/',
      body: {
        form: {
          client_key: this.options.clientKey,
          client_secret: this.options.clientSecret,
          token: account.accessToken,
        },
      },
    });
    const error = tiktokOAuthError(response, 'token revoke');
    if (error) throw error;
    if (account.business) await this.revokeBusinessToken(account.business.accessToken);
  }

  /**
   * Who the login belongs to, for choosing it when connecting: the display name from the Display API
   * (`user.info.basic`) and the @username from `creator_info` (`video.publish`). Only the Login Kit APIs are asked:
   * the API for Business does not accept Login Kit tokens.
   */
  async getProfile(account: AccountAccess): Promise<TikTokProfile> {
    const response = await this.api.send({
      method: 'GET',
      path: '/v2/user/info/',
      query: { fields: 'open_id,display_name' },
      headers: { authorization: `Bearer ${account.accessToken}` },
    });
    const error = tiktokApiError(response, 'user info');
    if (error) throw error;
    const user = this.api.parse(profileSchema, response.body, 'user info').data.user;
    const creator = await this.getCreatorInfo(account);
    return { displayName: user.display_name || creator.nickname || creator.username, username: creator.username };
  }

  // ---- Business authorization (API for Business) ---------------------------------------------------------------

  /** Whether the API for Business app is configured (its host, id and secret). */
  get businessConfigured(): boolean {
    return Boolean(this.businessApi && this.options.businessAppId && this.options.businessAppSecret);
  }

  /**
   * The Business authorization page a TikTok account holder opens to grant the API for Business app access: TikTok's
   * authorize page with the Business app's id as `client_key` and the Business scopes.
   */
  businessAuthorizeUrl(redirectUri: string, state: string): string {
    const url = new URL(
      `${(this.options.loginUrl ?? 'https://www.tiktok.com').replace(/\/+$/, '')}/v2/auth/authorize/`,
    );
    url.search = new URLSearchParams({
      client_key: this.businessAppIdOrThrow(),
      scope: TIKTOK_BUSINESS_SCOPES.join(','),
      response_type: 'code',
      redirect_uri: redirectUri,
      state,
    }).toString();
    return url.toString();
  }

  /** `tt_user/oauth2/token/`: the Business authorization's code (sent as `auth_code`) for the Business tokens. */
  async exchangeBusinessCode(code: string, redirectUri: string): Promise<TikTokBusinessGrant> {
    const { data } = await this.businessAuthCall('/tt_user/oauth2/token/', 'business code exchange', {
      grant_type: 'authorization_code',
      auth_code: code,
      redirect_uri: redirectUri,
    });
    return {
      ...this.businessRefreshed(data),
      businessId: data.open_id,
      scopes: data.scope.split(',').filter(Boolean),
    };
  }

  /** `tt_user/oauth2/refresh_token/`: Business access tokens live a day; the answer's refresh token replaces the old. */
  async refreshBusinessToken(refreshToken: string): Promise<RefreshedToken> {
    const { data } = await this.businessAuthCall('/tt_user/oauth2/refresh_token/', 'business token refresh', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    return this.businessRefreshed(data);
  }

  /** `tt_user/oauth2/revoke/`: TikTok forgets the Business grant. */
  async revokeBusinessToken(accessToken: string): Promise<void> {
    if (!this.businessApi) throw businessApiUnavailable('the API for Business is not configured');
    const response = await this.businessApi.send({
      method: 'POST',
      path: `${BUSINESS_PREFIX}/tt_user/oauth2/revoke/`,
      body: { json: { ...this.businessApp(), access_token: accessToken } },
    });
    const error = tiktokBusinessError(response, 'business token revoke');
    if (error) throw error;
  }

  /** The Business account's @username and display name, to link it to the Login Kit account it belongs to. */
  async getBusinessProfile(account: AccountAccess): Promise<{ username?: string; displayName?: string }> {
    const { data } = await this.business(account, businessProfileSchema, 'GET', '/business/get/', 'business account', {
      query: { fields: JSON.stringify(['username', 'display_name']) },
    });
    return {
      ...(data.username ? { username: data.username } : {}),
      ...(data.display_name ? { displayName: data.display_name } : {}),
    };
  }

  private businessAppIdOrThrow(): string {
    if (!this.options.businessAppId) throw businessApiUnavailable('TIKTOK_BUSINESS_APP_ID is not configured');
    return this.options.businessAppId;
  }

  private businessApp(): { client_id: string; client_secret: string } {
    if (!this.options.businessAppSecret) throw businessApiUnavailable('TIKTOK_BUSINESS_APP_SECRET is not configured');
    return { client_id: this.businessAppIdOrThrow(), client_secret: this.options.businessAppSecret };
  }

  private async businessAuthCall(
    path: string,
    context: string,
    json: Record<string, string>,
  ): Promise<z.infer<typeof businessTokenSchema>> {
    if (!this.businessApi) throw businessApiUnavailable('the API for Business is not configured');
    const response = await this.businessApi.send({
      method: 'POST',
      path: `${BUSINESS_PREFIX}${path}`,
      body: { json: { ...this.businessApp(), ...json } },
    });
    const error = tiktokBusinessError(response, context);
    if (error) throw error;
    return this.businessApi.parse(businessTokenSchema, response.body, context);
  }

  private businessRefreshed(data: z.infer<typeof businessTokenSchema>['data']): RefreshedToken {
    const now = this.now().getTime();
    return {
      accessToken: data.access_token,
      expiresAt: new Date(now + data.expires_in * 1000),
      refreshToken: data.refresh_token,
      refreshExpiresAt: new Date(now + data.refresh_token_expires_in * 1000),
    };
  }

  async checkToken(account: AccountAccess): Promise<TokenHealth> {
    try {
      const response = await this.api.send({
        method: 'GET',
        path: '/v2/user/info/',
        query: { fields: 'open_id,display_name' },
        headers: { authorization: `Bearer ${account.accessToken}` },
      });
      const error = tiktokApiError(response, 'user info');
      if (error) throw error;
      this.api.parse(userInfoSchema, response.body, 'user info');
      return { valid: true };
    } catch (error) {
      if (error instanceof PlatformError && error.kind === 'auth') {
        return { valid: false, problem: error.userMessage ?? 'TikTok no longer accepts this login.' };
      }
      throw error;
    }
  }

  // ---- Comments (API for Business) -----------------------------------------------------------------------------

  /**
   * New comments on the given posts, newest first per post. Without a cursor only the newest page per post is read
   * (the first sync must not flood the channel); with one, pages are read until the previously newest comment.
   */
  async listComments(account: AccountAccess, query: { itemIds: string[]; cursor?: string }): Promise<CommentPage> {
    const marks = decodeCursor(query.cursor);
    const comments: PlatformComment[] = [];
    for (const videoId of query.itemIds.filter((id) => !isPublishId(id))) {
      const mark = marks[videoId];
      const fresh: PlatformComment[] = [];
      let pageCursor = 0;
      for (let page = 0; page < 20; page += 1) {
        const { data } = await this.business(
          account,
          commentListSchema,
          'GET',
          '/business/comment/list/',
          'comment list',
          {
            query: {
              video_id: videoId,
              sort_field: 'create_time',
              sort_order: 'desc',
              max_count: 30,
              cursor: pageCursor,
            },
          },
        );
        let reachedKnown = false;
        for (const item of data.comments) {
          const createdSec = Number(item.create_time);
          if (mark && (createdSec < mark.t || (createdSec === mark.t && mark.ids.includes(item.comment_id)))) {
            reachedKnown = true;
            continue;
          }
          fresh.push({
            id: item.comment_id,
            itemId: item.video_id,
            ...(item.parent_comment_id ? { parentId: item.parent_comment_id } : {}),
            ...(item.user_id ? { authorId: item.user_id } : {}),
            authorName: item.username ?? 'TikTok user',
            text: item.text,
            createdAt: new Date(createdSec * 1000),
            fromOwner: item.owner === true,
            hidden: item.status !== undefined && item.status !== 'PUBLIC',
          });
        }
        if (!mark || reachedKnown || !data.has_more || data.cursor === undefined) break;
        pageCursor = data.cursor;
      }
      marks[videoId] = advanceMark(mark, fresh);
      comments.push(...fresh);
    }
    return { comments, cursor: encodeCursor(marks) };
  }

  async replyToComment(
    account: AccountAccess,
    target: { itemId: string; commentId: string },
    text: string,
  ): Promise<{ id: string }> {
    if (text.length > MAX_REPLY_LENGTH) {
      throw new PlatformError({
        kind: 'permanent',
        platform: 'tiktok',
        code: 'reply_too_long',
        message: `tiktok: reply of ${text.length} characters`,
        userMessage: `TikTok replies are at most ${MAX_REPLY_LENGTH} characters (this one has ${text.length}).`,
      });
    }
    const { data } = await this.business(
      account,
      replySchema,
      'POST',
      '/business/comment/reply/create/',
      'comment reply',
      {
        json: { video_id: target.itemId, comment_id: target.commentId, text },
      },
    );
    return { id: data.comment_id };
  }

  async setCommentHidden(
    account: AccountAccess,
    target: { itemId: string; commentId: string },
    hidden: boolean,
  ): Promise<void> {
    await this.business(account, business(z.unknown()), 'POST', '/business/comment/hide/', 'comment hide', {
      json: { video_id: target.itemId, comment_id: target.commentId, action: hidden ? 'HIDE' : 'UNHIDE' },
    });
  }

  // ---- Insights (API for Business) -----------------------------------------------------------------------------

  /** Views, likes, comments, shares and reach per post, 20 posts per call. */
  async getItemInsights(account: AccountAccess, remoteIds: string[]): Promise<ItemInsights[]> {
    const names = Object.values(ITEM_METRICS);
    const results = new Map<string, ItemInsights>();
    const postIds = [...new Set(remoteIds.filter((id) => !isPublishId(id)))];
    for (let start = 0; start < postIds.length; start += 20) {
      const group = postIds.slice(start, start + 20);
      const { data } = await this.business(account, videoListSchema, 'GET', '/business/video/list/', 'video insights', {
        query: {
          fields: JSON.stringify(['item_id', ...Object.keys(ITEM_METRICS)]),
          filters: JSON.stringify({ video_ids: group }),
          max_count: 20,
        },
      });
      for (const video of data.videos) {
        const metrics: Record<string, number> = {};
        const skipped: ItemInsights['skipped'] = [];
        for (const [field, name] of Object.entries(ITEM_METRICS)) {
          const value = video[field as keyof typeof ITEM_METRICS];
          if (typeof value === 'number') metrics[name] = value;
          else skipped.push({ metric: name, reason: 'TikTok did not return it' });
        }
        results.set(video.item_id, { remoteId: video.item_id, metrics, skipped });
      }
    }
    return remoteIds.map(
      (id) =>
        results.get(id) ?? {
          remoteId: id,
          metrics: {},
          skipped: names.map((metric) => ({
            metric,
            reason: isPublishId(id) ? 'the public post id is not known yet' : 'TikTok did not return this post',
          })),
        },
    );
  }

  /** Followers and daily views/likes/comments/shares/profile views over the period, totals summed from the days. */
  async getAccountInsights(account: AccountAccess, period: { since: Date; until: Date }): Promise<AccountInsights> {
    const { data } = await this.business(account, accountSchema, 'GET', '/business/get/', 'account insights', {
      query: {
        fields: JSON.stringify(['username', 'followers_count', ...Object.keys(ACCOUNT_METRICS)]),
        start_date: period.since.toISOString().slice(0, 10),
        end_date: period.until.toISOString().slice(0, 10),
      },
    });
    const totals: Record<string, number> = {};
    const seen = new Set<string>();
    const daily = [...data.metrics]
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((day) => {
        const metrics: Record<string, number> = {};
        for (const [field, name] of Object.entries(ACCOUNT_METRICS)) {
          const value = day[field];
          if (typeof value !== 'number') continue;
          metrics[name] = value;
          totals[name] = (totals[name] ?? 0) + value;
          seen.add(name);
        }
        return { date: day.date, metrics };
      });
    const skipped = Object.values(ACCOUNT_METRICS)
      .filter((name) => !seen.has(name))
      .map((metric) => ({ metric, reason: 'TikTok returned no daily values' }));
    return { followers: data.followers_count, metrics: totals, skipped, daily };
  }

  // ---- Plumbing ------------------------------------------------------------------------------------------------

  private async call<D>(
    account: AccountAccess,
    schema: z.ZodType<{ data: D }>,
    path: string,
    body: unknown,
    context: string,
    query?: PlatformRequest['query'],
  ): Promise<{ data: D; response: PlatformResponse }> {
    const response = await this.api.send({
      method: 'POST',
      path,
      query,
      headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': JSON_UTF8 },
      ...(body === undefined ? {} : { body: { json: body } }),
    });
    const error = tiktokApiError(response, context);
    if (error) throw error;
    return { data: this.api.parse(schema, response.body, context).data, response };
  }

  private async business<T extends z.ZodType>(
    account: AccountAccess,
    schema: T,
    method: 'GET' | 'POST',
    path: string,
    context: string,
    input: { query?: PlatformRequest['query']; json?: Record<string, unknown> },
  ): Promise<z.infer<T>> {
    if (!this.businessApi) throw businessApiUnavailable('the API for Business is not configured');
    const connection = account.business;
    if (!connection) throw businessApiUnavailable('the account has no API for Business connection');
    const businessId = connection.businessId;
    const request: PlatformRequest =
      method === 'GET'
        ? { method, path: `${BUSINESS_PREFIX}${path}`, query: { business_id: businessId, ...input.query } }
        : {
            method,
            path: `${BUSINESS_PREFIX}${path}`,
            body: { json: { business_id: businessId, ...input.json } },
          };
    request.headers = { 'access-token': connection.accessToken };
    const response = await this.businessApi.send(request);
    const error = tiktokBusinessError(response, context);
    // A refused Business token ends the comments and insights connection, not the account's Login Kit login.
    if (error?.kind === 'auth') throw businessReconnectNeeded(error);
    if (error) throw error;
    return this.businessApi.parse(schema, response.body, context);
  }

  private unexpected(context: string, issue: string): PlatformError {
    return new PlatformError({
      kind: 'permanent',
      platform: 'tiktok',
      code: 'unexpected_response',
      message: `tiktok: ${context}: ${issue}`,
    });
  }
}

/**
 * TikTok post ids are int64 and often beyond what a JS number holds exactly, so they are read from the raw JSON text;
 * the parsed values are the fallback when the text cannot be read that way.
 */
export function postIdsFrom(text: string, parsed: (number | string)[]): string[] {
  const match = /"publicaly_available_post_id"\s*:\s*\[([^\]]*)\]/.exec(text);
  if (match) {
    return (match[1] ?? '')
      .split(',')
      .map((part) => part.trim().replace(/^"|"$/g, ''))
      .filter((part) => part !== '');
  }
  return parsed.map(String);
}

function permalinkFor(username: string, postId: string, postType: PublishRequest['postType']): string {
  return `https://www.tiktok.com/@${encodeURIComponent(username)}/${postType === 'tiktok_photo' ? 'photo' : 'video'}/${postId}`;
}

/** Per video: the newest comment time seen (seconds) and the ids seen at that second. */
type CommentMarks = Record<string, { t: number; ids: string[] }>;

function decodeCursor(cursor: string | undefined): CommentMarks {
  if (!cursor) return {};
  try {
    const parsed = z
      .record(z.string(), z.object({ t: z.number(), ids: z.array(z.string()) }))
      .safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

function encodeCursor(marks: CommentMarks): string {
  return Buffer.from(JSON.stringify(marks), 'utf8').toString('base64url');
}

function advanceMark(mark: CommentMarks[string] | undefined, fresh: PlatformComment[]): CommentMarks[string] {
  let t = mark?.t ?? 0;
  let ids = mark?.ids ?? [];
  for (const comment of fresh) {
    const sec = Math.floor(comment.createdAt.getTime() / 1000);
    if (sec > t) {
      t = sec;
      ids = [comment.id];
    } else if (sec === t && !ids.includes(comment.id)) ids = [...ids, comment.id];
  }
  return { t, ids };
}
