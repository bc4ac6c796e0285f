import { randomBytes } from 'node:crypto';
import { channelMessageEvent } from '../../src/sandbox/slack-payloads.ts';
import { TEAM_ID, type TestApp } from './test-app.ts';

/**
 * A person answers in a channel's thread as Slack would have it: the message is stored in the simulated Slack and, when
 * the bot is in the channel, delivered to the app as a signed `message.channels` event.
 */
export async function answerInThread(t: TestApp, user: string, channel: string, threadTs: string, text: string) {
  const { message, delivered } = t.slack.postAsPerson(user, channel, text, threadTs);
  if (!delivered) return { message, status: undefined };
  const envelope = channelMessageEvent({
    identity: { teamId: TEAM_ID, teamDomain: 'wone', appId: 'A0WONE', botId: 'BBOT', botUserId: 'UBOT' },
    person: { id: user },
    channel,
    text,
    ts: message.ts,
    threadTs,
    eventId: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
  });
  const response = await t.signer.event(envelope);
  return { message, status: response.status };
}
