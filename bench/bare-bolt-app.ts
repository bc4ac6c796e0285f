// The baseline for the acknowledgement benchmark: a Bolt app on the same receiver that only acknowledges.
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '', logLevel: LogLevel.ERROR });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  botId: 'BBOT',
  botUserId: 'UBOT',
  receiver,
  logLevel: LogLevel.ERROR,
  convoStore: false,
});
app.command('/wone', async ({ ack }) => ack());
app.action(/.*/, async ({ ack }) => ack());
app.view(/.*/, async ({ ack }) => ack());
const server = (await app.start(Number(process.env.PORT ?? 0))) as { address(): { port: number } };
process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
