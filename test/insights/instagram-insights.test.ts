import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountAccess } from '../../src/platforms/types.ts';
import { GraphFake } from '../fakes/graph-fake.ts';
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

describe('Instagram insights in the digest, against the Graph fake', () => {
  it('skips and notes the metrics Instagram refuses for a story, and reports the rest', async () => {
    const { services } = t.app;
    const instagram = services.platforms.instagram;
    if (!instagram) throw new Error('Instagram is not switched on');
    const igId = graph.seedInstagramAccount({ username: 'wone.shop', followersCount: 2400 }).id;
    const token = graph.issueToken({ kind: 'instagram_user', subjects: [igId], expiresInSec: 60 * 86_400 });
    await services.accounts.save({
      _id: `instagram:${igId}`,
      platform: 'instagram',
      login: 'instagram',
      externalId: igId,
      name: '@wone.shop',
      status: 'ok',
      scopes: ['instagram_business_basic', 'instagram_business_manage_insights'],
      connectedBy: ADMIN,
      connectedAt: new Date(),
      accessToken: token,
    });
    const access: AccountAccess = { platform: 'instagram', externalId: igId, login: 'instagram', accessToken: token };

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

    const before = graph.instagram.calls.length;
    const outcome = await services.insightsPublisher.postWeeklyDigest(during(current, 7));
    expect(outcome.status).toBe('posted');
    const calls = graph.instagram.calls.slice(before).map((c) => `${c.method} ${c.path}`);

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
    expect(text).toContain('Skipped likes (`likes`) on 1 post(s)');
    expect(text).toContain('Post views 1,200');
    // Never a deprecated metric asked for.
    expect(calls.join('\n')).not.toMatch(/impressions|plays|video_views/);
    // Calls for this first digest: the feed post 1; the story 1 refused set + 7 single metrics; the account 3
    // (followers, totals, reach per day); the previous week 3 more, read once because nothing was stored then.
    const media = (id: string) => calls.filter((c) => c === `GET /v25.0/${id}/insights`).length;
    expect(media(feed.remoteId)).toBe(1);
    expect(media(story.remoteId)).toBe(8);
    expect(calls.filter((c) => c === `GET /v25.0/${igId}`)).toHaveLength(2);
    expect(media(igId)).toBe(4);
    expect(calls).toHaveLength(15);
  });
});
