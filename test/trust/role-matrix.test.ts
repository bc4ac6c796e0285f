import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalActions } from '../../views/approval-message.ts';
import { CHOOSE_ACTION_ID } from '../../views/choose-accounts-message.ts';
import { SHARE_INSIGHTS_ACTION } from '../../views/insights-report.ts';
import { queuePageAction } from '../../views/queue-message.ts';
import { withdrawAction } from '../../views/withdraw-button.ts';
import { ADMIN, APPROVER, EDITOR, TEAM_ID, woneCommand } from '../harness/test-app.ts';
import { draftWith, FB, type PostApp, startPostApp } from '../posts/post-harness.ts';

/** The people of the matrix: one per role, a member outside `EDITOR_USER_IDS`, and someone from another workspace. */
const people = {
  editor: EDITOR,
  approver: APPROVER,
  admin: ADMIN,
  member: 'UMEMBER',
  outsider: 'UOUTSIDER',
} as const;
type Person = keyof typeof people;
/** Who wrote the posts the buttons act on: another editor, so nobody in the matrix owns them. */
const AUTHOR = 'UAUTHOR';
const OTHER_TEAM = 'T0OTHER';

/** The least role a door needs; `anyone` doors only acknowledge (links, checkboxes) and read or change nothing. */
type Least = 'anyone' | 'editor' | 'approver' | 'admin';
const rank: Record<Person, number> = { outsider: -1, member: 0, editor: 1, approver: 2, admin: 3 };
const needs: Record<Least, number> = { anyone: 0, editor: 1, approver: 2, admin: 3 };

interface Sent {
  status: number;
  body: string;
}
interface Door {
  kind: 'command' | 'button' | 'submission' | 'event';
  name: string;
  least: Least;
  send: (user: string, team: string) => Promise<Sent>;
}

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp({ EDITOR_USER_IDS: `${EDITOR},${AUTHOR}` });
  for (const id of [people.member, people.outsider, AUTHOR]) t.slack.addUser({ id, name: id.toLowerCase(), tz: 'UTC' });
});
afterAll(async () => t?.stop());

const day = () => DateTime.now().setZone('Europe/Berlin').plus({ days: 3 }).toFormat('yyyy-MM-dd');

/** A fresh post by AUTHOR waiting for approval, so every person's click meets a post that can be decided. */
async function pendingPost(): Promise<{ id: string; value: string }> {
  const id = await t.app.services.drafts.save({
    draft: draftWith({
      accountIds: [FB],
      postTypes: { facebook: 'facebook_text' },
      caption: 'Matrix',
      schedule: { kind: 'at', date: day(), time: '09:00', timezone: 'Europe/Berlin' },
    }),
    files: [],
    timezone: 'Europe/Berlin',
    by: AUTHOR,
  });
  const post = await t.app.services.drafts.prepare(id);
  return { id, value: `${id}:${post?.revision}` };
}

async function answer(response: Promise<{ status: number; body: string }>): Promise<Sent> {
  const { status, body } = await response;
  return { status, body };
}

const command = (text: string) => (user: string, team: string) =>
  answer(
    t.signer.command(
      woneCommand(t.slack, user, text, { team_id: TEAM_ID, ...(team === TEAM_ID ? {} : { user_team_id: team }) }),
    ),
  );

const button =
  (actionId: string, value: () => Promise<string> | string) =>
  async (user: string, team: string): Promise<Sent> =>
    answer(
      t.signer.interaction({
        type: 'block_actions',
        team: { id: TEAM_ID, domain: 'wone' },
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
        api_app_id: 'A0WONE',
        token: 'deprecated',
        trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e9)}.m`,
        container: { type: 'message', message_ts: '1.1', channel_id: 'C0APPROVAL', is_ephemeral: false },
        channel: { id: 'C0APPROVAL', name: 'social' },
        response_url: t.slack.responseUrl(),
        actions: [{ action_id: actionId, block_id: 'b', type: 'button', value: await value(), action_ts: '1.1' }],
      }),
    );

const submission =
  (callbackId: string, metadata: () => Promise<string> | string, values: Record<string, Record<string, unknown>>) =>
  async (user: string, team: string): Promise<Sent> =>
    answer(
      t.signer.interaction({
        type: 'view_submission',
        team: { id: TEAM_ID, domain: 'wone' },
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
        api_app_id: 'A0WONE',
        token: 'deprecated',
        trigger_id: `${Date.now()}.${Math.random()}.v`,
        view: {
          id: `V${Math.floor(Math.random() * 1e9)}`,
          team_id: TEAM_ID,
          type: 'modal',
          callback_id: callbackId,
          private_metadata: await metadata(),
          state: { values },
          hash: 'h',
          blocks: [],
        },
      }),
    );

const homeOpened = async (user: string, team: string): Promise<Sent> =>
  answer(
    t.signer.event({
      token: 'x',
      team_id: team,
      api_app_id: 'A0WONE',
      type: 'event_callback',
      event_id: `Ev${Math.floor(Math.random() * 1e9)}`,
      event_time: 1,
      event: { type: 'app_home_opened', user, channel: 'D1', tab: 'home' },
    }),
  );

const postValue = async () => (await pendingPost()).value;
const target = () => `${'a'.repeat(24)}:facebook:100200300400500`;
const plain = (value: string) => ({ value: { type: 'plain_text_input', value } });

const doors: Door[] = [
  ...(
    [
      ['schedule', 'editor'],
      ['queue', 'editor'],
      ['insights', 'editor'],
      ['accounts', 'editor'],
      ['connect', 'admin'],
      ['disconnect facebook', 'admin'],
      ['delete-data facebook', 'admin'],
      ['audit', 'admin'],
    ] as const
  ).map(([text, least]): Door => ({ kind: 'command', name: `/wone ${text}`, least, send: command(text) })),
  ...(
    [
      [approvalActions.approve, 'approver', postValue],
      [approvalActions.reject, 'approver', postValue],
      [approvalActions.requestChanges, 'approver', postValue],
      [approvalActions.edit, 'admin', postValue],
      [approvalActions.reschedule, 'approver', postValue],
      [approvalActions.cancel, 'approver', postValue],
      [approvalActions.publishNow, 'approver', postValue],
      // Withdraw: the author (AUTHOR here, nobody of the matrix) or an approver.
      [withdrawAction, 'approver', postValue],
      [approvalActions.retry, 'approver', target],
      [approvalActions.confirmLive, 'approver', target],
      [approvalActions.publishAgain, 'approver', target],
      [queuePageAction, 'editor', () => '1'],
      ['comment_reply', 'editor', () => 'instagram:17870000000000009'],
      ['comment_hide', 'editor', () => 'instagram:17870000000000009'],
      ['comment_unhide', 'editor', () => 'instagram:17870000000000009'],
      ['comment_open', 'anyone', () => 'x'],
      ['comment_assign', 'editor', () => 'instagram:17870000000000009'],
      ['comment_done', 'editor', () => 'instagram:17870000000000009'],
      ['reply_draft_send', 'editor', () => 'expert:C0BILLING:1.000001'],
      ['reply_draft_edit', 'editor', () => 'expert:C0BILLING:1.000001'],
      ['reply_draft_approve', 'approver', () => 'team:V0000001'],
      ['reply_draft_reject', 'approver', () => 'team:V0000001'],
      [SHARE_INSIGHTS_ACTION, 'editor', () => 'abcdef123456'],
      ['reconnect_account', 'admin', () => FB],
      ['disconnect_account', 'admin', () => FB],
      ['delete_account_data', 'admin', () => FB],
      ['connect_chosen_accounts', 'admin', () => 'pending-x'],
      ['cancel_pending_connection', 'admin', () => 'pending-x'],
      ['cancel_account_action', 'anyone', () => 'x'],
      ['open_authorize_facebook', 'anyone', () => 'x'],
      [CHOOSE_ACTION_ID, 'anyone', () => 'x'],
    ] as const
  ).map(([actionId, least, value]): Door => ({ kind: 'button', name: actionId, least, send: button(actionId, value) })),
  {
    kind: 'submission',
    name: 'draft_modal',
    least: 'editor',
    send: submission('draft_modal', () => '{}', { caption: plain('x') }),
  },
  {
    kind: 'submission',
    name: 'request_changes_modal',
    least: 'approver',
    send: submission(
      'request_changes_modal',
      async () => {
        const post = await pendingPost();
        return JSON.stringify({ postId: post.id, revision: Number(post.value.split(':')[1]) });
      },
      { reason: plain('Please change the caption') },
    ),
  },
  {
    kind: 'submission',
    name: 'reject_modal',
    least: 'approver',
    send: submission(
      'reject_modal',
      async () => {
        const post = await pendingPost();
        return JSON.stringify({ postId: post.id, revision: Number(post.value.split(':')[1]) });
      },
      { reason: plain('Off-brand') },
    ),
  },
  {
    kind: 'submission',
    name: 'reschedule_modal',
    least: 'approver',
    send: submission(
      'reschedule_modal',
      async () => {
        const post = await pendingPost();
        await t.app.services.approvals.approve(post.id, Number(post.value.split(':')[1]), APPROVER);
        return JSON.stringify({ postId: post.id, timezone: 'Europe/Berlin' });
      },
      {
        date: { value: { type: 'datepicker', selected_date: day() } },
        time: { value: { type: 'timepicker', selected_time: '11:00' } },
      },
    ),
  },
  {
    kind: 'submission',
    name: 'comment_reply',
    least: 'editor',
    send: submission('comment_reply', () => 'instagram:17870000000000009', {
      reply: { text: { type: 'plain_text_input', value: 'Thanks!' } },
    }),
  },
  { kind: 'event', name: 'app_home_opened', least: 'editor', send: homeOpened },
];

const denials = (user: string) =>
  t.app.services.db.collection('audit').countDocuments({ actor: user, action: 'role_denied' });

/** Waits until the app has finished with a request: no new Slack calls, answers or audit rows for a moment. */
async function quiet(): Promise<void> {
  const probe = async () =>
    `${t.slack.calls.length}:${t.slack.responses.length}:${await t.app.services.db.collection('audit').countDocuments()}`;
  let last = await probe();
  let stableSince = Date.now();
  const deadline = Date.now() + 8_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await probe();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 400) return;
  }
}

const workspaceRefusal = 'only inside the Wone Commerce workspace';

describe('the role matrix: every command, button, submission and event × every kind of person', () => {
  const cells = doors.flatMap((door) => (Object.keys(people) as Person[]).map((person) => ({ door, person })));

  it.each(cells.map((cell) => [`${cell.door.kind} ${cell.door.name} by ${cell.person}`, cell] as const))(
    '%s',
    async (_label, { door, person }) => {
      const user = people[person];
      const team = person === 'outsider' ? OTHER_TEAM : TEAM_ID;
      const before = await denials(user);
      const responsesBefore = t.slack.responses.length;
      const sent = await door.send(user, team);
      expect(sent.status).toBeLessThan(500);
      await quiet();
      const denied = (await denials(user)) - before;
      if (person === 'outsider') {
        // Refused before any handler: nothing runs, so nothing is audited or shown but the refusal.
        expect(denied).toBe(0);
        const said = [sent.body, ...t.slack.responses.slice(responsesBefore).map((r) => JSON.stringify(r.body))];
        if (door.kind === 'command' || door.kind === 'button') expect(said.join('\n')).toContain(workspaceRefusal);
        if (door.kind === 'submission') expect(sent.body).toContain('"response_action":"errors"');
        if (door.kind === 'event') expect(t.slack.published.get(user)).toBeUndefined();
        return;
      }
      const allowed = rank[person] >= needs[door.least];
      if (allowed) expect(denied, 'no refusal for a role that may').toBe(0);
      else {
        // Under load the refusal can be written after a quiet moment: wait for it a little longer.
        const deadline = Date.now() + 8_000;
        while ((await denials(user)) - before < 1 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect((await denials(user)) - before, 'a refusal, audited').toBeGreaterThanOrEqual(1);
      }
    },
    30_000,
  );
});
