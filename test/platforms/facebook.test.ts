import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PlatformError } from '../../src/platforms/errors.ts';
import { insightsSchema } from '../../src/platforms/meta-common.ts';
import { FACEBOOK_LOGIN_SCOPES } from '../../src/platforms/meta-login.ts';
import type { AccountAccess, PublishRequest } from '../../src/platforms/types.ts';
import { forgetLoginCalls, pageTokenByConsent } from '../harness/meta-consent.ts';
import { callList, jpeg, type MetaHarness, mp4, progressStore, startMeta } from './meta-harness.ts';

let meta: MetaHarness;
let page: AccountAccess;
let pageId: string;

beforeEach(async () => {
  meta = await startMeta();
  pageId = meta.fake.seedPage({ name: 'Wone Commerce' }).id;
  const token = await pageTokenByConsent(meta.fake, pageId);
  forgetLoginCalls(meta.fake);
  page = { platform: 'facebook', externalId: pageId, login: 'facebook', accessToken: token };
});
afterEach(async () => meta.stop());

const text = (caption = 'Our shop opens at 9 tomorrow'): PublishRequest => ({
  postType: 'facebook_text',
  caption,
  media: [],
});
const photos = (n: number, caption = 'Spring lookbook'): PublishRequest => ({
  postType: 'facebook_photo',
  caption,
  media: Array.from({ length: n }, (_, i) => jpeg(`look${i}`)),
});
const video = (caption = 'How we make our bags'): PublishRequest => ({
  postType: 'facebook_video',
  caption,
  media: [mp4('bags')],
});

async function expectPlatformError(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

async function publish(request: PublishRequest): Promise<string> {
  const outcome = await meta.facebook.publish(page, request, progressStore().context());
  if (outcome.status !== 'published') throw new Error(`not published: ${JSON.stringify(outcome)}`);
  return outcome.remoteId;
}

describe('Facebook rules', () => {
  const messages = (request: PublishRequest) => meta.facebook.validate(request).map((v) => `${v.field}: ${v.message}`);

  it('needs a message or a link for a text post', () => {
    expect(messages(text())).toEqual([]);
    expect(messages({ ...text(''), link: 'https://wone.example/sale' })).toEqual([]);
    expect(messages(text('  '))).toEqual(['caption: A text post needs a message or a link.']);
    expect(messages({ ...text(), link: 'not a url' })).toEqual(['link: The link must be a full http(s) address.']);
    expect(messages({ ...text(), media: [jpeg('a')] })).toEqual([
      expect.stringMatching(/^media: A text or link post has no media/),
    ]);
  });

  it('takes 1 to 10 images for a photo post and one video for a video post', () => {
    expect(messages(photos(1))).toEqual([]);
    expect(messages(photos(10))).toEqual([]);
    expect(messages(photos(0))).toEqual([expect.stringMatching(/1 to 10 photos/)]);
    expect(messages(photos(11))).toEqual([expect.stringMatching(/1 to 10 photos/)]);
    expect(messages({ ...photos(1), media: [mp4('v')] })).toEqual([expect.stringMatching(/JPEG, PNG/)]);
    expect(messages(video())).toEqual([]);
    expect(messages({ ...video(), media: [mp4('a'), mp4('b')] })).toEqual([
      'media: A video post is exactly one video.',
    ]);
    expect(messages({ ...video(), media: [jpeg('a')] })).toEqual(['media: A video post is exactly one video.']);
    expect(messages({ ...text(), postType: 'instagram_feed' })).toEqual([expect.stringMatching(/^post_type:/)]);
  });
});

describe('Facebook publishing', () => {
  it('publishes a text post in one call, reading the permalink back with the post', async () => {
    const outcome = await meta.facebook.publish(page, text(), progressStore().context());
    expect(outcome).toMatchObject({
      status: 'published',
      permalink: expect.stringMatching(/^https:\/\/www\.facebook\.com\//),
    });
    expect(callList(meta.fake.facebook.calls)).toEqual([`POST /${pageId}/feed`]);
    expect(meta.fake.published(pageId)).toMatchObject([{ kind: 'status', caption: 'Our shop opens at 9 tomorrow' }]);
  });

  it('publishes a link post', async () => {
    await publish({ ...text('Sale starts now'), link: 'https://wone.example/sale' });
    expect(meta.fake.facebook.calls[0]?.body).toMatchObject({
      message: 'Sale starts now',
      link: 'https://wone.example/sale',
    });
    expect(meta.fake.published(pageId)).toMatchObject([{ kind: 'link' }]);
  });

  it('publishes a single photo and keeps the post id, not the photo id', async () => {
    const remoteId = await publish(photos(1));
    expect(remoteId.startsWith(`${pageId}_`)).toBe(true);
    expect(callList(meta.fake.facebook.calls)).toEqual([`POST /${pageId}/photos`, `GET /${remoteId}`]);
    expect(meta.fake.published(pageId)).toMatchObject([{ id: remoteId, kind: 'photo', caption: 'Spring lookbook' }]);
  });

  it('publishes several photos: unpublished uploads saved first, then one feed post', async () => {
    const store = progressStore();
    const outcome = await meta.facebook.publish(page, photos(3), store.context());
    expect(outcome.status).toBe('published');
    expect(callList(meta.fake.facebook.calls)).toEqual([
      `POST /${pageId}/photos`,
      `POST /${pageId}/photos`,
      `POST /${pageId}/photos`,
      `POST /${pageId}/feed`,
    ]);
    expect(
      meta.fake.facebook.calls.slice(0, 3).every((c) => (c.body as Record<string, string>).published === 'false'),
    ).toBe(true);
    expect(store.saves.map((s) => s.photoIds?.length ?? 0).slice(0, 3)).toEqual([1, 2, 3]);
    expect(store.saves.findIndex((s) => s.publishSentAt)).toBe(3);
    expect(meta.fake.published(pageId)).toMatchObject([{ kind: 'album' }]);
    expect(meta.fake.photos(pageId).every((p) => !p.published && p.attachedTo === store.progress.remoteId)).toBe(true);
  });

  it('publishes a video by URL, and keeps the post that shows it beside the video id', async () => {
    const store = progressStore();
    const outcome = await meta.facebook.publish(page, video(), store.context());
    if (outcome.status !== 'published') throw new Error('not published');
    const remoteId = outcome.remoteId;
    expect(meta.fake.facebook.calls[0]?.body).toMatchObject({
      file_url: mp4('bags').url,
      description: 'How we make our bags',
    });
    const videoId = store.progress.videoId;
    expect(callList(meta.fake.facebook.calls)).toEqual([
      `POST /${pageId}/videos`,
      `GET /${videoId}`,
      `GET /${remoteId}`,
    ]);
    // The post, not the video: `{page}_{post}`, what feed webhooks and post insights name.
    expect(meta.fake.published(pageId)).toMatchObject([{ kind: 'video', id: remoteId }]);
    expect(remoteId).toMatch(new RegExp(`^${pageId}_`));
    expect(videoId).not.toBe(remoteId);
    // Its insights are read through the post (a Video has no `shares` and no `insights` edge).
    const [insights] = await meta.facebook.getItemInsights(page, [remoteId]);
    expect(insights?.metrics).toMatchObject({ views: expect.any(Number), shares: expect.any(Number) });
    expect(insights?.skipped).toEqual([]);
  });

  it('a crash after the upload resumes from the video id without uploading again', async () => {
    const store = progressStore();
    store.crashOnSave((next) => next.remoteId !== undefined);
    await expect(meta.facebook.publish(page, video(), store.context())).rejects.toThrow('worker stopped');
    expect(store.progress.videoId).toBeDefined();
    const outcome = await meta.facebook.publish(page, video(), store.context());
    expect(outcome).toMatchObject({ status: 'published', remoteId: meta.fake.published(pageId)[0]?.id });
    expect(meta.fake.facebook.callsTo('POST', `/v25.0/${pageId}/videos`)).toHaveLength(1);
  });

  it('posts the first comment as the Page, and a failing one does not fail the post', async () => {
    const outcome = await meta.facebook.publish(
      page,
      { ...text(), firstComment: 'Directions: wone.example/map' },
      progressStore().context(),
    );
    if (outcome.status !== 'published') throw new Error('not published');
    expect(meta.fake.commentsOn(outcome.remoteId)).toMatchObject([
      { text: 'Directions: wone.example/map', fromId: pageId },
    ]);

    meta.fake.facebook.inject((req) => req.path.endsWith('/comments'), {
      status: 400,
      json: {
        error: { message: '(#1705) There was an error posting to this wall', type: 'OAuthException', code: 1705 },
      },
    });
    const second = await meta.facebook.publish(
      page,
      { ...text('Second'), firstComment: 'x' },
      progressStore().context(),
    );
    expect(second).toMatchObject({
      status: 'published',
      firstCommentError: '(#1705) There was an error posting to this wall',
    });
  });

  it('needs a Page token: a User token gets the permission error, kind auth', async () => {
    // The person's own token, with what the login granted, instead of the Page's.
    const userToken = meta.fake.issueToken({ kind: 'user', subjects: [pageId], scopes: FACEBOOK_LOGIN_SCOPES });
    const error = await expectPlatformError(
      meta.facebook.publish({ ...page, accessToken: userToken }, text(), progressStore().context()),
    );
    expect(error).toMatchObject({ kind: 'auth', code: '200' });
    expect(meta.fake.published(pageId)).toHaveLength(0);
  });
});

describe('Facebook publishing resumes without posting twice', () => {
  it('reuses uploaded photos after a crash before the feed post', async () => {
    const store = progressStore();
    store.crashOnSave((next) => next.publishSentAt !== undefined);
    await expect(meta.facebook.publish(page, photos(2), store.context())).rejects.toThrow('worker stopped');
    expect(store.progress.photoIds).toHaveLength(2);
    const outcome = await meta.facebook.publish(page, photos(2), store.context());
    expect(outcome.status).toBe('published');
    expect(meta.fake.photos(pageId)).toHaveLength(2);
    expect(meta.fake.published(pageId)).toHaveLength(1);
  });

  it('finds a feed post whose answer was lost instead of posting it again', async () => {
    meta.fake.loseResponse('facebook', (req) => req.method === 'POST' && req.path.endsWith('/feed'));
    const outcome = await meta.facebook.publish(page, text(), progressStore().context());
    expect(outcome).toMatchObject({ status: 'published', remoteId: meta.fake.published(pageId)[0]?.id });
    expect(meta.fake.facebook.callsTo('POST', `/v25.0/${pageId}/feed`)).toHaveLength(1);
    expect(callList(meta.fake.facebook.callsTo('GET', /\/feed$/))).toEqual([`GET /${pageId}/feed`]);
    expect(meta.fake.published(pageId)).toHaveLength(1);
  });

  it('finds a video whose answer was lost among the Page videos', async () => {
    meta.fake.loseResponse('facebook', (req) => req.method === 'POST' && req.path.endsWith('/videos'));
    const remoteId = await publish(video());
    expect(meta.fake.facebook.callsTo('POST', `/v25.0/${pageId}/videos`)).toHaveLength(1);
    expect(meta.fake.published(pageId)).toHaveLength(1);
    expect(remoteId).toBe(meta.fake.published(pageId)[0]?.id);
  });

  it('after a crash once the post was sent, looks on the Page before sending', async () => {
    const store = progressStore();
    store.crashOnSave((next) => next.remoteId !== undefined);
    await expect(meta.facebook.publish(page, photos(1), store.context())).rejects.toThrow('worker stopped');
    const outcome = await meta.facebook.publish(page, photos(1), store.context());
    expect(outcome).toMatchObject({ status: 'published', remoteId: meta.fake.published(pageId)[0]?.id });
    expect(meta.fake.facebook.callsTo('POST', `/v25.0/${pageId}/photos`)).toHaveLength(1);
  });

  it('is unconfirmed when the answer was lost and the Page cannot be read', async () => {
    meta.fake.loseResponse('facebook', (req) => req.method === 'POST' && req.path.endsWith('/feed'));
    meta.fake.throttle('facebook', 32, { match: (req) => req.method === 'GET' && req.path.endsWith('/feed') });
    const outcome = await meta.facebook.publish(page, text(), progressStore().context());
    expect(outcome).toMatchObject({ status: 'unconfirmed', reason: expect.stringMatching(/could not be read \(32\)/) });
    expect(meta.fake.published(pageId)).toHaveLength(1);
  });

  it('never sends again after a server error: the Page shows no such post, so it is unconfirmed', async () => {
    meta.fake.facebook.inject((req) => req.method === 'POST' && req.path.endsWith('/feed'), {
      status: 500,
      json: {
        error: {
          message: 'An unexpected error has occurred. Please retry your request later.',
          type: 'OAuthException',
          code: 2,
          is_transient: true,
        },
      },
    });
    const outcome = await meta.facebook.publish(page, text(), progressStore().context());
    expect(outcome.status).toBe('unconfirmed');
    expect(meta.fake.facebook.callsTo('POST', `/v25.0/${pageId}/feed`)).toHaveLength(1);
    expect(meta.fake.published(pageId)).toHaveLength(0);
  });
});

describe('Facebook comments', () => {
  it('lists comments with replies of recent posts in one call, then only newer ones', async () => {
    const post = await publish(text());
    const question = meta.fake.seedComment({ itemId: post, text: 'Open on Sunday?', author: 'Ana' });
    meta.fake.advance(1_000);
    const reply = await meta.facebook.replyToComment(page, { itemId: post, commentId: question }, 'Yes, 10 to 4.');
    meta.fake.facebook.calls.length = 0;

    const list = await meta.facebook.listComments(page, { itemIds: [post] });
    expect(callList(meta.fake.facebook.calls)).toEqual([`GET /${pageId}/published_posts`]);
    expect(list.comments.map((c) => [c.id, c.text, c.authorName, c.fromOwner, c.parentId ?? null])).toEqual([
      [question, 'Open on Sunday?', 'Ana', false, null],
      [reply.id, 'Yes, 10 to 4.', 'Wone Commerce', true, question],
    ]);

    meta.fake.advance(1_000);
    meta.fake.seedComment({ itemId: post, text: 'Thanks!', author: 'Ana', parentId: question });
    const next = await meta.facebook.listComments(page, { itemIds: [post], cursor: list.cursor });
    expect(next.comments.map((c) => c.text)).toEqual(['Thanks!']);
  });

  it('pages through a post’s comments by cursor: all of 120, then only the new ones without rereading the rest', async () => {
    const post = await publish(text());
    const start = meta.fake.now();
    for (let i = 0; i < 120; i += 1)
      meta.fake.seedComment({ itemId: post, text: `Comment ${i}`, at: start + i * 1000 });
    meta.fake.facebook.calls.length = 0;
    const all = await meta.facebook.listComments(page, { itemIds: [post] });
    expect(all.comments).toHaveLength(120);
    expect(new Set(all.comments.map((c) => c.text)).size).toBe(120);
    // The posts list with the first 50 expanded, then two more pages of that post's comments.
    expect(callList(meta.fake.facebook.calls)).toEqual([
      `GET /${pageId}/published_posts`,
      `GET /${post}/comments`,
      `GET /${post}/comments`,
    ]);
    for (let i = 0; i < 3; i += 1)
      meta.fake.seedComment({ itemId: post, text: `Late ${i}`, at: start + 200_000 + i * 1000 });
    meta.fake.facebook.calls.length = 0;
    const next = await meta.facebook.listComments(page, { itemIds: [post], cursor: all.cursor });
    expect(next.comments.map((c) => c.text)).toEqual(['Late 0', 'Late 1', 'Late 2']);
    expect(callList(meta.fake.facebook.calls)).toEqual([`GET /${pageId}/published_posts`]);
  });

  it('gets a post’s top-level comments ranked whatever `order` asks, so intake asks for the stream, newest first', async () => {
    const post = await publish(text());
    const start = meta.fake.now();
    const early = meta.fake.seedComment({ itemId: post, text: 'First', at: start });
    const talked = meta.fake.seedComment({ itemId: post, text: 'Much discussed', at: start + 1000 });
    const late = meta.fake.seedComment({ itemId: post, text: 'Latest', at: start + 2000 });
    meta.fake.seedComment({ itemId: post, text: 'Agreed', at: start + 3000, parentId: talked });
    const edge = z.object({
      data: z.array(z.object({ id: z.string() })),
      summary: z.object({ order: z.string() }),
    });
    const read = (params: Record<string, string>) =>
      meta.graphs.pages.get(`${post}/comments`, edge, {
        token: page.accessToken,
        params: { order: 'reverse_chronological', summary: 'true', ...params },
      });
    // filter=toplevel (the default): ranked, the most replied-to first, and `order` ignored.
    const ranked = await read({});
    expect(ranked.summary.order).toBe('ranked');
    expect(ranked.data.map((c) => c.id)).toEqual([talked, early, late]);
    // filter=stream: every comment, newest first as asked.
    const stream = await read({ filter: 'stream' });
    expect(stream.summary.order).toBe('reverse_chronological');
    expect(stream.data.map((c) => c.id)).toEqual([expect.any(String), late, talked, early]);
    // Intake reads the stream with its summary, so it can tell newest-first answers from ranked ones.
    meta.fake.facebook.calls.length = 0;
    const list = await meta.facebook.listComments(page, { itemIds: [post] });
    expect(list.comments.map((c) => c.text).sort()).toEqual(['Agreed', 'First', 'Latest', 'Much discussed']);
    const fields = meta.fake.facebook.calls[0]?.query.fields ?? '';
    expect(fields).toContain('comments.filter(stream).order(reverse_chronological).summary(true)');
  });

  it('reads comments of a video through its post', async () => {
    const postId = await publish(video());
    meta.fake.seedComment({ itemId: postId, text: 'Nice stitching' });
    meta.fake.facebook.calls.length = 0;
    const list = await meta.facebook.listComments(page, { itemIds: [postId] });
    expect(list.comments.map((c) => c.text)).toEqual(['Nice stitching']);
    expect(list.comments[0]?.itemId).toBe(postId);
    expect(callList(meta.fake.facebook.calls)).toEqual([`GET /${pageId}/published_posts`]);
  });

  it('hides and unhides a comment', async () => {
    const post = await publish(text());
    const comment = meta.fake.seedComment({ itemId: post, text: 'Buy followers here' });
    await meta.facebook.setCommentHidden(page, { itemId: post, commentId: comment }, true);
    expect(meta.fake.comment(comment)?.hidden).toBe(true);
    expect((await meta.facebook.listComments(page, { itemIds: [post] })).comments[0]?.hidden).toBe(true);
    await meta.facebook.setCommentHidden(page, { itemId: post, commentId: comment }, false);
    expect(meta.fake.comment(comment)?.hidden).toBe(false);
  });
});

describe('Facebook insights', () => {
  it('reads post views, reach, reactions, comments and shares', async () => {
    const post = await publish(text());
    meta.fake.seedComment({ itemId: post, text: 'Great' });
    const [insights] = await meta.facebook.getItemInsights(page, [post]);
    expect(insights).toEqual({
      remoteId: post,
      metrics: { views: 530, reach: 320, reactions: 7, comments: 1, shares: 2 },
      skipped: [],
    });
    // One HTTP call: a batch holding one read of the post, its insights expanded in the same read.
    expect(callList(meta.fake.facebook.calls.slice(-1))).toEqual(['POST /']);
    expect(meta.fake.batched.facebook.at(-1)?.query.fields).toBe(
      'shares,comments.limit(0).summary(true),insights.metric(post_media_view,post_total_media_view_unique,post_reactions_by_type_total)',
    );
  });

  it('reads many posts in one call, and a metric refused for one post is skipped for that post only', async () => {
    const posts: string[] = [];
    for (let i = 0; i < 4; i += 1) posts.push(await publish(text(`Post ${i}`)));
    const [first, second, third, fourth] = posts as [string, string, string, string];
    meta.fake.setInsights(second, { post_media_view: 900 });
    meta.fake.setShares(third, 0);
    meta.fake.refuseMetric(fourth, 'post_total_media_view_unique');
    meta.fake.facebook.calls.length = 0;
    meta.fake.batched.facebook.length = 0;

    const insights = await meta.facebook.getItemInsights(page, posts);
    expect(insights.map((i) => [i.remoteId, i.metrics])).toEqual([
      [first, { views: 530, reach: 320, reactions: 7, comments: 0, shares: 2 }],
      [second, { views: 900, reach: 320, reactions: 7, comments: 0, shares: 2 }],
      [third, { views: 530, reach: 320, reactions: 7, comments: 0, shares: 0 }],
      [fourth, { views: 530, reactions: 7, comments: 0, shares: 2 }],
    ]);
    expect(insights.slice(0, 3).every((i) => i.skipped.length === 0)).toBe(true);
    expect(insights[3]?.skipped).toEqual([
      { metric: 'reach', reason: '(#100) The value must be a valid insights metric' },
    ]);
    // One batch for the four posts; one more for the refused post, its counts and metrics apart (1 + 3 reads).
    expect(callList(meta.fake.facebook.calls)).toEqual(['POST /', 'POST /']);
    expect(meta.fake.batched.facebook).toHaveLength(4 + 4);
  });

  it('reads followers and daily Page views, reach and engagements; the week’s reach is Graph’s weekly value', async () => {
    // 410 people a day, but many of them every day: 1,900 different people in the week.
    meta.fake.setPageWeekly(pageId, { page_total_media_view_unique: 1900 });
    const until = new Date(meta.fake.now());
    const since = new Date(until.getTime() - 7 * 86_400_000);
    const insights = await meta.facebook.getAccountInsights(page, { since, until });
    expect(insights.followers).toBe(3400);
    expect(insights.metrics).toEqual({ views: 7 * 660, reach: 1900, engagements: 7 * 40 });
    expect(insights.daily).toHaveLength(7);
    expect(insights.daily[0]?.metrics).toEqual({ views: 660, reach: 410, engagements: 40 });
    expect(insights.skipped).toEqual([]);
  });

  it('counts each day of a period that starts at local midnight once, dated by the day it mostly covers', async () => {
    // 16–22 Nov in Berlin: Berlin midnight is 23:00 UTC the day before.
    const since = new Date('2026-11-15T23:00:00Z');
    const until = new Date('2026-11-22T23:00:00Z');
    const insights = await meta.facebook.getAccountInsights(page, { since, until });
    expect(insights.daily.map((d) => d.date)).toEqual([
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
    ]);
    expect(insights.metrics).toEqual({ views: 7 * 660, reach: Math.round(7 * 410 * 0.6), engagements: 7 * 40 });
  });

  it('leaves reach out of a period that is not a week, rather than adding up days of unique people', async () => {
    const until = new Date(meta.fake.now());
    const since = new Date(until.getTime() - 3 * 86_400_000);
    const insights = await meta.facebook.getAccountInsights(page, { since, until });
    expect(insights.metrics).toEqual({ views: 3 * 660, engagements: 3 * 40 });
    expect(insights.skipped).toEqual([
      { metric: 'reach', reason: 'Facebook counts reach per day, week or 28 days only' },
    ]);
    expect(insights.daily.map((d) => d.metrics.reach)).toEqual([410, 410, 410]);
  });

  it('is refused deprecated metrics by the API with #100, and no metric with 3001', async () => {
    const post = await publish(text());
    for (const [path, metric] of [
      [`${pageId}/insights`, 'page_impressions_unique'],
      [`${pageId}/insights`, 'page_fans'],
      [`${post}/insights`, 'post_impressions'],
    ] as const) {
      const error = await expectPlatformError(
        meta.graphs.pages.get(path, insightsSchema, { token: page.accessToken, params: { metric, period: 'day' } }),
      );
      expect(error).toMatchObject({ kind: 'permanent', code: '100' });
    }
    const none = await expectPlatformError(
      meta.graphs.pages.get(`${pageId}/insights`, insightsSchema, { token: page.accessToken }),
    );
    expect(none).toMatchObject({ kind: 'permanent', code: '3001/1504028' });
  });
});

describe('Facebook tokens', () => {
  it('checks a Page token with debug_token', async () => {
    expect(await meta.facebook.checkToken(page)).toMatchObject({
      valid: true,
      scopes: expect.arrayContaining(['pages_manage_posts']),
    });
    expect((await meta.facebook.checkToken(page)).expiresAt).toBeUndefined();
    // The person unticked the publishing permission in the dialog.
    const limited = await pageTokenByConsent(meta.fake, pageId, { decline: ['pages_manage_posts'] });
    expect(await meta.facebook.checkToken({ ...page, accessToken: limited })).toMatchObject({
      valid: true,
      problem: expect.stringMatching(/pages_manage_posts/),
    });
    meta.fake.setTokenStatus(page.accessToken, 'app_removed');
    expect(await meta.facebook.checkToken(page)).toMatchObject({
      valid: false,
      problem: 'The app was removed from the account.',
    });
  });
});
