import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalActions } from '../../views/approval-message.ts';
import { previewRefusedActions } from '../../views/preview-refused-message.ts';
import { APPROVAL_CHANNEL, APPROVER, EDITOR } from '../harness/test-app.ts';
import {
  buttonsOf,
  changeView,
  click,
  FB,
  input,
  openLoadedDraft,
  type PostApp,
  previewOf,
  startPostApp,
  submitView,
  until,
} from './post-harness.ts';

// A post whose first approval preview Slack refuses (the app was never invited to the approval channel, or was
// removed) is not left pending with no card: it goes back to drafted, the requester is told why and what to do, and a
// button sends it for approval again.

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp();
});
afterAll(async () => t?.stop());

const refusals = () =>
  t.slack.messages.filter((m) => m.channel === EDITOR && m.text.includes('could not be sent for approval'));
const responsesAfter = (count: number) => t.slack.responses.slice(count).map((r) => String(r.body.text));

describe('an approval preview the approval channel refuses', () => {
  it('tells the requester why, keeps the post, and sends it again once the app is invited', async () => {
    t.slack.removeBot(APPROVAL_CHANNEL);
    const loaded = await openLoadedDraft(t, EDITOR);
    const view = await changeView(t, loaded, EDITOR, 'accounts', { accounts: input.multi([FB]) });
    const day = DateTime.now().setZone('Europe/Berlin').plus({ days: 2 }).toFormat('yyyy-MM-dd');
    const submitted = await submitView(t, view, EDITOR, {
      accounts: input.multi([FB]),
      post_type_facebook: input.select('facebook_text'),
      caption: input.text('Refused at first'),
      when: input.radio('at'),
      date: input.date(day),
      time: input.time('10:00'),
    });
    expect(submitted).toEqual({ status: 200, body: {} });

    // The requester hears the truth in a direct message, with what to do and a button to send it again.
    const [told] = await until(async () => (refusals().length > 0 ? refusals() : undefined));
    expect(told?.text).toContain(`the app is not a member of <#${APPROVAL_CHANNEL}>`);
    expect(told?.text).toContain('invite it');
    const sendAgain = buttonsOf(told as NonNullable<typeof told>).find(
      (b) => b.action_id === previewRefusedActions.sendAgain,
    );
    expect(sendAgain).toBeDefined();
    // The post is kept as a draft: not pending without a card nobody can see, nothing in the approval channel.
    const post = await t.app.services.posts.collection.findOne({ caption: 'Refused at first' });
    expect(post?.state).toBe('drafted');
    expect(post?.approvalMessage).toBeUndefined();
    expect(t.slack.messages.filter((m) => m.channel === APPROVAL_CHANNEL)).toHaveLength(0);
    expect(t.slack.messages.some((m) => m.channel === EDITOR && m.text.includes('waiting for approval'))).toBe(false);

    // Someone else may not send another person's post.
    let before = t.slack.responses.length;
    await click(t, APPROVER, previewRefusedActions.sendAgain, sendAgain?.value ?? '', told);
    await until(async () => responsesAfter(before).length > 0);
    expect((await t.app.services.posts.get(post?._id ?? ''))?.state).toBe('drafted');

    // Sent again while the app is still outside the channel: told again, still a draft.
    await click(t, EDITOR, previewRefusedActions.sendAgain, sendAgain?.value ?? '', told);
    await until(async () => refusals().length === 2);
    expect((await t.app.services.posts.get(post?._id ?? ''))?.state).toBe('drafted');

    // Once the app is invited, the button puts it up for approval: the card is in the channel, and approvable.
    t.slack.inviteBot(APPROVAL_CHANNEL);
    before = t.slack.responses.length;
    await click(t, EDITOR, previewRefusedActions.sendAgain, sendAgain?.value ?? '', told);
    const pending = await until(async () => {
      const found = await t.app.services.posts.get(post?._id ?? '');
      return found?.state === 'pending_approval' && found.approvalMessage ? found : undefined;
    });
    const preview = previewOf(t, pending.approvalMessage?.ts ?? '');
    expect(buttonsOf(preview).map((b) => b.action_id)).toContain(approvalActions.approve);
    await until(async () => responsesAfter(before).some((text) => text.includes('waiting for approval')));

    // A second click on the old button changes nothing more.
    before = t.slack.responses.length;
    await click(t, EDITOR, previewRefusedActions.sendAgain, sendAgain?.value ?? '', told);
    await until(async () => responsesAfter(before).some((text) => text.includes('nothing to send again')));
    expect(t.slack.messages.filter((m) => m.channel === APPROVAL_CHANNEL && !m.thread_ts)).toHaveLength(1);
  });
});
