import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { videoPostIdsJob } from '../../src/jobs/video-post-ids.ts';
import type { AccountAccess } from '../../src/platforms/types.ts';
import { GraphFake } from '../../src/sandbox/graph-fake.ts';
import type { TargetDoc } from '../../src/services/targets.ts';
import { pageTokenByConsent } from '../harness/meta-consent.ts';
import { ADMIN, startTestApp, type TestApp } from '../harness/test-app.ts';
import { insertTarget } from '../insights/insights-fixtures.ts';
import { mp4, progressStore } from '../platforms/meta-harness.ts';

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
  });
});
afterAll(async () => {
  await t?.stop();
  await graph?.stop();
});

describe('Facebook videos published before their post was kept', () => {
  it('are moved to their post at start, keeping the video id, so their figures can be read', async () => {
    const { services } = t.app;
    const facebook = services.platforms.facebook;
    if (!facebook) throw new Error('Facebook is not switched on');
    const page = graph.seedPage({ name: 'Wone Videos' });
    const token = await pageTokenByConsent(graph, page.id);
    const accountId = `facebook:${page.id}`;
    await services.accounts.save({
      _id: accountId,
      platform: 'facebook',
      login: 'facebook',
      externalId: page.id,
      name: 'Wone Videos',
      status: 'ok',
      scopes: ['pages_read_engagement', 'read_insights'],
      connectedBy: ADMIN,
      connectedAt: new Date(),
      accessToken: token,
    });
    const access: AccountAccess = { platform: 'facebook', externalId: page.id, login: 'facebook', accessToken: token };
    const store = progressStore();
    const outcome = await facebook.publish(
      access,
      { postType: 'facebook_video', caption: 'How we make our bags', media: [mp4('bags')] },
      store.context(),
    );
    if (outcome.status !== 'published') throw new Error('not published');
    const videoId = store.progress.videoId ?? '';
    // As the earlier release left it: the video id where the post id belongs.
    const old = await insertTarget(services.db, {
      accountId,
      platform: 'facebook',
      postType: 'facebook_video',
      caption: 'How we make our bags',
      remoteId: videoId,
      publishedAt: new Date(),
    });
    // A video node has no insights edge: read as it was stored, the video has no figures.
    const [before] = await facebook.getItemInsights(access, [videoId]);
    expect(before?.metrics.views).toBeUndefined();

    expect(await services.videoPostIds.run()).toEqual({ found: 1, moved: 1, left: 0 });
    const moved = await services.db.collection<TargetDoc>('targets').findOne({ _id: old._id });
    expect(moved?.remoteId).toBe(outcome.remoteId);
    expect(moved?.remoteId).toMatch(new RegExp(`^${page.id}_`));
    expect(moved?.progress.videoId).toBe(videoId);
    const [after] = await facebook.getItemInsights(access, [moved?.remoteId ?? '']);
    expect(after?.metrics).toMatchObject({ views: expect.any(Number), shares: expect.any(Number) });

    // Nothing left: the next run reads no platform.
    const calls = graph.facebook.calls.length;
    expect(await services.videoPostIds.run()).toEqual({ found: 0, moved: 0, left: 0 });
    expect(graph.facebook.calls.length).toBe(calls);
  });

  it('leaves a video whose account is not connected for the next run, and runs daily', async () => {
    const { services } = t.app;
    const target = await insertTarget(services.db, {
      accountId: 'facebook:999000111',
      platform: 'facebook',
      postType: 'facebook_video',
      caption: 'Gone page',
      remoteId: '777000111',
      publishedAt: new Date(),
    });
    expect(await services.videoPostIds.run()).toEqual({ found: 1, moved: 0, left: 1 });
    const kept = await services.db.collection<TargetDoc>('targets').findOne({ _id: target._id });
    expect(kept?.remoteId).toBe('777000111');
    const jobs = await services.db.collection('jobs').find({ name: videoPostIdsJob }).toArray();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.repeatInterval).toBe('1 day');
    await services.db.collection<TargetDoc>('targets').deleteOne({ _id: target._id });
  });
});
