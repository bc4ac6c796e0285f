import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalActions } from '../../views/approval-message.ts';
import { queuePageAction } from '../../views/queue-message.ts';
import { ADMIN, APPROVER, EDITOR, TEAM_ID } from '../harness/test-app.ts';
import {
  click,
  currentView,
  draftWith,
  FB,
  input,
  openDraft,
  type PostApp,
  previewOf,
  scheduledPost,
  startPostApp,
  submitView,
  until,
} from '../posts/post-harness.ts';

/** A workspace member who is not in `EDITOR_USER_IDS`. */
const MEMBER = 'UMEMBER';

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp({ EDITOR_USER_IDS: EDITOR });
  t.slack.addUser({ id: MEMBER, name: 'mo', tz: 'Europe/Berlin' });
});
afterAll(async () => t?.stop());

const deniedCount = (actor: string) =>
  t.app.services.db.collection('audit').countDocuments({ actor, action: 'role_denied' });

describe('every door checks the role', () => {
  it('refuses a draft submitted by a member outside the editor list: no post, an audit row', async () => {
    const modal = await openDraft(t, EDITOR);
    const view = currentView(t, modal.id);
    const day = DateTime.now().setZone('Europe/Berlin').plus({ days: 2 }).toFormat('yyyy-MM-dd');
    const denied = await deniedCount(MEMBER);
    const answer = await submitView(t, view, MEMBER, {
      accounts: input.multi([FB]),
      post_type_facebook: input.select('facebook_text'),
      caption: input.text('Members outside the list cannot post'),
      first_comment: input.text(null),
      link: input.url(null),
      media_urls: input.text(null),
      when: input.radio('at'),
      date: input.date(day),
      time: input.time('10:30'),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.response_action).toBe('errors');
    expect(JSON.stringify(answer.body)).toContain('Only editors can draft posts');
    await until(async () => (await deniedCount(MEMBER)) === denied + 1);
    expect(await t.app.services.posts.collection.countDocuments({ requestedBy: MEMBER })).toBe(0);
    await expect(
      t.app.services.drafts.save({
        draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption: 'x' }),
        files: [],
        timezone: 'UTC',
        by: MEMBER,
      }),
    ).rejects.toThrow('editor');
  });

  it('shows no queue on the Home tab of a member outside the editor list', async () => {
    await scheduledPost(t, 'Secret launch caption');
    for (const [user, sees] of [
      [MEMBER, false],
      [EDITOR, true],
    ] as const) {
      await t.signer.event({
        token: 'x',
        team_id: TEAM_ID,
        api_app_id: 'A0WONE',
        type: 'event_callback',
        event_id: `Ev-${user}`,
        event_time: 1,
        event: { type: 'app_home_opened', user, channel: 'D1', tab: 'home' },
      });
      const home = JSON.stringify(await t.slack.waitFor(() => t.slack.published.get(user)));
      expect(home.includes('Secret launch caption'), user).toBe(sees);
    }
    expect(JSON.stringify(t.slack.published.get(MEMBER))).toContain('Ask an admin');
  });

  it('refuses the queue’s page buttons to a member outside the editor list', async () => {
    await scheduledPost(t, 'Another secret caption');
    const denied = await deniedCount(MEMBER);
    const before = t.slack.responses.length;
    await click(t, MEMBER, queuePageAction, '0', { channel: 'C0GENERAL', ts: '1.1', text: '', blocks: [] } as never);
    await until(async () => (await deniedCount(MEMBER)) === denied + 1);
    // The refusal is audited, then told: wait for the telling.
    await until(async () =>
      t.slack.responses.slice(before).some((r) => JSON.stringify(r.body).includes('Only editors')),
    );
    const answers = t.slack.responses.slice(before).map((r) => JSON.stringify(r.body));
    expect(answers.join('\n')).not.toContain('secret caption');
    expect(answers.join('\n')).toContain('Only editors can do that');
  });
});

describe('nobody approves a revision they wrote', () => {
  it('refuses an admin approving a post they edited; another approver may', async () => {
    const day = DateTime.now().setZone('Europe/Berlin').plus({ days: 2 }).toFormat('yyyy-MM-dd');
    const draft = draftWith({
      accountIds: [FB],
      postTypes: { facebook: 'facebook_text' },
      caption: 'Written by the editor',
      schedule: { kind: 'at', date: day, time: '09:00', timezone: 'Europe/Berlin' },
    });
    const id = await t.app.services.drafts.save({ draft, files: [], timezone: 'Europe/Berlin', by: EDITOR });
    await t.app.services.drafts.prepare(id);
    await t.app.services.drafts.save({
      postId: id,
      draft: { ...draft, caption: 'Rewritten by the admin' },
      files: [],
      timezone: 'Europe/Berlin',
      by: ADMIN,
    });
    const edited = await t.app.services.drafts.prepare(id);
    expect(edited?.state).toBe('pending_approval');
    const value = `${id}:${edited?.revision}`;
    const preview = previewOf(t, edited?.approvalMessage?.ts ?? '');
    const before = t.slack.responses.length;
    await click(t, ADMIN, approvalActions.approve, value, preview);
    const refusal = await t.slack.waitFor(() =>
      t.slack.responses.slice(before).find((r) => String(r.body.text).includes('cannot approve')),
    );
    expect(String(refusal.body.text)).toContain('a post you edited');
    expect((await t.app.services.posts.get(id))?.state).toBe('pending_approval');
    await expect(t.app.services.approvals.approve(id, edited?.revision ?? 0, ADMIN)).rejects.toThrow('you edited');
    await click(t, APPROVER, approvalActions.approve, value, preview);
    await until(async () => (await t.app.services.posts.get(id))?.state === 'scheduled');
  });
});
