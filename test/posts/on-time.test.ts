import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { PostStateError } from '../../src/services/posts.ts';
import { APPROVER, freshDatabaseUrl } from '../harness/test-app.ts';
import { bringDue, PAGE_ID, type PostApp, scheduledPost, seedAccounts, startPostApp, until } from './post-harness.ts';

const running: PostApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
});

async function start(overrides: Record<string, string> = {}) {
  const app = await startPostApp(overrides);
  running.push(app);
  return app;
}

/** An approved Facebook text post, then moved to fall due `seconds` from now (on a whole second). */
async function postDueIn(t: PostApp, caption: string, seconds: number) {
  const { _id: id } = await scheduledPost(t, caption);
  const dueAt = new Date(Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000);
  await bringDue(t, id, dueAt);
  return { id, dueAt };
}

const feedPosts = (t: PostApp, caption: string) =>
  t.graph.facebook
    .callsTo('POST', new RegExp(`/${PAGE_ID}/feed$`))
    .filter((call) => (call.body as { message?: string } | undefined)?.message === caption);

describe('publishing on time', () => {
  it('prepares a post within the lead, sends it at its time, and keeps no job once it is out', async () => {
    const t = await start({ PUBLISH_LEAD_SECONDS: '30' });
    const { id, dueAt } = await postDueIn(t, 'On the second', 10);

    // Within the lead the post is prepared: it is publishing and can no longer be cancelled, but nothing is sent.
    await until(async () => (await t.app.services.targets.ofPost(id))[0]?.state === 'publishing');
    expect((await t.app.services.posts.get(id))?.state).toBe('publishing');
    expect(feedPosts(t, 'On the second')).toHaveLength(0);
    await expect(t.app.services.scheduling.cancel(id, APPROVER)).rejects.toBeInstanceOf(PostStateError);

    const done = await until(async () => {
      const post = await t.app.services.posts.get(id);
      return post?.state === 'published' ? post : undefined;
    });
    expect(done.state).toBe('published');
    const sent = feedPosts(t, 'On the second');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.at).toBeGreaterThanOrEqual(dueAt.getTime());
    // Its job is removed once the run is written up (just after the post shows as published).
    await until(async () => (await t.app.services.db.collection('jobs').countDocuments({ 'data.postId': id })) === 0);
  });

  it('gives back what a stopping instance prepared, so another publishes it once at its time', async () => {
    const shared = { MONGODB_URL: freshDatabaseUrl(), TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const first = await start({ ...shared, PUBLISH_LEAD_SECONDS: '60' });
    await seedAccounts(first);
    const { id, dueAt } = await postDueIn(first, 'Handed over', 12);
    await until(async () => (await first.app.services.targets.ofPost(id))[0]?.state === 'publishing');
    running.splice(running.indexOf(first), 1);
    await first.stop();

    // The target is given back and the job is left due at the post's time, for whichever instance looks next.
    const client = await MongoClient.connect(shared.MONGODB_URL);
    try {
      const released = await client.db().collection('targets').findOne({ postId: id });
      expect(released?.state).toBe('queued');
      const job = await client.db().collection('jobs').findOne({ 'data.postId': id });
      expect(job?.nextRunAt?.getTime()).toBe(dueAt.getTime());
    } finally {
      await client.close();
    }

    // (A short lead: the second instance takes the post up only once its accounts are seeded, just below.)
    const second = await start({ ...shared, PUBLISH_LEAD_SECONDS: '2' });
    await seedAccounts(second);

    await until(async () => (await second.app.services.posts.get(id))?.state === 'published');
    const sent = feedPosts(second, 'Handed over');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.at).toBeGreaterThanOrEqual(dueAt.getTime());
    expect(feedPosts(first, 'Handed over')).toHaveLength(0);
  });

  it('cancels the publish jobs left with no next run, and keeps the rest', async () => {
    const t = await start();
    const jobs = t.app.services.db.collection('jobs');
    // Jobs as Agenda left the publish jobs it ran to the end (before the dispatcher ran every post).
    const shape = { name: 'publish-post', lockedAt: null, type: 'normal', priority: 0 };
    await jobs.insertMany([
      { ...shape, data: { postId: 'a'.repeat(24) }, nextRunAt: null, lastFinishedAt: new Date(Date.now() - 60_000) },
      { ...shape, data: { postId: 'b'.repeat(24) }, nextRunAt: null, lastFinishedAt: new Date(Date.now() - 8.64e7) },
    ]);
    await t.app.services.scheduling.plan('c'.repeat(24), new Date(Date.now() + 86_400_000));
    // (The daily job runs once at start too and may have pruned first: what is left is what counts.)
    await t.app.services.scheduling.pruneFinishedJobs();
    const left = await jobs.find({ name: 'publish-post' }).toArray();
    expect(left.map((job) => job.data.postId).sort()).toEqual(['c'.repeat(24)]);
  });
});
