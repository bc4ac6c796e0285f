// Punctuality: 1,000 approved posts due at the same instant across 20 accounts, the Graph fake answering every call
// after 50 ms; lateness (first platform call minus due time), total time, duplicates; with one app instance, then two
// on one database. Also the app's resident memory after the run (idle memory: bench/memory.ts).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedDatabase } from '../src/db/embedded-ferretdb.ts';
import { residentMb, startServer } from '../test/harness/processes.ts';
import { moveAllDue, type RigAccount, seedRigPosts } from '../test/harness/publish-fixtures.ts';

const POSTS = Number(process.env.BENCH_POSTS ?? 1000);
const ACCOUNTS = 20;
const TEAM = 'T0WONE';
/**
 * How long before its time a post is prepared (`PUBLISH_LEAD_SECONDS`, the default here): it must cover preparing the
 * whole burst.
 */
const LEAD_SECONDS = Number(process.env.BENCH_LEAD_SECONDS ?? 60);
/** How far ahead the posts fall due once the instances are up: further than the lead, as posts approved earlier are. */
const DUE_IN_MS = (LEAD_SECONDS + 20) * 1000;
const tokenKey = randomBytes(32).toString('base64');

const dataDir = mkdtempSync(join(tmpdir(), 'wone-bench-'));
const database = await startEmbeddedDatabase({ dataDir });
const fakes = await startServer('bench/platform-fakes-server.ts', {
  ...process.env,
  RIG_ACCOUNTS: String(ACCOUNTS),
  PLATFORM_LATENCY_MS: '50',
});
const control = `http://127.0.0.1:${fakes.port}`;
const rig = (await (await fetch(`${control}/accounts`)).json()) as {
  accounts: RigAccount[];
  facebookUrl: string;
  instagramUrl: string;
};
const slackServer = await startServer('bench/fake-slack-server.ts', { ...process.env, SLACK_TEAM_ID: TEAM });

function appEnvironment(dbName: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: '0',
    SLACK_SIGNING_SECRET: 'bench-signing-secret-0123456789',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: `http://127.0.0.1:${slackServer.port}/api/`,
    SLACK_TEAM_ID: TEAM,
    MONGODB_URL: `${database.url}${dbName}`,
    PUBLIC_BASE_URL: 'https://wone.example.com',
    TOKEN_ENCRYPTION_KEY: tokenKey,
    APPROVAL_CHANNEL_ID: 'C0APPROVAL',
    COMMENTS_CHANNEL_ID: 'C0COMMENTS',
    DIGEST_CHANNEL_ID: 'C0DIGEST',
    ADMIN_USER_IDS: 'UADMIN',
    APPROVER_USER_IDS: 'UAPPROVER',
    META_APP_ID: '1234567890',
    META_APP_SECRET: 'fake-app-secret-value',
    META_GRAPH_URL: rig.facebookUrl,
    INSTAGRAM_GRAPH_URL: rig.instagramUrl,
    LOG_LEVEL: 'warn',
    PUBLISH_LEAD_SECONDS: String(LEAD_SECONDS),
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

interface RunResult {
  instances: number;
  totalMs: number;
  /** Until every result was stored. */
  recordedMs: number;
  p50: number;
  p99: number;
  max: number;
  published: number;
  duplicates: number;
  missing: number;
  notPublished: Record<string, number>;
  rssAfterMb: number[];
  calls: Record<string, number>;
}

async function run(instances: number): Promise<RunResult> {
  const label = `run${instances}-${Date.now()}`;
  const client = new MongoClient(`${database.url}${label}`);
  const db = client.db();
  const captions = await seedRigPosts(db, tokenKey, rig.accounts, POSTS, label, new Date(Date.now() + 86_400_000));
  const apps = [];
  for (let i = 0; i < instances; i += 1) apps.push(await startServer('bench/wone-app.ts', appEnvironment(label)));
  try {
    // Everything falls due at one instant, after the instances are up and more than the preparation lead ahead (as a
    // Slack time picker gives whole minutes, the posts of one minute are due at the same second).
    const due = new Date(Math.ceil((Date.now() + DUE_IN_MS) / 1000) * 1000);
    await moveAllDue(db, due);
    const deadline = Date.now() + 15 * 60_000;
    let finishedAt = Date.now();
    // Done when every post is out (read from the fake, so the watching does not load the database), or, failing that,
    // when no target is left to publish (checked every few seconds).
    for (let round = 1; ; round += 1) {
      const report = (await (await fetch(`${control}/report`)).json()) as { published: Record<string, number> };
      finishedAt = Date.now();
      if (captions.every((caption) => (report.published[caption] ?? 0) > 0) || Date.now() > deadline) break;
      if (round % 20 === 0) {
        const open = await db.collection('targets').countDocuments({ state: { $in: ['queued', 'publishing'] } });
        if (open === 0) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Then until every result is stored (the database lags the platform calls in a burst).
    let recordedAt = finishedAt;
    while (Date.now() < deadline) {
      const open = await db.collection('targets').countDocuments({ state: { $in: ['queued', 'publishing'] } });
      recordedAt = Date.now();
      if (open === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const report = (await (await fetch(`${control}/report`)).json()) as {
      published: Record<string, number>;
      starts: Record<string, number>;
      calls: Record<string, number>;
    };
    await fetch(`${control}/reset-calls`, { method: 'POST' });
    const lateness = captions
      .map((caption) => report.starts[caption])
      .filter((at): at is number => at !== undefined)
      .map((at) => at - due.getTime())
      .sort((a, b) => a - b);
    const states = await db
      .collection('targets')
      .aggregate<{ _id: string; n: number }>([{ $group: { _id: '$state', n: { $sum: 1 } } }])
      .toArray();
    const notPublished = Object.fromEntries(states.filter((s) => s._id !== 'published').map((s) => [s._id, s.n]));
    const counts = captions.map((caption) => report.published[caption] ?? 0);
    return {
      instances,
      totalMs: finishedAt - due.getTime(),
      recordedMs: recordedAt - due.getTime(),
      p50: percentile(lateness, 50),
      p99: percentile(lateness, 99),
      max: lateness.at(-1) ?? Number.NaN,
      published: counts.filter((n) => n > 0).length,
      duplicates: counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      missing: counts.filter((n) => n === 0).length,
      notPublished,
      rssAfterMb: await Promise.all(apps.map((app) => residentMb(app.child.pid ?? 0))),
      calls: report.calls,
    };
  } finally {
    for (const app of apps) await app.stop();
    await client.close();
  }
}

try {
  console.log(
    `Punctuality: ${POSTS} approved posts due at the same instant over ${ACCOUNTS} accounts, Graph fake 50 ms, prepared ${LEAD_SECONDS} s ahead`,
  );
  const one = await run(1);
  const two = await run(2);
  console.log(
    'instances | all live s | all stored s | lateness p50 s | p99 s | max s | published | duplicates | missing | other states',
  );
  for (const r of [one, two]) {
    console.log(
      `${r.instances} | ${(r.totalMs / 1000).toFixed(1)} | ${(r.recordedMs / 1000).toFixed(1)} | ${(r.p50 / 1000).toFixed(2)} | ${(r.p99 / 1000).toFixed(2)} | ${(r.max / 1000).toFixed(2)} | ${r.published} | ${r.duplicates} | ${r.missing} | ${JSON.stringify(r.notPublished)}`,
    );
  }
  // API economy: half the posts are Instagram feed images, half Facebook text posts (one instance's run).
  const perPost = POSTS / 2;
  console.log('API economy (one instance): calls per published post, by endpoint');
  for (const [endpoint, n] of Object.entries(one.calls).sort())
    console.log(`  ${endpoint}: ${(n / perPost).toFixed(2)}`);
  console.log(`speed-up with two instances: ${(one.totalMs / two.totalMs).toFixed(2)}x`);
  console.log(
    `resident memory after the run (MB): one instance ${one.rssAfterMb.join()}; two: ${two.rssAfterMb.join(', ')}`,
  );
} finally {
  await slackServer.stop();
  await fakes.stop();
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
