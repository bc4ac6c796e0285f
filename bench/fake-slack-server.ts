// The fake Slack Web API in a process of its own, so the load generator does not share a thread with it.
import { FakeSlack } from '../src/sandbox/fake-slack.ts';

const slack = new FakeSlack(process.env.SLACK_BOT_TOKEN ?? 'xoxb-bench', process.env.SLACK_TEAM_ID ?? 'T0WONE');
await slack.start();
for (const id of ['UEDITOR', 'UAPPROVER', 'UADMIN']) slack.addUser({ id });
// Keep memory flat during long runs: the benchmark reads no recorded traffic.
setInterval(() => {
  slack.http.calls.length = 0;
  slack.calls.length = 0;
  slack.responses.length = 0;
}, 1_000).unref();
process.stdout.write(`${JSON.stringify({ port: Number(new URL(slack.url).port) })}\n`);
