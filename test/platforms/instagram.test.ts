import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/platforms/errors.ts';
import type { AccountAccess, PublishRequest } from '../../src/platforms/types.ts';
import { forgetLoginCalls, instagramTokenByConsent, instagramViaPageTokenByConsent } from '../harness/meta-consent.ts';
import { callList, jpeg, type MetaHarness, mp4, progressStore, startMeta } from './meta-harness.ts';

let meta: MetaHarness;
let account: AccountAccess;
let igId: string;

async function setUp(options: Parameters<typeof startMeta>[0] = {}) {
  meta = await startMeta(options);
  igId = meta.fake.seedInstagramAccount({ username: 'wone.shop' }).id;
  const token = await instagramTokenByConsent(meta.fake, igId);
  forgetLoginCalls(meta.fake);
  account = { platform: 'instagram', externalId: igId, login: 'instagram', accessToken: token };
}

beforeEach(async () => setUp());
afterEach(async () => meta.stop());

const feed = (caption = 'New autumn collection is in'): PublishRequest => ({
  postType: 'instagram_feed',
  caption,
  media: [jpeg('coat')],
});

async function expectPlatformError(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

describe('Instagram rules', () => {
  const messages = (request: PublishRequest) => meta.instagram.validate(request).map((v) => `${v.field}: ${v.message}`);

  it('accepts a feed image, a reel, a story and a carousel within the limits', () => {
    expect(messages(feed())).toEqual([]);
    expect(messages({ postType: 'instagram_reel', caption: 'Behind the scenes', media: [mp4('bts')] })).toEqual([]);
    expect(messages({ postType: 'instagram_story', caption: '', media: [mp4('story', { durationSec: 15 })] })).toEqual(
      [],
    );
    expect(
      messages({ postType: 'instagram_carousel', caption: 'Lookbook', media: [jpeg('a'), mp4('b'), jpeg('c')] }),
    ).toEqual([]);
  });

  it('counts caption characters, hashtags and mentions', () => {
    expect(messages(feed('x'.repeat(2200)))).toEqual([]);
    expect(messages(feed('x'.repeat(2201)))).toEqual([expect.stringMatching(/^caption: .*2200 characters/)]);
    const tags = (n: number, sign: string) => Array.from({ length: n }, (_, i) => `${sign}t${i}`).join(' ');
    expect(messages(feed(tags(30, '#')))).toEqual([]);
    expect(messages(feed(tags(31, '#')))).toEqual([expect.stringMatching(/30 hashtags/)]);
    expect(messages(feed(tags(20, '@')))).toEqual([]);
    expect(messages(feed(tags(21, '@')))).toEqual([expect.stringMatching(/20 @mentions/)]);
  });

  it('checks the media of each post type', () => {
    expect(messages({ ...feed(), media: [mp4('v')] })).toContain('media: A feed post is exactly one image.');
    expect(messages({ ...feed(), media: [jpeg('a'), jpeg('b')] })).toContain(
      'media: A feed post is exactly one image.',
    );
    expect(messages({ ...feed(), media: [jpeg('a', { mimeType: 'image/png' })] })).toEqual([
      'media: Instagram takes JPEG images only (got image/png).',
    ]);
    expect(messages({ ...feed(), media: [jpeg('a', { width: 1080, height: 2000 })] })).toEqual([
      expect.stringMatching(/4:5/),
    ]);
    const carousel = (n: number): PublishRequest => ({
      postType: 'instagram_carousel',
      caption: '',
      media: Array.from({ length: n }, (_, i) => jpeg(`p${i}`)),
    });
    expect(messages(carousel(1))).toEqual([expect.stringMatching(/2 to 10/)]);
    expect(messages(carousel(10))).toEqual([]);
    expect(messages(carousel(11))).toEqual([expect.stringMatching(/2 to 10/)]);
    expect(messages({ postType: 'instagram_reel', caption: '', media: [jpeg('a')] })).toContain(
      'media: A reel is exactly one video.',
    );
    expect(messages({ postType: 'instagram_reel', caption: '', media: [mp4('a', { durationSec: 2 })] })).toEqual([
      expect.stringMatching(/3 s to 15 min/),
    ]);
    expect(messages({ postType: 'instagram_story', caption: '', media: [jpeg('a'), jpeg('b')] })).toContain(
      'media: A story is exactly one image or one video.',
    );
    expect(messages({ postType: 'instagram_story', caption: 'hi', media: [jpeg('a')] })).toEqual([
      expect.stringMatching(/^caption: .*no caption/),
    ]);
    expect(messages({ ...feed(), link: 'https://wone.example' })).toEqual([expect.stringMatching(/^link:/)]);
    expect(messages({ ...feed(), postType: 'facebook_photo' })).toEqual([expect.stringMatching(/^post_type:/)]);
  });

  it('refuses to publish a post that breaks the rules, before any call', async () => {
    const error = await expectPlatformError(
      meta.instagram.publish(account, feed('x'.repeat(2201)), progressStore().context()),
    );
    expect(error.kind).toBe('permanent');
    expect(error.code).toBe('invalid_request');
    expect(meta.fake.instagram.calls).toHaveLength(0);
  });
});

describe('Instagram publishing', () => {
  it('publishes a feed image with the fewest calls: quota, container, publish, permalink', async () => {
    const store = progressStore();
    const outcome = await meta.instagram.publish(account, feed(), store.context());
    expect(outcome).toMatchObject({
      status: 'published',
      permalink: expect.stringMatching(/^https:\/\/www\.instagram\.com\/p\//),
    });
    expect(callList(meta.fake.instagram.calls)).toEqual([
      `GET /${igId}/content_publishing_limit`,
      `POST /${igId}/media`,
      `POST /${igId}/media_publish`,
      `GET /${outcome.status === 'published' ? outcome.remoteId : ''}`,
    ]);
    expect(meta.fake.facebook.calls).toHaveLength(0);
    expect(meta.fake.published(igId)).toMatchObject([{ kind: 'FEED:IMAGE', caption: 'New autumn collection is in' }]);
    // The container id is stored before the publish request, and publishSentAt before it is sent.
    const containerSave = store.saves.findIndex((s) => s.containerId && !s.publishSentAt);
    const sentSave = store.saves.findIndex((s) => s.publishSentAt);
    expect(containerSave).toBeGreaterThanOrEqual(0);
    expect(sentSave).toBeGreaterThan(containerSave);
    expect(store.progress.remoteId).toBe(outcome.status === 'published' ? outcome.remoteId : 'missing');
  });

  it('sends the token in the Authorization header and never in a URL', async () => {
    await meta.instagram.publish(account, feed(), progressStore().context());
    for (const call of meta.fake.instagram.calls) {
      expect(call.headers.authorization).toBe(`Bearer ${account.accessToken}`);
      expect(JSON.stringify(call.query)).not.toContain(account.accessToken);
    }
  });

  it('publishes through graph.facebook.com for a Facebook Login account', async () => {
    const pageToken = await instagramViaPageTokenByConsent(meta.fake, igId);
    forgetLoginCalls(meta.fake);
    const viaPage: AccountAccess = { ...account, login: 'facebook', accessToken: pageToken };
    const outcome = await meta.instagram.publish(viaPage, feed(), progressStore().context());
    expect(outcome.status).toBe('published');
    expect(meta.fake.instagram.calls).toHaveLength(0);
    expect(meta.fake.facebook.calls).toHaveLength(4);
    expect(meta.fake.published(igId)).toHaveLength(1);
  });

  it('reads the status only when the image is not ready, then publishes', async () => {
    await meta.stop();
    await setUp({ imageProcessingMs: 2_000 });
    const outcome = await meta.instagram.publish(account, feed(), progressStore().context());
    expect(outcome.status).toBe('published');
    const calls = callList(meta.fake.instagram.calls);
    expect(calls.filter((c) => c.endsWith('/media_publish'))).toHaveLength(2);
    const container = meta.fake.containers(igId)[0]?.id;
    expect(calls.filter((c) => c === `GET /${container}`)).toHaveLength(1);
    expect(meta.sleeps).toEqual([3_000]);
    expect(meta.fake.published(igId)).toHaveLength(1);
  });

  it('publishes a reel after polling the container until FINISHED', async () => {
    const outcome = await meta.instagram.publish(
      account,
      { postType: 'instagram_reel', caption: 'Workshop tour', media: [mp4('tour')] },
      progressStore().context(),
    );
    expect(outcome.status).toBe('published');
    const creates = meta.fake.instagram.callsTo('POST', `/v25.0/${igId}/media`);
    expect(creates[0]?.body).toMatchObject({ media_type: 'REELS', video_url: mp4('tour').url, share_to_feed: 'true' });
    // 30 s of processing: reads at 3, 8, 18 s are IN_PROGRESS, at 33 s FINISHED; never a 9007.
    expect(meta.sleeps).toEqual([3_000, 5_000, 10_000, 15_000]);
    expect(meta.fake.instagram.callsTo('POST', `/v25.0/${igId}/media_publish`)).toHaveLength(1);
    expect(meta.fake.published(igId)).toMatchObject([{ kind: 'REELS:VIDEO' }]);
  });

  it('publishes an image story and a video story', async () => {
    const image = await meta.instagram.publish(
      account,
      { postType: 'instagram_story', caption: '', media: [jpeg('s1')] },
      progressStore().context(),
    );
    const video = await meta.instagram.publish(
      account,
      { postType: 'instagram_story', caption: '', media: [mp4('s2', { durationSec: 12 })] },
      progressStore().context(),
    );
    expect(image.status).toBe('published');
    expect(video.status).toBe('published');
    expect(meta.fake.published(igId).map((p) => p.kind)).toEqual(['STORY:IMAGE', 'STORY:VIDEO']);
    const bodies = meta.fake.instagram.callsTo('POST', `/v25.0/${igId}/media`).map((c) => c.body);
    expect(bodies).toMatchObject([
      { media_type: 'STORIES', image_url: jpeg('s1').url },
      { media_type: 'STORIES', video_url: mp4('s2').url },
    ]);
  });

  it('publishes a carousel: children saved one by one, then the parent, then one post', async () => {
    const store = progressStore();
    const outcome = await meta.instagram.publish(
      account,
      { postType: 'instagram_carousel', caption: 'Three looks', media: [jpeg('a'), mp4('b'), jpeg('c')] },
      store.context(),
    );
    expect(outcome.status).toBe('published');
    const bodies = meta.fake.instagram.callsTo('POST', `/v25.0/${igId}/media`).map((c) => c.body);
    expect(bodies).toMatchObject([
      { image_url: jpeg('a').url, is_carousel_item: 'true' },
      { media_type: 'VIDEO', video_url: mp4('b').url, is_carousel_item: 'true' },
      { image_url: jpeg('c').url, is_carousel_item: 'true' },
      { media_type: 'CAROUSEL', caption: 'Three looks' },
    ]);
    expect(store.saves.map((s) => s.childContainerIds?.length ?? 0).slice(0, 3)).toEqual([1, 2, 3]);
    expect(meta.fake.published(igId)).toMatchObject([{ kind: 'FEED:CAROUSEL_ALBUM', caption: 'Three looks' }]);
    expect(meta.fake.containers(igId)).toHaveLength(4);
  });

  it('posts the first comment once the post is live', async () => {
    const store = progressStore();
    const outcome = await meta.instagram.publish(
      account,
      { ...feed(), firstComment: 'Shop: link in bio' },
      store.context(),
    );
    if (outcome.status !== 'published') throw new Error('not published');
    expect(outcome.firstCommentError).toBeUndefined();
    expect(meta.fake.commentsOn(outcome.remoteId)).toMatchObject([{ text: 'Shop: link in bio', fromId: igId }]);
    expect(store.progress.firstCommentId).toBeDefined();
  });

  it('keeps the post when the first comment fails', async () => {
    meta.fake.instagram.inject((req) => req.method === 'POST' && req.path.endsWith('/comments'), {
      status: 400,
      json: {
        error: {
          message: 'Comment blocked',
          type: 'OAuthException',
          code: 368,
          error_user_msg: 'Commenting is blocked for now.',
        },
      },
    });
    const outcome = await meta.instagram.publish(
      account,
      { ...feed(), firstComment: 'Shop: link in bio' },
      progressStore().context(),
    );
    expect(outcome).toMatchObject({ status: 'published', firstCommentError: 'Commenting is blocked for now.' });
    expect(meta.fake.published(igId)).toHaveLength(1);
  });
});

describe('Instagram publishing resumes without posting twice', () => {
  it('reuses the saved container after a crash between container and publish', async () => {
    const store = progressStore();
    store.crashOnSave((next) => next.publishSentAt !== undefined);
    await expect(meta.instagram.publish(account, feed(), store.context())).rejects.toThrow('worker stopped');
    expect(store.progress.containerId).toBeDefined();
    expect(meta.fake.published(igId)).toHaveLength(0);

    const outcome = await meta.instagram.publish(account, feed(), store.context());
    expect(outcome.status).toBe('published');
    expect(meta.fake.containers(igId)).toHaveLength(1);
    expect(meta.fake.published(igId)).toHaveLength(1);
  });

  it('resumes a carousel with the children already made', async () => {
    const store = progressStore();
    store.crashOnSave((next) => next.childContainerIds?.length === 2);
    const request: PublishRequest = { postType: 'instagram_carousel', caption: 'Duo', media: [jpeg('a'), jpeg('b')] };
    await expect(meta.instagram.publish(account, request, store.context())).rejects.toThrow('worker stopped');
    expect(store.progress.childContainerIds).toHaveLength(1);
    await meta.instagram.publish(account, request, store.context());
    // One orphan child (made but not saved before the crash) is never published; the post has two items.
    expect(meta.fake.containers(igId).filter((c) => c.mediaType === 'CAROUSEL')).toHaveLength(1);
    expect(meta.fake.published(igId)).toHaveLength(1);
  });

  it('after a crash once the publish was sent, finds the post instead of publishing again', async () => {
    const store = progressStore();
    store.crashOnSave((next) => next.remoteId !== undefined);
    await expect(meta.instagram.publish(account, feed(), store.context())).rejects.toThrow('worker stopped');
    expect(store.progress.publishSentAt).toBeDefined();
    meta.fake.instagram.calls.length = 0;

    const outcome = await meta.instagram.publish(account, feed(), store.context());
    const mediaId = meta.fake.published(igId)[0]?.id;
    expect(outcome).toMatchObject({ status: 'published', remoteId: mediaId });
    expect(callList(meta.fake.instagram.calls)).toEqual([
      `GET /${store.progress.containerId}`, // status_code: PUBLISHED
      `GET /${igId}/media`, // the media it became
      `GET /${mediaId}`, // permalink
    ]);
    expect(meta.fake.published(igId)).toHaveLength(1);
  });

  it('checks a media_publish whose answer was lost, and does not repeat it', async () => {
    meta.fake.loseResponse('instagram', (req) => req.path.endsWith('/media_publish'));
    const outcome = await meta.instagram.publish(account, feed(), progressStore().context());
    expect(outcome).toMatchObject({ status: 'published', remoteId: meta.fake.published(igId)[0]?.id });
    expect(meta.fake.instagram.callsTo('POST', `/v25.0/${igId}/media_publish`)).toHaveLength(1);
    expect(meta.fake.published(igId)).toHaveLength(1);
  });

  it('says unconfirmed when the answer was lost and the container cannot be read', async () => {
    meta.fake.loseResponse('instagram', (req) => req.path.endsWith('/media_publish'));
    meta.fake.instagram.inject((req) => req.method === 'GET' && req.query.fields === 'status_code,status', {
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
    const store = progressStore();
    const outcome = await meta.instagram.publish(account, feed(), store.context());
    expect(outcome).toMatchObject({ status: 'unconfirmed', reason: expect.stringMatching(/could not be read/) });
    expect(store.progress.publishSentAt).toBeDefined();
    expect(meta.fake.instagram.callsTo('POST', `/v25.0/${igId}/media_publish`)).toHaveLength(1);

    // The next run checks again instead of sending: the post exists, so it is found.
    const again = await meta.instagram.publish(account, feed(), store.context());
    expect(again).toMatchObject({ status: 'published' });
    expect(meta.fake.instagram.callsTo('POST', `/v25.0/${igId}/media_publish`)).toHaveLength(1);
    expect(meta.fake.published(igId)).toHaveLength(1);
  });

  it('re-sends after a server error when the container shows it was not published', async () => {
    meta.fake.instagram.inject((req) => req.path.endsWith('/media_publish'), {
      status: 500,
      json: { error: { message: 'An unknown error occurred', type: 'OAuthException', code: 1 } },
    });
    const outcome = await meta.instagram.publish(account, feed(), progressStore().context());
    expect(outcome.status).toBe('published');
    expect(meta.fake.instagram.callsTo('POST', `/v25.0/${igId}/media_publish`)).toHaveLength(2);
    expect(meta.fake.published(igId)).toHaveLength(1);
  });

  it('stops with a permanent error when a resumed container has expired', async () => {
    const store = progressStore();
    store.crashOnSave((next) => next.publishSentAt !== undefined);
    await expect(meta.instagram.publish(account, feed(), store.context())).rejects.toThrow('worker stopped');
    meta.fake.advance(25 * 3_600_000);
    const error = await expectPlatformError(meta.instagram.publish(account, feed(), store.context()));
    expect(error).toMatchObject({ kind: 'permanent', code: expect.stringMatching(/^-2\/2207020$/) });
    expect(meta.fake.published(igId)).toHaveLength(0);
  });

  it('turns a container that ends in ERROR into a permanent error', async () => {
    meta.fake.failContainers(1);
    const error = await expectPlatformError(
      meta.instagram.publish(
        account,
        { postType: 'instagram_reel', caption: 'x', media: [mp4('bad')] },
        progressStore().context(),
      ),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'container_error' });
    expect(meta.fake.published(igId)).toHaveLength(0);
  });

  it('refuses to start when the daily publishing quota is used up', async () => {
    meta.fake.quotaTotal = 1;
    await meta.instagram.publish(account, feed('first'), progressStore().context());
    meta.fake.instagram.calls.length = 0;
    const error = await expectPlatformError(meta.instagram.publish(account, feed('second'), progressStore().context()));
    expect(error).toMatchObject({ kind: 'rate_limited', code: 'publishing_quota' });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(callList(meta.fake.instagram.calls)).toEqual([`GET /${igId}/content_publishing_limit`]);
  });

  it('maps a throttle to rate_limited with the wait from the usage header, and exposes usage', async () => {
    meta.fake.setUsage('instagram', { app: { call_count: 91, total_time: 12, total_cputime: 8 } });
    meta.fake.throttle('instagram', 80002, { regainMinutes: 12 });
    const error = await expectPlatformError(meta.instagram.publish(account, feed(), progressStore().context()));
    expect(error).toMatchObject({ kind: 'rate_limited', code: '80002', retryAfterMs: 12 * 60_000 });
    expect(meta.graphs.igViaInstagram.lastUsage).toMatchObject({ percent: 100, regainAccessMs: 12 * 60_000 });
    await meta.instagram.publish(account, feed(), progressStore().context());
    expect(meta.graphs.igViaInstagram.lastUsage?.percent).toBe(91);
  });

  it('maps an expired token to auth, without the token in the error', async () => {
    meta.fake.setTokenStatus(account.accessToken, 'expired');
    const error = await expectPlatformError(meta.instagram.publish(account, feed(), progressStore().context()));
    expect(error).toMatchObject({ kind: 'auth', code: '190/463' });
    expect(`${error.message} ${error.userMessage}`).not.toContain(account.accessToken);
  });
});

describe('Instagram comments', () => {
  async function publishedMedia(caption: string): Promise<string> {
    const outcome = await meta.instagram.publish(account, feed(caption), progressStore().context());
    if (outcome.status !== 'published') throw new Error('not published');
    return outcome.remoteId;
  }

  it('lists comments and replies of recent media in one call, then only newer ones', async () => {
    const first = await publishedMedia('one');
    const second = await publishedMedia('two');
    const question = meta.fake.seedComment({ itemId: first, text: 'Is it waterproof?', author: 'rain.lover' });
    meta.fake.advance(1_000);
    meta.fake.seedComment({ itemId: second, text: 'Love it', author: 'fan1' });
    meta.fake.advance(1_000);
    await meta.instagram.replyToComment(account, { itemId: first, commentId: question }, 'Yes, fully.');
    meta.fake.instagram.calls.length = 0;

    const page = await meta.instagram.listComments(account, { itemIds: [first, second] });
    expect(meta.fake.instagram.calls).toHaveLength(1);
    expect(meta.fake.instagram.calls[0]?.query.fields).toMatch(/comments\.limit\(50\)\{.*replies\{/);
    expect(page.comments.map((c) => [c.text, c.authorName, c.fromOwner, c.parentId ?? null])).toEqual([
      ['Is it waterproof?', 'rain.lover', false, null],
      ['Love it', 'fan1', false, null],
      ['Yes, fully.', 'wone.shop', true, question],
    ]);

    meta.fake.advance(1_000);
    meta.fake.seedComment({ itemId: second, text: 'What sizes?', author: 'fan2' });
    const next = await meta.instagram.listComments(account, { itemIds: [first, second], cursor: page.cursor });
    expect(next.comments.map((c) => c.text)).toEqual(['What sizes?']);
    const none = await meta.instagram.listComments(account, { itemIds: [first, second], cursor: next.cursor });
    expect(none.comments).toEqual([]);
  });

  it('hides and unhides a comment', async () => {
    const media = await publishedMedia('hide me');
    const comment = meta.fake.seedComment({ itemId: media, text: 'spam spam' });
    await meta.instagram.setCommentHidden(account, { itemId: media, commentId: comment }, true);
    expect(meta.fake.comment(comment)?.hidden).toBe(true);
    const listed = await meta.instagram.listComments(account, { itemIds: [media] });
    expect(listed.comments[0]?.hidden).toBe(true);
    await meta.instagram.setCommentHidden(account, { itemId: media, commentId: comment }, false);
    expect(meta.fake.comment(comment)?.hidden).toBe(false);
  });
});

describe('Instagram insights', () => {
  /** The account through Facebook Login: its Page's token, on graph.facebook.com. */
  async function throughPage(): Promise<AccountAccess> {
    const accessToken = await instagramViaPageTokenByConsent(meta.fake, igId);
    forgetLoginCalls(meta.fake);
    return { ...account, login: 'facebook', accessToken };
  }

  it('Instagram Login reads with direct calls: graph.instagram.com serves no batch requests', async () => {
    const outcome = await meta.instagram.publish(account, feed(), progressStore().context());
    if (outcome.status !== 'published') throw new Error('not published');
    meta.fake.instagram.calls.length = 0;
    const [insights] = await meta.instagram.getItemInsights(account, [outcome.remoteId]);
    expect(insights?.skipped).toEqual([]);
    expect(insights?.metrics.views).toBe(240);
    expect(meta.fake.instagram.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /v25.0/${outcome.remoteId}/insights`,
    ]);
    const week = { since: new Date(meta.fake.now() - 7 * 86_400_000), until: new Date(meta.fake.now()) };
    const figures = await meta.instagram.getAccountInsights(account, week);
    expect(figures.metrics.reach).toBeGreaterThan(0);
    expect(meta.fake.instagram.callsTo('POST', /^\/v25\.0\/?$/)).toHaveLength(0);
  });

  it('reads current item metrics in one call (Facebook Login: batch requests on graph.facebook.com)', async () => {
    const fbAccount = await throughPage();
    const outcome = await meta.instagram.publish(fbAccount, feed(), progressStore().context());
    if (outcome.status !== 'published') throw new Error('not published');
    meta.fake.setInsights(outcome.remoteId, { views: 1000, reach: 800 });
    meta.fake.facebook.calls.length = 0;
    const [insights] = await meta.instagram.getItemInsights(fbAccount, [outcome.remoteId]);
    expect(insights).toEqual({
      remoteId: outcome.remoteId,
      metrics: { views: 1000, reach: 800, likes: 21, comments: 0, saved: 4, shares: 3, total_interactions: 28 },
      skipped: [],
    });
    // One HTTP call: a batch request holding the one read.
    expect(meta.fake.facebook.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /v25.0/']);
    const [read] = meta.fake.batched.facebook.slice(-1);
    expect(read?.path).toBe(`/${outcome.remoteId}/insights`);
    expect(read?.query.metric).toBe('views,reach,likes,comments,saved,shares,total_interactions');
  });

  it('reads the metrics of many posts in one call per 50, and a story refusal costs one more call', async () => {
    const fbAccount = await throughPage();
    meta.fake.quotaTotal = 100;
    const ids: string[] = [];
    for (let i = 0; i < 52; i += 1) {
      const outcome = await meta.instagram.publish(fbAccount, feed(), progressStore().context());
      if (outcome.status !== 'published') throw new Error('not published');
      meta.fake.setInsights(outcome.remoteId, { views: 100 + i });
      ids.push(outcome.remoteId);
    }
    const story = await meta.instagram.publish(
      fbAccount,
      { postType: 'instagram_story', caption: '', media: [jpeg('s')] },
      progressStore().context(),
    );
    if (story.status !== 'published') throw new Error('not published');
    meta.fake.facebook.calls.length = 0;
    meta.fake.batched.facebook.length = 0;

    const insights = await meta.instagram.getItemInsights(fbAccount, [...ids, story.remoteId]);
    expect(insights.map((i) => i.remoteId)).toEqual([...ids, story.remoteId]);
    expect(insights.slice(0, 52).map((i) => i.metrics.views)).toEqual(ids.map((_, i) => 100 + i));
    expect(insights.slice(0, 52).every((i) => i.skipped.length === 0)).toBe(true);
    const storyInsights = insights[52];
    expect(Object.keys(storyInsights?.metrics ?? {}).sort()).toEqual([
      'reach',
      'shares',
      'total_interactions',
      'views',
    ]);
    expect(storyInsights?.skipped.map((s) => s.metric).sort()).toEqual(['comments', 'likes', 'saved']);
    expect(storyInsights?.skipped[0]?.reason).toContain('does not support the');

    // 53 posts: a batch of 50 and one of 3; then the story's 7 metrics one by one, in a third batch.
    expect(meta.fake.facebook.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /v25.0/',
      'POST /v25.0/',
      'POST /v25.0/',
    ]);
    expect(meta.fake.batched.facebook).toHaveLength(53 + 7);
  });

  it('notes a post Graph cannot find and a read that timed out in its batch, and reads the others', async () => {
    const fbAccount = await throughPage();
    const ok = await meta.instagram.publish(fbAccount, feed(), progressStore().context());
    const slow = await meta.instagram.publish(fbAccount, feed(), progressStore().context());
    if (ok.status !== 'published' || slow.status !== 'published') throw new Error('not published');
    meta.fake.timeOutInBatch('facebook', (op) => op.path === `/${slow.remoteId}/insights`);
    const insights = await meta.instagram.getItemInsights(fbAccount, [ok.remoteId, '17999999999999999', slow.remoteId]);
    expect(insights[0]?.skipped).toEqual([]);
    expect(insights[0]?.metrics.views).toBe(240);
    expect(insights[1]?.metrics).toEqual({});
    expect(insights[1]?.skipped).toHaveLength(7);
    expect(insights[1]?.skipped[0]?.reason).toContain('does not exist');
    expect(insights[2]?.metrics).toEqual({});
    expect(insights[2]?.skipped.map((s) => s.reason)).toEqual(Array(7).fill('no answer in time'));
  });

  it('stops the whole read when the token is refused inside the batch', async () => {
    const outcome = await meta.instagram.publish(account, feed(), progressStore().context());
    if (outcome.status !== 'published') throw new Error('not published');
    const other = await instagramTokenByConsent(meta.fake, igId);
    meta.fake.setTokenStatus(other, 'password_changed');
    const error = await expectPlatformError(
      meta.instagram.getItemInsights({ ...account, accessToken: other }, [outcome.remoteId]),
    );
    expect(error).toMatchObject({ kind: 'auth', code: '190/460' });
    expect(error.message).not.toContain(other);
  });

  it('reports the metrics a story has and skips the others', async () => {
    const outcome = await meta.instagram.publish(
      account,
      { postType: 'instagram_story', caption: '', media: [jpeg('s')] },
      progressStore().context(),
    );
    if (outcome.status !== 'published') throw new Error('not published');
    const [insights] = await meta.instagram.getItemInsights(account, [outcome.remoteId]);
    expect(Object.keys(insights?.metrics ?? {}).sort()).toEqual(['reach', 'shares', 'total_interactions', 'views']);
    expect(insights?.skipped.map((s) => s.metric).sort()).toEqual(['comments', 'likes', 'saved']);
  });

  it('is refused deprecated metrics by the API with #100', async () => {
    const outcome = await meta.instagram.publish(account, feed(), progressStore().context());
    if (outcome.status !== 'published') throw new Error('not published');
    const { insightsSchema } = await import('../../src/platforms/meta-common.ts');
    for (const metric of ['impressions', 'plays', 'video_views']) {
      const error = await expectPlatformError(
        meta.graphs.igViaInstagram.get(`${outcome.remoteId}/insights`, insightsSchema, {
          token: account.accessToken,
          params: { metric },
        }),
      );
      expect(error).toMatchObject({
        kind: 'permanent',
        code: '100',
        userMessage: '(#100) The value must be a valid insights metric',
      });
    }
  });

  it('reads followers, period totals and reach per day', async () => {
    const until = new Date(meta.fake.now());
    const since = new Date(until.getTime() - 7 * 86_400_000);
    const insights = await meta.instagram.getAccountInsights(account, { since, until });
    expect(insights.followers).toBe(1520);
    expect(insights.metrics).toEqual({ views: 630, reach: 350, accounts_engaged: 63, total_interactions: 84 });
    expect(insights.daily).toHaveLength(7);
    expect(insights.daily.every((d) => d.metrics.reach === 50)).toBe(true);
  });
});

describe('Instagram tokens', () => {
  it('checks an Instagram Login token with /me', async () => {
    expect(await meta.instagram.checkToken(account)).toEqual({ valid: true });
    meta.fake.setTokenStatus(account.accessToken, 'app_removed');
    expect(await meta.instagram.checkToken(account)).toEqual({
      valid: false,
      problem: 'The app was removed from the account. Reconnect it.',
    });
  });

  it('checks a Facebook Login token with debug_token and the app token', async () => {
    const token = meta.fake.issueToken({
      kind: 'user',
      subjects: [igId],
      scopes: ['instagram_basic', 'instagram_content_publish'],
      expiresInSec: 86_400,
    });
    const health = await meta.instagram.checkToken({ ...account, login: 'facebook', accessToken: token });
    expect(health).toMatchObject({ valid: true, problem: expect.stringMatching(/instagram_manage_comments/) });
    expect(health.expiresAt?.getTime()).toBe(Math.floor((meta.fake.now() + 86_400_000) / 1000) * 1000);
    const [call] = meta.fake.facebook.callsTo('GET', '/v25.0/debug_token');
    expect(call?.headers.authorization).toBe(`Bearer ${meta.fake.appToken}`);

    meta.fake.setTokenStatus(token, 'password_changed');
    expect(await meta.instagram.checkToken({ ...account, login: 'facebook', accessToken: token })).toMatchObject({
      valid: false,
      problem: 'The password was changed, which ended the session.',
    });
  });

  it('refreshes an Instagram Login token once it is a day old', async () => {
    const early = await expectPlatformError(meta.instagram.refreshToken(account, account.accessToken));
    expect(early.kind).toBe('permanent');
    meta.fake.advance(25 * 3_600_000);
    const refreshed = await meta.instagram.refreshToken(account, account.accessToken);
    expect(refreshed.accessToken).not.toBe(account.accessToken);
    expect(refreshed.expiresAt?.getTime()).toBe(meta.fake.now() + 5_184_000_000);
    expect(await meta.instagram.checkToken({ ...account, accessToken: refreshed.accessToken })).toEqual({
      valid: true,
    });
  });
});
