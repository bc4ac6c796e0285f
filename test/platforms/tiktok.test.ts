import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/platforms/errors.ts';
import { TikTokClient } from '../../src/platforms/tiktok.ts';
import { MB } from '../../src/platforms/tiktok-chunks.ts';
import type {
  AccountAccess,
  CreatorInfo,
  MediaItem,
  PublishContext,
  PublishProgress,
  PublishRequest,
  TikTokPostOptions,
} from '../../src/platforms/types.ts';
import type { FakeRequest } from '../../src/sandbox/fake-http-server.ts';
import { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import { businessGrantByConsent } from '../harness/tiktok-business.ts';

const MEDIA = 'https://media.wone.example/m/';
const INIT_PATHS = /^\/v2\/post\/publish\/(video|inbox\/video|content)\/init\/$/;

let fake: TikTokFake;
let client: TikTokClient;
let sleeps: number[];
let account: AccountAccess;
let refreshToken: string;

/** Deterministic bytes at any offset, so a large video needs no large buffer. */
function byteAt(position: number): number {
  return (position * 31 + (position >>> 13)) & 0xff;
}

function syntheticVideo(sizeBytes: number, mimeType = 'video/mp4'): MediaItem {
  return {
    url: `${MEDIA}clip.mp4`,
    kind: 'video',
    mimeType,
    sizeBytes,
    durationSec: 42,
    readRange: async (start, end) => {
      const bytes = new Uint8Array(end - start);
      for (let i = 0; i < bytes.length; i += 1) bytes[i] = byteAt(start + i);
      return bytes;
    },
  };
}

async function sha256Of(video: MediaItem): Promise<string> {
  const hash = createHash('sha256');
  for (let start = 0; start < video.sizeBytes; start += 8 * MB) {
    hash.update(
      await (video.readRange as NonNullable<MediaItem['readRange']>)(start, Math.min(start + 8 * MB, video.sizeBytes)),
    );
  }
  return hash.digest('hex');
}

function options(overrides: Partial<TikTokPostOptions> = {}): TikTokPostOptions {
  return {
    mode: 'direct',
    source: 'file_upload',
    privacyLevel: 'PUBLIC_TO_EVERYONE',
    disableComment: false,
    disableDuet: false,
    disableStitch: false,
    brandContentToggle: false,
    brandOrganicToggle: true,
    ...overrides,
  };
}

function videoPost(
  video: MediaItem,
  overrides: Partial<TikTokPostOptions> = {},
  caption = 'Autumn drop 🍂 #wone',
): PublishRequest {
  return { postType: 'tiktok_video', caption, media: [video], tiktok: options(overrides) };
}

function photoPost(count: number, overrides: Partial<TikTokPostOptions> = {}): PublishRequest {
  const media: MediaItem[] = Array.from({ length: count }, (_, i) => ({
    url: `${MEDIA}photo-${i}.jpeg`,
    kind: 'image',
    mimeType: 'image/jpeg',
    sizeBytes: 400_000,
  }));
  return {
    postType: 'tiktok_photo',
    caption: 'Three looks for the weekend',
    media,
    tiktok: options({ source: 'pull_from_url', photoTitle: 'Weekend looks', ...overrides }),
  };
}

/** A saved-progress store like the target document's, recording what was saved and how many calls TikTok had seen. */
function progressStore(initial: PublishProgress = {}) {
  const saves: { progress: PublishProgress; callsSoFar: number }[] = [];
  const context: PublishContext = {
    progress: initial,
    save: async (progress) => {
      saves.push({ progress: { ...progress }, callsSoFar: fake.server.calls.length });
      context.progress = progress;
    },
  };
  return { context, saves };
}

function callsTo(method: string, path: string | RegExp): FakeRequest[] {
  return fake.server.callsTo(method, path);
}

beforeEach(async () => {
  fake = new TikTokFake();
  await fake.start();
  fake.seedAccount({ openId: 'open-wone', username: 'wonecommerce', accountType: 'business' });
  const tokens = fake.issueTokens('open-wone');
  refreshToken = tokens.refreshToken;
  account = { platform: 'tiktok', externalId: 'open-wone', login: 'tiktok', accessToken: tokens.accessToken };
  sleeps = [];
  client = new TikTokClient({
    apiUrl: fake.url,
    businessApiUrl: fake.url,
    clientKey: fake.clientKey,
    clientSecret: fake.clientSecret,
    statusPolling: { firstDelayMs: 500, maxDelayMs: 2_000, maxAttempts: 6 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
});

afterEach(async () => {
  await client.close();
  await fake.stop();
});

describe('publishing a video by FILE_UPLOAD', () => {
  it('uploads a 37.5 MB video in ordered chunks and reports the public post', async () => {
    const video = syntheticVideo(Math.floor(37.5 * MB));
    const { context, saves } = progressStore();

    const outcome = await client.publish(account, videoPost(video), context);

    const [post, ...others] = fake.postsOf('open-wone');
    expect(others).toHaveLength(0);
    expect(post?.sha256).toBe(await sha256Of(video));
    expect(post).toMatchObject({ kind: 'video', source: 'FILE_UPLOAD', privacyLevel: 'PUBLIC_TO_EVERYONE' });
    // The post id is an int64 beyond 2^53: it must arrive digit for digit.
    expect(post?.postId).toMatch(/^\d{19}$/);
    expect(outcome).toEqual({
      status: 'published',
      remoteId: post?.postId,
      permalink: `https://www.tiktok.com/@wonecommerce/video/${post?.postId}`,
    });

    const init = callsTo('POST', '/v2/post/publish/video/init/')[0];
    expect(init?.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(init?.body).toMatchObject({
      post_info: { title: 'Autumn drop 🍂 #wone', privacy_level: 'PUBLIC_TO_EVERYONE', brand_organic_toggle: true },
      source_info: { source: 'FILE_UPLOAD', video_size: video.sizeBytes, chunk_size: 10 * MB, total_chunk_count: 3 },
    });
    const puts = callsTo('PUT', '/upload/video/');
    expect(puts.map((put) => put.headers['content-range'])).toEqual([
      `bytes 0-${10 * MB - 1}/${video.sizeBytes}`,
      `bytes ${10 * MB}-${20 * MB - 1}/${video.sizeBytes}`,
      `bytes ${20 * MB}-${video.sizeBytes - 1}/${video.sizeBytes}`,
    ]);
    expect(puts.map((put) => put.headers['content-type'])).toEqual(['video/mp4', 'video/mp4', 'video/mp4']);

    // publishSentAt is saved before init; publishId right after init, before the first chunk.
    const initIndex = fake.server.calls.indexOf(init as FakeRequest);
    const firstPutIndex = fake.server.calls.indexOf(puts[0] as FakeRequest);
    expect(saves[0]?.progress.publishSentAt).toBeDefined();
    expect(saves[0]?.progress.publishId).toBeUndefined();
    expect(saves[0]?.callsSoFar).toBe(initIndex);
    expect(saves[1]?.progress.publishId).toMatch(/^v_pub_file~/);
    expect(saves[1]?.callsSoFar).toBe(initIndex + 1);
    expect(saves[1]?.callsSoFar).toBeLessThanOrEqual(firstPutIndex);
    expect(context.progress.remoteId).toBe(post?.postId);
  });

  it('sends a small video as one chunk', async () => {
    const video = syntheticVideo(3 * MB, 'video/quicktime');
    await client.publish(account, videoPost(video), progressStore().context);
    expect(callsTo('POST', '/v2/post/publish/video/init/')[0]?.body).toMatchObject({
      source_info: { video_size: 3 * MB, chunk_size: 3 * MB, total_chunk_count: 1 },
    });
    expect(callsTo('PUT', '/upload/video/')).toHaveLength(1);
    expect(fake.postsOf('open-wone')).toHaveLength(1);
  });

  it('polls status with a growing, bounded wait', async () => {
    fake.account('open-wone').outcome = { result: 'complete', processingPolls: 4, postIdLagPolls: 0 };
    await client.publish(account, videoPost(syntheticVideo(MB)), progressStore().context);
    expect(callsTo('POST', '/v2/post/publish/status/fetch/')).toHaveLength(5);
    expect(sleeps).toEqual([500, 1000, 2000, 2000]);
  });

  it('gives up polling after the bound with a transient error, keeping the publish id to resume', async () => {
    fake.account('open-wone').outcome = { result: 'complete', processingPolls: 50, postIdLagPolls: 0 };
    const { context } = progressStore();
    await expect(client.publish(account, videoPost(syntheticVideo(MB)), context)).rejects.toMatchObject({
      kind: 'transient',
      code: 'publish_still_processing',
    });
    expect(callsTo('POST', '/v2/post/publish/status/fetch/')).toHaveLength(6);
    expect(context.progress.publishId).toBeDefined();
  });
});

describe('publishing by PULL_FROM_URL', () => {
  it('lets TikTok fetch the video from our verified domain', async () => {
    const video = syntheticVideo(80 * MB);
    const outcome = await client.publish(
      account,
      videoPost(video, { source: 'pull_from_url' }),
      progressStore().context,
    );
    expect(outcome.status).toBe('published');
    expect(callsTo('POST', '/v2/post/publish/video/init/')[0]?.body).toMatchObject({
      source_info: { source: 'PULL_FROM_URL', video_url: video.url },
    });
    expect(callsTo('PUT', '/upload/video/')).toHaveLength(0);
    expect(fake.postsOf('open-wone')).toMatchObject([{ source: 'PULL_FROM_URL', sourceUrls: [video.url] }]);
  });

  it('reports an unverified domain as permanent and forgets the attempt', async () => {
    fake.verifiedUrlPrefixes = ['https://cdn.elsewhere.example/'];
    const { context } = progressStore();
    const error = await client
      .publish(account, videoPost(syntheticVideo(MB), { source: 'pull_from_url' }), context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'permanent', code: 'url_ownership_unverified', status: 403 });
    expect(context.progress.publishSentAt).toBeUndefined();
    expect(fake.postsOf('open-wone')).toHaveLength(0);
  });

  it('posts photos with title, description and visibility', async () => {
    const outcome = await client.publish(account, photoPost(3), progressStore().context);
    const [post] = fake.postsOf('open-wone');
    expect(post).toMatchObject({ kind: 'photo', title: 'Weekend looks', privacyLevel: 'PUBLIC_TO_EVERYONE' });
    expect(post?.sourceUrls).toHaveLength(3);
    expect(outcome).toEqual({
      status: 'published',
      remoteId: post?.postId,
      permalink: `https://www.tiktok.com/@wonecommerce/photo/${post?.postId}`,
    });
    expect(callsTo('POST', '/v2/post/publish/content/init/')[0]?.body).toMatchObject({
      media_type: 'PHOTO',
      post_mode: 'DIRECT_POST',
      post_info: {
        title: 'Weekend looks',
        description: 'Three looks for the weekend',
        privacy_level: 'PUBLIC_TO_EVERYONE',
      },
      source_info: { source: 'PULL_FROM_URL', photo_cover_index: 0 },
    });
  });
});

describe('upload to inbox', () => {
  it('sends a video to the creator inbox as a draft, not a post', async () => {
    const outcome = await client.publish(
      account,
      videoPost(syntheticVideo(6 * MB), { mode: 'inbox', privacyLevel: undefined }),
      progressStore().context,
    );
    expect(outcome).toEqual({ status: 'sent_to_inbox', publishId: expect.stringMatching(/^v_pub_file~/) });
    expect(callsTo('POST', '/v2/post/publish/inbox/video/init/')[0]?.body).toEqual({
      source_info: { source: 'FILE_UPLOAD', video_size: 6 * MB, chunk_size: 6 * MB, total_chunk_count: 1 },
    });
    expect(fake.inboxOf('open-wone')).toHaveLength(1);
    expect(fake.postsOf('open-wone')).toHaveLength(0);
  });

  it('sends photos to the inbox with MEDIA_UPLOAD and no visibility', async () => {
    const outcome = await client.publish(
      account,
      photoPost(2, { mode: 'inbox', privacyLevel: undefined }),
      progressStore().context,
    );
    expect(outcome.status).toBe('sent_to_inbox');
    const body = callsTo('POST', '/v2/post/publish/content/init/')[0]?.body as { post_mode: string; post_info: object };
    expect(body.post_mode).toBe('MEDIA_UPLOAD');
    expect(body.post_info).not.toHaveProperty('privacy_level');
    expect(fake.inboxOf('open-wone')).toMatchObject([{ kind: 'photo' }]);
  });
});

describe('rules checked against creator info', () => {
  const creator: CreatorInfo = {
    username: 'wonecommerce',
    nickname: 'Wone',
    privacyLevelOptions: ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
    commentDisabled: true,
    duetDisabled: false,
    stitchDisabled: true,
    maxVideoPostDurationSec: 60,
  };
  const fields = (request: PublishRequest) => client.validate(request, creator).map((v) => v.field);

  it('accepts a post that respects every rule', () => {
    const request = videoPost(syntheticVideo(MB), {
      privacyLevel: 'FOLLOWER_OF_CREATOR',
      disableComment: true,
      disableStitch: true,
    });
    expect(client.validate(request, { ...creator })).toEqual([]);
  });

  it('never defaults the visibility and only offers what the creator has', () => {
    const base = { disableComment: true, disableStitch: true };
    expect(fields(videoPost(syntheticVideo(MB), { ...base, privacyLevel: undefined }))).toEqual(['privacy_level']);
    const wrong = client.validate(
      videoPost(syntheticVideo(MB), { ...base, privacyLevel: 'PUBLIC_TO_EVERYONE' }),
      creator,
    );
    expect(wrong).toEqual([{ field: 'privacy_level', message: expect.stringContaining('FOLLOWER_OF_CREATOR') }]);
  });

  it('cannot switch on interactions the creator turned off', () => {
    const request = videoPost(syntheticVideo(MB), { privacyLevel: 'SELF_ONLY' });
    expect(fields(request)).toEqual(['interactions', 'interactions']);
  });

  it('checks duration, format, caption length and branded-content visibility', () => {
    const ok = { privacyLevel: 'SELF_ONLY', disableComment: true, disableStitch: true };
    const long = { ...syntheticVideo(MB), durationSec: 61 };
    expect(fields(videoPost(long, ok))).toEqual(['media']);
    expect(fields(videoPost(syntheticVideo(MB, 'video/x-msvideo'), ok))).toEqual(['media']);
    expect(fields(videoPost(syntheticVideo(MB), ok, 'x'.repeat(2200)))).toEqual([]);
    expect(fields(videoPost(syntheticVideo(MB), ok, 'x'.repeat(2201)))).toEqual(['caption']);
    // UTF-16 units: an emoji counts twice.
    expect(fields(videoPost(syntheticVideo(MB), ok, '🍂'.repeat(1101)))).toEqual(['caption']);
    expect(fields(videoPost(syntheticVideo(MB), { ...ok, brandContentToggle: true }))).toEqual(['disclosure']);
  });

  it('checks photo count, format and title/description lengths', () => {
    const ok = { privacyLevel: 'SELF_ONLY', disableComment: true };
    expect(fields(photoPost(35, ok))).toEqual([]);
    expect(fields(photoPost(36, ok))).toEqual(['media']);
    const png = photoPost(2, ok);
    png.media[1] = { ...(png.media[1] as MediaItem), mimeType: 'image/png' };
    expect(fields(png)).toEqual(['media']);
    expect(fields(photoPost(1, { ...ok, photoTitle: 'x'.repeat(91) }))).toEqual(['photo_title']);
    expect(fields({ ...photoPost(1, ok), caption: 'x'.repeat(4001) })).toEqual(['caption']);
    expect(fields(photoPost(1, { ...ok, source: 'file_upload' }))).toEqual(['media']);
  });

  it('refuses to publish a post the creator cannot make, before any publish call', async () => {
    fake.account('open-wone').privacyLevelOptions = ['SELF_ONLY'];
    const error = await client.publish(account, videoPost(syntheticVideo(MB)), progressStore().context).catch((e) => e);
    expect(error).toMatchObject({ kind: 'permanent', code: 'rule_violation' });
    expect(callsTo('POST', INIT_PATHS)).toHaveLength(0);
  });

  it("reads creator_info's HTTP 200 refusals as errors", async () => {
    fake.account('open-wone').creatorInfoError = 'spam_risk_too_many_posts';
    await expect(client.getCreatorInfo(account)).rejects.toMatchObject({ kind: 'rate_limited', status: 200 });
    fake.account('open-wone').creatorInfoError = 'spam_risk_user_banned_from_posting';
    await expect(client.getCreatorInfo(account)).rejects.toMatchObject({ kind: 'permanent' });
  });
});

describe('publish outcomes reported by status', () => {
  it('keeps publishing through a lagging public post id, falling back to the publish id', async () => {
    fake.account('open-wone').outcome = { result: 'complete', processingPolls: 1, postIdLagPolls: 2 };
    const outcome = await client.publish(
      account,
      videoPost(syntheticVideo(MB), { source: 'pull_from_url' }),
      progressStore().context,
    );
    expect(outcome).toEqual({ status: 'published', remoteId: expect.stringMatching(/^v_pub_url~/) });
    const remoteId = outcome.status === 'published' ? outcome.remoteId : '';
    // Still lagging, then known: the publish id resolves to the post and its link.
    expect(await client.getPublished(account, remoteId)).toEqual({ remoteId });
    const [post] = fake.postsOf('open-wone');
    expect(await client.getPublished(account, remoteId)).toEqual({
      remoteId: post?.postId,
      permalink: `https://www.tiktok.com/@wonecommerce/video/${post?.postId}`,
    });
  });

  it('treats an internal failure as transient and starts afresh next time', async () => {
    fake.account('open-wone').outcome = {
      result: 'failed',
      failReason: 'internal',
      processingPolls: 0,
      postIdLagPolls: 0,
    };
    const { context } = progressStore();
    const request = videoPost(syntheticVideo(MB), { source: 'pull_from_url' });
    await expect(client.publish(account, request, context)).rejects.toMatchObject({
      kind: 'transient',
      code: 'internal',
    });
    expect(context.progress).toEqual({});

    fake.account('open-wone').outcome = { result: 'complete', processingPolls: 0, postIdLagPolls: 0 };
    expect((await client.publish(account, request, context)).status).toBe('published');
    expect(callsTo('POST', INIT_PATHS)).toHaveLength(2);
    expect(fake.postsOf('open-wone')).toHaveLength(1);
  });

  it('reports other failures as permanent with a readable reason', async () => {
    const reason = 'file_format_check_failed';
    fake.account('open-wone').outcome = { result: 'failed', failReason: reason, processingPolls: 0, postIdLagPolls: 0 };
    const error = await client.publish(account, videoPost(syntheticVideo(MB)), progressStore().context).catch((e) => e);
    expect(error).toMatchObject({ kind: 'permanent', code: reason, userMessage: expect.stringMatching(/format/) });
  });

  it('maps a refused visibility from TikTok itself', async () => {
    // creator_info said PUBLIC is fine, but the account turned private before init.
    fake.server.inject((req) => req.path === '/v2/post/publish/creator_info/query/', {
      status: 200,
      json: {
        data: {
          creator_username: 'wonecommerce',
          creator_nickname: 'Wone',
          privacy_level_options: ['PUBLIC_TO_EVERYONE', 'SELF_ONLY'],
          comment_disabled: false,
          duet_disabled: false,
          stitch_disabled: false,
          max_video_post_duration_sec: 600,
        },
        error: { code: 'ok', message: '', log_id: 'L' },
      },
    });
    fake.account('open-wone').privacyLevelOptions = ['SELF_ONLY'];
    const error = await client.publish(account, videoPost(syntheticVideo(MB)), progressStore().context).catch((e) => e);
    expect(error).toMatchObject({ kind: 'permanent', code: 'privacy_level_option_mismatch', status: 403 });
  });
});

describe('exactly once', () => {
  it('resumes from a saved publish id without starting a second publish', async () => {
    const request = videoPost(syntheticVideo(12 * MB));
    const { context } = progressStore();
    fake.server.inject((req) => req.path === '/v2/post/publish/status/fetch/', { status: 503, text: 'unavailable' });
    await expect(client.publish(account, request, context)).rejects.toMatchObject({ kind: 'transient' });
    expect(context.progress.publishId).toBeDefined();

    const outcome = await client.publish(account, request, context);

    expect(callsTo('POST', INIT_PATHS)).toHaveLength(1);
    expect(callsTo('POST', '/v2/post/publish/creator_info/query/')).toHaveLength(1);
    const posts = fake.postsOf('open-wone');
    expect(posts).toHaveLength(1);
    expect(outcome).toMatchObject({ status: 'published', remoteId: posts[0]?.postId });
  });

  it('reports a lost init answer as unconfirmed and never posts again', async () => {
    const request = videoPost(syntheticVideo(MB), { source: 'pull_from_url' });
    const { context } = progressStore();
    fake.server.inject((req) => req.path === '/v2/post/publish/video/init/', { drop: true }, { when: 'after' });

    const first = await client.publish(account, request, context);
    const second = await client.publish(account, request, context);

    expect(first).toEqual({ status: 'unconfirmed', reason: expect.stringMatching(/lost/) });
    expect(second.status).toBe('unconfirmed');
    expect(callsTo('POST', INIT_PATHS)).toHaveLength(1);
    expect(fake.postsOf('open-wone')).toHaveLength(1);
  });

  it('does not send an init again after an internal error, which does not say nothing was started', async () => {
    const request = videoPost(syntheticVideo(MB), { source: 'pull_from_url' });
    const { context } = progressStore();
    const inits = () => fake.server.callsTo('POST', '/v2/post/publish/video/init/').length;
    const before = inits();
    fake.server.inject((req) => req.path === '/v2/post/publish/video/init/', {
      status: 500,
      json: { data: {}, error: { code: 'internal_error', message: 'Something went wrong', log_id: 'L' } },
    });
    expect((await client.publish(account, request, context)).status).toBe('unconfirmed');
    expect(inits() - before).toBe(1);
    expect(fake.postsOf('open-wone')).toHaveLength(0);
  });

  it('retries after a definite init refusal (rate limited), posting once', async () => {
    const request = videoPost(syntheticVideo(MB), { source: 'pull_from_url' });
    const { context } = progressStore();
    fake.server.inject((req) => req.path === '/v2/post/publish/video/init/', {
      status: 429,
      json: { data: {}, error: { code: 'rate_limit_exceeded', message: 'Too many requests', log_id: 'L' } },
    });
    await expect(client.publish(account, request, context)).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(context.progress.publishSentAt).toBeUndefined();
    expect((await client.publish(account, request, context)).status).toBe('published');
    expect(fake.postsOf('open-wone')).toHaveLength(1);
  });

  it('starts over when a resumed upload never finished, since it can never become a post', async () => {
    const request = videoPost(syntheticVideo(25 * MB));
    const { context } = progressStore();
    fake.server.inject(
      (req) => req.method === 'PUT' && req.headers['content-range']?.startsWith(`bytes ${10 * MB}-`) === true,
      {
        status: 503,
        text: 'busy',
      },
      { times: 3 },
    );
    await expect(client.publish(account, request, context)).rejects.toMatchObject({ kind: 'transient', status: 503 });
    const abandoned = context.progress.publishId;
    expect(abandoned).toBeDefined();

    const outcome = await client.publish(account, request, context);

    expect(outcome.status).toBe('published');
    expect(callsTo('POST', INIT_PATHS)).toHaveLength(2);
    expect(context.progress.publishId).not.toBe(abandoned);
    expect(fake.postsOf('open-wone')).toHaveLength(1);
  });

  it('retries a chunk TikTok failed to take, without breaking the order', async () => {
    fake.server.inject(
      (req) => req.method === 'PUT' && req.headers['content-range']?.startsWith(`bytes ${10 * MB}-`) === true,
      {
        status: 500,
        text: 'retry',
      },
    );
    const video = syntheticVideo(25 * MB);
    expect((await client.publish(account, videoPost(video), progressStore().context)).status).toBe('published');
    expect(callsTo('PUT', '/upload/video/')).toHaveLength(3);
    expect(fake.postsOf('open-wone')[0]?.sha256).toBe(await sha256Of(video));
  });
  it('carries on when a chunk arrived but its answer was lost', async () => {
    fake.server.inject(
      (req) => req.method === 'PUT' && req.headers['content-range']?.startsWith(`bytes ${10 * MB}-`) === true,
      { drop: true },
      { when: 'after' },
    );
    const video = syntheticVideo(25 * MB);
    expect((await client.publish(account, videoPost(video), progressStore().context)).status).toBe('published');
    // Two chunks; the second (final) one sent again, answered 416 with TikTok holding every byte.
    expect(callsTo('PUT', '/upload/video/')).toHaveLength(3);
    expect(fake.postsOf('open-wone')).toHaveLength(1);
    expect(fake.postsOf('open-wone')[0]?.sha256).toBe(await sha256Of(video));
  });
});

describe('limits and tokens', () => {
  it('is told to wait when it exceeds 20 creator_info calls a minute', async () => {
    for (let i = 0; i < 20; i += 1) await client.getCreatorInfo(account);
    await expect(client.getCreatorInfo(account)).rejects.toMatchObject({
      kind: 'rate_limited',
      code: 'rate_limit_exceeded',
      status: 429,
      retryAfterMs: 60_000,
    });
    fake.advance(61_000);
    await expect(client.getCreatorInfo(account)).resolves.toMatchObject({ username: 'wonecommerce' });
  });

  it('reports a wrong token as an auth problem on publish', async () => {
    const stranger = { ...account, accessToken: 'act.not-ours' };
    await expect(
      client.publish(stranger, videoPost(syntheticVideo(MB)), progressStore().context),
    ).rejects.toMatchObject({
      kind: 'auth',
      code: 'access_token_invalid',
      status: 401,
    });
  });

  it('keeps the rotated refresh token; the old one stops working', async () => {
    const now = new Date('2026-11-10T09:00:00Z');
    const timed = new TikTokClient({
      apiUrl: fake.url,
      clientKey: fake.clientKey,
      clientSecret: fake.clientSecret,
      now: () => now,
    });
    try {
      const refreshed = await timed.refreshToken(account, refreshToken);
      expect(refreshed.refreshToken).toMatch(/^rft\./);
      expect(refreshed.refreshToken).not.toBe(refreshToken);
      expect(refreshed.expiresAt).toEqual(new Date(now.getTime() + 86_400_000));
      expect(refreshed.refreshExpiresAt).toEqual(new Date(now.getTime() + 31_536_000_000));
      expect(await timed.checkToken({ ...account, accessToken: refreshed.accessToken })).toEqual({ valid: true });

      await expect(timed.refreshToken(account, refreshToken)).rejects.toMatchObject({
        kind: 'auth',
        code: 'invalid_grant',
      });
      const again = await timed.refreshToken(account, refreshed.refreshToken as string);
      expect(again.refreshToken).not.toBe(refreshed.refreshToken);
    } finally {
      await timed.close();
    }
  });

  it('exchanges an authorization code once', async () => {
    const code = fake.issueAuthCode('open-wone', 'https://wone.example/tiktok/callback/');
    const grant = await client.exchangeCode(code, 'https://wone.example/tiktok/callback/');
    expect(grant).toMatchObject({ openId: 'open-wone', scopes: expect.arrayContaining(['video.publish']) });
    await expect(client.exchangeCode(code, 'https://wone.example/tiktok/callback/')).rejects.toMatchObject({
      kind: 'auth',
      code: 'invalid_grant',
    });
  });

  it('finds expired and revoked tokens invalid', async () => {
    expect(await client.checkToken(account)).toEqual({ valid: true });
    await client.revokeToken(account);
    expect(await client.checkToken(account)).toMatchObject({
      valid: false,
      problem: expect.stringMatching(/Reconnect/),
    });
    await expect(client.refreshToken(account, refreshToken)).rejects.toMatchObject({ kind: 'auth' });

    const fresh = fake.issueTokens('open-wone');
    fake.advance(86_401_000);
    expect(await client.checkToken({ ...account, accessToken: fresh.accessToken })).toMatchObject({ valid: false });
  });

  it('never puts a token into an error', async () => {
    const error = (await client
      .publish({ ...account, accessToken: 'act.secret-value' }, videoPost(syntheticVideo(MB)), progressStore().context)
      .catch((e) => e)) as PlatformError;
    expect(`${error.message} ${error.userMessage}`).not.toContain('secret-value');
  });
});

/** The account with its API for Business connection made through the Business authorization. */
async function withBusiness(): Promise<AccountAccess> {
  const grant = await businessGrantByConsent(fake, 'open-wone');
  account = { ...account, business: { businessId: grant.businessId, accessToken: grant.accessToken } };
  return account;
}

describe('comments through the API for Business', () => {
  beforeEach(async () => {
    await withBusiness();
    fake.seedVideo('open-wone', '7300000000000000001');
    const start = Math.floor(fake.now() / 1000) - 10_000;
    for (let i = 0; i < 35; i += 1) {
      fake.seedComment('7300000000000000001', { text: `comment ${i}`, create_time: start + i * 60 });
    }
  });

  it('reads the newest page first, then only what is new, in one call each', async () => {
    const first = await client.listComments(account, { itemIds: ['7300000000000000001'] });
    expect(first.comments).toHaveLength(30);
    expect(first.comments[0]).toMatchObject({ text: 'comment 34', itemId: '7300000000000000001', fromOwner: false });
    expect(callsTo('GET', '/open_api/v1.3/business/comment/list/')).toHaveLength(1);
    const call = callsTo('GET', '/open_api/v1.3/business/comment/list/')[0];
    expect(call?.headers['access-token']).toBe(account.business?.accessToken);
    expect(call?.query.business_id).toBe(fake.businessIdOf('open-wone'));
    expect(call?.query.business_id).not.toBe('open-wone');

    fake.seedComment('7300000000000000001', { text: 'love it' });
    fake.seedComment('7300000000000000001', { text: 'where to buy?' });
    const second = await client.listComments(account, { itemIds: ['7300000000000000001'], cursor: first.cursor });
    expect(second.comments.map((c) => c.text).sort()).toEqual(['love it', 'where to buy?']);
    expect(callsTo('GET', '/open_api/v1.3/business/comment/list/')).toHaveLength(2);

    const third = await client.listComments(account, { itemIds: ['7300000000000000001'], cursor: second.cursor });
    expect(third.comments).toEqual([]);
  });

  it('pages back to the last seen comment when many arrived', async () => {
    const first = await client.listComments(account, { itemIds: ['7300000000000000001'] });
    for (let i = 0; i < 40; i += 1) fake.seedComment('7300000000000000001', { text: `burst ${i}` });
    const next = await client.listComments(account, { itemIds: ['7300000000000000001'], cursor: first.cursor });
    expect(next.comments).toHaveLength(40);
    expect(callsTo('GET', '/open_api/v1.3/business/comment/list/')).toHaveLength(3);
  });

  it('replies and hides', async () => {
    const [target] = fake.commentsOn('7300000000000000001');
    const ref = { itemId: '7300000000000000001', commentId: target?.comment_id as string };
    const reply = await client.replyToComment(account, ref, 'Thank you! Link in bio.');
    expect(fake.commentsOn('7300000000000000001').find((c) => c.comment_id === reply.id)).toMatchObject({
      parent_comment_id: ref.commentId,
      owner: true,
      text: 'Thank you! Link in bio.',
    });
    await client.setCommentHidden(account, ref, true);
    expect(target?.status).toBe('HIDDEN');
    await client.setCommentHidden(account, ref, false);
    expect(target?.status).toBe('PUBLIC');
    await expect(client.replyToComment(account, ref, 'x'.repeat(151))).rejects.toMatchObject({
      code: 'reply_too_long',
    });
    expect(callsTo('POST', '/open_api/v1.3/business/comment/reply/create/')).toHaveLength(1);
  });

  it('says clearly when the account has no API for Business connection', async () => {
    const { business: _none, ...loginKitOnly } = account;
    await expect(client.listComments(loginKitOnly, { itemIds: ['7300000000000000001'] })).rejects.toMatchObject({
      kind: 'permanent',
      code: 'business_api_unavailable',
    });
    const noBusiness = new TikTokClient({
      apiUrl: fake.url,
      clientKey: fake.clientKey,
      clientSecret: fake.clientSecret,
    });
    await expect(noBusiness.getItemInsights(account, ['1'])).rejects.toMatchObject({
      code: 'business_api_unavailable',
    });
    await noBusiness.close();
  });

  it('the API for Business refuses a Login Kit token (40105): only that connection needs making again', async () => {
    const wrong = {
      ...account,
      business: { businessId: fake.businessIdOf('open-wone'), accessToken: account.accessToken },
    };
    await expect(client.listComments(wrong, { itemIds: ['7300000000000000001'] })).rejects.toMatchObject({
      kind: 'permanent',
      code: 'business_reconnect_needed',
    });
    const calls = callsTo('GET', '/open_api/v1.3/business/comment/list/');
    expect(calls).toHaveLength(1);
    expect(JSON.stringify(fake.server.calls.at(-1))).not.toContain('"code":0');
  });

  it('the API for Business knows the account by its business id, not the Login Kit open_id', async () => {
    const byOpenId = {
      ...account,
      business: { businessId: 'open-wone', accessToken: account.business?.accessToken ?? '' },
    };
    await expect(client.listComments(byOpenId, { itemIds: ['7300000000000000001'] })).rejects.toMatchObject({
      code: '40002',
    });
  });

  it('reports a dead Business token as that connection needing to be made again', async () => {
    await expect(
      client.listComments(
        { ...account, business: { businessId: fake.businessIdOf('open-wone'), accessToken: 'act.gone' } },
        { itemIds: ['7300000000000000001'] },
      ),
    ).rejects.toMatchObject({ code: 'business_reconnect_needed' });
  });
});

describe('Login Kit connect asks only Login Kit APIs', () => {
  it('reads the profile from the Display API and creator_info, never the API for Business', async () => {
    const profile = await client.getProfile(account);
    expect(profile).toEqual({ displayName: 'Wone', username: 'wonecommerce' });
    expect(fake.server.calls.filter((call) => call.path.startsWith('/open_api/'))).toEqual([]);
  });

  it('refreshes and revokes the Business grant with the Business app', async () => {
    const grant = await businessGrantByConsent(fake, 'open-wone');
    const business = new TikTokClient({
      apiUrl: fake.url,
      businessApiUrl: fake.url,
      clientKey: fake.clientKey,
      clientSecret: fake.clientSecret,
      businessAppId: fake.businessAppId,
      businessAppSecret: fake.businessAppSecret,
    });
    try {
      const refreshed = await business.refreshBusinessToken(grant.refreshToken as string);
      expect(refreshed.accessToken).not.toBe(grant.accessToken);
      await expect(business.refreshBusinessToken(grant.refreshToken as string)).rejects.toMatchObject({
        code: '40105',
      });
      expect(fake.hasLiveBusinessGrant('open-wone')).toBe(true);
      await business.revokeBusinessToken(refreshed.accessToken);
      expect(fake.hasLiveBusinessGrant('open-wone')).toBe(false);
      expect(fake.hasLiveGrant('open-wone')).toBe(true);
    } finally {
      await business.close();
    }
  });

  it('a personal account cannot grant the Business authorization', async () => {
    fake.seedAccount({ openId: 'open-personal', username: 'personal' });
    await expect(businessGrantByConsent(fake, 'open-personal')).rejects.toThrow(/refused/);
  });
});

describe('insights through the API for Business', () => {
  beforeEach(async () => {
    await withBusiness();
  });

  it('maps item metrics to the digest names, one call for many posts', async () => {
    fake.seedVideo('open-wone', '7300000000000000011', {
      video_views: 1200,
      likes: 80,
      comments: 9,
      shares: 4,
      reach: 950,
    });
    fake.seedVideo('open-wone', '7300000000000000012', {
      video_views: 30,
      likes: 2,
      comments: 0,
      shares: 0,
      reach: 25,
    });
    const results = await client.getItemInsights(account, [
      '7300000000000000011',
      '7300000000000000012',
      'v_pub_url~v2.9',
    ]);
    expect(results[0]).toEqual({
      remoteId: '7300000000000000011',
      metrics: { view_count: 1200, like_count: 80, comment_count: 9, share_count: 4, reach: 950 },
      skipped: [],
    });
    expect(results[1]?.metrics.view_count).toBe(30);
    expect(results[2]).toMatchObject({ remoteId: 'v_pub_url~v2.9', metrics: {} });
    expect(results[2]?.skipped).toHaveLength(5);
    const calls = callsTo('GET', '/open_api/v1.3/business/video/list/');
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]?.query.filters ?? '{}')).toEqual({
      video_ids: ['7300000000000000011', '7300000000000000012'],
    });
  });

  it('reads followers and daily metrics for the period', async () => {
    const wone = fake.account('open-wone');
    wone.followers = 5400;
    wone.dailyMetrics = [
      { date: '2026-11-03', video_views: 300, profile_views: 12, likes: 30, comments: 3, shares: 1 },
      { date: '2026-11-02', video_views: 200, profile_views: 10, likes: 20, comments: 2, shares: 0 },
      { date: '2026-10-20', video_views: 999, profile_views: 99, likes: 99, comments: 9, shares: 9 },
    ];
    const insights = await client.getAccountInsights(account, {
      since: new Date('2026-11-01T00:00:00Z'),
      until: new Date('2026-11-07T00:00:00Z'),
    });
    expect(insights.followers).toBe(5400);
    expect(insights.daily.map((d) => d.date)).toEqual(['2026-11-02', '2026-11-03']);
    expect(insights.metrics).toEqual({
      view_count: 500,
      profile_views: 22,
      like_count: 50,
      comment_count: 5,
      share_count: 1,
    });
    expect(insights.skipped).toEqual([]);
  });
});

describe('HTTP calls per publish', () => {
  async function count(request: PublishRequest): Promise<Record<string, number>> {
    const before = fake.server.calls.length;
    await client.publish(account, request, progressStore().context);
    const calls = fake.server.calls.slice(before);
    const byPath = (pattern: RegExp) => calls.filter((call) => pattern.test(call.path)).length;
    return {
      creatorInfo: byPath(/creator_info/),
      init: byPath(/\/init\/$/),
      upload: byPath(/^\/upload\//),
      status: byPath(/status\/fetch/),
      total: calls.length,
    };
  }

  it('stays at the documented minimum for each kind of post', async () => {
    fake.rateLimits = false;
    expect(await count(videoPost(syntheticVideo(Math.floor(37.5 * MB))))).toEqual({
      creatorInfo: 1,
      init: 1,
      upload: 3,
      status: 2,
      total: 7,
    });
    expect(await count(videoPost(syntheticVideo(MB), { source: 'pull_from_url' }))).toEqual({
      creatorInfo: 1,
      init: 1,
      upload: 0,
      status: 2,
      total: 4,
    });
    expect(await count(photoPost(5))).toEqual({ creatorInfo: 1, init: 1, upload: 0, status: 2, total: 4 });
    expect(await count(videoPost(syntheticVideo(3 * MB), { mode: 'inbox', privacyLevel: undefined }))).toEqual({
      creatorInfo: 1,
      init: 1,
      upload: 1,
      status: 2,
      total: 5,
    });
  });
});
