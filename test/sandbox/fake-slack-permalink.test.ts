import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../src/sandbox/fake-slack.ts';

let slack: FakeSlack;
let client: WebClient;
beforeAll(async () => {
  slack = new FakeSlack('xoxb-permalink', 'T0WONE');
  await slack.start();
  client = new WebClient(slack.botToken, {
    slackApiUrl: `${slack.apiUrl.replace(/\/+$/, '')}/`,
    retryConfig: { retries: 0 },
  });
});
afterAll(async () => slack?.stop());

describe('chat.getPermalink, as Slack documents it', () => {
  it('links a message, and a thread reply with its thread and conversation', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0APPROVAL', text: 'A post' });
    const reply = await client.chat.postMessage({
      channel: 'C0APPROVAL',
      text: 'A note',
      thread_ts: String(parent.ts),
    });
    const top = await client.chat.getPermalink({ channel: 'C0APPROVAL', message_ts: String(parent.ts) });
    expect(top.permalink).toBe(`https://wone.slack.com/archives/C0APPROVAL/p${String(parent.ts).replace('.', '')}`);
    const inThread = await client.chat.getPermalink({ channel: 'C0APPROVAL', message_ts: String(reply.ts) });
    expect(inThread.permalink).toBe(
      `https://wone.slack.com/archives/C0APPROVAL/p${String(reply.ts).replace('.', '')}?thread_ts=${parent.ts}&cid=C0APPROVAL`,
    );
  });

  it('refuses an unknown message and an invalid channel with Slack’s errors', async () => {
    await expect(client.chat.getPermalink({ channel: 'C0APPROVAL', message_ts: '1.000001' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    await expect(client.chat.getPermalink({ channel: 'not a channel', message_ts: '1.000001' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
  });
});
