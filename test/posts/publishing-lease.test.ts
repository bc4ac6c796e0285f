import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../../src/sandbox/fake-http-server.ts';
import { LeaseLostError } from '../../src/services/targets.ts';
import { APPROVER, EDITOR } from '../harness/test-app.ts';
import { mp4Bytes } from './media-fixtures.ts';
import { draftWith, FB, IG, IG_ID, PAGE_ID, type PostApp, startPostApp, until } from './post-harness.ts';

// Publishing has one owner at a time: a target's lease is held (renewed) while its worker works, and a worker that
// lost it can write nothing, so each post ends with exactly one live post, or an unconfirmed target shown in Slack.

const running: PostApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
});

/** A short lease, so that anything outlasting it shows within a test. */
const shortLease = { PUBLISH_LEASE_SECONDS: '3', PUBLISH_LEAD_SECONDS: '1', JOB_POLL_SECONDS: '0.2' };

async function start(overrides: Record<string, string> = {}) {
  const app = await startPostApp({ ...shortLease, ...overrides });
  running.push(app);
  return app;
}

const feedPost = (req: FakeRequest) => req.method === 'POST' && req.path.endsWith(`/${PAGE_ID}/feed`);

async function approveNow(t: PostApp, caption: string): Promise<string> {
  const id = await t.app.services.drafts.save({
    draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption }),
    files: [],
    timezone: 'Europe/Berlin',
    by: EDITOR,
  });
  const pending = await t.app.services.drafts.prepare(id);
  if (pending?.state !== 'pending_approval') throw new Error(`not pending: ${pending?.state}`);
  await t.app.services.approvals.approve(id, pending.revision, APPROVER);
  return id;
}

async function finished(t: PostApp, id: string) {
  return until(async () => {
    const post = await t.app.services.posts.get(id);
    return post && ['published', 'needs_attention'].includes(post.state) ? post : undefined;
  }, 40_000);
}

describe('one owner per target', () => {
  it('keeps its lease through a step that outlasts it: nobody takes over, one post', async () => {
    const t = await start();
    // The feed post is made at once but its answer takes three leases to come back.
    t.graph.facebook.inject(
      feedPost,
      { status: 200, json: { id: `${PAGE_ID}_slow` }, delayMs: 9_000 },
      { when: 'after' },
    );
    const id = await approveNow(t, 'A slow answer');
    const post = await finished(t, id);
    expect(post.state).toBe('published');
    const [target] = await t.app.services.targets.ofPost(id);
    // One claim (lease generation 1), one attempt, one request, one live post.
    expect(target).toMatchObject({ state: 'published', lease: 1, attempts: 1 });
    expect(t.graph.facebook.callsTo('POST', new RegExp(`/${PAGE_ID}/feed$`))).toHaveLength(1);
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'A slow answer')).toHaveLength(1);
  });

  it('keeps its lease through a video processing wait that outlasts it: one container, one post', async () => {
    const t = await start();
    const video = t.slack.addFile(`F${Date.now()}`, 'reel.mp4', 'video/mp4', mp4Bytes(1080, 1920, 12));
    const id = await t.app.services.drafts.save({
      draft: draftWith({ accountIds: [IG], postTypes: { instagram: 'instagram_reel' }, caption: 'A slow reel' }),
      files: [{ id: video.id, name: video.name, mimetype: video.mimetype, size: video.size, url: video.url_private }],
      timezone: 'Europe/Berlin',
      by: EDITOR,
    });
    const pending = await t.app.services.drafts.prepare(id);
    if (pending?.state !== 'pending_approval') throw new Error(`not pending: ${pending?.state}`);
    await t.app.services.approvals.approve(id, pending.revision, APPROVER);
    // Instagram is still processing the video at the first status read (3 s in), and done by the next (5 s later): the
    // client waited over two leases.
    const calls = () => [...t.graph.facebook.calls, ...t.graph.instagram.calls];
    const statusReads = () =>
      calls().filter((call) => call.method === 'GET' && /^\/v[\d.]+\/\d+$/.test(call.path)).length;
    await until(async () => statusReads() >= 1, 30_000);
    t.graph.advance(60_000);
    const post = await finished(t, id);
    expect(post.state).toBe('published');
    const [target] = await t.app.services.targets.ofPost(id);
    expect(target).toMatchObject({ state: 'published', lease: 1, attempts: 1 });
    const posts = (path: RegExp) => calls().filter((call) => call.method === 'POST' && path.test(call.path));
    expect(posts(new RegExp(`/${IG_ID}/media$`))).toHaveLength(1);
    expect(posts(new RegExp(`/${IG_ID}/media_publish$`))).toHaveLength(1);
  });

  it('refuses every write of a worker whose lease was taken over', async () => {
    const t = await start();
    const targets = t.app.services.targets;
    const targetId = `post-lease:${FB}`;
    await targets.collection.insertOne({
      _id: targetId,
      postId: 'post-lease',
      accountId: FB,
      platform: 'facebook',
      postType: 'facebook_text',
      state: 'queued',
      progress: {},
      caption: 'x',
      attempts: 0,
      updatedAt: new Date(),
    });
    const first = await targets.claim(targetId);
    expect(first?.lease).toBe(1);
    // Its lease lapses; another worker claims the target.
    const later = new Date(Date.now() + targets.leaseMs + 1_000);
    const second = await targets.claim(targetId, later);
    expect(second?.lease).toBe(2);
    await expect(targets.saveProgress(targetId, first?.lease, { publishSentAt: 'now' })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    await expect(targets.renew(targetId, first?.lease)).rejects.toBeInstanceOf(LeaseLostError);
    expect(
      await targets.move(targetId, ['publishing'], 'failed', { error: 'old worker' }, [], first?.lease),
    ).toBeNull();
    // The owner writes.
    await targets.saveProgress(targetId, second?.lease, { remoteId: 'r1' });
    const done = await targets.move(targetId, ['publishing'], 'published', {}, [], second?.lease);
    expect(done).toMatchObject({ state: 'published', lease: 2, progress: { remoteId: 'r1' } });
  });
});
