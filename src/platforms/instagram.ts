import { z } from 'zod';
import { PlatformError } from './errors.ts';
import type { GraphBatchRead, GraphClient, GraphParams } from './graph-client.ts';
import { MEDIA_NOT_READY_CODE } from './graph-errors.ts';
import {
  afterCursor,
  answerOf,
  captionCounts,
  DEFAULT_STATUS_POLL_DELAYS_MS,
  debugToken,
  defaultSleep,
  finishLivePost,
  idSchema,
  insightsSchema,
  invalidRequestError,
  type MetaClientOptions,
  ProgressTracker,
  parseGraphTime,
  skipAll,
  skipReason,
  stopUnlessItemOnly,
  successSchema,
  takeInsights,
  usageSince,
} from './meta-common.ts';
import type {
  AccountAccess,
  AccountInsights,
  AudienceHour,
  CommentPage,
  InsightSet,
  ItemInsights,
  MediaItem,
  PlatformClient,
  PlatformComment,
  PublishContext,
  PublishOutcome,
  PublishRequest,
  RecentItem,
  RefreshedToken,
  RuleViolation,
  TokenHealth,
} from './types.ts';

/** Instagram's limits (content publishing reference, Nov 2026). */
export const INSTAGRAM_LIMITS = {
  captionChars: 2_200,
  hashtags: 30,
  mentions: 20,
  carouselMin: 2,
  carouselMax: 10,
  imageBytes: 8 * 1024 * 1024,
  reelBytes: 300 * 1024 * 1024,
  storyVideoBytes: 100 * 1024 * 1024,
  reelSeconds: { min: 3, max: 15 * 60 },
  storyVideoSeconds: { min: 3, max: 60 },
  /** Feed images: 4:5 up to 1.91:1. */
  aspect: { min: 4 / 5, max: 1.91 },
} as const;

const commentMediaSchema = z.object({ id: z.string(), media: z.object({ id: z.string() }) });
const IMAGE_TYPES = ['image/jpeg'];
const VIDEO_TYPES = ['video/mp4', 'video/quicktime'];

/** Per-item metrics: current ones only (impressions, plays and video_views are deprecated). */
export const INSTAGRAM_ITEM_METRICS = ['views', 'reach', 'likes', 'comments', 'saved', 'shares', 'total_interactions'];

/** Permissions each login needs for this product (reference A.1). */
const FACEBOOK_LOGIN_SCOPES = [
  'instagram_basic',
  'instagram_content_publish',
  'instagram_manage_comments',
  'instagram_manage_insights',
  'pages_read_engagement',
];

type ContainerStatus = 'EXPIRED' | 'ERROR' | 'FINISHED' | 'IN_PROGRESS' | 'PUBLISHED';
const statusSchema = z.object({
  id: z.string().optional(),
  status_code: z.enum(['EXPIRED', 'ERROR', 'FINISHED', 'IN_PROGRESS', 'PUBLISHED']),
  status: z.string().optional(),
});
const quotaSchema = z.object({
  data: z.array(
    z.object({
      quota_usage: z.number(),
      config: z.object({ quota_total: z.number(), quota_duration: z.number().optional() }).optional(),
    }),
  ),
});
const permalinkSchema = z.object({ id: z.string(), permalink: z.string().optional() });
const mediaListSchema = z.object({
  data: z.array(z.object({ id: z.string(), caption: z.string().optional(), timestamp: z.string() })),
});
const igCommentSchema = z.object({
  id: z.string(),
  text: z.string().default(''),
  timestamp: z.string(),
  username: z.string().optional(),
  from: z.object({ id: z.string(), username: z.string().optional() }).optional(),
  hidden: z.boolean().optional(),
});
type IgCommentBody = z.infer<typeof igCommentSchema>;
const commentWithRepliesSchema = igCommentSchema.extend({
  replies: z.object({ data: z.array(igCommentSchema) }).optional(),
});
const commentsEdgeSchema = z.object({ data: z.array(commentWithRepliesSchema) });
const mediaWithCommentsSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      caption: z.string().optional(),
      permalink: z.string().optional(),
      timestamp: z.string().optional(),
      comments: commentsEdgeSchema.optional(),
    }),
  ),
});
const followersSchema = z.object({ followers_count: z.number().optional() });
const igMeSchema = z.object({ user_id: z.union([z.string(), z.number()]).optional(), username: z.string().optional() });
const refreshSchema = z.object({ access_token: z.string(), token_type: z.string().optional(), expires_in: z.number() });

const COMMENT_FIELDS = 'id,text,timestamp,username,from,hidden';
/** One call per account per cycle: recent media with their comments and replies expanded. */
const MEDIA_COMMENTS_FIELDS = `id,caption,permalink,timestamp,comments.limit(50){${COMMENT_FIELDS},replies{${COMMENT_FIELDS}}}`;

/** How far back to look for the media a PUBLISHED container became (clock skew between us and Instagram). */
const MATCH_SKEW_MS = 5 * 60_000;

type PublishCheck =
  | { state: 'published'; mediaId: string }
  | { state: 'not_published' }
  | { state: 'unknown'; reason: string };

/**
 * Instagram professional accounts through the Graph API, with either login: Instagram Login tokens go to
 * graph.instagram.com, Facebook Login tokens to graph.facebook.com. Publishing is container → status → media_publish,
 * saving progress before every step with a side effect so a restart never makes a second post.
 */
export class InstagramClient implements PlatformClient {
  readonly platform = 'instagram' as const;
  readonly listsRecentItems = true;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private readonly pollDelays: number[];

  constructor(private readonly options: MetaClientOptions) {
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? (() => new Date());
    this.pollDelays = options.statusPollDelaysMs ?? DEFAULT_STATUS_POLL_DELAYS_MS;
  }

  validate(request: PublishRequest): RuleViolation[] {
    const violations: RuleViolation[] = [];
    const add = (field: RuleViolation['field'], message: string) => violations.push({ field, message });
    const { postType, media } = request;
    if (!postType.startsWith('instagram_')) {
      add('post_type', `${postType} is not an Instagram post type.`);
      return violations;
    }
    const counts = captionCounts(request.caption);
    if (counts.chars > INSTAGRAM_LIMITS.captionChars) {
      add(
        'caption',
        `Instagram captions are at most ${INSTAGRAM_LIMITS.captionChars} characters (this one has ${counts.chars}).`,
      );
    }
    if (counts.hashtags > INSTAGRAM_LIMITS.hashtags) {
      add(
        'caption',
        `Instagram allows at most ${INSTAGRAM_LIMITS.hashtags} hashtags (this caption has ${counts.hashtags}).`,
      );
    }
    if (counts.mentions > INSTAGRAM_LIMITS.mentions) {
      add(
        'caption',
        `Instagram allows at most ${INSTAGRAM_LIMITS.mentions} @mentions (this caption has ${counts.mentions}).`,
      );
    }
    if (request.link) add('link', 'Instagram posts cannot carry a link; put it in the caption or the bio.');
    if (
      request.firstComment !== undefined &&
      captionCounts(request.firstComment).chars > INSTAGRAM_LIMITS.captionChars
    ) {
      add('first_comment', `The first comment is at most ${INSTAGRAM_LIMITS.captionChars} characters.`);
    }
    const images = media.filter((m) => m.kind === 'image');
    const videos = media.filter((m) => m.kind === 'video');
    switch (postType) {
      case 'instagram_feed':
        if (media.length !== 1 || images.length !== 1) add('media', 'A feed post is exactly one image.');
        break;
      case 'instagram_carousel':
        if (media.length < INSTAGRAM_LIMITS.carouselMin || media.length > INSTAGRAM_LIMITS.carouselMax) {
          add(
            'media',
            `A carousel has ${INSTAGRAM_LIMITS.carouselMin} to ${INSTAGRAM_LIMITS.carouselMax} images or videos (this one has ${media.length}).`,
          );
        }
        break;
      case 'instagram_reel':
        if (media.length !== 1 || videos.length !== 1) add('media', 'A reel is exactly one video.');
        break;
      case 'instagram_story':
        if (media.length !== 1) add('media', 'A story is exactly one image or one video.');
        if (request.caption.trim() !== '') add('caption', 'Instagram stories have no caption; leave it empty.');
        if (request.firstComment) add('first_comment', 'Stories cannot be commented on; remove the first comment.');
        break;
      default:
        add('post_type', `${postType} is not an Instagram post type.`);
    }
    for (const item of media) violations.push(...this.mediaViolations(item, postType));
    return violations;
  }

  private mediaViolations(item: MediaItem, postType: string): RuleViolation[] {
    const out: RuleViolation[] = [];
    const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
    if (item.kind === 'image') {
      if (!IMAGE_TYPES.includes(item.mimeType))
        out.push({ field: 'media', message: `Instagram takes JPEG images only (got ${item.mimeType}).` });
      if (item.sizeBytes > INSTAGRAM_LIMITS.imageBytes)
        out.push({ field: 'media', message: `Images are at most ${mb(INSTAGRAM_LIMITS.imageBytes)}.` });
      if (postType !== 'instagram_story' && item.width && item.height) {
        const ratio = item.width / item.height;
        if (ratio < INSTAGRAM_LIMITS.aspect.min - 0.005 || ratio > INSTAGRAM_LIMITS.aspect.max + 0.005) {
          out.push({ field: 'media', message: 'Feed images must be between 4:5 (portrait) and 1.91:1 (landscape).' });
        }
      }
    } else {
      if (!VIDEO_TYPES.includes(item.mimeType))
        out.push({ field: 'media', message: `Instagram takes MP4 or MOV videos only (got ${item.mimeType}).` });
      const story = postType === 'instagram_story';
      const maxBytes = story ? INSTAGRAM_LIMITS.storyVideoBytes : INSTAGRAM_LIMITS.reelBytes;
      if (item.sizeBytes > maxBytes) out.push({ field: 'media', message: `Videos here are at most ${mb(maxBytes)}.` });
      const range = story ? INSTAGRAM_LIMITS.storyVideoSeconds : INSTAGRAM_LIMITS.reelSeconds;
      if (item.durationSec !== undefined && (item.durationSec < range.min || item.durationSec > range.max)) {
        out.push({
          field: 'media',
          message: `Videos here last ${range.min} s to ${range.max / 60 >= 1 ? `${range.max / 60} min` : `${range.max} s`}.`,
        });
      }
    }
    return out;
  }

  async publish(account: AccountAccess, request: PublishRequest, context: PublishContext): Promise<PublishOutcome> {
    const violations = this.validate(request);
    if (violations.length > 0)
      throw invalidRequestError(
        'instagram',
        violations.map((v) => v.message),
      );
    const progress = new ProgressTracker(context);
    const api = this.api(account);

    if (!progress.current.remoteId) {
      const { containerId, publishSentAt } = progress.current;
      if (containerId && publishSentAt) {
        // The publish request went out before a restart or a lost answer: find out what happened, never re-send blind.
        const check = await this.checkPublished(api, account, request, containerId, publishSentAt);
        if (check.state === 'unknown') return { status: 'unconfirmed', reason: check.reason };
        if (check.state === 'published') await progress.save({ remoteId: check.mediaId });
      }
    }
    if (!progress.current.remoteId) {
      await this.checkQuota(api, account);
      if (!progress.current.containerId) await this.createContainers(api, account, request, progress);
      const outcome = await this.publishContainer(api, account, request, progress);
      if (outcome) return outcome;
    }
    return this.finish(api, account, request, progress);
  }

  async getPublished(account: AccountAccess, remoteId: string): Promise<{ remoteId: string; permalink?: string }> {
    const api = this.api(account);
    const media = await api.graph.get(remoteId, permalinkSchema, {
      token: api.token,
      params: { fields: 'id,permalink' },
    });
    return { remoteId: media.id, ...(media.permalink ? { permalink: media.permalink } : {}) };
  }

  async listComments(account: AccountAccess, query: { itemIds: string[]; cursor?: string }): Promise<CommentPage> {
    const api = this.api(account);
    const wanted = new Set(query.itemIds);
    const usageBefore = api.graph.lastUsage;
    const { data } = await api.graph.get(`${account.externalId}/media`, mediaWithCommentsSchema, {
      token: api.token,
      params: { fields: MEDIA_COMMENTS_FIELDS, limit: 25 },
    });
    const comments: PlatformComment[] = [];
    const items: RecentItem[] = [];
    const seen = new Set<string>();
    for (const media of data) {
      seen.add(media.id);
      items.push({
        id: media.id,
        ...(media.caption ? { caption: media.caption } : {}),
        ...(media.permalink ? { permalink: media.permalink } : {}),
        ...(media.timestamp ? { publishedAt: parseGraphTime(media.timestamp) } : {}),
      });
      comments.push(...this.flattenComments(account, media.id, media.comments?.data ?? []));
    }
    // Items older than the recent-media window are read one by one.
    for (const itemId of wanted) {
      if (seen.has(itemId)) continue;
      const edge = await api.graph.get(`${itemId}/comments`, commentsEdgeSchema, {
        token: api.token,
        params: { fields: `${COMMENT_FIELDS},replies{${COMMENT_FIELDS}}`, limit: 50 },
      });
      comments.push(...this.flattenComments(account, itemId, edge.data));
    }
    return { ...afterCursor(comments, query.cursor), items, ...usageSince(api.graph, usageBefore) };
  }

  private flattenComments(
    account: AccountAccess,
    itemId: string,
    list: z.infer<typeof commentsEdgeSchema>['data'],
  ): PlatformComment[] {
    const out: PlatformComment[] = [];
    const toComment = (c: IgCommentBody, parentId?: string): PlatformComment => ({
      id: c.id,
      itemId,
      ...(parentId ? { parentId } : {}),
      ...(c.from?.id ? { authorId: c.from.id } : {}),
      authorName: c.from?.username ?? c.username ?? 'unknown',
      text: c.text,
      createdAt: parseGraphTime(c.timestamp),
      fromOwner: c.from?.id === account.externalId,
      ...(c.hidden === undefined ? {} : { hidden: c.hidden }),
    });
    for (const comment of list) {
      out.push(toComment(comment));
      for (const reply of comment.replies?.data ?? []) out.push(toComment(reply, comment.id));
    }
    return out;
  }

  /** The media a comment is on: webhooks for comments on carousels leave the media id out. */
  async commentMediaId(account: AccountAccess, commentId: string): Promise<string> {
    const api = this.api(account);
    const comment = await api.graph.get(commentId, commentMediaSchema, {
      token: api.token,
      params: { fields: 'id,media{id}' },
    });
    return comment.media.id;
  }

  async replyToComment(
    account: AccountAccess,
    target: { itemId: string; commentId: string },
    text: string,
  ): Promise<{ id: string }> {
    const api = this.api(account);
    return api.graph.post(`${target.commentId}/replies`, idSchema, { token: api.token, params: { message: text } });
  }

  async setCommentHidden(
    account: AccountAccess,
    target: { itemId: string; commentId: string },
    hidden: boolean,
  ): Promise<void> {
    const api = this.api(account);
    await api.graph.post(target.commentId, successSchema, { token: api.token, params: { hide: hidden } });
  }

  /**
   * All metrics of every item in one batch request (50 items per batch). An item that refuses the set with a bare
   * #100 (a story has no likes, comments or saves) is asked again metric by metric in one more batch, so its other
   * metrics are still reported and the refused ones are skipped and noted for that item only. #10 (a story with too
   * few viewers) skips the item's metrics. A refused token or a throttle stops the read: every item would fail alike.
   */
  async getItemInsights(account: AccountAccess, remoteIds: string[]): Promise<ItemInsights[]> {
    const api = this.api(account);
    const results: ItemInsights[] = remoteIds.map((remoteId) => ({ remoteId, metrics: {}, skipped: [] }));
    const read = (remoteId: string, metrics: string[]): GraphBatchRead => ({
      path: `${remoteId}/insights`,
      params: { metric: metrics.join(',') },
    });
    const answers = await api.graph.batch(
      remoteIds.map((remoteId) => read(remoteId, INSTAGRAM_ITEM_METRICS)),
      { token: api.token },
    );
    const refused: ItemInsights[] = [];
    for (const [index, answer] of answers.entries()) {
      const result = results[index];
      const error = answer.error;
      if (!result) continue;
      if (!error) takeInsights(result, answer.read(insightsSchema).data);
      else if (error.code === '10') skipAll(result, INSTAGRAM_ITEM_METRICS, error.userMessage ?? 'not enough viewers');
      else {
        stopUnlessItemOnly(error);
        if (error.code === '100') refused.push(result);
        else skipAll(result, INSTAGRAM_ITEM_METRICS, skipReason(error));
      }
    }
    if (refused.length > 0) {
      const singles = refused.flatMap((result) => INSTAGRAM_ITEM_METRICS.map((metric) => ({ result, metric })));
      const again = await api.graph.batch(
        singles.map(({ result, metric }) => read(result.remoteId, [metric])),
        { token: api.token },
      );
      for (const [index, answer] of again.entries()) {
        const single = singles[index];
        const error = answer.error;
        if (!single) continue;
        if (!error) takeInsights(single.result, answer.read(insightsSchema).data);
        else {
          stopUnlessItemOnly(error);
          single.result.skipped.push({ metric: single.metric, reason: skipReason(error) });
        }
      }
    }
    for (const result of results) {
      for (const metric of INSTAGRAM_ITEM_METRICS) {
        if (!(metric in result.metrics) && !result.skipped.some((s) => s.metric === metric))
          result.skipped.push({ metric, reason: 'not reported yet' });
      }
    }
    return results;
  }

  async getAccountInsights(account: AccountAccess, period: { since: Date; until: Date }): Promise<AccountInsights> {
    const api = this.api(account);
    const id = account.externalId;
    // The account insights endpoint serves at most 30 days per request.
    const until = Math.floor(period.until.getTime() / 1000);
    const since = Math.max(Math.floor(period.since.getTime() / 1000), until - 30 * 86_400);
    // Followers, the period totals and reach per day: three reads in one batch request.
    const [followersAnswer, totalsAnswer, seriesAnswer] = await api.graph.batch(
      [
        { path: id, params: { fields: 'followers_count' } },
        {
          path: `${id}/insights`,
          params: {
            metric: 'views,reach,accounts_engaged,total_interactions',
            period: 'day',
            metric_type: 'total_value',
            since,
            until,
          },
        },
        // Only `reach` is served as a per-day time series; `views` comes as a total for the period.
        {
          path: `${id}/insights`,
          params: { metric: 'reach', period: 'day', metric_type: 'time_series', since, until },
        },
      ],
      { token: api.token },
    );
    const { followers_count: followers } = answerOf(followersAnswer).read(followersSchema);
    const totals = answerOf(totalsAnswer).read(insightsSchema);
    const series = answerOf(seriesAnswer).read(insightsSchema);
    const totalsSet: InsightSet = { metrics: {}, skipped: [] };
    takeInsights(totalsSet, totals.data);
    const metrics = totalsSet.metrics;
    const daily = new Map<string, Record<string, number>>();
    for (const entry of series.data) {
      for (const point of entry.values ?? []) {
        if (!point.end_time || typeof point.value !== 'number') continue;
        // end_time is the end of the day measured; the day is the one before.
        const date = new Date(parseGraphTime(point.end_time).getTime() - 86_400_000).toISOString().slice(0, 10);
        daily.set(date, { ...daily.get(date), [entry.name]: point.value });
      }
    }
    const skipped = ['views', 'reach', 'accounts_engaged', 'total_interactions']
      .filter((metric) => !(metric in metrics))
      .map((metric) => ({ metric, reason: 'not reported' }));
    return {
      metrics,
      skipped,
      ...(followers === undefined ? {} : { followers }),
      daily: [...daily.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([date, values]) => ({ date, metrics: values })),
    };
  }

  /**
   * `online_followers` (period `lifetime`, at most 30 days): one value per day, ending at `end_time`, that maps each
   * hour from the start of that day to the followers online then. Accounts under 100 followers get none.
   */
  async getAudienceActivity(account: AccountAccess, period: { since: Date; until: Date }): Promise<AudienceHour[]> {
    const api = this.api(account);
    const until = Math.floor(period.until.getTime() / 1000);
    const since = Math.max(Math.floor(period.since.getTime() / 1000), until - 30 * 86_400);
    const { data } = await api.graph.get(`${account.externalId}/insights`, insightsSchema, {
      token: api.token,
      params: { metric: 'online_followers', period: 'lifetime', since, until },
    });
    const hours: AudienceHour[] = [];
    for (const entry of data) {
      if (entry.name !== 'online_followers') continue;
      for (const point of entry.values ?? []) {
        if (!point.end_time || typeof point.value === 'number') continue;
        const dayStart = parseGraphTime(point.end_time).getTime() - 86_400_000;
        for (const [hour, online] of Object.entries(point.value)) {
          const index = Number(hour);
          if (!Number.isInteger(index) || index < 0 || index > 23) continue;
          hours.push({ at: new Date(dayStart + index * 3_600_000), online });
        }
      }
    }
    return hours.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  async checkToken(account: AccountAccess): Promise<TokenHealth> {
    if (account.login === 'facebook')
      return debugToken(this.options, 'instagram', account.accessToken, FACEBOOK_LOGIN_SCOPES);
    // Instagram Login tokens cannot be inspected with debug_token; a call as the user tells whether it still works.
    try {
      await this.options.instagramGraph.get('me', igMeSchema, {
        token: account.accessToken,
        params: { fields: 'user_id,username' },
      });
      return { valid: true };
    } catch (error) {
      if (error instanceof PlatformError && error.kind === 'auth') {
        return { valid: false, problem: error.userMessage ?? 'The token is no longer valid.' };
      }
      throw error;
    }
  }

  /**
   * Instagram Login: a long-lived token (at least 24 h old, not expired) is exchanged for a new 60-day one with
   * `GET /refresh_access_token?grant_type=ig_refresh_token`. The token itself is the refresh credential, so
   * `refreshToken` may be the same as `account.accessToken`. Facebook Login Page tokens do not expire.
   */
  async refreshToken(account: AccountAccess, refreshToken: string): Promise<RefreshedToken> {
    if (account.login !== 'instagram') {
      throw new PlatformError({
        kind: 'permanent',
        platform: 'instagram',
        code: 'not_refreshable',
        message: 'instagram: Facebook Login tokens are not refreshed; reconnect the account instead',
      });
    }
    const token = refreshToken || account.accessToken;
    const refreshed = await this.options.instagramGraph.get('refresh_access_token', refreshSchema, {
      token,
      unversioned: true,
      tokenInQuery: true,
      params: { grant_type: 'ig_refresh_token' },
    });
    return {
      accessToken: refreshed.access_token,
      expiresAt: new Date(this.now().getTime() + refreshed.expires_in * 1000),
    };
  }

  // ------------------------------------------------------------------ publishing steps

  private api(account: AccountAccess): Api {
    const graph = account.login === 'instagram' ? this.options.instagramGraph : this.options.facebookGraph;
    return { graph, token: account.accessToken };
  }

  /** `content_publishing_limit`: a used-up quota is `rate_limited`, before any container is made or published. */
  private async checkQuota(api: Api, account: AccountAccess): Promise<void> {
    const { data } = await api.graph.get(`${account.externalId}/content_publishing_limit`, quotaSchema, {
      token: api.token,
      params: { fields: 'quota_usage,config' },
    });
    const entry = data[0];
    if (!entry?.config) return;
    if (entry.quota_usage >= entry.config.quota_total) {
      throw new PlatformError({
        kind: 'rate_limited',
        platform: 'instagram',
        code: 'publishing_quota',
        message: `instagram: ${entry.quota_usage} of ${entry.config.quota_total} API posts used in the last 24 hours`,
        userMessage: `This Instagram account reached its limit of ${entry.config.quota_total} posts through the API in 24 hours.`,
        retryAfterMs: 60 * 60_000,
      });
    }
  }

  private async createContainers(
    api: Api,
    account: AccountAccess,
    request: PublishRequest,
    progress: ProgressTracker,
  ): Promise<void> {
    const create = (params: GraphParams) =>
      api.graph.post(`${account.externalId}/media`, idSchema, { token: api.token, params }).then((r) => r.id);
    const [first] = request.media;
    if (!first) throw invalidRequestError('instagram', ['The post has no media.']);
    switch (request.postType) {
      case 'instagram_feed':
        await progress.save({ containerId: await create({ image_url: first.url, caption: request.caption }) });
        return;
      case 'instagram_reel':
        await progress.save({
          containerId: await create({
            media_type: 'REELS',
            video_url: first.url,
            caption: request.caption,
            share_to_feed: true,
          }),
        });
        return;
      case 'instagram_story':
        await progress.save({
          containerId: await create(
            first.kind === 'image'
              ? { media_type: 'STORIES', image_url: first.url }
              : { media_type: 'STORIES', video_url: first.url },
          ),
        });
        return;
      case 'instagram_carousel': {
        const children = [...(progress.current.childContainerIds ?? [])];
        for (const item of request.media.slice(children.length)) {
          const params: GraphParams =
            item.kind === 'image'
              ? { image_url: item.url, is_carousel_item: true }
              : { media_type: 'VIDEO', video_url: item.url, is_carousel_item: true };
          children.push(await create(params));
          await progress.save({ childContainerIds: [...children] });
        }
        await progress.save({
          containerId: await create({ media_type: 'CAROUSEL', children: children.join(','), caption: request.caption }),
        });
        return;
      }
      default:
        throw invalidRequestError('instagram', [`${request.postType} is not an Instagram post type.`]);
    }
  }

  /**
   * Publishes the saved container. Images are usually ready at once, so their status is read only when publishing
   * says "not ready" (9007); videos are polled first. Returns an outcome only when it ends without a known media id.
   */
  private async publishContainer(
    api: Api,
    account: AccountAccess,
    request: PublishRequest,
    progress: ProgressTracker,
  ): Promise<PublishOutcome | undefined> {
    const containerId = progress.current.containerId as string;
    if (request.media.some((m) => m.kind === 'video')) {
      const status = await this.waitUntilReady(api, containerId);
      if (status === 'PUBLISHED') return this.afterPublishedContainer(api, account, request, progress);
    }
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const sentAt = this.now().toISOString();
      await progress.save({ publishSentAt: sentAt });
      try {
        const { id } = await api.graph.post(`${account.externalId}/media_publish`, idSchema, {
          token: api.token,
          params: { creation_id: containerId },
        });
        await progress.save({ remoteId: id });
        return undefined;
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        if (error.code.startsWith(`${MEDIA_NOT_READY_CODE}`)) {
          // Refused, so nothing went out: wait for FINISHED and publish again.
          await progress.save({ publishSentAt: undefined });
          const status = await this.waitUntilReady(api, containerId);
          if (status === 'PUBLISHED') return this.afterPublishedContainer(api, account, request, progress);
          continue;
        }
        if (!error.ambiguous) {
          await progress.save({ publishSentAt: undefined });
          throw error;
        }
        const check = await this.checkPublished(api, account, request, containerId, sentAt);
        if (check.state === 'published') {
          await progress.save({ remoteId: check.mediaId });
          return undefined;
        }
        if (check.state === 'unknown') return { status: 'unconfirmed', reason: check.reason };
        // The container says it was not published: sending again cannot make a second post.
      }
    }
    throw new PlatformError({
      kind: 'transient',
      platform: 'instagram',
      code: 'publish_not_confirmed',
      message: 'instagram: media_publish did not succeed after several attempts',
    });
  }

  private async afterPublishedContainer(
    api: Api,
    account: AccountAccess,
    request: PublishRequest,
    progress: ProgressTracker,
  ): Promise<PublishOutcome | undefined> {
    const sentAt = progress.current.publishSentAt ?? new Date(this.now().getTime() - 24 * 3_600_000).toISOString();
    const mediaId = await this.findPublishedMedia(api, account, request, sentAt);
    if (!mediaId)
      return { status: 'unconfirmed', reason: 'Instagram says the post is published but its media id was not found.' };
    await progress.save({ remoteId: mediaId });
    return undefined;
  }

  /** Reads `status_code` until FINISHED (or PUBLISHED), for a bounded time. ERROR and EXPIRED are permanent. */
  private async waitUntilReady(api: Api, containerId: string): Promise<'FINISHED' | 'PUBLISHED'> {
    // Called only when the media is known not to be ready (a video just made, or a 9007): wait before each read.
    for (const delay of this.pollDelays) {
      await this.sleep(delay);
      const status = await this.readStatus(api, containerId);
      if (status.status_code === 'FINISHED' || status.status_code === 'PUBLISHED') return status.status_code;
      if (status.status_code === 'ERROR' || status.status_code === 'EXPIRED') {
        throw containerFailed(status.status_code, status.status);
      }
    }
    throw new PlatformError({
      kind: 'transient',
      platform: 'instagram',
      code: 'container_not_ready',
      message: 'instagram: the media is still being processed; publishing resumes with the same container',
      retryAfterMs: 60_000,
    });
  }

  private readStatus(api: Api, containerId: string) {
    return api.graph.get(containerId, statusSchema, { token: api.token, params: { fields: 'status_code,status' } });
  }

  /** Was the container published? PUBLISHED → find its media; FINISHED/IN_PROGRESS → no; no answer → unknown. */
  private async checkPublished(
    api: Api,
    account: AccountAccess,
    request: PublishRequest,
    containerId: string,
    sentAt: string,
  ): Promise<PublishCheck> {
    let status: ContainerStatus;
    try {
      status = (await this.readStatus(api, containerId)).status_code;
    } catch (error) {
      if (error instanceof PlatformError && (error.kind === 'transient' || error.kind === 'rate_limited')) {
        return {
          state: 'unknown',
          reason: `Instagram did not confirm the post and its status could not be read (${error.code}).`,
        };
      }
      throw error;
    }
    if (status === 'FINISHED' || status === 'IN_PROGRESS') return { state: 'not_published' };
    if (status === 'ERROR' || status === 'EXPIRED') throw containerFailed(status);
    const mediaId = await this.findPublishedMedia(api, account, request, sentAt);
    return mediaId
      ? { state: 'published', mediaId }
      : { state: 'unknown', reason: 'Instagram says the post is published but its media id was not found.' };
  }

  /**
   * The IG Container node has no field pointing to the media it became (its fields are id, status, status_code and
   * copyright_check_status), so the documented way is to list the account's media — `GET /{ig-user-id}/media` with
   * time-based pagination (`since`, unix seconds), or `/{ig-user-id}/stories` for a story — and take the first item
   * published at or after the publish request whose caption is ours.
   */
  private async findPublishedMedia(
    api: Api,
    account: AccountAccess,
    request: PublishRequest,
    sentAt: string,
  ): Promise<string | undefined> {
    const from = new Date(sentAt).getTime() - MATCH_SKEW_MS;
    const story = request.postType === 'instagram_story';
    const { data } = await api.graph.get(`${account.externalId}/${story ? 'stories' : 'media'}`, mediaListSchema, {
      token: api.token,
      params: { fields: 'id,caption,timestamp', ...(story ? {} : { since: Math.floor(from / 1000) }), limit: 25 },
    });
    const matches = data
      .filter((m) => parseGraphTime(m.timestamp).getTime() >= from)
      .filter((m) => story || (m.caption ?? '').trim() === request.caption.trim())
      .sort((a, b) => parseGraphTime(a.timestamp).getTime() - parseGraphTime(b.timestamp).getTime());
    return matches[0]?.id;
  }

  /** The post is live: its permalink and first comment (see `finishLivePost`). */
  private finish(api: Api, account: AccountAccess, request: PublishRequest, progress: ProgressTracker) {
    return finishLivePost({
      graph: api.graph,
      token: api.token,
      request,
      progress,
      readPermalink: async (remoteId) => (await this.getPublished(account, remoteId)).permalink,
    });
  }
}

interface Api {
  graph: GraphClient;
  token: string;
}

function containerFailed(status: 'ERROR' | 'EXPIRED', detail?: string): PlatformError {
  return new PlatformError({
    kind: 'permanent',
    platform: 'instagram',
    code: `container_${status.toLowerCase()}`,
    message: `instagram: the media container is ${status}${detail ? ` (${detail})` : ''}`,
    userMessage:
      status === 'EXPIRED'
        ? 'Instagram discarded the prepared media after 24 hours without publishing. Schedule the post again.'
        : `Instagram could not process the media${detail ? `: ${detail}` : ''}. Check the file and try again.`,
  });
}
