import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostDoc } from '../../src/services/posts.ts';
import { approvalActions } from '../../views/approval-message.ts';
import { changeRequestBlockId } from '../../views/change-request-note.ts';
import { withdrawAction } from '../../views/withdraw-button.ts';
import { ADMIN, APPROVAL_CHANNEL, APPROVER, EDITOR, TEAM_ID } from '../harness/test-app.ts';
import {
  buttonsOf,
  click,
  currentView,
  draftWith,
  FB,
  input,
  openDraft,
  type PostApp,
  previewOf,
  startPostApp,
  submitView,
  threadOf,
  until,
} from './post-harness.ts';

/** Another editor, who owns none of the posts below. */
const OTHER = 'UOTHER';

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp({ EDITOR_USER_IDS: `${EDITOR},${OTHER}` });
  t.slack.addUser({ id: OTHER, name: 'otto', tz: 'UTC' });
});
afterAll(async () => t?.stop());

const inDays = (days: number) => DateTime.now().setZone('Europe/Berlin').plus({ days }).toFormat('yyyy-MM-dd');

async function pendingPost(caption: string, by = EDITOR): Promise<PostDoc> {
  const id = await t.app.services.drafts.save({
    draft: draftWith({
      accountIds: [FB],
      postTypes: { facebook: 'facebook_text' },
      caption,
      link: 'https://wone.example.com/spring',
      schedule: { kind: 'at', date: inDays(2), time: '09:00', timezone: 'Europe/Berlin' },
    }),
    files: [],
    timezone: 'Europe/Berlin',
    by,
  });
  const post = await t.app.services.drafts.prepare(id);
  if (post?.state !== 'pending_approval') throw new Error(`post is ${post?.state}`);
  return post;
}

const state = async (id: string) => (await t.app.services.posts.get(id))?.state;
const dmsTo = (user: string) => t.slack.messages.filter((m) => m.channel === user);
const permalinkOf = (ts: string) => `https://wone.slack.com/archives/${APPROVAL_CHANNEL}/p${ts.replace('.', '')}`;

/** Opens the Home tab as Slack does (`app_home_opened`) and returns what the app published. */
async function openHome(user: string): Promise<string> {
  t.slack.published.delete(user);
  const answer = await t.signer.event({
    token: 'x',
    team_id: TEAM_ID,
    api_app_id: 'A0WONE',
    type: 'event_callback',
    event_id: `Ev${Math.floor(Math.random() * 1e9)}`,
    event_time: 1,
    event: { type: 'app_home_opened', user, channel: 'D1', tab: 'home' },
  });
  expect(answer.status).toBe(200);
  return JSON.stringify(await t.slack.waitFor(() => t.slack.published.get(user)));
}

describe('the approval card is the post', () => {
  it('drops a type chosen for a network that was then deselected, and shows the link of a link post', async () => {
    const modal = await openDraft(t, EDITOR);
    const answer = await submitView(t, currentView(t, modal.id), EDITOR, {
      accounts: input.multi([FB]),
      post_type_instagram: input.select('instagram_story'),
      post_type_facebook: input.select('facebook_text'),
      post_type_tiktok: input.select('tiktok_video:direct'),
      caption: input.text('Only on Facebook'),
      link: input.url('https://wone.example.com/spring'),
      when: input.radio('asap'),
    });
    expect(answer.body).toEqual({});
    const post = await until(async () => {
      const found = await t.app.services.posts.collection.findOne({ caption: 'Only on Facebook' });
      return found?.approvalMessage ? found : undefined;
    });
    expect(post.postTypes).toEqual({ facebook: 'facebook_text' });
    const card = JSON.stringify(previewOf(t, post.approvalMessage?.ts ?? '').blocks);
    // The requester is told it waits, with the thread's link, Edit and Withdraw.
    const told = await t.slack.waitFor(() =>
      dmsTo(EDITOR).find(
        (m) => m.text === 'Your post is waiting for approval.' && JSON.stringify(m.blocks).includes(post._id),
      ),
    );
    expect(JSON.stringify(told.blocks)).toContain(permalinkOf(post.approvalMessage?.ts ?? ''));
    expect(buttonsOf(told).map((b) => b.action_id)).toEqual([approvalActions.edit, withdrawAction]);
    expect(card).not.toContain('Story');
    expect(card).not.toContain('TikTok');
    expect(card).toContain('Link: <https://wone.example.com/spring|');
  });

  it('says what changed when an edited post comes back for approval', async () => {
    const post = await pendingPost('Before the edit');
    await t.app.services.drafts.save({
      postId: post._id,
      draft: { ...post, caption: 'After the edit', accountIds: [FB] },
      files: [],
      timezone: 'Europe/Berlin',
      by: EDITOR,
    });
    const edited = await t.app.services.drafts.prepare(post._id);
    expect(edited?.previous).toMatchObject({ revision: 1, caption: 'Before the edit' });
    const card = JSON.stringify(previewOf(t, post.approvalMessage?.ts ?? '').blocks);
    expect(card).toContain('Changed since revision 1');
    expect(card).toContain('Caption (was “Before the edit”)');
  });
});

describe('the editor’s loop is closed', () => {
  it('shows the change request inside the Edit modal, and DMs it with a link to the thread', async () => {
    const post = await pendingPost('Needs a price');
    const ts = post.approvalMessage?.ts ?? '';
    await t.app.services.approvals.requestChanges(post._id, post.revision, APPROVER, 'Add the *price* <!here>');
    const dm = await t.slack.waitFor(() => dmsTo(EDITOR).find((m) => m.text.includes('Add the')));
    expect(JSON.stringify(dm.blocks)).toContain(`<${permalinkOf(ts)}|Open the approval thread>`);
    const edit = buttonsOf(dm).find((b) => b.action_id === approvalActions.edit);
    const { trigger } = await click(t, EDITOR, approvalActions.edit, edit?.value ?? '', dm);
    const modal = await t.slack.waitFor(() => t.slack.views.find((v) => v.trigger_id === trigger));
    const first = (modal.view.blocks as { block_id?: string }[])[0];
    expect(first?.block_id).toBe(changeRequestBlockId);
    expect(JSON.stringify(first)).toContain(`<@${APPROVER}> asked for changes: Add the`);
    expect(JSON.stringify(first)).not.toContain('<!here>');
  });

  it('DMs the requester when their post is approved, with the link and Withdraw', async () => {
    const post = await pendingPost('Approve me');
    const ts = post.approvalMessage?.ts ?? '';
    await t.app.services.approvals.approve(post._id, post.revision, APPROVER);
    const dm = await t.slack.waitFor(() => dmsTo(EDITOR).find((m) => m.text.includes('approved your post')));
    expect(JSON.stringify(dm.blocks)).toContain(permalinkOf(ts));
    expect(buttonsOf(dm).map((b) => b.action_id)).toEqual([withdrawAction]);
  });

  it('DMs the requester when an approver reschedules or cancels their post, and when it is published', async () => {
    const pending = await pendingPost('Cancel me');
    const scheduled = await t.app.services.approvals.approve(pending._id, pending.revision, APPROVER);
    await t.app.services.scheduling.reschedule(scheduled._id, APPROVER, inDays(3), '11:00', 'Europe/Berlin');
    await t.slack.waitFor(() => dmsTo(EDITOR).find((m) => m.text.includes(`<@${APPROVER}> moved your post to`)));
    await t.app.services.scheduling.cancel(scheduled._id, APPROVER);
    await t.slack.waitFor(() => dmsTo(EDITOR).find((m) => m.text.includes(`<@${APPROVER}> cancelled your post`)));

    const asap = await t.app.services.drafts.save({
      draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption: 'Publish me now' }),
      files: [],
      timezone: 'Europe/Berlin',
      by: EDITOR,
    });
    const ready = await t.app.services.drafts.prepare(asap);
    await t.app.services.approvals.approve(asap, ready?.revision ?? 0, APPROVER);
    // The dispatcher may have taken the due post up first: either way it ends published once.
    await t.app.services.publisher.run(asap);
    await until(async () => (await state(asap)) === 'published');
    const dm = await t.slack.waitFor(() => dmsTo(EDITOR).find((m) => m.text === 'Your post is published.'));
    expect(JSON.stringify(dm.blocks)).toContain(permalinkOf(ready?.approvalMessage?.ts ?? ''));
  });

  it('lets the author withdraw a pending post, and refuses another editor', async () => {
    const post = await pendingPost('Withdraw me');
    const value = `${post._id}:${post.revision}`;
    const denied = await t.app.services.db.collection('audit').countDocuments({ actor: OTHER, action: 'role_denied' });
    await click(t, OTHER, withdrawAction, value);
    await until(async () =>
      (await t.app.services.db.collection('audit').countDocuments({ actor: OTHER, action: 'role_denied' })) > denied
        ? true
        : undefined,
    );
    expect(await state(post._id)).toBe('pending_approval');
    await click(t, EDITOR, withdrawAction, value);
    await until(async () => (await state(post._id)) === 'cancelled');
    const stored = await t.app.services.posts.get(post._id);
    expect(stored?.decisions.at(-1)).toMatchObject({ action: 'withdrawn', by: EDITOR });
    const ts = post.approvalMessage?.ts ?? '';
    await until(async () => threadOf(t, ts).some((text) => text.includes(`<@${EDITOR}> withdrew this post`)));
    await until(async () => buttonsOf(previewOf(t, ts)).length === 0);
    // Clicked on Home: the Home tab is published again.
    await until(async () => (t.slack.published.get(EDITOR) ? true : undefined));
  });

  it('withdraws a scheduled post: its job and queued targets go, and a second click is refused', async () => {
    const pending = await pendingPost('Scheduled, then withdrawn');
    const post = await t.app.services.approvals.approve(pending._id, pending.revision, APPROVER);
    expect(post.state).toBe('scheduled');
    expect(await t.app.services.db.collection('jobs').countDocuments({ 'data.postId': post._id })).toBe(1);
    const withdrawn = await t.app.services.withdrawals.withdraw(post._id, EDITOR);
    expect(withdrawn.state).toBe('cancelled');
    expect(await t.app.services.db.collection('jobs').countDocuments({ 'data.postId': post._id })).toBe(0);
    expect(await t.app.services.targets.ofPost(post._id)).toHaveLength(0);
    await expect(t.app.services.withdrawals.withdraw(post._id, EDITOR)).rejects.toThrow(/cancelled/);
  });

  it('two withdrawals at once: one wins, the other is refused', async () => {
    const post = await pendingPost('Raced');
    const results = await Promise.allSettled([
      t.app.services.withdrawals.withdraw(post._id, EDITOR),
      t.app.services.withdrawals.withdraw(post._id, ADMIN),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const stored = await t.app.services.posts.get(post._id);
    expect(stored?.decisions.filter((d) => d.action === 'withdrawn')).toHaveLength(1);
  });

  it('App Home shows the author their posts by state, and approvers what waits for them', async () => {
    const waiting = await pendingPost('Home waiting');
    const changes = await pendingPost('Home needs changes');
    await t.app.services.approvals.requestChanges(changes._id, changes.revision, APPROVER, 'Shorter, please');
    const rejected = await pendingPost('Home rejected');
    await t.app.services.approvals.reject(rejected._id, rejected.revision, APPROVER, 'Not this week');

    const home = await openHome(EDITOR);
    expect(home).toContain('Your posts');
    expect(home).toMatch(/\*Waiting for approval\* \(\d+\)/);
    expect(home).toContain('*Needs changes* (');
    expect(home).toContain('Shorter, please');
    expect(home).toContain('*Rejected* (');
    expect(home).toContain('Not this week');
    expect(home).toContain(`"value":"${waiting._id}:${waiting.revision}"`);
    expect(home).toContain(withdrawAction);
    // An editor is not shown approvers' buttons.
    expect(home).not.toContain(approvalActions.cancel);
    expect(home).not.toContain(approvalActions.reschedule);
    expect(home).not.toContain('Waiting for your approval');

    const approverHome = await openHome(APPROVER);
    expect(approverHome).toMatch(/Waiting for your approval \(\d+\)/);
    expect(approverHome).toContain(permalinkOf(waiting.approvalMessage?.ts ?? ''));
    expect(approverHome).toContain('You have no posts yet');
  });
});
