import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDITOR, startTestApp, TEAM_ID, type TestApp, woneCommand } from '../harness/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const now = () => Math.floor(Date.now() / 1000);
const form = (payload: unknown) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;
const user = { id: EDITOR, username: 'eddie', name: 'eddie', team_id: TEAM_ID };
const team = { id: TEAM_ID, domain: 'wone' };

async function send(body: string, contentType: string, timestamp = now()) {
  const response = await t.signer.post(body, contentType, t.signer.sign(body, timestamp));
  return response.status;
}

describe('the Slack door', () => {
  it('refuses a request signed more than five minutes ahead, like a stale one', async () => {
    const body = new URLSearchParams(woneCommand(t.slack, EDITOR, 'help')).toString();
    const type = 'application/x-www-form-urlencoded';
    expect(await send(body, type, now() + 301)).toBe(401);
    expect(await send(body, type, now() + 3600)).toBe(401);
    expect(await send(body, type, now() - 301)).toBe(401);
    expect(await send(body, type, now() + 120)).toBe(200);
  });

  it('answers validly signed payloads that lack what Slack always sends with a 400 and a log line', async () => {
    const type = 'application/x-www-form-urlencoded';
    const click = {
      type: 'block_actions',
      user,
      team,
      trigger_id: '1.2.t',
      actions: [{ action_id: 'post_approve', block_id: 'b', type: 'button', value: 'x' }],
    };
    const view = {
      id: 'V1',
      callback_id: 'draft_modal',
      private_metadata: '{}',
      state: { values: {} },
    };
    const broken: [string, string][] = [
      [form({ ...click, user: undefined }), type],
      [form({ ...click, actions: 'post_approve' }), type],
      [form({ ...click, actions: [] }), type],
      [form({ ...click, actions: [{ action_id: 7, type: 'button' }] }), type],
      [form({ ...click, user: { name: 'no id' } }), type],
      [form({ type: 'view_submission', user, team, view: { ...view, state: undefined } }), type],
      [form({ type: 'view_submission', user, team, view: { ...view, callback_id: undefined } }), type],
      [form({ type: 'view_submission', user, team }), type],
      [form({ type: 'view_submission', team, view }), type],
      [
        form({
          type: 'view_submission',
          user,
          team,
          view: {
            ...view,
            callback_id: 'request_changes_modal',
            state: { values: { reason: { value: { type: 'plain_text_input', value: 5 } } } },
          },
        }),
        type,
      ],
      [form(null), type],
      [form([1, 2, 3]), type],
      [form({ type: 'not_a_kind' }), type],
      [new URLSearchParams({ ...woneCommand(t.slack, EDITOR, 'help'), user_id: '' }).toString(), type],
      [new URLSearchParams({ command: '/wone', text: 'help' }).toString(), type],
      [
        JSON.stringify({ type: 'event_callback', team_id: TEAM_ID, event: { type: 'app_home_opened', tab: 'home' } }),
        'application/json',
      ],
      [JSON.stringify({ type: 'event_callback', team_id: TEAM_ID }), 'application/json'],
      [JSON.stringify({ type: 'event_callback', team_id: TEAM_ID, event: 'app_home_opened' }), 'application/json'],
      [JSON.stringify('just a string'), 'application/json'],
    ];
    for (const [body, contentType] of broken) {
      expect(await send(body, contentType), body.slice(0, 200)).toBe(400);
    }
    expect(t.logs()).toContain('Slack request refused: payload does not fit');
    expect(t.logs()).not.toContain('xoxb-');
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});
