import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import { DIGEST_CHANNEL, startTestApp, type TestApp } from '../harness/test-app.ts';
import { connectTikTok, daysOf, during, insertTarget, tiktokEnvironment, weeks } from './insights-fixtures.ts';

const OPEN_ID = 'tt-wone-1';
const BUSINESS = '/open_api/v1.3/business';

let tiktok: TikTokFake;
let t: TestApp;

beforeAll(async () => {
  tiktok = new TikTokFake();
  await tiktok.start();
  t = await startTestApp(tiktokEnvironment(tiktok));
});
afterAll(async () => {
  await t?.stop();
  await tiktok?.stop();
});

/** PNG signature, then the IHDR chunk: width and height as big-endian 32-bit integers at bytes 16 and 20. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const buffer = Buffer.from(bytes);
  expect([...buffer.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(buffer.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

const businessCalls = (path: string) => tiktok.server.callsTo('GET', `${BUSINESS}${path}`).length;

describe('the weekly digest, end to end against the TikTok fake', () => {
  it('compares this week with what was measured last week, lists top and failed posts, and threads the chart', async () => {
    const { services, config } = t.app;
    const { db } = services;
    const { current, previous } = weeks();
    expect(config.DIGEST_CRON).toBe('0 9 * * 1');

    // Last week: 5,000 followers, 500 views a day, two posts.
    const account = tiktok.seedAccount({
      openId: OPEN_ID,
      followers: 5000,
      dailyMetrics: daysOf(previous).map((date) => ({
        date,
        video_views: 500,
        profile_views: 10,
        likes: 20,
        comments: 2,
        shares: 1,
      })),
    });
    const accountId = await connectTikTok(services, tiktok, OPEN_ID, '@wonecommerce');
    tiktok.seedVideo(OPEN_ID, '7300000000000000001', { video_views: 1000, likes: 50, comments: 5, shares: 2 });
    tiktok.seedVideo(OPEN_ID, '7300000000000000002', { video_views: 500, likes: 30, comments: 3, shares: 1 });
    for (const [day, remoteId] of [
      [1, '7300000000000000001'],
      [4, '7300000000000000002'],
    ] as const) {
      await insertTarget(db, {
        accountId,
        platform: 'tiktok',
        caption: `Last week ${remoteId}`,
        remoteId,
        permalink: `https://www.tiktok.com/@wonecommerce/video/${remoteId}`,
        publishedAt: during(previous, day),
      });
    }
    const lastWeek = await services.insightsPublisher.postWeeklyDigest(during(current, 0));
    expect(lastWeek.status).toBe('posted');
    // First digest ever: nothing stored for the week before, so that week's account figures are read once (backfill).
    expect(businessCalls('/get/')).toBe(2);
    expect(businessCalls('/video/list/')).toBe(1);

    // This week: the platform now says 5,400 followers; 400..1,000 views a day; three posts and one failure.
    account.followers = 5400;
    account.dailyMetrics.push(
      ...daysOf(current).map((date, i) => ({
        date,
        video_views: 400 + i * 100,
        profile_views: 12,
        likes: 30,
        comments: 3,
        shares: 2,
      })),
    );
    const posts = [
      { remoteId: '7300000000000000011', stats: { video_views: 2000, likes: 150, comments: 20, shares: 10 } },
      { remoteId: '7300000000000000012', stats: { video_views: 1200, likes: 80, comments: 9, shares: 4 } },
      { remoteId: '7300000000000000013', stats: { video_views: 300, likes: 10, comments: 1, shares: 0 } },
    ];
    for (const [i, post] of posts.entries()) {
      tiktok.seedVideo(OPEN_ID, post.remoteId, post.stats);
      await insertTarget(db, {
        accountId,
        platform: 'tiktok',
        caption: `Autumn drop part ${i + 1} <with> & more`,
        remoteId: post.remoteId,
        permalink: `https://www.tiktok.com/@wonecommerce/video/${post.remoteId}`,
        publishedAt: during(current, i + 1),
      });
    }
    await insertTarget(db, {
      accountId,
      platform: 'tiktok',
      state: 'failed',
      caption: 'The one that failed',
      error: 'TikTok refused the video: it is longer than the account allows.',
      updatedAt: during(current, 5),
    });
    const callsBefore = { get: businessCalls('/get/'), list: businessCalls('/video/list/') };

    const outcome = await services.insightsPublisher.postWeeklyDigest(during(current, 7));
    expect(outcome.status).toBe('posted');
    if (outcome.status !== 'posted') return;

    // Few calls: one for the account's figures, one for all three posts; last week comes from the database.
    expect(businessCalls('/get/') - callsBefore.get).toBe(1);
    expect(businessCalls('/video/list/') - callsBefore.list).toBe(1);

    const digests = t.slack.messages.filter((m) => m.channel === DIGEST_CHANNEL && !m.thread_ts);
    expect(digests).toHaveLength(2);
    const digest = digests[1];
    expect(digest?.ts).toBe(outcome.ts);
    const text = JSON.stringify(digest?.blocks);
    // Summary: 3 posts vs 2, views 4,900 vs 3,500, followers 5,400 vs 5,000 (as stored last week, not re-read).
    expect(text).toContain('*Posts published*\\n3 (▲ 50%, +1)');
    expect(text).toContain('*Views*\\n4,900 (▲ 40%, +1,400)');
    expect(text).toContain('*Followers*\\n5,400 (▲ 8%, +400)');
    expect(text).toContain('*Failed to publish*\\n1');
    // The account: post views 3,500 vs 1,500, and the engagement summed over this week's posts.
    expect(text).toContain('3 posts published (2 the period before) · their views 3,500 (▲ 133%, +2,000)');
    // TikTok counts no reach per post: the engagement rate is per view, 284 of 3,500.
    expect(text).toContain('On these posts: 240 likes · 30 comments · 14 shares · engagement rate 8.1% of views');
    // Top posts, most viewed first, linked; captions escaped.
    const top = text.slice(text.indexOf('*Top posts*'));
    expect(top.indexOf('7300000000000000011')).toBeLessThan(top.indexOf('7300000000000000012'));
    expect(top).toContain(
      '1. <https://www.tiktok.com/@wonecommerce/video/7300000000000000011|Autumn drop part 1 &lt;with&gt; &amp; more> — @wonecommerce (TikTok) · 2,000 views',
    );
    expect(text).toContain('The one that failed');
    expect(text).toContain('longer than the account allows');
    expect(digest?.text).toContain('3 posts, 4,900 views, 5,400 followers');

    // What was measured is stored for next week's comparison.
    const stored = await db.collection('insight_snapshots').findOne({ accountId, since: current.since });
    expect(stored).toMatchObject({ source: 'measured', followers: 5400, postCount: 3, postViews: 3500 });
    expect(stored?.metrics).toEqual({ view_count: 4900 });

    // The chart: a PNG of the expected size, in the digest's thread in the digest channel.
    const upload = t.slack.uploads.find((u) => u.thread_ts === outcome.ts);
    expect(upload?.channel_id).toBe(DIGEST_CHANNEL);
    expect(upload?.filename).toBe('insights-per-day.png');
    expect(pngSize(upload?.bytes ?? new Uint8Array())).toEqual({ width: 1600, height: 800 });

    // The same week again (a retried job, another instance): nothing more is posted.
    expect((await services.insightsPublisher.postWeeklyDigest(during(current, 7))).status).toBe('already_claimed');
    expect(t.slack.messages.filter((m) => m.channel === DIGEST_CHANNEL && !m.thread_ts)).toHaveLength(2);
  });

  it('notes a figure the platform did not give and a post it refused, and still posts the rest', async () => {
    const { services } = t.app;
    const { current } = weeks();
    const openId = 'tt-wone-2';
    // No daily views from TikTok for this account (a metric it does not return), and one post TikTok does not know.
    tiktok.seedAccount({
      openId,
      followers: 120,
      dailyMetrics: daysOf(current).map(
        (date) => ({ date, profile_views: 3, likes: 4, comments: 1, shares: 0 }) as never,
      ),
    });
    const accountId = await connectTikTok(services, tiktok, openId, '@wonelabs');
    tiktok.seedVideo(openId, '7300000000000000021', { video_views: 90, likes: 9, comments: 1, shares: 1 });
    await insertTarget(db(), {
      accountId,
      platform: 'tiktok',
      caption: 'Known post',
      remoteId: '7300000000000000021',
      publishedAt: during(current, 2),
    });
    await insertTarget(db(), {
      accountId,
      platform: 'tiktok',
      caption: 'Removed post',
      remoteId: '7300000000000000099',
      publishedAt: during(current, 3),
    });

    const report = await services.insights.buildReport(current, { accountId });
    const account = report.accounts[0];
    expect(account?.current.followers).toBe(120);
    expect(account?.posts.find((p) => p.remoteId === '7300000000000000021')?.metrics).toEqual({
      view_count: 90,
      like_count: 9,
      comment_count: 1,
      share_count: 1,
    });
    expect(account?.notes).toContainEqual({
      metric: 'view_count',
      scope: 'account',
      reason: 'TikTok returned no daily values',
    });
    expect(account?.notes).toContainEqual({
      metric: 'view_count',
      scope: 'posts',
      reason: 'TikTok did not return this post',
      posts: 1,
    });
    expect(account?.problems).toEqual([]);
  });
});

function db() {
  return t.app.services.db;
}
