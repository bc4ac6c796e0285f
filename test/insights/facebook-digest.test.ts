import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountAccess, PublishRequest } from '../../src/platforms/types.ts';
import { GraphFake } from '../../src/sandbox/graph-fake.ts';
import { pageTokenByConsent } from '../harness/meta-consent.ts';
import { ADMIN, DIGEST_CHANNEL, startTestApp, type TestApp } from '../harness/test-app.ts';
import { progressStore } from '../platforms/meta-harness.ts';
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

/** A Page post's figures as Graph reports them: insights, reactions by type, comments and shares. */
interface PostFigures {
  views: number;
  reach: number;
  reactions: Record<string, number>;
  comments: number;
  shares: number;
}

describe('the weekly digest for a Facebook Page, end to end against the Graph fake', () => {
  it('compares this week with what was measured last week, from post and Page figures read in batches', async () => {
    const { services } = t.app;
    const facebook = services.platforms.facebook;
    if (!facebook) throw new Error('Facebook is not switched on');
    const { current, previous } = weeks();

    // Last week: 3,000 followers, 500 Page views and 300 reached a day.
    const page = graph.seedPage({ name: 'Wone Commerce', followersCount: 3000 });
    graph.setPageDaily(page.id, { page_media_view: 500, page_total_media_view_unique: 300 });
    // The same people come back: 1,200 different people in the week, not 7 × 300.
    graph.setPageWeekly(page.id, { page_total_media_view_unique: 1200 });
    const token = await pageTokenByConsent(graph, page.id);
    const accountId = `facebook:${page.id}`;
    await services.accounts.save({
      _id: accountId,
      platform: 'facebook',
      login: 'facebook',
      externalId: page.id,
      name: 'Wone Commerce',
      status: 'ok',
      scopes: ['pages_read_engagement', 'read_insights'],
      connectedBy: ADMIN,
      connectedAt: new Date(),
      accessToken: token,
    });
    const access: AccountAccess = { platform: 'facebook', externalId: page.id, login: 'facebook', accessToken: token };

    /** Publishes a text post through the real client, gives it `figures` and records it as published on `day`. */
    const post = async (period: typeof current, day: number, caption: string, figures: PostFigures) => {
      const request: PublishRequest = { postType: 'facebook_text', caption, media: [] };
      const outcome = await facebook.publish(access, request, progressStore().context());
      if (outcome.status !== 'published') throw new Error('not published');
      graph.setInsights(outcome.remoteId, {
        post_media_view: figures.views,
        post_total_media_view_unique: figures.reach,
        post_reactions_by_type_total: figures.reactions,
      });
      graph.setShares(outcome.remoteId, figures.shares);
      for (let i = 0; i < figures.comments; i += 1) graph.seedComment({ itemId: outcome.remoteId, text: `Nice ${i}` });
      await insertTarget(services.db, {
        accountId,
        platform: 'facebook',
        postType: 'facebook_text',
        caption,
        remoteId: outcome.remoteId,
        ...(outcome.permalink ? { permalink: outcome.permalink } : {}),
        publishedAt: during(period, day),
      });
      return outcome.remoteId;
    };
    await post(previous, 1, 'Last week one', {
      views: 800,
      reach: 500,
      reactions: { like: 40 },
      comments: 4,
      shares: 2,
    });
    await post(previous, 3, 'Last week two', {
      views: 700,
      reach: 450,
      reactions: { like: 20 },
      comments: 1,
      shares: 0,
    });
    const firstCalls = graph.facebook.calls.length;
    const lastWeek = await services.insightsPublisher.postWeeklyDigest(during(current, 0));
    expect(lastWeek.status).toBe('posted');
    // First digest ever: the posts (1 batch), the Page (1 batch), and the week before it, read once (1 batch).
    expect(graph.facebook.calls.length - firstCalls).toBe(3);

    // This week: 3,300 followers, 700 Page views and 350 reached a day; three posts and one failure.
    page.followersCount = 3300;
    graph.setPageDaily(page.id, { page_media_view: 700, page_total_media_view_unique: 350 });
    graph.setPageWeekly(page.id, { page_total_media_view_unique: 1500 });
    const first = await post(current, 1, 'Winter coats are in', {
      views: 2000,
      reach: 1400,
      reactions: { like: 90, love: 30 },
      comments: 12,
      shares: 8,
    });
    const second = await post(current, 2, 'Opening hours <holidays> & more', {
      views: 1200,
      reach: 900,
      reactions: { like: 50 },
      comments: 5,
      shares: 3,
    });
    const third = await post(current, 4, 'Gift cards', {
      views: 600,
      reach: 450,
      reactions: { like: 10, wow: 2 },
      comments: 0,
      shares: 0,
    });
    await insertTarget(services.db, {
      accountId,
      platform: 'facebook',
      postType: 'facebook_photo',
      state: 'failed',
      caption: 'The photo that failed',
      error: 'Facebook refused the photo: it is larger than 10 MB.',
      updatedAt: during(current, 5),
    });

    const before = { calls: graph.facebook.calls.length, ops: graph.batched.facebook.length };
    const outcome = await services.insightsPublisher.postWeeklyDigest(during(current, 7));
    expect(outcome.status).toBe('posted');
    if (outcome.status !== 'posted') return;
    const calls = graph.facebook.calls.slice(before.calls).map((c) => `${c.method} ${c.path}`);
    const ops = graph.batched.facebook.slice(before.ops).map((op) => `${op.method} ${op.path}`);

    // Few calls: one batch for the three posts (counts and insights in one read each), one for the Page's followers,
    // daily figures and weekly reach; last week comes from the database.
    expect(calls).toEqual(['POST /v25.0/', 'POST /v25.0/']);
    expect(ops).toEqual([
      `GET /${first}`,
      `GET /${second}`,
      `GET /${third}`,
      `GET /${page.id}`,
      `GET /${page.id}/insights`,
      `GET /${page.id}/insights`,
    ]);

    const digests = t.slack.messages.filter((m) => m.channel === DIGEST_CHANNEL && !m.thread_ts);
    expect(digests).toHaveLength(2);
    const digest = digests[1];
    expect(digest?.ts).toBe(outcome.ts);
    const text = JSON.stringify(digest?.blocks);
    // Summary: 3 posts vs 2, Page views 7 × 700 vs 7 × 500, followers 3,300 vs 3,000 (as stored last week).
    expect(text).toContain('*Posts published*\\n3 (▲ 50%, +1)');
    expect(text).toContain('*Views*\\n4,900 (▲ 40%, +1,400)');
    expect(text).toContain('*Followers*\\n3,300 (▲ 10%, +300)');
    expect(text).toContain('*Failed to publish*\\n1');
    // The Page: the weekly reach, 1,500 vs 1,200; post views 2,000 + 1,200 + 600 vs 800 + 700; the posts' figures summed.
    expect(text).toContain(
      'Followers 3,300 (▲ 10%, +300) · Views 4,900 (▲ 40%, +1,400) · People reached 1,500 (▲ 25%, +300)',
    );
    expect(text).toContain('3 posts published (2 the period before) · their views 3,800 (▲ 153%, +2,300)');
    // Engagement beside reach: 210 of 2,750 people reached.
    expect(text).toContain(
      'On these posts: 182 reactions · 17 comments · 11 shares · engagement rate 7.6% of people reached',
    );
    expect(text).not.toContain('gave no');
    // Top posts, most viewed first, linked to Facebook; captions escaped.
    const top = text.slice(text.indexOf('*Top posts*'));
    const link = (id: string) => `https://www.facebook.com/${id.replace('_', '/posts/')}`;
    expect(top).toContain(
      `1. <${link(first)}|Winter coats are in> — Wone Commerce (Facebook) · 2,000 views · 120 reactions · 12 comments`,
    );
    expect(top).toContain(
      `2. <${link(second)}|Opening hours &lt;holidays&gt; &amp; more> — Wone Commerce (Facebook) · 1,200 views`,
    );
    expect(top).toContain(`3. <${link(third)}|Gift cards> — Wone Commerce (Facebook) · 600 views`);
    expect(text).toContain('The photo that failed');
    expect(text).toContain('larger than 10 MB');
    expect(digest?.text).toContain('3 posts, 4,900 views, 3,300 followers');

    // What was measured is stored for next week's comparison, post by post.
    const stored = await services.db.collection('insight_snapshots').findOne({ accountId, since: current.since });
    expect(stored).toMatchObject({
      source: 'measured',
      followers: 3300,
      postCount: 3,
      postViews: 3800,
      metrics: { views: 4900, reach: 1500 },
    });
    expect(stored?.posts).toContainEqual({
      remoteId: first,
      metrics: { views: 2000, reach: 1400, reactions: 120, comments: 12, shares: 8 },
    });
    expect(stored?.posts).toContainEqual({
      remoteId: third,
      metrics: { views: 600, reach: 450, reactions: 12, comments: 0, shares: 0 },
    });
  });
});
