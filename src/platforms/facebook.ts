import { z } from 'zod';
import { PlatformError } from './errors.ts';
import type { GraphParams } from './graph-client.ts';
import {
  afterCursor,
  answerOf,
  debugToken,
  decodeCursor,
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
  CommentPage,
  ItemInsights,
  PlatformClient,
  PlatformComment,
  PublishContext,
  PublishOutcome,
  PublishRequest,
  RecentItem,
  RuleViolation,
  TokenHealth,
} from './types.ts';

/** Facebook Page limits used by `validate`. */
export const FACEBOOK_LIMITS = {
  messageChars: 63_206,
  commentChars: 8_000,
  photosMin: 1,
  photosMax: 10,
  photoBytes: 10 * 1024 * 1024,
} as const;

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/bmp', 'image/tiff'];
const VIDEO_TYPES = ['video/mp4', 'video/quicktime'];

/** Post metrics valid in 2026 (the `post_impressions*` family is deprecated and refused). */
export const FACEBOOK_POST_METRICS = [
  'post_media_view',
  'post_total_media_view_unique',
  'post_reactions_by_type_total',
];
/** Page metrics valid in 2026 (`page_impressions*` and `page_fans*` are deprecated and refused). */
export const FACEBOOK_PAGE_METRICS = ['page_media_view', 'page_total_media_view_unique', 'page_post_engagements'];
/** Unique people reached: read per week, never summed from days. */
const PAGE_REACH_METRIC = 'page_total_media_view_unique';
const PAGE_METRIC_NAMES: Record<string, string> = {
  page_media_view: 'views',
  page_total_media_view_unique: 'reach',
  page_post_engagements: 'engagements',
};

const PAGE_SCOPES = [
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_posts',
  'pages_manage_engagement',
  'read_insights',
  'publish_video',
];

const postSchema = z.object({ id: z.string(), permalink_url: z.string().optional() });
/** Answer of feed, photos and videos POSTs: a published photo adds `post_id`; read-after-write adds `permalink_url`. */
const createdSchema = z.object({
  id: z.string(),
  post_id: z.string().optional(),
  permalink_url: z.string().optional(),
});
const feedSchema = z.object({
  data: z.array(z.object({ id: z.string(), message: z.string().optional(), created_time: z.string() })),
});
const videosSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      description: z.string().optional(),
      created_time: z.string(),
      post_id: z.string().optional(),
    }),
  ),
});
/** A Page video and the post that shows it (the Video node's `post_id`). */
const videoPostSchema = z.object({ id: z.string(), post_id: z.string().optional() });
const fbCommentSchema = z.object({
  id: z.string(),
  message: z.string().default(''),
  created_time: z.string(),
  from: z.object({ id: z.string(), name: z.string().optional() }).optional(),
  is_hidden: z.boolean().optional(),
  parent: z.object({ id: z.string() }).optional(),
});
const commentsEdgeSchema = z.object({
  data: z.array(fbCommentSchema),
  paging: z
    .object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() })
    .optional(),
  /** The order Graph actually used: `ranked` answers ignore the `order` asked for. */
  summary: z.object({ order: z.string().optional() }).optional(),
});
/** Pages of one post's comments read per poll at most (50 each), beyond the first. */
const MAX_COMMENT_PAGES = 20;
const postsWithCommentsSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      message: z.string().optional(),
      permalink_url: z.string().optional(),
      created_time: z.string().optional(),
      comments: commentsEdgeSchema.optional(),
    }),
  ),
});
const postCountsSchema = z.object({
  shares: z.object({ count: z.number() }).optional(),
  comments: z.object({ summary: z.object({ total_count: z.number() }).optional() }).optional(),
});
/** A post's counts with its insights expanded in the same read. */
const postFiguresSchema = postCountsSchema.extend({ insights: insightsSchema.optional() });
const POST_COUNT_FIELDS = 'shares,comments.limit(0).summary(true)';
/** Post metrics by meaning, as the digest names them. */
const POST_METRIC_NAMES: Record<string, string> = {
  post_media_view: 'views',
  post_total_media_view_unique: 'reach',
  post_reactions_by_type_total: 'reactions',
};
/** Every figure a post reports: its insights by meaning, then its counts. */
const POST_FIGURES = ['views', 'reach', 'reactions', 'comments', 'shares'];

/** Comments (the summary's total) and shares; Graph leaves `shares` out when nobody shared. */
function takeCounts(result: ItemInsights, counts: z.infer<typeof postCountsSchema>): void {
  result.metrics.shares = counts.shares?.count ?? 0;
  if (counts.comments?.summary) result.metrics.comments = counts.comments.summary.total_count;
}
const followersSchema = z.object({ followers_count: z.number().optional() });

const COMMENT_FIELDS = 'id,message,created_time,from,is_hidden,parent{id}';
/** One call per Page per cycle: recent posts with every comment (replies too, `filter(stream)`) expanded. */
const POSTS_COMMENTS_FIELDS = `id,message,permalink_url,created_time,comments.filter(stream).order(reverse_chronological).summary(true).limit(50){${COMMENT_FIELDS}}`;
const MATCH_SKEW_MS = 5 * 60_000;
const DAY_SECONDS = 86_400;

/** Pages use the Facebook Login host only. */
export type FacebookClientOptions = Pick<MetaClientOptions, 'facebookGraph' | 'appId' | 'appSecret' | 'now'>;

type SentCheck =
  | { state: 'published'; remoteId: string }
  | { state: 'not_published' }
  | { state: 'unknown'; reason: string };

/**
 * Facebook Pages through the Graph API with a Page access token: text and link posts, one or several photos, and
 * videos by URL. A post whose answer was lost is looked for on the Page before anything is sent again.
 */
export class FacebookClient implements PlatformClient {
  readonly platform = 'facebook' as const;
  readonly listsRecentItems = true;
  private readonly now: () => Date;

  constructor(private readonly options: FacebookClientOptions) {
    this.now = options.now ?? (() => new Date());
  }

  private get graph() {
    return this.options.facebookGraph;
  }

  validate(request: PublishRequest): RuleViolation[] {
    const violations: RuleViolation[] = [];
    const add = (field: RuleViolation['field'], message: string) => violations.push({ field, message });
    const { media } = request;
    if ([...request.caption].length > FACEBOOK_LIMITS.messageChars) {
      add('caption', `Facebook posts are at most ${FACEBOOK_LIMITS.messageChars} characters.`);
    }
    if (request.firstComment !== undefined && [...request.firstComment].length > FACEBOOK_LIMITS.commentChars) {
      add('first_comment', `Facebook comments are at most ${FACEBOOK_LIMITS.commentChars} characters.`);
    }
    if (request.link !== undefined && !isWebUrl(request.link)) add('link', 'The link must be a full http(s) address.');
    switch (request.postType) {
      case 'facebook_text':
        if (request.caption.trim() === '' && !request.link) add('caption', 'A text post needs a message or a link.');
        if (media.length > 0) add('media', 'A text or link post has no media; choose a photo or video post instead.');
        break;
      case 'facebook_photo':
        if (media.length < FACEBOOK_LIMITS.photosMin || media.length > FACEBOOK_LIMITS.photosMax) {
          add(
            'media',
            `A photo post has ${FACEBOOK_LIMITS.photosMin} to ${FACEBOOK_LIMITS.photosMax} photos (this one has ${media.length}).`,
          );
        }
        if (request.link) add('link', 'A photo post cannot carry a link preview; put the link in the message.');
        for (const item of media) {
          if (item.kind !== 'image' || !PHOTO_TYPES.includes(item.mimeType)) {
            add('media', `Photo posts take JPEG, PNG, GIF, BMP or TIFF images (got ${item.mimeType}).`);
          } else if (item.sizeBytes > FACEBOOK_LIMITS.photoBytes) {
            add('media', 'Photos are at most 10 MB.');
          }
        }
        break;
      case 'facebook_video': {
        const [video] = media;
        if (media.length !== 1 || video?.kind !== 'video') add('media', 'A video post is exactly one video.');
        else if (!VIDEO_TYPES.includes(video.mimeType))
          add('media', `Facebook videos here are MP4 or MOV (got ${video.mimeType}).`);
        if (request.link) add('link', 'A video post cannot carry a link preview; put the link in the description.');
        break;
      }
      default:
        add('post_type', `${request.postType} is not a Facebook post type.`);
    }
    return violations;
  }

  async publish(account: AccountAccess, request: PublishRequest, context: PublishContext): Promise<PublishOutcome> {
    const violations = this.validate(request);
    if (violations.length > 0)
      throw invalidRequestError(
        'facebook',
        violations.map((v) => v.message),
      );
    const progress = new ProgressTracker(context);
    let permalink: string | undefined;

    // A video already uploaded: its post is what gets comments and insights.
    if (!progress.current.remoteId && progress.current.videoId) {
      await progress.save({ remoteId: await this.videoPostId(account, progress.current.videoId) });
    }
    if (!progress.current.remoteId && progress.current.publishSentAt) {
      // A post request went out before a restart (or from a worker whose lease lapsed): find out, never send again.
      const settled = await this.settleSent(account, request, progress, progress.current.publishSentAt);
      if (settled.status === 'unconfirmed') return settled;
    }
    if (!progress.current.remoteId) {
      const sent = await this.sendPost(account, request, progress);
      if (sent.status === 'unconfirmed') return sent;
      permalink = sent.permalink;
    }
    if (!progress.current.remoteId && progress.current.videoId) {
      await progress.save({ remoteId: await this.videoPostId(account, progress.current.videoId) });
    }
    return finishLivePost({
      graph: this.graph,
      token: account.accessToken,
      request,
      progress,
      ...(permalink ? { permalink } : {}),
      readPermalink: async (remoteId) => (await this.getPublished(account, remoteId)).permalink,
    });
  }

  /** Uploads what must exist first (unpublished photos), then sends the one request that makes the post public. */
  private async sendPost(
    account: AccountAccess,
    request: PublishRequest,
    progress: ProgressTracker,
  ): Promise<{ status: 'sent'; permalink?: string } | { status: 'unconfirmed'; reason: string }> {
    const pageId = account.externalId;
    const token = account.accessToken;
    let path: string;
    let params: GraphParams;
    if (request.postType === 'facebook_text') {
      path = `${pageId}/feed`;
      params = { message: request.caption || undefined, link: request.link, fields: 'id,permalink_url' };
    } else if (request.postType === 'facebook_video') {
      path = `${pageId}/videos`;
      params = { file_url: request.media[0]?.url, description: request.caption || undefined };
    } else if (request.media.length === 1) {
      path = `${pageId}/photos`;
      params = { url: request.media[0]?.url, caption: request.caption || undefined };
    } else {
      // Several photos: each uploaded unpublished, ids saved before the one feed post that shows them together.
      const photoIds = [...(progress.current.photoIds ?? [])];
      for (const item of request.media.slice(photoIds.length)) {
        const { id } = await this.graph.post(`${pageId}/photos`, idSchema, {
          token,
          params: { url: item.url, published: false },
        });
        photoIds.push(id);
        await progress.save({ photoIds: [...photoIds] });
      }
      path = `${pageId}/feed`;
      params = {
        message: request.caption || undefined,
        attached_media: JSON.stringify(photoIds.map((id) => ({ media_fbid: id }))),
        fields: 'id,permalink_url',
      };
    }

    const sentAt = this.now().toISOString();
    await progress.save({ publishSentAt: sentAt });
    try {
      const body = await this.graph.post(path, createdSchema, { token, params });
      if (request.postType === 'facebook_video') {
        // A video answers with the video id only; the post is read from it (after this step can fail alone).
        await progress.save({ videoId: body.id });
        return { status: 'sent' };
      }
      // A published photo answers with the photo id and the post id; the post is what gets comments and insights.
      const remoteId = body.post_id ?? body.id;
      await progress.save({ remoteId });
      return { status: 'sent', ...(body.permalink_url ? { permalink: body.permalink_url } : {}) };
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      if (!error.ambiguous) {
        // Refused: nothing went out, so it may be sent again later.
        await progress.save({ publishSentAt: undefined });
        throw error;
      }
      // The request may have made the post: find out, and never send it a second time (a Page's feed can lag behind
      // a post just made, so not finding it proves nothing).
      return this.settleSent(account, request, progress, sentAt);
    }
  }

  /** After a post request whose outcome is unknown: the post found on the Page, or `unconfirmed` for a person. */
  private async settleSent(
    account: AccountAccess,
    request: PublishRequest,
    progress: ProgressTracker,
    sentAt: string,
  ): Promise<{ status: 'sent' } | { status: 'unconfirmed'; reason: string }> {
    const check = await this.findSent(account, request, sentAt);
    if (check.state === 'published') {
      await progress.save({ remoteId: check.remoteId });
      return { status: 'sent' };
    }
    if (check.state === 'unknown') return { status: 'unconfirmed', reason: check.reason };
    return {
      status: 'unconfirmed',
      reason: 'The post request got no clear answer and the Page does not show the post yet.',
    };
  }

  /**
   * Looks on the Page for the post sent at `sentAt`: the first one created since then (less clock skew) whose message
   * is ours. Videos are looked for among the Page's videos by description.
   */
  private async findSent(account: AccountAccess, request: PublishRequest, sentAt: string): Promise<SentCheck> {
    const from = new Date(sentAt).getTime() - MATCH_SKEW_MS;
    const since = Math.floor(from / 1000);
    const message = request.caption.trim();
    try {
      if (request.postType === 'facebook_video') {
        const { data } = await this.graph.get(`${account.externalId}/videos`, videosSchema, {
          token: account.accessToken,
          params: { fields: 'id,description,created_time,post_id', since, limit: 25 },
        });
        const match = oldestMatch(data, from, (v) => (v.description ?? '').trim() === message);
        if (!match) return { state: 'not_published' };
        if (!match.post_id) return { state: 'unknown', reason: 'Facebook has the video but not yet its post.' };
        return { state: 'published', remoteId: match.post_id };
      }
      const { data } = await this.graph.get(`${account.externalId}/feed`, feedSchema, {
        token: account.accessToken,
        params: { fields: 'id,message,created_time', since, limit: 25 },
      });
      const match = oldestMatch(data, from, (p) => (p.message ?? '').trim() === message);
      return match ? { state: 'published', remoteId: match.id } : { state: 'not_published' };
    } catch (error) {
      if (error instanceof PlatformError && (error.kind === 'transient' || error.kind === 'rate_limited')) {
        return {
          state: 'unknown',
          reason: `Facebook did not confirm the post and the Page could not be read (${error.code}).`,
        };
      }
      throw error;
    }
  }

  /**
   * The post that shows a Page video (`GET /{video-id}?fields=post_id`). The Video node has neither `shares` nor an
   * `insights` edge, and `feed` webhooks name the post, so the post id is the video post's id here.
   */
  async videoPostId(account: AccountAccess, videoId: string): Promise<string> {
    const video = await this.graph.get(videoId, videoPostSchema, {
      token: account.accessToken,
      params: { fields: 'id,post_id' },
    });
    if (!video.post_id) {
      throw new PlatformError({
        kind: 'transient',
        platform: 'facebook',
        code: 'video_post_pending',
        message: 'facebook: the video is uploaded but its post is not there yet',
      });
    }
    return video.post_id;
  }

  async getPublished(account: AccountAccess, remoteId: string): Promise<{ remoteId: string; permalink?: string }> {
    const body = await this.graph.get(remoteId, postSchema, {
      token: account.accessToken,
      params: { fields: 'id,permalink_url' },
    });
    const permalink = body.permalink_url?.startsWith('/')
      ? `https://www.facebook.com${body.permalink_url}`
      : body.permalink_url;
    return { remoteId: body.id, ...(permalink ? { permalink } : {}) };
  }

  async listComments(account: AccountAccess, query: { itemIds: string[]; cursor?: string }): Promise<CommentPage> {
    const wanted = new Set(query.itemIds);
    const usageBefore = this.graph.lastUsage;
    const { data } = await this.graph.get(`${account.externalId}/published_posts`, postsWithCommentsSchema, {
      token: account.accessToken,
      params: { fields: POSTS_COMMENTS_FIELDS, limit: 25 },
    });
    const comments: PlatformComment[] = [];
    const items: RecentItem[] = [];
    const seen = new Set<string>();
    for (const post of data) {
      seen.add(post.id);
      items.push({
        id: post.id,
        ...(post.message ? { caption: post.message } : {}),
        ...(post.permalink_url ? { permalink: post.permalink_url } : {}),
        ...(post.created_time ? { publishedAt: parseGraphTime(post.created_time) } : {}),
      });
      const edge = post.comments ? await this.restOfComments(account, post.id, post.comments, query.cursor) : [];
      comments.push(...edge.map((c) => toComment(account, post.id, c)));
    }
    // Videos and older posts are not in the recent published posts window: read them one by one.
    for (const itemId of wanted) {
      if (seen.has(itemId)) continue;
      const first = await this.graph.get(`${itemId}/comments`, commentsEdgeSchema, {
        token: account.accessToken,
        params: { fields: COMMENT_FIELDS, filter: 'stream', order: 'reverse_chronological', summary: true, limit: 50 },
      });
      const edge = await this.restOfComments(account, itemId, first, query.cursor);
      comments.push(...edge.map((c) => toComment(account, itemId, c)));
    }
    return { ...afterCursor(comments, query.cursor), items, ...usageSince(this.graph, usageBefore) };
  }

  /**
   * A post's comments beyond the first page: the pages are followed by their `after` cursor, newest first, until one
   * reaches comments older than what the last poll saw (`cursor`), or there is no next page. Only an answer whose
   * summary says it is newest first may stop early: a ranked one (Graph ignores `order` then) is read to its end.
   */
  private async restOfComments(
    account: AccountAccess,
    itemId: string,
    first: z.infer<typeof commentsEdgeSchema>,
    cursor: string | undefined,
  ): Promise<z.infer<typeof fbCommentSchema>[]> {
    const seenUpTo = decodeCursor(cursor)?.at;
    const all = [...first.data];
    let page = first;
    const newestFirst = first.summary?.order === 'reverse_chronological';
    for (let pages = 0; pages < MAX_COMMENT_PAGES; pages += 1) {
      const after = page.paging?.cursors?.after;
      const oldest = page.data.at(-1);
      if (!page.paging?.next || !after || !oldest) break;
      if (newestFirst && seenUpTo !== undefined && parseGraphTime(oldest.created_time).getTime() < seenUpTo) break;
      page = await this.graph.get(`${itemId}/comments`, commentsEdgeSchema, {
        token: account.accessToken,
        params: {
          fields: COMMENT_FIELDS,
          filter: 'stream',
          order: 'reverse_chronological',
          summary: true,
          limit: 50,
          after,
        },
      });
      all.push(...page.data);
    }
    return all;
  }

  async replyToComment(
    account: AccountAccess,
    target: { itemId: string; commentId: string },
    text: string,
  ): Promise<{ id: string }> {
    return this.graph.post(`${target.commentId}/comments`, idSchema, {
      token: account.accessToken,
      params: { message: text },
    });
  }

  async setCommentHidden(
    account: AccountAccess,
    target: { itemId: string; commentId: string },
    hidden: boolean,
  ): Promise<void> {
    await this.graph.post(target.commentId, successSchema, {
      token: account.accessToken,
      params: { is_hidden: hidden },
    });
  }

  /**
   * One batch request for up to 50 posts, one operation per post: its counts and its insights together by field
   * expansion (`fields=shares,comments.limit(0).summary(true),insights.metric(…)`). A post whose insights Graph refuses
   * with #100 is asked again in one more batch, its counts and each metric apart, so the refused metric is skipped and
   * noted for that post only. A refused token or a throttle stops the read: every post would fail alike.
   */
  async getItemInsights(account: AccountAccess, remoteIds: string[]): Promise<ItemInsights[]> {
    const token = account.accessToken;
    const results: ItemInsights[] = remoteIds.map((remoteId) => ({ remoteId, metrics: {}, skipped: [] }));
    const answers = await this.graph.batch(
      remoteIds.map((remoteId) => ({
        path: remoteId,
        params: { fields: `${POST_COUNT_FIELDS},insights.metric(${FACEBOOK_POST_METRICS.join(',')})` },
      })),
      { token },
    );
    const refused: ItemInsights[] = [];
    for (const [index, answer] of answers.entries()) {
      const result = results[index];
      const error = answer.error;
      if (!result) continue;
      if (!error) {
        const post = answer.read(postFiguresSchema);
        takeCounts(result, post);
        takeInsights(result, post.insights?.data ?? [], POST_METRIC_NAMES);
      } else {
        stopUnlessItemOnly(error);
        if (error.code === '100') refused.push(result);
        else skipAll(result, POST_FIGURES, skipReason(error));
      }
    }
    if (refused.length > 0) {
      const reads = refused.flatMap((result) => [
        { result, path: result.remoteId, params: { fields: POST_COUNT_FIELDS } },
        ...FACEBOOK_POST_METRICS.map((metric) => ({
          result,
          metric,
          path: `${result.remoteId}/insights`,
          params: { metric },
        })),
      ]);
      const again = await this.graph.batch(reads, { token });
      for (const [index, answer] of again.entries()) {
        const read = reads[index];
        const error = answer.error;
        if (!read) continue;
        if (error) stopUnlessItemOnly(error);
        if (!('metric' in read)) {
          if (error) skipAll(read.result, ['comments', 'shares'], skipReason(error));
          else takeCounts(read.result, answer.read(postCountsSchema));
        } else if (error) {
          read.result.skipped.push({
            metric: POST_METRIC_NAMES[read.metric] ?? read.metric,
            reason: skipReason(error),
          });
        } else {
          takeInsights(read.result, answer.read(insightsSchema).data, POST_METRIC_NAMES);
        }
      }
    }
    for (const result of results) {
      for (const metric of POST_FIGURES) {
        if (!(metric in result.metrics) && !result.skipped.some((s) => s.metric === metric))
          result.skipped.push({ metric, reason: 'not reported' });
      }
    }
    return results;
  }

  /**
   * Page views, reach and engagements per day; views and engagements totals are sums of the days in the period. Reach
   * counts people, who come back day after day, so it is not a sum: for a week it is Graph's weekly value
   * (`period=week`, the 7 days ending with the period's last day); for other periods it is left out and noted. Graph's Page days end at its own midnight (`end_time` 07:00 or 08:00 UTC, Pacific time), not at the
   * period's, and it serves a day once the day has ended within the range. So one more day is asked for, to cover the
   * period's last day, and each day Graph gives is kept when most of it lies in the period, dated by its middle.
   */
  async getAccountInsights(account: AccountAccess, period: { since: Date; until: Date }): Promise<AccountInsights> {
    const from = period.since.getTime();
    const to = period.until.getTime();
    const until = Math.floor(to / 1000) + DAY_SECONDS;
    const since = Math.max(Math.floor(from / 1000), until - 90 * DAY_SECONDS);
    const isWeek = Math.abs(to - from - 7 * DAY_SECONDS * 1000) <= 3_600_000;
    // Followers, the daily Page metrics and the weekly reach: three reads in one batch request.
    const [followersAnswer, insightsAnswer, weeklyAnswer] = await this.graph.batch(
      [
        { path: account.externalId, params: { fields: 'followers_count' } },
        {
          path: `${account.externalId}/insights`,
          params: { metric: FACEBOOK_PAGE_METRICS.join(','), period: 'day', since, until },
        },
        ...(isWeek
          ? [
              {
                path: `${account.externalId}/insights`,
                params: { metric: PAGE_REACH_METRIC, period: 'week', since, until },
              },
            ]
          : []),
      ],
      { token: account.accessToken },
    );
    const { followers_count: followers } = answerOf(followersAnswer).read(followersSchema);
    const { data } = answerOf(insightsAnswer).read(insightsSchema);
    const metrics: Record<string, number> = {};
    const daily = new Map<string, Record<string, number>>();
    for (const entry of data) {
      const name = PAGE_METRIC_NAMES[entry.name] ?? entry.name;
      for (const point of entry.values ?? []) {
        if (typeof point.value !== 'number' || !point.end_time) continue;
        const middle = parseGraphTime(point.end_time).getTime() - (DAY_SECONDS * 1000) / 2;
        if (middle < from || middle >= to) continue;
        if (entry.name !== PAGE_REACH_METRIC) metrics[name] = (metrics[name] ?? 0) + point.value;
        const date = new Date(middle).toISOString().slice(0, 10);
        daily.set(date, { ...daily.get(date), [name]: point.value });
      }
    }
    const reachName = PAGE_METRIC_NAMES[PAGE_REACH_METRIC] ?? 'reach';
    if (weeklyAnswer) {
      // The value for the week that ends with the period's last day.
      for (const entry of answerOf(weeklyAnswer).read(insightsSchema).data) {
        for (const point of entry.values ?? []) {
          if (typeof point.value !== 'number' || !point.end_time) continue;
          const middle = parseGraphTime(point.end_time).getTime() - (DAY_SECONDS * 1000) / 2;
          if (middle < to && middle >= to - DAY_SECONDS * 1000) metrics[reachName] = point.value;
        }
      }
    }
    const skipped = Object.values(PAGE_METRIC_NAMES)
      .filter((name) => !(name in metrics))
      .map((metric) => ({
        metric,
        reason:
          metric === reachName && !isWeek ? 'Facebook counts reach per day, week or 28 days only' : 'not reported',
      }));
    return {
      metrics,
      skipped,
      ...(followers === undefined ? {} : { followers }),
      daily: [...daily.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([date, values]) => ({ date, metrics: values })),
    };
  }

  checkToken(account: AccountAccess): Promise<TokenHealth> {
    return debugToken(this.options, 'facebook', account.accessToken, PAGE_SCOPES);
  }
}

function toComment(account: AccountAccess, itemId: string, c: z.infer<typeof fbCommentSchema>): PlatformComment {
  const parentId = c.parent?.id && c.parent.id !== itemId ? c.parent.id : undefined;
  return {
    id: c.id,
    itemId,
    ...(parentId ? { parentId } : {}),
    ...(c.from?.id ? { authorId: c.from.id } : {}),
    authorName: c.from?.name ?? 'Facebook user',
    text: c.message,
    createdAt: parseGraphTime(c.created_time),
    fromOwner: c.from?.id === account.externalId,
    ...(c.is_hidden === undefined ? {} : { hidden: c.is_hidden }),
  };
}

function oldestMatch<T extends { created_time: string }>(
  items: T[],
  from: number,
  matches: (item: T) => boolean,
): T | undefined {
  return items
    .filter((item) => parseGraphTime(item.created_time).getTime() >= from && matches(item))
    .sort((a, b) => parseGraphTime(a.created_time).getTime() - parseGraphTime(b.created_time).getTime())[0];
}

function isWebUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}
