import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalActions } from '../../views/approval-message.ts';
import { queueFilterAction } from '../../views/queue-message.ts';
import { APPROVER, EDITOR, TEAM_ID, woneCommand } from '../harness/test-app.ts';
import {
  draftWith,
  FB,
  IG,
  input,
  type PostApp,
  scheduledPost,
  startPostApp,
  submitView,
  until,
} from './post-harness.ts';

/**
 * `/wone queue` as a person uses it: what is waiting for approval, needs changes or is scheduled, filtered by account,
 * and the (ephemeral) message redrawn through its response URL after each change made from it.
 */

type Block = { type: string; block_id?: string; elements?: { action_id: string; value?: string }[] };
type Message = { blocks: Block[]; replace_original?: boolean; response_type?: string };

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp();
  // Waiting for approval: a Facebook text post.
  const pending = await t.app.services.drafts.save({
    draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption: 'Board pending' }),
    files: [],
    timezone: 'Europe/Berlin',
    by: EDITOR,
  });
  await t.app.services.drafts.prepare(pending);
  // Needs changes: an Instagram feed post, sent back for changes by an approver.
  const changes = await t.app.services.drafts.save({
    draft: draftWith({
      accountIds: [IG],
      postTypes: { instagram: 'instagram_feed' },
      caption: 'Board changes',
      mediaUrls: [],
    }),
    files: [],
    timezone: 'Europe/Berlin',
    by: EDITOR,
  });
  await t.app.services.drafts.prepare(changes);
  const sent = await t.app.services.posts.get(changes);
  if (sent?.state === 'pending_approval') {
    await t.app.services.approvals.requestChanges(changes, sent.revision, APPROVER, 'A photo, please');
  }
  await scheduledPost(t, 'Board scheduled', 3);
});
afterAll(async () => t?.stop());

/** The answers posted to one response URL, in order. */
const answersTo = (url: string) =>
  t.slack.responses.filter((r) => url.endsWith(`/response/${r.id}`)).map((r) => r.body as unknown as Message);

async function openQueue(user: string): Promise<{ message: Message; url: string }> {
  const fields = woneCommand(t.slack, user, 'queue');
  await t.signer.command(fields);
  const url = fields.response_url ?? '';
  const message = await until(async () => answersTo(url)[0]);
  return { message, url };
}

/** A click on the ephemeral queue message, as Slack sends it (no `message`, a fresh response URL). */
async function clickQueue(
  user: string,
  action: { action_id: string; block_id: string; value?: string; selected_option?: { value: string } },
) {
  const url = t.slack.responseUrl();
  const trigger = `${Date.now()}.${Math.floor(Math.random() * 1e9)}.queue`;
  const response = await t.signer.interaction({
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'wone' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0WONE',
    token: 'deprecated',
    trigger_id: trigger,
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0GENERAL', is_ephemeral: true },
    channel: { id: 'C0GENERAL', name: 'general' },
    response_url: url,
    actions: [{ type: action.selected_option ? 'static_select' : 'button', action_ts: '1', ...action }],
  });
  expect(response.status).toBe(200);
  return { url, trigger };
}

const text = (message: Message) => JSON.stringify(message.blocks);
const actionBlockOf = (message: Message, caption: string) => {
  const blocks = message.blocks;
  const at = blocks.findIndex((b) => JSON.stringify(b).includes(caption));
  return blocks[at + 1];
};

describe('/wone queue', () => {
  it('shows posts waiting for approval, needing changes and scheduled, and filters them by account', async () => {
    const { message } = await openQueue(EDITOR);
    expect(message.response_type).toBe('ephemeral');
    expect(text(message)).toContain('Waiting for approval');
    expect(text(message)).toContain('Board pending');
    expect(text(message)).toContain('Needs changes');
    expect(text(message)).toContain('Board changes');
    expect(text(message)).toContain('Scheduled');
    expect(text(message)).toContain('Board scheduled');
    expect(text(message)).toContain('Upcoming posts (3)');

    const { url } = await clickQueue(EDITOR, {
      action_id: queueFilterAction,
      block_id: 'queue_filter',
      selected_option: { value: FB },
    });
    const filtered = await until(async () => answersTo(url)[0]);
    expect(filtered.replace_original).toBe(true);
    expect(text(filtered)).toContain('Board pending');
    expect(text(filtered)).toContain('Board scheduled');
    expect(text(filtered)).not.toContain('Board changes');
    expect(text(filtered)).toContain('Wone Commerce: upcoming posts (2)');

    const back = await clickQueue(EDITOR, {
      action_id: queueFilterAction,
      block_id: 'queue_filter',
      selected_option: { value: 'all' },
    });
    expect(text(await until(async () => answersTo(back.url)[0]))).toContain('Upcoming posts (3)');
  });

  it('names the post in the reschedule modal and shows the new time in the message once it is set', async () => {
    const { message: all } = await openQueue(APPROVER);
    const { url: filteredUrl } = await clickQueue(APPROVER, {
      action_id: queueFilterAction,
      block_id: 'queue_filter',
      selected_option: { value: FB },
    });
    const filtered = await until(async () => answersTo(filteredUrl)[0]);
    expect(text(all)).toContain('Board scheduled');
    const actions = actionBlockOf(filtered, 'Board scheduled');
    const reschedule = actions?.elements?.find((e) => e.action_id === approvalActions.reschedule);
    expect(actions?.block_id).toMatch(new RegExp(`/0\\|${FB}$`));

    const { url, trigger } = await clickQueue(APPROVER, {
      action_id: approvalActions.reschedule,
      block_id: actions?.block_id ?? '',
      value: reschedule?.value ?? '',
    });
    const modal = await t.slack.waitFor(() => t.slack.views.find((v) => v.trigger_id === trigger));
    const summary = JSON.stringify((modal.view.blocks as unknown[])[0]);
    expect(summary).toContain('Facebook · Wone Commerce');
    expect(summary).toContain('Board scheduled');
    expect(summary).toContain('Now: ');

    const day = DateTime.now().setZone('America/New_York').plus({ days: 5 }).toFormat('yyyy-MM-dd');
    const answer = await submitView(t, modal, APPROVER, { date: input.date(day), time: input.time('17:45') });
    expect(answer.body).toEqual({});
    const redrawn = await until(async () => answersTo(url)[0]);
    expect(redrawn.replace_original).toBe(true);
    expect(text(redrawn)).toContain('17:45');
    // Still filtered to the account it was filtered to.
    expect(text(redrawn)).toContain('Wone Commerce: upcoming posts (2)');
  });

  it('redraws the message without a cancelled post, keeping its filter', async () => {
    const { url: filteredUrl } = await (async () => {
      await openQueue(APPROVER);
      return clickQueue(APPROVER, {
        action_id: queueFilterAction,
        block_id: 'queue_filter',
        selected_option: { value: FB },
      });
    })();
    const filtered = await until(async () => answersTo(filteredUrl)[0]);
    const actions = actionBlockOf(filtered, 'Board scheduled');
    const cancel = actions?.elements?.find((e) => e.action_id === approvalActions.cancel);
    const { url } = await clickQueue(APPROVER, {
      action_id: approvalActions.cancel,
      block_id: actions?.block_id ?? '',
      value: cancel?.value ?? '',
    });
    const redrawn = await until(async () => answersTo(url).find((m) => m.replace_original));
    expect(text(redrawn)).not.toContain('Board scheduled');
    expect(text(redrawn)).toContain('Board pending');
    expect(text(redrawn)).toContain('Wone Commerce: upcoming posts (1)');
  });

  it('answers a response URL from the modal metadata only on Slack, never on another host', async () => {
    const elsewhere: string[] = [];
    const server = createServer((req, res) => {
      elsewhere.push(req.url ?? '');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const post = await scheduledPost(t, 'Board guarded', 4);
      const day = DateTime.now().setZone('America/New_York').plus({ days: 6 }).toFormat('yyyy-MM-dd');
      const port = (server.address() as AddressInfo).port;
      const forged = {
        id: 'VFORGED',
        view: {
          type: 'modal',
          callback_id: 'reschedule_modal',
          private_metadata: JSON.stringify({
            postId: post._id,
            timezone: 'America/New_York',
            responseUrl: `http://127.0.0.1:${port}/steal`,
            place: { page: 0 },
          }),
          blocks: [],
        },
      };
      const answer = await submitView(t, forged, APPROVER, { date: input.date(day), time: input.time('08:15') });
      expect(answer.body).toEqual({});
      // The redraw is refused, and says so; nothing reaches the other host.
      await until(async () => t.logs().includes('response URL not on Slack, not answered'));
      expect((await t.app.services.posts.get(post._id))?.decisions.at(-1)?.action).toBe('rescheduled');
      expect(elsewhere).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
