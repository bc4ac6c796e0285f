import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/sandbox/fake-slack.ts';
import type { PostDoc } from '../../src/services/posts.ts';
import { approvalActions } from '../../views/approval-message.ts';
import { ADMIN, APPROVAL_CHANNEL, APPROVER, EDITOR, TestClock, woneCommand } from '../harness/test-app.ts';
import {
  buttonsOf,
  click,
  draftWith,
  FB,
  input,
  PAGE_ID,
  type PostApp,
  previewOf,
  scheduledPost,
  startPostApp,
  submitView,
  until,
} from './post-harness.ts';

let t: PostApp;
const clock = new TestClock();
beforeAll(async () => {
  t = await startPostApp({}, { clock });
});
afterAll(async () => t?.stop());

/** Runs `/wone <text>` as `user` and returns what only they were told. */
async function wone(user: string, text: string): Promise<string> {
  const fields = woneCommand(t.slack, user, text);
  await t.signer.command(fields);
  const answer = await t.slack.waitFor(() => t.slack.responses.find((r) => fields.response_url?.endsWith(`/${r.id}`)));
  return `${String(answer.body.text)}\n${JSON.stringify(answer.body.blocks ?? [])}`;
}

const get = async (id: string) => {
  const post = await t.app.services.posts.get(id);
  if (!post) throw new Error('no post');
  return post;
};

/** A Facebook text post to go out as soon as it is approved, waiting for approval. */
async function asapPost(caption: string): Promise<PostDoc> {
  const id = await t.app.services.drafts.save({
    draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption }),
    files: [],
    timezone: 'Europe/Berlin',
    by: EDITOR,
  });
  const post = await t.app.services.drafts.prepare(id);
  if (post?.state !== 'pending_approval') throw new Error(`post is ${post?.state}`);
  return post;
}

const channelMessage = (needle: string) =>
  t.slack.waitFor(() =>
    t.slack.messages.find((m) => m.channel === APPROVAL_CHANNEL && !m.thread_ts && m.text.includes(needle)),
  );

function buttonFor(message: SlackMessage, action: string, post: PostDoc) {
  const found = buttonsOf(message).find((b) => b.action_id === action && b.value === `${post._id}:${post.revision}`);
  if (!found) throw new Error(`no ${action} for ${post.caption}`);
  return found;
}

describe('brand freeze', () => {
  it('holds every scheduled post past its time with nothing published; unfreeze offers each choice, which does what it says', async () => {
    const one = await scheduledPost(t, 'Held one', 2);
    const two = await scheduledPost(t, 'Held two', 3);
    const later = await scheduledPost(t, 'Later one', 6);
    const asap = await asapPost('Held as soon as approved');

    expect(await wone(APPROVER, 'freeze Bad day')).toContain('Only admins can use `/wone freeze`');
    expect(await wone(ADMIN, 'freeze')).toContain('Say why');
    expect(await wone(ADMIN, 'freeze Warehouse fire <!channel>')).toContain('3 scheduled posts are held');
    const notice = await channelMessage('Publishing is frozen');
    const noticeText = JSON.stringify(notice.blocks);
    expect(noticeText).toContain(`<@${ADMIN}> froze it: Warehouse fire &lt;!channel&gt;`);
    for (const caption of ['Held one', 'Held two', 'Later one']) expect(noticeText).toContain(caption);
    expect(await wone(ADMIN, 'freeze Again')).toContain('already frozen');
    for (const post of [one, two, later]) expect((await get(post._id)).heldByFreeze).toBe(true);

    // Approvals go on during the freeze; the approved post is held too ("as soon as approved" included).
    await click(
      t,
      APPROVER,
      approvalActions.approve,
      `${asap._id}:${asap.revision}`,
      previewOf(t, asap.approvalMessage?.ts ?? ''),
    );
    await until(async () => (await get(asap._id)).state === 'scheduled');
    expect((await get(asap._id)).heldByFreeze).toBe(true);
    await until(async () =>
      JSON.stringify(previewOf(t, asap.approvalMessage?.ts ?? '').blocks).includes('held while publishing is frozen'),
    );

    // The queue and App Home say so at the top.
    const queue = await wone(EDITOR, 'queue');
    expect(queue.indexOf('Publishing is frozen')).toBeGreaterThan(-1);
    expect(queue.indexOf('Publishing is frozen')).toBeLessThan(queue.indexOf('Upcoming posts'));
    await t.signer.event({
      token: 'x',
      team_id: 'T0WONE',
      api_app_id: 'A0WONE',
      type: 'event_callback',
      event_id: 'EvFreeze',
      event_time: 1,
      event: { type: 'app_home_opened', user: EDITOR, channel: 'D1', tab: 'home' },
    });
    const home = await t.slack.waitFor(() => t.slack.published.get(EDITOR));
    expect(JSON.stringify((home.blocks as unknown[])[0])).toContain('Publishing is frozen');

    // Four days on: the first two posts' times have passed. Their publish runs hold them.
    clock.set(DateTime.now().plus({ days: 4 }).toJSDate());
    for (const post of [one, two]) {
      expect(await t.app.services.publisher.run(post._id, clock.now())).toBeUndefined();
    }
    for (const post of [one, two, asap]) {
      expect((await get(post._id)).state).toBe('scheduled');
      expect((await t.app.services.targets.ofPost(post._id)).map((target) => target.state)).toEqual(['queued']);
    }
    expect(t.graph.published(PAGE_ID).filter((item) => String(item.caption ?? '').startsWith('Held'))).toEqual([]);

    // Lifted: the three whose time passed wait for a choice; the later one goes out at its time.
    expect(await wone(APPROVER, 'unfreeze')).toContain('Only admins can use `/wone unfreeze`');
    expect(await wone(ADMIN, 'unfreeze')).toContain('no longer frozen');
    const lifted = await channelMessage('no longer frozen');
    const liftedText = JSON.stringify(lifted.blocks);
    expect(liftedText).toContain('1 held post goes out at its time');
    expect(liftedText).toContain("3 posts' time passed during the freeze");
    expect(liftedText).not.toContain('Later one');
    for (const post of [one, two, asap]) {
      const overdue = await get(post._id);
      expect(overdue.state).toBe('overdue');
      expect(overdue.heldByFreeze).toBeUndefined();
      for (const action of [approvalActions.publishNow, approvalActions.reschedule, approvalActions.cancel]) {
        buttonFor(lifted, action, overdue);
      }
    }
    const laterJob = await t.app.services.db.collection('jobs').findOne({ 'data.postId': later._id });
    expect(laterJob?.nextRunAt?.getTime()).toBe(later.dueAt?.getTime());
    expect((await get(later._id)).state).toBe('scheduled');
    expect(await wone(EDITOR, 'queue')).not.toContain('Publishing is frozen');
    clock.offsetMs = 0;

    // Publish now: it goes out.
    const publishNow = buttonFor(lifted, approvalActions.publishNow, await get(one._id));
    await click(t, APPROVER, approvalActions.publishNow, publishNow.value, lifted);
    await until(async () => (await get(one._id)).state === 'published');
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'Held one')).toHaveLength(1);

    // Cancel: it never goes out.
    await click(t, APPROVER, approvalActions.cancel, buttonFor(lifted, approvalActions.cancel, asap).value, lifted);
    await until(async () => (await get(asap._id)).state === 'cancelled');

    // Reschedule: the modal, then the new time.
    const { trigger } = await click(
      t,
      APPROVER,
      approvalActions.reschedule,
      buttonFor(lifted, approvalActions.reschedule, two).value,
      lifted,
    );
    const modal = await t.slack.waitFor(() => t.slack.views.find((v) => v.trigger_id === trigger));
    const day = DateTime.now().setZone('America/New_York').plus({ days: 1 }).toFormat('yyyy-MM-dd');
    await submitView(t, modal, APPROVER, { date: input.date(day), time: input.time('11:00') });
    const moved = await until(async () => {
      const found = await get(two._id);
      return found.state === 'scheduled' ? found : undefined;
    });
    const expected = DateTime.fromISO(`${day}T11:00`, { zone: 'America/New_York' }).toJSDate().getTime();
    expect(moved.dueAt?.getTime()).toBe(expected);
    // The job moves just after the post does.
    await until(async () => {
      const job = await t.app.services.db.collection('jobs').findOne({ 'data.postId': two._id });
      return job?.nextRunAt?.getTime() === expected;
    });
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'Held two')).toEqual([]);

    const audit = await t.app.services.db
      .collection('audit')
      .find({ action: { $in: ['freeze', 'unfreeze'] } })
      .toArray();
    expect(audit.map((entry) => `${entry.action}:${entry.actor}`)).toEqual([`freeze:${ADMIN}`, `unfreeze:${ADMIN}`]);
  }, 90_000);

  it('holds a post already prepared to start when the freeze begins before its time', async () => {
    const post = await scheduledPost(t, 'Prepared before the freeze', 2);
    const dueAt = post.dueAt as Date;
    const prepared = await t.app.services.publisher.prepare(post._id, dueAt, dueAt);
    expect(prepared.kind).toBe('ready');
    if (prepared.kind !== 'ready') return;
    expect((await get(post._id)).state).toBe('publishing');
    await t.app.services.freeze.freeze(ADMIN, 'Incident');
    try {
      expect(await t.app.services.publisher.start(prepared)).toBeUndefined();
      const held = await get(post._id);
      expect(held.state).toBe('scheduled');
      expect(held.heldByFreeze).toBe(true);
      expect((await t.app.services.targets.ofPost(post._id)).map((target) => target.state)).toEqual(['queued']);
      expect(t.graph.published(PAGE_ID).filter((item) => item.caption === post.caption)).toEqual([]);
    } finally {
      const lifted = await t.app.services.freeze.unfreeze(ADMIN);
      expect(lifted.resumed.map((resumed) => resumed._id)).toContain(post._id);
    }
    const job = await t.app.services.db.collection('jobs').findOne({ 'data.postId': post._id });
    expect(job?.nextRunAt?.getTime()).toBe(dueAt.getTime());
  });
});
