import { App, type Receiver } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { SlackRouter } from '../../src/handlers/router.ts';

const receiver: Receiver = { init: () => {}, start: async () => {}, stop: async () => {} };

function boltApp(): App {
  return new App({ token: 'xoxb-test', botId: 'BBOT', botUserId: 'UBOT', receiver, convoStore: false });
}

/** Sends a payload through Bolt as the receiver would, and says what was acknowledged. */
async function deliver(app: App, body: Record<string, unknown>): Promise<{ acked: boolean; answer: unknown }> {
  const result: { acked: boolean; answer: unknown } = { acked: false, answer: undefined };
  await app.processEvent({
    body,
    ack: async (answer?: unknown) => {
      result.acked = true;
      result.answer = answer;
    },
  });
  return result;
}

const click = (actionId: string) => ({
  type: 'block_actions',
  team: { id: 'T1' },
  user: { id: 'U1' },
  actions: [{ action_id: actionId, block_id: 'b', type: 'button', action_ts: '1.1' }],
});
const submission = (callbackId: string, type = 'view_submission') => ({
  type,
  team: { id: 'T1' },
  user: { id: 'U1' },
  view: { id: 'V1', callback_id: callbackId, state: { values: {} }, private_metadata: '' },
});

describe('one middleware dispatching by name', () => {
  it('hands each action, submission and command to the one listener registered for it, and nothing else', async () => {
    const app = boltApp();
    const router = new SlackRouter();
    const seen: string[] = [];
    router.listeners.action('approve', async ({ ack }) => {
      seen.push('approve');
      await ack();
    });
    router.listeners.action(/^open_/, async ({ ack, action }) => {
      seen.push(`pattern:${'action_id' in action ? action.action_id : ''}`);
      await ack();
    });
    router.listeners.view('draft', async ({ ack }) => {
      seen.push('draft');
      await ack({ response_action: 'errors', errors: { a: 'b' } });
    });
    router.listeners.command('/wone', async ({ ack, command }) => {
      seen.push(`command:${command.text}`);
      await ack();
    });
    router.install(app);

    expect((await deliver(app, click('approve'))).acked).toBe(true);
    expect((await deliver(app, click('open_link'))).acked).toBe(true);
    const submitted = await deliver(app, submission('draft'));
    expect(submitted.answer).toEqual({ response_action: 'errors', errors: { a: 'b' } });
    await deliver(app, { command: '/wone', text: 'help', team_id: 'T1', user_id: 'U1', channel_id: 'C1' });
    expect(seen).toEqual(['approve', 'pattern:open_link', 'draft', 'command:help']);

    // Unknown names, other commands and a closed modal reach no listener, as with Bolt's own matching.
    expect((await deliver(app, click('unknown'))).acked).toBe(false);
    expect((await deliver(app, submission('other'))).acked).toBe(false);
    expect((await deliver(app, submission('draft', 'view_closed'))).acked).toBe(false);
    await deliver(app, { command: '/other', text: '', team_id: 'T1', user_id: 'U1', channel_id: 'C1' });
    expect(seen).toHaveLength(4);
  });

  it('refuses at start a name that would reach two listeners, or listener middleware', () => {
    const listener = async () => {};
    const twice = new SlackRouter();
    twice.listeners.action('approve', listener);
    expect(() => twice.listeners.action('approve', listener)).toThrow(/Two action listeners/);

    const overlap = new SlackRouter();
    overlap.listeners.action('open_post', listener);
    overlap.listeners.action(/^open_/, listener);
    expect(() => overlap.install(boltApp())).toThrow(/also matches/);

    const chained = new SlackRouter();
    expect(() => chained.listeners.action('approve', listener, listener)).toThrow(/exactly one function/);
  });
});
