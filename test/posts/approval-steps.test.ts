import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostDoc } from '../../src/services/posts.ts';
import { approvalActions } from '../../views/approval-message.ts';
import { ADMIN, EDITOR, TestClock, woneCommand } from '../harness/test-app.ts';
import {
  buttonsOf,
  click,
  currentView,
  draftWith,
  FB,
  input,
  type PostApp,
  previewOf,
  startPostApp,
  submitView,
  threadOf,
  until,
} from './post-harness.ts';

// Brand: any one of two people, the admin or the brand group; Legal: every one of three people.
const BRAND1 = 'UBRAND1';
const BRAND2 = 'UBRAND2';
const GROUPIE = 'UGROUPIE';
const LEGAL1 = 'ULEGAL1';
const LEGAL2 = 'ULEGAL2';
const BRAND_GROUP = 'S0BRAND';
const STEPS = `Brand=any:${BRAND1},${BRAND2},${ADMIN},${BRAND_GROUP};Legal=all:${LEGAL1},${LEGAL2},${BRAND1}`;

let t: PostApp;
const clock = new TestClock();
beforeAll(async () => {
  t = await startPostApp({ APPROVAL_STEPS: STEPS }, { clock });
  for (const id of [BRAND1, BRAND2, GROUPIE, LEGAL1, LEGAL2]) t.slack.addUser({ id, name: id.toLowerCase() });
  t.slack.usergroups.set(BRAND_GROUP, [GROUPIE]);
});
afterAll(async () => t?.stop());

const inTwoDays = DateTime.now().setZone('Europe/Berlin').plus({ days: 2 }).toFormat('yyyy-MM-dd');

/** A Facebook text post by `requester`, waiting for approval (as after a submit). */
async function pendingPost(requester: string, caption: string): Promise<PostDoc> {
  const id = await t.app.services.drafts.save({
    draft: draftWith({
      accountIds: [FB],
      postTypes: { facebook: 'facebook_text' },
      caption,
      schedule: { kind: 'at', date: inTwoDays, time: '09:00', timezone: 'Europe/Berlin' },
    }),
    files: [],
    timezone: 'Europe/Berlin',
    by: requester,
  });
  const post = await t.app.services.drafts.prepare(id);
  if (post?.state !== 'pending_approval') throw new Error(`post is ${post?.state}`);
  return post;
}

const get = async (id: string) => {
  const post = await t.app.services.posts.get(id);
  if (!post) throw new Error('no post');
  return post;
};
const cardOf = (post: PostDoc) => JSON.stringify(previewOf(t, post.approvalMessage?.ts ?? '').blocks);
const buttonValue = (post: PostDoc) => `${post._id}:${post.revision}`;
const jobsOf = (id: string) => t.app.services.db.collection('jobs').countDocuments({ 'data.postId': id });

/** Clicks a button on the post's card as `user` and returns what only the clicker was told, if anything. */
async function clickCard(user: string, action: string, post: PostDoc): Promise<() => string | undefined> {
  const before = t.slack.responses.length;
  const { responseId } = await click(t, user, action, buttonValue(post), previewOf(t, post.approvalMessage?.ts ?? ''));
  return () =>
    t.slack.responses
      .slice(before)
      .filter((r) => r.id === responseId)
      .map((r) => String(r.body.text))
      .join('\n') || undefined;
}

async function toldOnly(user: string, action: string, post: PostDoc): Promise<string> {
  const told = await clickCard(user, action, post);
  return t.slack.waitFor(() => told());
}

const dmsTo = (user: string) => t.slack.messages.filter((m) => m.channel === user).map((m) => m.text);

/** The requester (or an admin) edits the post through the Edit button and the modal, with a new caption. */
async function editThroughModal(user: string, post: PostDoc, caption: string): Promise<void> {
  const { trigger } = await click(
    t,
    user,
    approvalActions.edit,
    buttonValue(post),
    previewOf(t, post.approvalMessage?.ts ?? ''),
  );
  const opened = await t.slack.waitFor(() => t.slack.views.find((v) => v.trigger_id === trigger));
  const view = await until(async () => {
    const current = currentView(t, opened.id);
    // Once the second drawing (TikTok creators' settings) is in: the modal's metadata has them.
    return String(current.view.private_metadata).includes('"creators":{"') ? current : undefined;
  });
  const answer = await submitView(t, view, user, {
    accounts: input.multi([FB]),
    post_type_facebook: input.select('facebook_text'),
    caption: input.text(caption),
    first_comment: input.text(null),
    link: input.url(null),
    media: input.files([]),
    media_urls: input.text(null),
    when: input.radio('at'),
    date: input.date(inTwoDays),
    time: input.time('09:00'),
    tiktok_interactions: input.checks([]),
    tiktok_disclosure: input.checks([]),
  });
  expect(answer.body).toEqual({});
}

describe('approval in steps', () => {
  it('takes a post through Brand (any) then Legal (all), the card updated at each click', async () => {
    const post = await pendingPost(EDITOR, 'Two steps');
    expect(cardOf(post)).toContain('1. *Brand* (anyone): awaiting');
    expect(cardOf(post)).toContain(`<!subteam^${BRAND_GROUP}>`);
    expect(cardOf(post)).toContain('2. *Legal* (everyone): then');
    // The first step's approvers are told, the second's not yet.
    for (const user of [BRAND1, BRAND2, ADMIN, GROUPIE]) {
      await t.slack.waitFor(() => dmsTo(user).find((text) => text.includes('(Brand step, 1 of 2)')));
    }
    expect(dmsTo(LEGAL1).some((text) => text.includes('Legal step'))).toBe(false);

    // A Legal approver cannot decide at the Brand step.
    expect(await toldOnly(LEGAL1, approvalActions.approve, post)).toContain('waiting on the Brand step');
    // A member of the brand group approves the first step.
    await clickCard(GROUPIE, approvalActions.approve, post);
    await until(async () => (await get(post._id)).approval?.step === 1);
    await until(async () => cardOf(post).includes(`:white_check_mark: 1. *Brand* (anyone): approved by <@${GROUPIE}>`));
    expect(cardOf(post)).toContain(`:eyes: 2. *Legal* (everyone): awaiting <@${LEGAL1}>, <@${LEGAL2}>, <@${BRAND1}>`);
    for (const user of [LEGAL1, LEGAL2, BRAND1]) {
      await t.slack.waitFor(() => dmsTo(user).find((text) => text.includes('(Legal step, 2 of 2)')));
    }
    // A Brand-only approver can no longer decide.
    expect(await toldOnly(BRAND2, approvalActions.approve, post)).toContain('waiting on the Legal step');

    await clickCard(LEGAL1, approvalActions.approve, post);
    await until(async () => cardOf(post).includes(`approved by <@${LEGAL1}> · awaiting <@${LEGAL2}>, <@${BRAND1}>`));
    expect((await get(post._id)).state).toBe('pending_approval');
    expect(await toldOnly(LEGAL1, approvalActions.approve, post)).toContain('already approved the Legal step');
    expect(await jobsOf(post._id)).toBe(0);

    await clickCard(LEGAL2, approvalActions.approve, post);
    await until(async () => cardOf(post).includes(`approved by <@${LEGAL1}>, <@${LEGAL2}> · awaiting <@${BRAND1}>`));
    expect((await get(post._id)).state).toBe('pending_approval');
    await clickCard(BRAND1, approvalActions.approve, post);
    await until(async () => (await get(post._id)).state === 'scheduled');
    await until(async () => cardOf(post).includes('Approved and scheduled'));
    expect(cardOf(post)).toContain(
      `:white_check_mark: 2. *Legal* (everyone): approved by <@${LEGAL1}>, <@${LEGAL2}>, <@${BRAND1}>`,
    );
    expect(await jobsOf(post._id)).toBe(1);
    expect(await t.app.services.targets.ofPost(post._id)).toHaveLength(1);
    await t.slack.waitFor(() => dmsTo(EDITOR).find((text) => text.includes(`<@${BRAND1}> approved your post`)));
  });

  it('refuses self-approval at every step, including after an edit by an admin', async () => {
    // BRAND1 approves in both steps, so their own post is refused at both.
    const post = await pendingPost(BRAND1, 'Mine');
    expect(await toldOnly(BRAND1, approvalActions.approve, post)).toContain('You cannot approve your own post');
    // BRAND1 is not awaited in Legal for their own post, and is not asked to approve it.
    expect(cardOf(post)).not.toContain(`awaiting <@${BRAND1}>`);
    await clickCard(BRAND2, approvalActions.approve, post);
    await until(async () => (await get(post._id)).approval?.step === 1);
    expect(await toldOnly(BRAND1, approvalActions.approve, post)).toContain('You cannot approve your own post');
    expect(cardOf(post)).toContain(`awaiting <@${LEGAL1}>, <@${LEGAL2}>`);
    expect(cardOf(post)).not.toContain(`awaiting <@${LEGAL1}>, <@${LEGAL2}>, <@${BRAND1}>`);

    // The admin edits the post: the round starts again at Brand, and the admin wrote a revision.
    await editThroughModal(ADMIN, post, 'Mine, reworded by the admin');
    const edited = await until(async () => {
      const found = await get(post._id);
      return found.state === 'pending_approval' && found.revision === post.revision + 1 ? found : undefined;
    });
    expect(edited.approval).toEqual({ step: 0, approvals: [] });
    expect(await toldOnly(ADMIN, approvalActions.approve, edited)).toContain('a post you edited');
    expect(await toldOnly(BRAND1, approvalActions.approve, edited)).toContain('your own post');
    expect((await get(post._id)).approval).toEqual({ step: 0, approvals: [] });
    const denied = await t.app.services.db
      .collection('audit')
      .countDocuments({ subject: `post:${post._id}`, action: 'role_denied', 'details.reason': 'own_post' });
    expect(denied).toBe(4);
  });

  it('ends the round when Legal asks for changes, and an edit restarts at Brand', async () => {
    const post = await pendingPost(EDITOR, 'Needs a disclaimer');
    await clickCard(BRAND2, approvalActions.approve, post);
    await until(async () => (await get(post._id)).approval?.step === 1);
    await clickCard(LEGAL1, approvalActions.approve, post);
    await until(async () => (await get(post._id)).approval?.approvals.length === 2);

    const { trigger } = await click(
      t,
      LEGAL2,
      approvalActions.requestChanges,
      buttonValue(post),
      previewOf(t, post.approvalMessage?.ts ?? ''),
    );
    const modal = await t.slack.waitFor(() => t.slack.views.find((v) => v.trigger_id === trigger));
    await submitView(t, modal, LEGAL2, { reason: input.text('Add the legal disclaimer.') });
    await until(async () => (await get(post._id)).state === 'changes_requested');
    await t.slack.waitFor(() =>
      dmsTo(EDITOR).find((text) => text.includes(`<@${LEGAL2}> (Legal step) says: Add the legal disclaimer.`)),
    );
    await until(async () => cardOf(post).includes('Changes requested'));
    // The round is over: the remaining Legal approver cannot approve it any more.
    expect(await toldOnly(BRAND1, approvalActions.approve, post)).toContain('Too late');

    await editThroughModal(EDITOR, post, 'Needs a disclaimer. Terms apply.');
    const again = await until(async () => {
      const found = await get(post._id);
      return found.state === 'pending_approval' && found.revision === post.revision + 1 ? found : undefined;
    });
    expect(again.approval).toEqual({ step: 0, approvals: [] });
    await until(async () => cardOf(again).includes('1. *Brand* (anyone): awaiting'));
    expect(await toldOnly(LEGAL1, approvalActions.approve, again)).toContain('waiting on the Brand step');
    expect(threadOf(t, post.approvalMessage?.ts ?? '').some((text) => text.includes('edited this post'))).toBe(true);
  });
});

describe('concurrent clicks', () => {
  it('counts the last two approvals of an all step clicked at once, once each, and schedules the post once', async () => {
    for (let round = 0; round < 3; round += 1) {
      const post = await pendingPost(EDITOR, `Race ${round}`);
      await clickCard(BRAND2, approvalActions.approve, post);
      await until(async () => (await get(post._id)).approval?.step === 1);
      await clickCard(LEGAL1, approvalActions.approve, post);
      await until(async () => (await get(post._id)).approval?.approvals.length === 2);
      const before = t.slack.responses.length;
      await Promise.all([
        clickCard(LEGAL2, approvalActions.approve, post),
        clickCard(BRAND1, approvalActions.approve, post),
      ]);
      await until(async () => (await get(post._id)).state === 'scheduled');
      await until(async () => (await jobsOf(post._id)) > 0);
      const stored = await get(post._id);
      expect(stored.approval?.approvals.map((a) => `${a.step}:${a.by}`).sort()).toEqual(
        [`0:${BRAND2}`, `1:${BRAND1}`, `1:${LEGAL1}`, `1:${LEGAL2}`].sort(),
      );
      expect(stored.decisions.filter((d) => d.action === 'approved')).toHaveLength(4);
      expect(await jobsOf(post._id)).toBe(1);
      expect(await t.app.services.targets.ofPost(post._id)).toHaveLength(1);
      const scheduledNotes = () =>
        threadOf(t, post.approvalMessage?.ts ?? '').filter((text) => text.includes('all steps; it goes out'));
      await until(async () => scheduledNotes().length > 0);
      expect(scheduledNotes()).toHaveLength(1);
      expect(t.slack.responses.slice(before).filter((r) => String(r.body.text).length > 0)).toHaveLength(0);
    }
  });

  it('completes an any step once when two of its approvers click at once; the other is told', async () => {
    const post = await pendingPost(EDITOR, 'Any race');
    const [first, second] = await Promise.all([
      clickCard(BRAND1, approvalActions.approve, post),
      clickCard(BRAND2, approvalActions.approve, post),
    ]);
    await until(async () => (await get(post._id)).approval?.step === 1);
    const told = await t.slack.waitFor(() => first() ?? second());
    expect(told).toMatch(/^Too late: <@UBRAND[12]> approved this post\./);
    const stored = await get(post._id);
    expect(stored.approval?.approvals).toHaveLength(1);
    expect(stored.state).toBe('pending_approval');
  });
});

describe('approval deadline', () => {
  it('expires a post whose last approval came after its deadline: never published, everyone told, Edit offered', async () => {
    const post = await pendingPost(EDITOR, 'Late approval');
    await clickCard(BRAND2, approvalActions.approve, post);
    await until(async () => (await get(post._id)).approval?.step === 1);
    const dueAt = (await get(post._id)).dueAt as Date;
    // 10 minutes before its time: past the 15-minute deadline.
    clock.set(new Date(dueAt.getTime() - 10 * 60_000));
    try {
      expect(await toldOnly(LEGAL1, approvalActions.approve, post)).toContain('Too late: Wone let this post expire');
      const expired = await get(post._id);
      expect(expired.state).toBe('expired');
      expect(expired.approval?.approvals).toHaveLength(1);
      expect(await jobsOf(post._id)).toBe(0);
      expect(await t.app.services.targets.ofPost(post._id)).toHaveLength(0);
      await until(async () => cardOf(post).includes('Expired: not fully approved in time'));
      expect(buttonsOf(previewOf(t, post.approvalMessage?.ts ?? '')).map((b) => b.action_id)).toEqual([]);
      const requesterNote = await t.slack.waitFor(() =>
        t.slack.messages.find((m) => m.channel === EDITOR && m.text.includes('not fully approved 15 minutes before')),
      );
      expect(JSON.stringify(requesterNote.blocks)).toContain(approvalActions.edit);
      for (const user of [LEGAL1, LEGAL2, BRAND1]) {
        await t.slack.waitFor(() => dmsTo(user).find((text) => text.includes('expired')));
      }
      // Listed in /wone queue with Edit.
      const fields = woneCommand(t.slack, EDITOR, 'queue');
      await t.signer.command(fields);
      const queue = await t.slack.waitFor(() =>
        t.slack.responses.find((r) => fields.response_url?.endsWith(`/${r.id}`)),
      );
      expect(JSON.stringify(queue.body.blocks)).toContain('Expired: not approved in time');
      expect(JSON.stringify(queue.body.blocks)).toContain('Late approval');
    } finally {
      clock.offsetMs = 0;
    }
    // Edit to choose a new time: back to approval, from the first step.
    await editThroughModal(EDITOR, await get(post._id), 'Late approval, new time');
    await until(async () => (await get(post._id)).state === 'pending_approval');
  });

  it('expires posts nobody approved in time, on the minute sweep', async () => {
    const post = await pendingPost(EDITOR, 'Nobody looked');
    const dueAt = post.dueAt as Date;
    const expiredNotes = (user: string) => dmsTo(user).filter((text) => text.includes('expired')).length;
    const before = Object.fromEntries([BRAND1, BRAND2, ADMIN, GROUPIE].map((user) => [user, expiredNotes(user)]));
    expect(await t.app.services.approvals.expireDue(new Date(dueAt.getTime() - 16 * 60_000))).toBe(0);
    expect(await t.app.services.approvals.expireDue(new Date(dueAt.getTime() - 15 * 60_000))).toBeGreaterThan(0);
    expect((await get(post._id)).state).toBe('expired');
    for (const user of [BRAND1, BRAND2, ADMIN, GROUPIE]) {
      await until(async () => expiredNotes(user) > (before[user] ?? 0));
    }
  });
});
