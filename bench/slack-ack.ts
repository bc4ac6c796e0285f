// Slack acknowledgement under load: Wone Social beside a bare Bolt app that only acks, same receiver, same requests.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startEmbeddedDatabase } from '../src/db/embedded-ferretdb.ts';
import { startServer } from './processes.ts';

const SECRET = 'bench-signing-secret-0123456789';
const TEAM = 'T0WONE';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 50;

interface Scenario {
  name: string;
  contentType: string;
  body: (slackUrl: string) => string;
}

/** The requests measured. Each body is signed once; Slack's replay window is 5 minutes, longer than a run. */
export const scenarios: Scenario[] = [
  {
    name: '/wone help',
    contentType: 'application/x-www-form-urlencoded',
    body: (slackUrl) =>
      new URLSearchParams({
        command: '/wone',
        text: 'help',
        response_url: `${slackUrl}/response/1`,
        trigger_id: '1.2.3',
        user_id: 'UEDITOR',
        user_name: 'eddie',
        team_id: TEAM,
        team_domain: 'wone',
        channel_id: 'C0GENERAL',
        channel_name: 'general',
        api_app_id: 'A0WONE',
      }).toString(),
  },
];

function signedHeaders(body: string, contentType: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex');
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${signature}`,
  };
}

async function measure(port: number, scenario: Scenario, slackUrl: string) {
  const body = scenario.body(slackUrl);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/slack/events`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: signedHeaders(body, scenario.contentType),
    body,
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    throughput: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'wone-bench-'));
const database = await startEmbeddedDatabase({ dataDir });
const slackServer = await startServer('bench/fake-slack-server.ts', { ...process.env, SLACK_TEAM_ID: TEAM });
const slackUrl = `http://127.0.0.1:${slackServer.port}`;
const env = {
  ...process.env,
  PORT: '0',
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_API_URL: `${slackUrl}/api/`,
  SLACK_TEAM_ID: TEAM,
  MONGODB_URL: `${database.url}bench`,
  PUBLIC_BASE_URL: 'https://wone.example.com',
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  APPROVAL_CHANNEL_ID: 'C0APPROVAL',
  COMMENTS_CHANNEL_ID: 'C0COMMENTS',
  DIGEST_CHANNEL_ID: 'C0DIGEST',
  ADMIN_USER_IDS: 'UADMIN',
  APPROVER_USER_IDS: 'UAPPROVER',
  LOG_LEVEL: 'warn',
};
const wone = await startServer('bench/wone-app.ts', { ...env, NODE_OPTIONS: process.env.WONE_NODE_OPTIONS ?? '' });
const bare = await startServer('bench/bare-bolt-app.ts', env);
try {
  console.log(
    `Slack acknowledgement: ${connections} concurrent senders, ${seconds} s per run, Node ${process.version}`,
  );
  console.log('scenario | app | p50 ms | p99 ms | req/s | non-2xx | throughput ratio | p99 ratio');
  for (const scenario of scenarios) {
    const baseline = await measure(bare.port, scenario, slackUrl);
    const measured = await measure(wone.port, scenario, slackUrl);
    const row = (app: string, r: typeof baseline, ratios = '') =>
      console.log(
        `${scenario.name} | ${app} | ${r.p50} | ${r.p99} | ${r.throughput.toFixed(0)} | ${r.non2xx + r.errors}${ratios}`,
      );
    row('bare Bolt', baseline, ' | 1.00 | 1.00');
    row(
      'Wone Social',
      measured,
      ` | ${(measured.throughput / baseline.throughput).toFixed(2)} | ${(measured.p99 / Math.max(baseline.p99, 1)).toFixed(2)}`,
    );
  }
} finally {
  await wone.stop();
  await bare.stop();
  await slackServer.stop();
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
