// Slack acknowledgement under load: Wone Social beside a bare Bolt app that only acks, same receiver, same requests.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { MongoClient } from 'mongodb';
import { startEmbeddedDatabase } from '../src/db/embedded-ferretdb.ts';
import { Posts } from '../src/services/posts.ts';
import { cpuMs, startServer } from '../test/harness/processes.ts';
import { approvedPost } from '../test/harness/publish-fixtures.ts';

const SECRET = 'bench-signing-secret-0123456789';
const TEAM = 'T0WONE';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 50;

interface Scenario {
  name: string;
  contentType: string;
  body: (slackUrl: string) => string;
}

/** The approved post the Approve clicks land on (seeded before the run). */
const APPROVED_POST_ID = '65a000000000000000000001';
const RIG_ACCOUNT = { id: 'facebook:100200300400500', platform: 'facebook' as const, name: 'Wone Commerce' };

const interaction = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
const user = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: TEAM });

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
  {
    // Approve on a post that is already approved: acknowledged, refused ("Too late: … approved") and nothing changes,
    // so every request of the run does the same work.
    name: 'Approve click (already approved)',
    contentType: 'application/x-www-form-urlencoded',
    body: (slackUrl) =>
      interaction({
        type: 'block_actions',
        team: { id: TEAM, domain: 'wone' },
        user: user('UAPPROVER'),
        api_app_id: 'A0WONE',
        token: 'deprecated',
        trigger_id: '1.2.click',
        container: { type: 'message', message_ts: '1.000001', channel_id: 'C0APPROVAL', is_ephemeral: false },
        channel: { id: 'C0APPROVAL', name: 'social' },
        message: { type: 'message', ts: '1.000001', text: 'preview' },
        response_url: `${slackUrl}/response/2`,
        actions: [
          {
            action_id: 'post_approve',
            block_id: 'b',
            type: 'button',
            value: `${APPROVED_POST_ID}:1`,
            action_ts: '1.1',
          },
        ],
      }),
  },
  {
    // The draft modal submitted without a target account: the rule check runs and the errors go back in the ack.
    name: 'Draft modal submit (validation error)',
    contentType: 'application/x-www-form-urlencoded',
    body: () =>
      interaction({
        type: 'view_submission',
        team: { id: TEAM, domain: 'wone' },
        user: user('UEDITOR'),
        api_app_id: 'A0WONE',
        token: 'deprecated',
        trigger_id: '1.2.view',
        view: {
          id: 'V0DRAFT',
          team_id: TEAM,
          type: 'modal',
          callback_id: 'draft_modal',
          private_metadata: JSON.stringify({
            timezone: 'Europe/Berlin',
            accounts: [RIG_ACCOUNT],
            creators: {},
            keptMedia: [],
            keptUrls: [],
          }),
          state: {
            values: {
              accounts: { value: { type: 'multi_static_select', selected_options: [] } },
              caption: { value: { type: 'plain_text_input', value: 'Autumn sale starts today' } },
              when: { value: { type: 'radio_buttons', selected_option: { value: 'asap' } } },
            },
          },
          hash: 'h',
          app_id: 'A0WONE',
          bot_id: 'BBOT',
          root_view_id: 'V0DRAFT',
          previous_view_id: null,
        },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      }),
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

/** CPU used per request (ms) by the app under test, the fake Slack and the database during one run. */
async function cpuOf(pids: Record<string, number | undefined>) {
  const entries = await Promise.all(
    Object.entries(pids).map(async ([name, pid]) => [name, pid ? await cpuMs(pid) : 0] as const),
  );
  return Object.fromEntries(entries);
}

/** Waits until the app has finished the work its last run left behind (its CPU use stays low for a second). */
async function settle(pid: number | undefined) {
  if (!pid) return;
  for (let i = 0; i < 60; i += 1) {
    const before = await cpuMs(pid);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if ((await cpuMs(pid)) - before < 50) return;
  }
}

async function measure(port: number, pid: number | undefined, scenario: Scenario, slackUrl: string) {
  const body = scenario.body(slackUrl);
  const pids = { app: pid, slack: slackServer.child.pid, database: database.pid };
  await settle(pid);
  const cpuBefore = await cpuOf(pids);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/slack/events`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: signedHeaders(body, scenario.contentType),
    body,
  });
  // Work started by acknowledged requests counts too: wait for it before reading the CPU used.
  await settle(pid);
  const cpuAfter = await cpuOf(pids);
  const perRequest = (name: string) =>
    ((cpuAfter[name] ?? 0) - (cpuBefore[name] ?? 0)) / Math.max(result.requests.total, 1);
  return {
    cpu: `${perRequest('app').toFixed(2)}/${perRequest('slack').toFixed(2)}/${perRequest('database').toFixed(2)}`,
    p50: result.latency.p50,
    p99: result.latency.p99,
    throughput: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'wone-bench-'));
const database = await startEmbeddedDatabase({ dataDir });
const client = new MongoClient(`${database.url}bench`);
await new Posts(client.db()).insert(
  approvedPost({
    id: APPROVED_POST_ID,
    account: RIG_ACCOUNT,
    postType: 'facebook_text',
    caption: 'Autumn sale starts today',
    dueAt: new Date(Date.now() + 86_400_000),
  }),
);
await client.close();
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
const woneNodeArgs = (process.env.WONE_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
const wone = await startServer('bench/wone-app.ts', env, woneNodeArgs);
const bare = await startServer('bench/bare-bolt-app.ts', env);
try {
  console.log(
    `Slack acknowledgement: ${connections} concurrent senders, ${seconds} s per run, Node ${process.version}`,
  );
  console.log(
    'scenario | app | p50 ms | p99 ms | req/s | non-2xx | CPU ms/request app/Slack/db | throughput ratio | p99 ratio',
  );
  // BENCH_SCENARIO (a part of a scenario's name) runs only the scenarios that match, e.g. to profile one.
  const only = process.env.BENCH_SCENARIO?.toLowerCase();
  for (const scenario of scenarios.filter((candidate) => !only || candidate.name.toLowerCase().includes(only))) {
    const baseline = await measure(bare.port, bare.child.pid, scenario, slackUrl);
    const measured = await measure(wone.port, wone.child.pid, scenario, slackUrl);
    const row = (app: string, r: typeof baseline, ratios = '') =>
      console.log(
        `${scenario.name} | ${app} | ${r.p50} | ${r.p99} | ${r.throughput.toFixed(0)} | ${r.non2xx + r.errors} | ${r.cpu}${ratios}`,
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
