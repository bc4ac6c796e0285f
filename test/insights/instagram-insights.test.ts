import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountAccess } from '../../src/platforms/types.ts';
import { GraphFake } from '../../src/sandbox/graph-fake.ts';
import { instagramViaPageTokenByConsent } from '../harness/meta-consent.ts';
import { ADMIN, DIGEST_CHANNEL, startTestApp, type TestApp } from '../harness/test-app.ts';
import { jpeg, progressStore } from '../platforms/meta-harness.ts';
import { during, insertTarget, weeks } from './insights-fixtures.ts';

let graph: GraphFake;
let t: TestApp;

beforeAll(async () => {
  graph = new GraphFake({ startAt: Date.now() });
  const { facebookUrl, instagramUrl } = await graph.start();
  t = await startTestApp({
    META_APP_ID: graph.appId,
    META_APP_SECRET: graph.appSecret,
    META_GRAPH_URL: facebookUrl,
    INSTAGRAM_GRAPH_URL: instagramUrl,
    META_GRAPH_VERSION: 'v25.0',
  });
});
afterAll(async () => {
  await t?.stop();
  await graph?.stop();
});

// Through Facebook Login (graph.facebook.com), where Meta serves batch requests.
describe('Instagram insights in the digest, against the Graph fake', () => {
  it('skips and notes the metrics Instagram refuses for a story, and reports the rest', async () => {
    const { services } = t.app;
    const instagram = services.platforms.instagram;
    if (!instagram) throw new Error('Instagram is not switched on');
    const igId = graph.seedInstagramAccount({ username: 'wone.shop', followersCount: 2400 }).id;
    const token = await instagramViaPageTokenByConsent(graph, igId);
    await services.accounts.save({
      _id: `instagram:${igId}`,
      platform: 'instagram',
      login: 'facebook',
      externalId: igId,
      name: '@wone.shop',
      status: 'ok',
      scopes: ['instagram_basic', 'instagram_manage_insights'],
      connectedBy: ADMIN,
      connectedAt: new Date(),
      accessToken: token,
    });
    const access: AccountAccess = { platform: 'instagram', externalId: igId, login: 'facebook', accessToken: token };

    // A feed post and a story, published through the real client.
    const feed = await instagram.publish(
      access,
      { postType: 'instagram_feed', caption: 'Autumn collection', media: [jpeg('feed')] },
      progressStore().context(),
    );
    const story = await instagram.publish(
      access,
      { postType: 'instagram_story', caption: '', media: [jpeg('story')] },
      progressStore().context(),
    );
    if (feed.status !== 'published' || story.status !== 'published') throw new Error('not published');
    graph.setInsights(feed.remoteId, { views: 900, reach: 640, likes: 55, saved: 7, shares: 3 });
    graph.setInsights(story.remoteId, { views: 300, reach: 250, shares: 1 });
    const { current } = weeks();
    for (const [day, outcome, caption] of [
      [1, feed, 'Autumn collection'],
      [2, story, 'Story'],
    ] as const) {
      await insertTarget(services.db, {
        accountId: `instagram:${igId}`,
        platform: 'instagram',
        caption,
        remoteId: outcome.remoteId,
        publishedAt: during(current, day),
      });
    }

    const before = { calls: graph.facebook.calls.length, ops: graph.batched.facebook.length };
    const outcome = await services.insightsPublisher.postWeeklyDigest(during(current, 7));
    expect(outcome.status).toBe('posted');
    const calls = graph.facebook.calls.slice(before.calls).map((c) => `${c.method} ${c.path}`);
    const batched = graph.batched.facebook.slice(before.ops);

    const report = await services.insights.buildReport(current);
    const account = report.accounts[0];
    expect(account?.current.followers).toBe(2400);
    expect(account?.posts.find((p) => p.remoteId === feed.remoteId)?.metrics).toMatchObject({
      views: 900,
      reach: 640,
      likes: 55,
      saved: 7,
      shares: 3,
    });
    const storyFigures = account?.posts.find((p) => p.remoteId === story.remoteId)?.metrics;
    expect(storyFigures).toMatchObject({ views: 300, reach: 250, shares: 1 });
    expect(storyFigures).not.toHaveProperty('likes');
    const skipped = account?.notes.filter((n) => n.scope === 'posts').map((n) => n.metric);
    expect(skipped).toEqual(expect.arrayContaining(['likes', 'saved']));
    expect(account?.notes.find((n) => n.metric === 'likes')?.reason).toContain('does not support the likes metric');

    const digest = t.slack.messages.find(
      (m) => m.channel === DIGEST_CHANNEL && m.ts === (outcome as { ts: string }).ts,
    );
    const text = JSON.stringify(digest?.blocks);
    expect(text).toContain('Instagram gave no likes for 1 post');
    expect(text).toContain('2 posts published (0 the period before) · their views 1,200');
    // Calls for this first digest: the two posts in one batch; the story's 7 metrics one by one in a second batch
    // (it refused the set); the account's followers, totals and reach per day in one batch; the previous week's
    // account figures in one more, read once because nothing was stored then. 4 HTTP calls (15 before batching);
    // Graph still counts the 15 reads inside them against its rate limits.
    expect(calls).toEqual(Array(4).fill('POST /v25.0/'));
    const ops = batched.map((op) => `${op.method} ${op.path}`);
    const media = (id: string) => ops.filter((op) => op === `GET /${id}/insights`).length;
    expect(media(feed.remoteId)).toBe(1);
    expect(media(story.remoteId)).toBe(8);
    expect(ops.filter((op) => op === `GET /${igId}`)).toHaveLength(2);
    expect(media(igId)).toBe(4);
    expect(ops).toHaveLength(15);
    // Never a deprecated metric asked for.
    expect(batched.map((op) => op.query.metric ?? '').join('\n')).not.toMatch(/impressions|plays|video_views/);
  });

  it('reads an account with any number of feed posts in a constant number of calls', async () => {
    const { services } = t.app;
    const instagram = services.platforms.instagram;
    if (!instagram) throw new Error('Instagram is not switched on');
    const { current } = weeks();
    const callsFor = async (posts: number) => {
      const igId = graph.seedInstagramAccount({ username: `wone.shop${posts}`, followersCount: 100 }).id;
      const token = await instagramViaPageTokenByConsent(graph, igId);
      const accountId = `instagram:${igId}`;
      await services.accounts.save({
        _id: accountId,
        platform: 'instagram',
        login: 'facebook',
        externalId: igId,
        name: `@wone.shop${posts}`,
        status: 'ok',
        scopes: ['instagram_basic', 'instagram_manage_insights'],
        connectedBy: ADMIN,
        connectedAt: new Date(),
        accessToken: token,
      });
      const access: AccountAccess = { platform: 'instagram', externalId: igId, login: 'facebook', accessToken: token };
      for (let i = 0; i < posts; i += 1) {
        const outcome = await instagram.publish(
          access,
          { postType: 'instagram_feed', caption: `Look ${i}`, media: [jpeg(`look${i}`)] },
          progressStore().context(),
        );
        if (outcome.status !== 'published') throw new Error('not published');
        graph.setInsights(outcome.remoteId, { views: 10 });
        await insertTarget(services.db, {
          accountId,
          platform: 'instagram',
          caption: `Look ${i}`,
          remoteId: outcome.remoteId,
          publishedAt: during(current, i % 7),
        });
      }
      const count = async () => {
        const before = graph.facebook.calls.length;
        const report = await services.insights.buildReport(current, { accountId });
        expect(report.accounts[0]?.current.postViews).toBe(10 * posts);
        expect(report.accounts[0]?.notes).toEqual([]);
        return graph.facebook.calls.length - before;
      };
      // First report: the previous week is read once (nothing stored yet); after that it comes from the database.
      return { first: await count(), next: await count() };
    };
    // Account figures (1 batch) + every post's metrics (1 batch), whatever the number of posts up to 50.
    expect(await callsFor(3)).toEqual({ first: 3, next: 2 });
    expect(await callsFor(40)).toEqual({ first: 3, next: 2 });
  });
});
