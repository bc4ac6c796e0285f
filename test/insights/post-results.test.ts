import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFromEnvironment, type WoneApp } from '../../src/app.ts';
import { postResultsJob } from '../../src/jobs/post-results.ts';
import { createLogger } from '../../src/logger.ts';
import { FakeSlack, type SlackMessage } from '../../src/sandbox/fake-slack.ts';
import { GraphFake } from '../../src/sandbox/graph-fake.ts';
import { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import type { PostResultDoc } from '../../src/services/post-results.ts';
import type { PostDoc } from '../../src/services/posts.ts';
import type { TargetDoc } from '../../src/services/targets.ts';
import { forgetLoginCalls, pageTokenByConsent } from '../harness/meta-consent.ts';
import { ADMIN, APPROVER, EDITOR, TEAM_ID, testEnvironment } from '../harness/test-app.ts';
import { draftWith, until } from '../posts/post-harness.ts';
import { connectTikTok, insertTarget, tiktokEnvironment } from './insights-fixtures.ts';

const PAGE_ID = '100200300400599';
const FB = `facebook:${PAGE_ID}`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const quiet = () =>
  createLogger(
    'error',
    new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    }),
  );

let graph: GraphFake;
let slack: FakeSlack;
let tiktok: TikTokFake;
let pageToken: string;
const apps: WoneApp[] = [];
/** Starts one more instance on the same database, fakes and clock. */
let startInstance: () => Promise<WoneApp>;
/** The apps' clock: tests move it to a checkpoint. */
let now = Date.now();

function app(index = 0): WoneApp {
  const found = apps[index];
  if (!found) throw new Error('no app');
  return found;
}

beforeAll(async () => {
  graph = new GraphFake({ startAt: Date.now() });
  const { facebookUrl, instagramUrl } = await graph.start();
  tiktok = new TikTokFake();
  await tiktok.start();
  slack = new FakeSlack('xoxb-test-token', TEAM_ID);
  await slack.start();
  slack.addUser({ id: ADMIN, name: 'ada', tz: 'Europe/Berlin' });
  slack.addUser({ id: APPROVER, name: 'april', tz: 'America/New_York' });
  slack.addUser({ id: EDITOR, name: 'eddie', tz: 'Asia/Tokyo' });
  // Two instances of the app on one database, as behind a load balancer, sharing one clock.
  const env = testEnvironment(slack, {
    META_APP_ID: graph.appId,
    META_APP_SECRET: graph.appSecret,
    META_GRAPH_URL: facebookUrl,
    INSTAGRAM_GRAPH_URL: instagramUrl,
    ...tiktokEnvironment(tiktok),
  });
  startInstance = () =>
    startFromEnvironment(env, {
      logger: quiet(),
      slackRetryConfig: { retries: 0 },
      jobPollInterval: 200,
      clock: () => new Date(now),
    });
  for (let i = 0; i < 2; i++) apps.push(await startInstance());
  graph.seedPage({ id: PAGE_ID, name: 'Wone Commerce' });
  pageToken = await pageTokenByConsent(graph, PAGE_ID);
  forgetLoginCalls(graph);
  await app().services.accounts.save({
    _id: FB,
    platform: 'facebook',
    login: 'facebook',
    externalId: PAGE_ID,
    name: 'Wone Commerce',
    status: 'ok',
    scopes: [],
    connectedBy: ADMIN,
    connectedAt: new Date(),
    accessToken: pageToken,
  });
});
afterAll(async () => {
  for (const running of apps) await running.stop();
  await graph?.stop();
  await tiktok?.stop();
  await slack?.stop();
});

/** A Facebook text post drafted, approved and published by the app; returns the post and its live target. */
async function publishedPost(caption: string): Promise<{ post: PostDoc; target: TargetDoc & { remoteId: string } }> {
  const { services } = app();
  // Publishing runs on the scheduler's own time: the clock is back at the real time while the post goes out.
  now = Date.now();
  const id = await services.drafts.save({
    draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption }),
    files: [],
    timezone: 'Europe/Berlin',
    by: EDITOR,
  });
  const pending = await services.drafts.prepare(id);
  if (!pending) throw new Error('not prepared');
  await services.approvals.approve(id, pending.revision, APPROVER);
  const post = await until(async () => {
    const found = await services.posts.get(id);
    return found?.state === 'published' ? found : undefined;
  });
  const [target] = await services.targets.ofPost(id);
  if (!target?.remoteId || !target.publishedAt) throw new Error('not live');
  return { post, target: target as TargetDoc & { remoteId: string } };
}

/** Figures of earlier Facebook text posts of the account, as earlier checkpoints stored them. */
async function seedHistory(
  checkpoint: '24h' | '7d',
  rows: Record<string, number>[],
  account: Pick<PostResultDoc, 'accountId' | 'platform' | 'postType'> = {
    accountId: FB,
    platform: 'facebook',
    postType: 'facebook_text',
  },
) {
  const docs: PostResultDoc[] = rows.map((metrics, i) => ({
    _id: `history-${checkpoint}-${i}:${account.accountId}|${checkpoint}`,
    version: 1,
    targetId: `history-${checkpoint}-${i}:${account.accountId}`,
    postId: `history-${checkpoint}-${i}`,
    ...account,
    checkpoint,
    publishedAt: new Date(now - (10 + i) * DAY),
    state: 'posted',
    claimedBy: 'earlier',
    claimedAt: new Date(now - (9 + i) * DAY),
    attempts: 1,
    metrics: account.platform === 'facebook' ? { ...metrics, comments: 1, shares: 1 } : metrics,
    refused: [],
  }));
  await app().services.db.collection<PostResultDoc>('post_results').insertMany(docs);
}

const repliesIn = (post: PostDoc, prefix: string): SlackMessage[] =>
  slack.messages.filter((m) => m.thread_ts === post.approvalMessage?.ts && (m.text ?? '').startsWith(prefix));

const textOf = (message: SlackMessage | undefined) => JSON.stringify(message?.blocks ?? []);

/** Both instances run the check at the same moment, as two schedulers could. */
async function bothRun() {
  return Promise.all(apps.map((running) => running.services.postResults.runDue()));
}

describe('results checkpoints in the approval thread', () => {
  it('keep one repeating check job every RESULTS_CHECK_MINUTES (default 5)', async () => {
    const jobs = await app().services.db.collection('jobs').find({ name: postResultsJob }).toArray();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.repeatInterval).toBe('5 minutes');
  });

  it('reply once at 24 hours and once at 7 days with the figures and the usual ones, with two instances', async () => {
    const { post, target } = await publishedPost('Winter sale starts today');
    const published = target.publishedAt?.getTime() ?? 0;
    now = published + HOUR;
    await seedHistory('24h', [
      { views: 400, reach: 100, reactions: 10 },
      { views: 500, reach: 200, reactions: 20 },
      { views: 600, reach: 300, reactions: 30 },
      { views: 700, reach: 400, reactions: 40 },
    ]);
    await seedHistory('7d', [
      { views: 1000, reach: 300, reactions: 20 },
      { views: 1200, reach: 600, reactions: 40 },
      { views: 1400, reach: 900, reactions: 60 },
    ]);
    graph.setInsights(target.remoteId, {
      post_media_view: 1100,
      post_total_media_view_unique: 525,
      post_reactions_by_type_total: { like: 30, love: 20 },
    });
    graph.setShares(target.remoteId, 4);
    graph.seedComment({ itemId: target.remoteId, text: 'Nice!' });
    graph.seedComment({ itemId: target.remoteId, text: 'When does it end?' });

    // Before the checkpoint nothing is due, and nothing is asked of Graph.
    now = published + 23 * HOUR;
    const calls = graph.facebook.calls.length;
    const early = await bothRun();
    expect(early.map((r) => r.due)).toEqual([0, 0]);
    expect(graph.facebook.calls.length).toBe(calls);
    expect(repliesIn(post, 'Results')).toHaveLength(0);

    // 24 hours: one reply, whichever instance claims it; the Page's posts read in one Graph batch.
    now = published + 24 * HOUR + 60_000;
    const first = await bothRun();
    expect(first.map((r) => r.posted).sort()).toEqual([0, 1]);
    expect(graph.facebook.calls.slice(calls).map((c) => `${c.method} ${c.path}`)).toEqual(['POST /v25.0/']);
    const day = repliesIn(post, 'Results after 24 hours');
    expect(day).toHaveLength(1);
    const dayText = textOf(day[0]);
    expect(dayText).toContain('*Views* 1,100 — 2.0× your usual text post views (usual 550, 4 text posts)');
    expect(dayText).toContain('*Reach* 525 — 2.1× your usual text post reach (usual 250, 4 text posts)');
    expect(dayText).toContain('*Reactions* 50 — 2.0× your usual text post reactions (usual 25, 4 text posts)');
    expect(dayText).toContain('*Comments* 2 — 2.0× your usual text post comments (usual 1, 4 text posts)');
    expect(dayText).toContain('*Shares* 4 — 4.0× your usual text post shares (usual 1, 4 text posts)');
    expect(dayText).not.toContain('does not give');

    // Later runs during the same checkpoint post nothing more and read nothing.
    now += 5 * 60_000;
    const again = await bothRun();
    expect(again.map((r) => r.due)).toEqual([0, 0]);
    expect(repliesIn(post, 'Results after 24 hours')).toHaveLength(1);

    // 7 days: one more reply, compared with the 7-day figures of earlier posts.
    graph.setInsights(target.remoteId, { post_media_view: 2600, post_total_media_view_unique: 1200 });
    now = published + 7 * DAY + 60_000;
    const week = await bothRun();
    expect(week.map((r) => r.posted).sort()).toEqual([0, 1]);
    const weekReplies = repliesIn(post, 'Results after 7 days');
    expect(weekReplies).toHaveLength(1);
    expect(textOf(weekReplies[0])).toContain(
      '*Views* 2,600 — 2.2× your usual text post views (usual 1,200, 3 text posts)',
    );
    expect(textOf(weekReplies[0])).toContain(
      '*Reach* 1,200 — 2.0× your usual text post reach (usual 600, 3 text posts)',
    );
    expect(repliesIn(post, 'Results after 24 hours')).toHaveLength(1);

    const stored = await app()
      .services.db.collection<PostResultDoc>('post_results')
      .find({ targetId: target._id })
      .sort({ checkpoint: 1 })
      .toArray();
    expect(stored.map((doc) => [doc.checkpoint, doc.state, doc.metrics?.reach])).toEqual([
      ['24h', 'posted', 525],
      ['7d', 'posted', 1200],
    ]);
  });

  it('say once that a metric was refused, and leave it out', async () => {
    const { post, target } = await publishedPost('Behind the scenes');
    const published = target.publishedAt?.getTime() ?? 0;
    graph.refuseMetric(target.remoteId, 'post_total_media_view_unique');
    now = published + 24 * HOUR + 60_000;
    await bothRun();
    const day = repliesIn(post, 'Results after 24 hours');
    expect(day).toHaveLength(1);
    expect(textOf(day[0])).not.toContain('*Reach*');
    expect(textOf(day[0])).toContain('Facebook does not give reach');
    now = published + 7 * DAY + 60_000;
    await bothRun();
    const week = repliesIn(post, 'Results after 7 days');
    expect(week).toHaveLength(1);
    expect(textOf(week[0])).not.toContain('*Reach*');
    expect(textOf(week[0])).not.toContain('does not give');
  });

  it('reply with what TikTok gives for a video, compared with the usual TikTok video', async () => {
    const { post, target } = await publishedPost('Also on TikTok');
    const published = target.publishedAt?.getTime() ?? 0;
    now = published + HOUR;
    tiktok.seedAccount({ openId: 'tt-results', username: 'wone.tt' });
    const tt = await connectTikTok(app().services, tiktok, 'tt-results', '@wone.tt');
    tiktok.seedVideo('tt-results', '7300000000000000077', {
      video_views: 1200,
      reach: 900,
      likes: 90,
      comments: 12,
      shares: 7,
    });
    await insertTarget(app().services.db, {
      postId: post._id,
      accountId: tt,
      platform: 'tiktok',
      postType: 'tiktok_video',
      caption: 'Also on TikTok',
      remoteId: '7300000000000000077',
      publishedAt: target.publishedAt ?? new Date(published),
    });
    await seedHistory(
      '24h',
      [
        { view_count: 400, reach: 300, like_count: 30 },
        { view_count: 500, reach: 350, like_count: 40 },
        { view_count: 600, reach: 400, like_count: 50 },
      ],
      { accountId: tt, platform: 'tiktok', postType: 'tiktok_video' },
    );
    now = published + 24 * HOUR + 60_000;
    const calls = tiktok.server.calls.length;
    await bothRun();
    const replies = repliesIn(post, 'Results after 24 hours on TikTok');
    expect(replies).toHaveLength(1);
    const text = textOf(replies[0]);
    expect(text).toContain('*Views* 1,200 — 2.4× your usual video views (usual 500, 3 videos)');
    expect(text).toContain('*Reach* 900 — 2.6× your usual video reach (usual 350, 3 videos)');
    expect(text).toContain('*Likes* 90 — 2.3× your usual video likes (usual 40, 3 videos)');
    expect(text).toContain('*Comments* 12');
    expect(text).toContain('*Shares* 7');
    // One video list read for the account's due videos.
    expect(tiktok.server.calls.slice(calls).map((c) => `${c.method} ${c.path}`)).toEqual([
      expect.stringContaining('/business/video/list/'),
    ]);
    expect(repliesIn(post, 'Results after 24 hours on Facebook')).toHaveLength(1);
  });

  it('try a throttled read again on the next run, and still reply once', async () => {
    const { post, target } = await publishedPost('Flash sale');
    const published = target.publishedAt?.getTime() ?? 0;
    graph.throttle('facebook', 32, { times: 1 });
    now = published + 24 * HOUR + 60_000;
    const first = await app().services.postResults.runDue();
    expect(first).toMatchObject({ due: 1, claimed: 1, posted: 0, failed: 1 });
    expect(repliesIn(post, 'Results')).toHaveLength(0);
    now += 5 * 60_000;
    const second = await bothRun();
    expect(second.map((r) => r.posted).sort()).toEqual([0, 1]);
    expect(repliesIn(post, 'Results after 24 hours')).toHaveLength(1);
    const stored = await app()
      .services.db.collection<PostResultDoc>('post_results')
      .findOne({ _id: `${target._id}|24h` });
    expect(stored).toMatchObject({ state: 'posted', attempts: 2 });
  });

  it('run from the scheduled job after a restart, and note a refused login instead of failing', async () => {
    const { post, target } = await publishedPost('Gift guide');
    const published = target.publishedAt?.getTime() ?? 0;
    graph.setTokenStatus(pageToken, 'password_changed');
    // One instance restarts while the checkpoint passes; the new one's recurring job (here run at once, as at its next
    // 5-minute tick) finds it from the stored targets.
    await app(1).stop();
    apps[1] = await startInstance();
    now = published + 30 * HOUR;
    await app(1).services.scheduler.now(postResultsJob);
    const note = await until(async () => repliesIn(post, 'No results after 24 hours')[0]);
    expect(textOf(note)).toContain("Facebook refused the account's login; it needs reconnecting.");
    const results = app().services.db.collection<PostResultDoc>('post_results');
    const stored = await until(async () => {
      const found = await results.findOne({ _id: `${target._id}|24h` });
      return found?.state === 'noted' ? found : undefined;
    });
    expect(stored.error).toContain('needs reconnecting');
    // Noted once: later runs do not read or post again for this checkpoint.
    const calls = graph.facebook.calls.length;
    await bothRun();
    expect(graph.facebook.calls.length).toBe(calls);
    expect(repliesIn(post, 'No results after 24 hours')).toHaveLength(1);
  });
});
