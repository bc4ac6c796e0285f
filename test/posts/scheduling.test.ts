import { afterEach, describe, expect, it } from 'vitest';
import { approvalActions } from '../../views/approval-message.ts';
import { ADMIN, APPROVER, EDITOR, freshDatabaseUrl } from '../harness/test-app.ts';
import {
  bringDue,
  buttonsOf,
  click,
  PAGE_ID,
  type PostApp,
  previewOf,
  scheduledPost,
  startPostApp,
  threadOf,
  until,
} from './post-harness.ts';

const running: PostApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
});

async function start(overrides: Record<string, string> = {}) {
  const app = await startPostApp(overrides);
  running.push(app);
  return app;
}

/** Pretends the post fell due `minutesAgo` minutes ago while nothing ran. */
async function makeDue(t: PostApp, postId: string, minutesAgo: number) {
  await bringDue(t, postId, new Date(Date.now() - minutesAgo * 60_000));
}

describe('restarts', () => {
  it('loses nothing: a full queue is still queued after a restart, and lost jobs are recreated', async () => {
    const database = freshDatabaseUrl();
    const first = await start({ MONGODB_URL: database });
    const { seedAccounts } = await import('./post-harness.ts');
    await seedAccounts(first);
    const posts = [];
    for (let i = 0; i < 6; i += 1) posts.push(await scheduledPost(first, `Queued ${i}`, 2 + i));
    await first.app.stop();
    // A job document lost (e.g. restored from an older backup) is recreated from the post at startup.
    const { MongoClient } = await import('mongodb');
    const client = await MongoClient.connect(database);
    await client.db().collection('jobs').deleteOne({ 'data.postId': posts[0]?._id });
    await client.close();

    const second = await start({ MONGODB_URL: database });
    expect(await second.app.services.posts.countQueue()).toBe(6);
    for (const post of posts) {
      const jobs = await second.app.services.db.collection('jobs').find({ 'data.postId': post._id }).toArray();
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.nextRunAt?.toISOString()).toBe(post.dueAt?.toISOString());
    }
  });
});

describe('posts that fell due while the app was down', () => {
  it('publishes one within the grace window and flags an older one for a decision', async () => {
    const t = await start({ PUBLISH_GRACE_MINUTES: '60' });
    const recent = await scheduledPost(t, 'Twenty minutes late');
    const old = await scheduledPost(t, 'Three hours late');
    await makeDue(t, recent._id, 20);
    await makeDue(t, old._id, 180);

    await until(async () => (await t.app.services.posts.get(recent._id))?.state === 'published');
    await until(async () => (await t.app.services.posts.get(old._id))?.state === 'overdue');
    expect(t.graph.published(PAGE_ID).map((item) => item.caption)).toEqual(['Twenty minutes late']);

    const ts = old.approvalMessage?.ts ?? '';
    await until(async () => threadOf(t, ts).some((text) => text.includes('has not been published')));
    const preview = await until(async () => buttonsOf(previewOf(t, ts)).length === 3 && previewOf(t, ts));
    expect(buttonsOf(preview).map((b) => b.action_id)).toEqual([
      approvalActions.publishNow,
      approvalActions.reschedule,
      approvalActions.cancel,
    ]);

    // An editor cannot decide; an approver publishes it now.
    const value = buttonsOf(preview)[0]?.value ?? '';
    const before = t.slack.responses.length;
    await click(t, EDITOR, approvalActions.publishNow, value, preview);
    await t.slack.waitFor(() =>
      t.slack.responses.slice(before).find((r) => String(r.body.text).includes('Only approvers')),
    );
    expect((await t.app.services.posts.get(old._id))?.state).toBe('overdue');
    await click(t, ADMIN, approvalActions.publishNow, value, preview);
    await until(async () => (await t.app.services.posts.get(old._id))?.state === 'published');
    expect(t.graph.published(PAGE_ID)).toHaveLength(2);
  });
});

describe('publishing a scheduled post now', () => {
  it('sends it out at once through its own job, for approvers only, and keeps the queue honest', async () => {
    const t = await start();
    const post = await scheduledPost(t, 'Planned for Friday', 3);
    await expect(t.app.services.scheduling.publishNow(post._id, EDITOR)).rejects.toThrow();
    expect((await t.app.services.posts.get(post._id))?.state).toBe('scheduled');

    await t.app.services.scheduling.publishNow(post._id, APPROVER);
    const jobs = await t.app.services.db.collection('jobs').find({ 'data.postId': post._id }).toArray();
    expect(jobs).toHaveLength(1);
    await until(async () => (await t.app.services.posts.get(post._id))?.state === 'published');
    expect(t.graph.published(PAGE_ID).map((item) => item.caption)).toEqual(['Planned for Friday']);
    // Published posts are not queued any more: a second "now" is refused.
    await expect(t.app.services.scheduling.publishNow(post._id, APPROVER)).rejects.toThrow();
  });
});

describe('/wone queue and the Home tab', () => {
  it('lists upcoming posts a page at a time, only to the person who asked', async () => {
    const t = await start();
    for (let i = 0; i < 7; i += 1) await scheduledPost(t, `Upcoming ${i}`, 2 + i);
    const { woneCommand } = await import('../harness/test-app.ts');
    const fields = woneCommand(t.slack, EDITOR, 'queue');
    await t.signer.command(fields);
    const first = await t.slack.waitFor(() => t.slack.responses.find((r) => fields.response_url?.endsWith(`/${r.id}`)));
    expect(first.body.response_type).toBe('ephemeral');
    const text = JSON.stringify(first.body.blocks);
    expect(text).toContain('Upcoming posts (7)');
    expect(text).toContain('Upcoming 0');
    expect(text).not.toContain('Upcoming 5');
    expect(text).toContain('Page 1 of 2');
    expect(text).toContain('Asia/Tokyo');

    await t.signer.event({
      token: 'x',
      team_id: 'T0WONE',
      api_app_id: 'A0WONE',
      type: 'event_callback',
      event_id: 'Ev1',
      event_time: 1,
      event: { type: 'app_home_opened', user: APPROVER, channel: 'D1', tab: 'home' },
    });
    const home = await t.slack.waitFor(() => t.slack.published.get(APPROVER));
    expect(JSON.stringify(home)).toContain('Upcoming 0');
    expect(JSON.stringify(home)).toContain('Recent results');
  });
});
