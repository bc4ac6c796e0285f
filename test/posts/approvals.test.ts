import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostDoc } from '../../src/services/posts.ts';
import { approvalActions } from '../../views/approval-message.ts';
import { waitForQuiet } from '../harness/quiet.ts';
import { ADMIN, APPROVAL_CHANNEL, APPROVER, EDITOR } from '../harness/test-app.ts';
import {
  buttonsOf,
  click,
  draftWith,
  FB,
  type PostApp,
  previewOf,
  startPostApp,
  threadOf,
  until,
} from './post-harness.ts';

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp();
});
afterAll(async () => t?.stop());

const inTwoDays = DateTime.now().setZone('Europe/Berlin').plus({ days: 2 }).toFormat('yyyy-MM-dd');

/** A Facebook text post by `requester`, waiting for approval (through the drafting service, as after a submit). */
async function pendingPost(requester: string, caption = 'Hello from Wone'): Promise<PostDoc> {
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

async function refusalFor(user: string, since: number): Promise<string> {
  const answer = await t.slack.waitFor(() =>
    t.slack.responses.slice(since).find((r) => String(r.body.text).length > 0 && r.body.response_type === 'ephemeral'),
  );
  void user;
  return String(answer.body.text);
}

async function state(id: string) {
  return (await t.app.services.posts.get(id))?.state;
}

async function deniedCount(actor: string) {
  return t.app.services.db.collection('audit').countDocuments({ actor, action: 'role_denied' });
}

describe('who may decide', () => {
  it('refuses an editor on Approve, Reject and Request changes, audits it, and changes nothing', async () => {
    const post = await pendingPost(ADMIN);
    const preview = previewOf(t, post.approvalMessage?.ts ?? '');
    const value = `${post._id}:${post.revision}`;
    for (const action of [approvalActions.approve, approvalActions.reject, approvalActions.requestChanges]) {
      const before = t.slack.responses.length;
      const views = t.slack.views.length;
      const denied = await deniedCount(EDITOR);
      await click(t, EDITOR, action, value, preview);
      expect(await refusalFor(EDITOR, before)).toContain('Only approvers can approve or reject posts');
      expect(await deniedCount(EDITOR)).toBe(denied + 1);
      expect(t.slack.views.length).toBe(views);
    }
    expect(await state(post._id)).toBe('pending_approval');
    expect(await t.app.services.db.collection('jobs').countDocuments({ 'data.postId': post._id })).toBe(0);
  });

  it('refuses an approver approving their own post, but lets an admin approve it', async () => {
    const post = await pendingPost(APPROVER);
    const preview = previewOf(t, post.approvalMessage?.ts ?? '');
    const value = `${post._id}:${post.revision}`;
    const before = t.slack.responses.length;
    await click(t, APPROVER, approvalActions.approve, value, preview);
    expect(await refusalFor(APPROVER, before)).toContain('You cannot approve your own post');
    expect(await state(post._id)).toBe('pending_approval');
    await click(t, ADMIN, approvalActions.approve, value, preview);
    await until(async () => (await state(post._id)) === 'scheduled');
  });

  it('refuses a click from another organisation before anything runs', async () => {
    const post = await pendingPost(EDITOR);
    const preview = previewOf(t, post.approvalMessage?.ts ?? '');
    const before = t.slack.responses.length;
    await click(t, 'UOUTSIDER', approvalActions.approve, `${post._id}:${post.revision}`, preview, 'T0OTHER');
    expect(await refusalFor('UOUTSIDER', before)).toContain('only inside the Wone Commerce workspace');
    expect(await state(post._id)).toBe('pending_approval');
  });

  it('lets only one of two approvers clicking at once win: one schedule, the other is told', async () => {
    const post = await pendingPost(EDITOR);
    const preview = previewOf(t, post.approvalMessage?.ts ?? '');
    const value = `${post._id}:${post.revision}`;
    const before = t.slack.responses.length;
    const [byApprover, byAdmin] = await Promise.all([
      click(t, APPROVER, approvalActions.approve, value, preview),
      click(t, ADMIN, approvalActions.approve, value, preview),
    ]);
    await until(async () => (await state(post._id)) === 'scheduled');
    // Either may win; the other one, and only it, is told who did.
    const tooLate = await t.slack.waitFor(() => {
      const found = t.slack.responses.slice(before).filter((r) => String(r.body.text).startsWith('Too late'));
      return found.length > 0 ? found : undefined;
    });
    await waitForQuiet(() => t.slack.calls.length + t.slack.responses.length);
    expect(t.slack.responses.slice(before).filter((r) => String(r.body.text).startsWith('Too late'))).toHaveLength(1);
    const loser = tooLate[0];
    expect([byApprover.responseId, byAdmin.responseId]).toContain(loser?.id);
    const winner = loser?.id === byApprover.responseId ? ADMIN : APPROVER;
    expect(String(loser?.body.text)).toContain(`Too late: <@${winner}> approved this post`);
    const stored = await t.app.services.posts.get(post._id);
    expect(stored?.decisions.filter((d) => d.action === 'approved')).toHaveLength(1);
    await until(
      async () => (await t.app.services.db.collection('jobs').countDocuments({ 'data.postId': post._id })) > 0,
    );
    expect(await t.app.services.db.collection('jobs').countDocuments({ 'data.postId': post._id })).toBe(1);
    expect(await t.app.services.targets.ofPost(post._id)).toHaveLength(1);
  });

  it('sends a post back with a reason: the requester gets it with an Edit button, the thread records it', async () => {
    const post = await pendingPost(EDITOR);
    const ts = post.approvalMessage?.ts ?? '';
    const { trigger } = await click(
      t,
      APPROVER,
      approvalActions.requestChanges,
      `${post._id}:${post.revision}`,
      previewOf(t, ts),
    );
    const modal = await t.slack.waitFor(() => t.slack.views.find((v) => v.trigger_id === trigger));
    const { submitView } = await import('./post-harness.ts');
    const empty = await submitView(t, modal, APPROVER, { reason: { type: 'plain_text_input', value: '' } });
    expect(empty.body).toMatchObject({ response_action: 'errors', errors: { reason: expect.any(String) } });
    await submitView(t, modal, APPROVER, { reason: { type: 'plain_text_input', value: 'Please add the price.' } });
    await until(async () => (await state(post._id)) === 'changes_requested');
    const dm = await t.slack.waitFor(() =>
      t.slack.messages.find((m) => m.channel === EDITOR && m.text.includes('Please add the price.')),
    );
    expect(JSON.stringify(dm.blocks)).toContain(approvalActions.edit);
    await until(async () => threadOf(t, ts).some((text) => text.includes('asked for changes: Please add the price.')));
  });

  it('rejects (approvers only) after asking an optional reason, tells the requester, and leaves no buttons', async () => {
    const post = await pendingPost(EDITOR);
    const ts = post.approvalMessage?.ts ?? '';
    const { trigger } = await click(
      t,
      APPROVER,
      approvalActions.reject,
      `${post._id}:${post.revision}`,
      previewOf(t, ts),
    );
    const modal = await t.slack.waitFor(() => t.slack.views.find((v) => v.trigger_id === trigger));
    expect(await state(post._id)).toBe('pending_approval');
    const { submitView } = await import('./post-harness.ts');
    await submitView(t, modal, APPROVER, { reason: { type: 'plain_text_input', value: 'Off-brand <!channel>' } });
    await until(async () => (await state(post._id)) === 'rejected');
    const dm = await t.slack.waitFor(() =>
      t.slack.messages.find((m) => m.channel === EDITOR && m.text.includes('rejected your post')),
    );
    expect(dm.text).toContain('Reason: Off-brand &lt;!channel&gt;');
    expect(JSON.stringify(dm.blocks)).toContain(
      `/archives/${APPROVAL_CHANNEL}/p${ts.replace('.', '')}|Open the approval thread`,
    );
    await until(async () => threadOf(t, ts).some((text) => text.includes('rejected this post: Off-brand')));
    await until(async () => buttonsOf(previewOf(t, ts)).length === 0);
  });
});

describe('editing', () => {
  it('opens the modal for the requester and admins only, prefilled', async () => {
    const post = await pendingPost(EDITOR, 'Keep every word');
    const preview = previewOf(t, post.approvalMessage?.ts ?? '');
    const value = `${post._id}:${post.revision}`;
    const before = t.slack.responses.length;
    await click(t, APPROVER, approvalActions.edit, value, preview);
    expect(await refusalFor(APPROVER, before)).toContain('Only the requester or an admin can edit this post');
    for (const user of [EDITOR, ADMIN]) {
      const { trigger } = await click(t, user, approvalActions.edit, value, preview);
      const modal = await t.slack.waitFor(() => t.slack.views.find((v) => v.trigger_id === trigger));
      expect(JSON.stringify(modal.view)).toContain('Keep every word');
    }
  });

  it('sends an approved post back for approval when it is edited, and drops its job', async () => {
    const post = await pendingPost(EDITOR, 'Before');
    await t.app.services.approvals.approve(post._id, post.revision, APPROVER);
    expect(
      await t.app.services.db.collection('jobs').countDocuments({ 'data.postId': post._id, nextRunAt: { $ne: null } }),
    ).toBe(1);
    await t.app.services.drafts.save({
      postId: post._id,
      draft: { ...post, caption: 'After' },
      files: [],
      timezone: 'Europe/Berlin',
      by: EDITOR,
    });
    const edited = await t.app.services.drafts.prepare(post._id);
    expect(edited?.state).toBe('pending_approval');
    expect(edited?.revision).toBe(post.revision + 1);
    expect(await t.app.services.db.collection('jobs').countDocuments({ 'data.postId': post._id })).toBe(0);
    expect(await t.app.services.targets.ofPost(post._id)).toHaveLength(0);
    // A click on the old revision's button is refused.
    const before = t.slack.responses.length;
    await click(
      t,
      APPROVER,
      approvalActions.approve,
      `${post._id}:${post.revision}`,
      previewOf(t, post.approvalMessage?.ts ?? ''),
    );
    expect(await refusalFor(APPROVER, before)).toContain('edited since that preview');
  });
});

describe('queue buttons', () => {
  it('lets approvers (not editors) reschedule and cancel', async () => {
    const post = await pendingPost(EDITOR);
    await t.app.services.approvals.approve(post._id, post.revision, ADMIN);
    const value = `${post._id}:${post.revision}`;
    const preview = previewOf(t, post.approvalMessage?.ts ?? '');
    for (const action of [approvalActions.cancel, approvalActions.reschedule]) {
      const before = t.slack.responses.length;
      await click(t, EDITOR, action, value, preview);
      expect(await refusalFor(EDITOR, before)).toMatch(/Only approvers can (cancel|reschedule) posts/);
    }
    expect(await state(post._id)).toBe('scheduled');
    await click(t, APPROVER, approvalActions.cancel, value, preview);
    await until(async () => (await state(post._id)) === 'cancelled');
    await until(
      async () => (await t.app.services.db.collection('jobs').countDocuments({ 'data.postId': post._id })) === 0,
    );
  });
});
