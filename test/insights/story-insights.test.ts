import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyInsightsJob } from '../../src/jobs/story-insights.ts';
import type { AccountAccess } from '../../src/platforms/types.ts';
import { GraphFake } from '../../src/sandbox/graph-fake.ts';
import type { StoryInsightDoc } from '../../src/services/story-insights.ts';
import { instagramViaPageTokenByConsent } from '../harness/meta-consent.ts';
import { ADMIN, startTestApp, type TestApp, TestClock } from '../harness/test-app.ts';
import { jpeg, progressStore } from '../platforms/meta-harness.ts';
import { until } from '../posts/post-harness.ts';
import { insertTarget, ZONE } from './insights-fixtures.ts';

const HOUR = 3_600_000;

let graph: GraphFake;
let t: TestApp;
const clock = new TestClock();

beforeAll(async () => {
  graph = new GraphFake({ startAt: Date.now() });
  const { facebookUrl, instagramUrl } = await graph.start();
  t = await startTestApp(
    {
      META_APP_ID: graph.appId,
      META_APP_SECRET: graph.appSecret,
      META_GRAPH_URL: facebookUrl,
      INSTAGRAM_GRAPH_URL: instagramUrl,
    },
    { clock },
  );
});
afterAll(async () => {
  await t?.stop();
  await graph?.stop();
});

/** Moves the simulator and the app to `hours` after `from`. */
function at(from: number, hours: number): Date {
  const when = from + hours * HOUR;
  graph.advance(when - graph.now());
  clock.set(new Date(when));
  return new Date(when);
}

describe('Instagram story figures outlive the 24 hours Instagram serves them', () => {
  it('keeps one repeating job every RESULTS_CHECK_MINUTES', async () => {
    const jobs = await t.app.services.db.collection('jobs').find({ name: storyInsightsJob }).toArray();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.repeatInterval).toBe('5 minutes');
  });

  it('reads a live story before it expires, and the report shows the last figures read after Instagram stops', async () => {
    const { services } = t.app;
    const instagram = services.platforms.instagram;
    if (!instagram) throw new Error('Instagram is not switched on');
    const igId = graph.seedInstagramAccount({ username: 'wone.stories', followersCount: 900 }).id;
    const token = await instagramViaPageTokenByConsent(graph, igId);
    const accountId = `instagram:${igId}`;
    await services.accounts.save({
      _id: accountId,
      platform: 'instagram',
      login: 'facebook',
      externalId: igId,
      name: '@wone.stories',
      status: 'ok',
      scopes: ['instagram_basic', 'instagram_manage_insights'],
      connectedBy: ADMIN,
      connectedAt: new Date(),
      accessToken: token,
    });
    const access: AccountAccess = { platform: 'instagram', externalId: igId, login: 'facebook', accessToken: token };
    const story = await instagram.publish(
      access,
      { postType: 'instagram_story', caption: '', media: [jpeg('story')] },
      progressStore().context(),
    );
    if (story.status !== 'published') throw new Error('not published');
    const published = graph.now();
    const target = await insertTarget(services.db, {
      accountId,
      platform: 'instagram',
      postType: 'instagram_story',
      caption: '',
      remoteId: story.remoteId,
      publishedAt: new Date(published),
    });
    const stored = services.db.collection<StoryInsightDoc>('story_insights');

    // An hour in, the job reads it (the story has no likes or saves; those are left out).
    graph.setInsights(story.remoteId, { views: 120, reach: 90, shares: 1 });
    at(published, 1);
    await services.scheduler.now(storyInsightsJob);
    const first = await until(async () => (await stored.findOne({ _id: target._id })) ?? undefined);
    expect(first.metrics).toMatchObject({ views: 120, reach: 90, shares: 1 });
    expect(first.metrics).not.toHaveProperty('likes');

    // Two hours later it is not read again; in its last two hours every run reads it.
    graph.setInsights(story.remoteId, { views: 480, reach: 350, shares: 4 });
    expect((await services.storyInsights.runDue(at(published, 3))).read).toBe(0);
    expect((await services.storyInsights.runDue(at(published, 23.5))).stored).toBe(1);

    // After 24 hours Instagram answers with nothing: the client alone has no figures any more.
    const expiredAt = at(published, 25);
    const [fromInstagram] = await instagram.getItemInsights(access, [story.remoteId]);
    expect(fromInstagram?.metrics).toEqual({});
    expect((await services.storyInsights.runDue(expiredAt)).live).toBe(0);

    // The report over the day it ran shows the last stored figures, with no "not reported" note for them.
    const since = new Date(published - 12 * HOUR);
    const report = await services.insights.buildReport(
      { since, until: new Date(published + 36 * HOUR), days: 2, zone: ZONE },
      { accountId },
    );
    const figures = report.accounts[0]?.posts.find((post) => post.remoteId === story.remoteId)?.metrics;
    expect(figures).toMatchObject({ views: 480, reach: 350, shares: 4 });
    const notes = report.accounts[0]?.notes.map((note) => note.metric) ?? [];
    expect(notes).not.toContain('views');
    expect(notes).not.toContain('reach');
  });
});
