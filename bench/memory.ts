// Resident memory of Wone Social as production runs it: the process entry (`src/main.ts`) started the way `npm start`
// does (compiled to JavaScript, plain Node) and, for comparison, from the TypeScript sources through tsx. Three
// situations: an empty database; BENCH_IDLE_POSTS (10,000) approved posts queued for tomorrow with their publish jobs;
// and after publishing BENCH_RUN_POSTS (100) posts through the Graph fake. Each app is settled BENCH_SETTLE_SECONDS
// (30) after it is ready before its resident set (VmRSS) is read.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Db, MongoClient } from 'mongodb';
import { startEmbeddedDatabase } from '../src/db/embedded-ferretdb.ts';
import { residentMb, startServer } from '../test/harness/processes.ts';
import { moveAllDue, type RigAccount, seedRigPosts, storeRigAccounts } from '../test/harness/publish-fixtures.ts';

/** How the app is run: the compiled build with plain Node (`npm start`), or the sources through tsx. */
type Runner = 'compiled' | 'tsx';
const runnerArgs: Record<Runner, string[]> = {
  compiled: ['dist/src/main.js'],
  tsx: ['--import', 'tsx', 'src/main.ts'],
};

const IDLE_POSTS = Number(process.env.BENCH_IDLE_POSTS ?? 10_000);
const RUN_POSTS = Number(process.env.BENCH_RUN_POSTS ?? 100);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_SECONDS ?? 30) * 1000;
const STARTUP_LIMIT_MS = Number(process.env.BENCH_STARTUP_LIMIT_SECONDS ?? 300) * 1000;
/** Extra Node flags for every app started here (e.g. `--max-semi-space-size=1`), to try their effect. */
const EXTRA_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
/** Which runners to measure, comma-separated (`compiled,tsx` by default). */
const RUNNERS = (process.env.BENCH_RUNNERS ?? 'compiled,tsx').split(',').filter((r): r is Runner => r in runnerArgs);
/** Which situations to measure, comma-separated: `empty`, `idle`, `run` (all by default). */
const SITUATIONS = new Set((process.env.BENCH_SITUATIONS ?? 'empty,idle,run').split(','));
const ACCOUNTS = 20;
const TEAM = 'T0WONE';
const tokenKey = randomBytes(32).toString('base64');

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

const dataDir = mkdtempSync(join(tmpdir(), 'wone-bench-memory-'));
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

function appEnvironment(dbName: string, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
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
    JOB_POLL_SECONDS: '1',
    LOG_LEVEL: 'warn',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunningApp {
  child: ChildProcess;
  port: number;
  /** Milliseconds from spawn until `/readyz` answered 200; undefined when it did not within the limit. */
  startupMs: number | undefined;
  /** Highest resident set seen while waiting to be ready. */
  peakStartupMb: number;
  /** Error lines the app has logged so far, and the last one's message. */
  logged: { errors: number; last: string };
  stop(): Promise<void>;
}

/** Starts the app's entry point and waits (at most `STARTUP_LIMIT_MS`) until `/readyz` says it is ready. */
async function startApp(runner: Runner, dbName: string): Promise<RunningApp> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, [...EXTRA_FLAGS, ...runnerArgs[runner]], {
    env: appEnvironment(dbName, port),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The app logs (warnings and errors only) are counted, not printed: a stop under load logs one line per cut query.
  const logged = { errors: 0, last: '' };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const entry = /"level":(\d+).*"msg":"([^"]*)"/.exec(line);
    if (entry && Number(entry[1]) >= 50) {
      logged.errors += 1;
      logged.last = entry[2] ?? '';
    }
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  let startupMs: number | undefined;
  let peakStartupMb = 0;
  while (!exited && Date.now() - started < STARTUP_LIMIT_MS) {
    peakStartupMb = Math.max(peakStartupMb, await residentMb(child.pid ?? 0).catch(() => 0));
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) {
      startupMs = Date.now() - started;
      break;
    }
    await sleep(250);
  }
  if (exited) throw new Error(`the ${runner} app exited while starting`);
  return {
    child,
    port,
    startupMs,
    peakStartupMb,
    logged,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 35_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

interface Measurement {
  situation: string;
  runner: Runner;
  startup: string;
  rssMb: number;
  note: string;
}

/** Ready (or given up on), settled, measured. `work` runs between ready and settling (the publishing run). */
async function measure(
  situation: string,
  runner: Runner,
  prepare: (db: Db, label: string) => Promise<unknown>,
  work?: (db: Db) => Promise<string>,
): Promise<Measurement> {
  const label = `memory-${runner}-${Date.now()}`;
  const client = new MongoClient(`${database.url}${label}`);
  const db = client.db();
  await prepare(db, label);
  const app = await startApp(runner, label);
  try {
    let note = '';
    if (app.startupMs === undefined) {
      note = `not ready after ${STARTUP_LIMIT_MS / 1000} s (peak ${app.peakStartupMb} MB while starting)`;
    } else {
      note = `peak ${app.peakStartupMb} MB while starting`;
      if (work) note = `${note}; ${await work(db)}`;
      await sleep(SETTLE_MS);
    }
    if (app.logged.errors > 0) note = `${note}; ${app.logged.errors} errors logged (last: ${app.logged.last})`;
    const measurement = {
      situation,
      runner,
      startup: app.startupMs === undefined ? 'not ready' : `${(app.startupMs / 1000).toFixed(1)} s`,
      rssMb: await residentMb(app.child.pid ?? 0),
      note,
    };
    console.log(JSON.stringify(measurement));
    return measurement;
  } finally {
    await app.stop();
    await client.close();
  }
}

const tomorrow = () => new Date(Date.now() + 86_400_000);

/** Moves the seeded posts due now and waits until every target is out of the queue. */
async function publishAll(db: Db): Promise<string> {
  const started = Date.now();
  await moveAllDue(db, new Date(Math.ceil((Date.now() + 2_000) / 1000) * 1000));
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const open = await db.collection('targets').countDocuments({ state: { $in: ['queued', 'publishing'] } });
    if (open === 0) break;
    if (Date.now() > deadline) return `${open} targets still open after 10 minutes`;
    await sleep(500);
  }
  const published = await db.collection('targets').countDocuments({ state: 'published' });
  return `${published}/${RUN_POSTS} published in ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

try {
  console.log(
    `Resident memory: settle ${SETTLE_MS / 1000} s after ready; startup limit ${STARTUP_LIMIT_MS / 1000} s` +
      (EXTRA_FLAGS.length > 0 ? `; Node flags ${EXTRA_FLAGS.join(' ')}` : ''),
  );
  const results: Measurement[] = [];
  for (const runner of RUNNERS) {
    if (SITUATIONS.has('empty'))
      results.push(await measure('empty database', runner, (db) => storeRigAccounts(db, tokenKey, rig.accounts)));
    if (SITUATIONS.has('idle'))
      results.push(
        await measure(`idle, ${IDLE_POSTS} queued posts`, runner, (db, label) =>
          seedRigPosts(db, tokenKey, rig.accounts, IDLE_POSTS, label, tomorrow()),
        ),
      );
    if (SITUATIONS.has('run'))
      results.push(
        await measure(
          `after publishing ${RUN_POSTS} posts`,
          runner,
          (db, label) => seedRigPosts(db, tokenKey, rig.accounts, RUN_POSTS, label, tomorrow()),
          publishAll,
        ),
      );
  }
  console.log('situation | runner | startup | resident MB | note');
  for (const r of results) console.log(`${r.situation} | ${r.runner} | ${r.startup} | ${r.rssMb} | ${r.note}`);
} finally {
  await slackServer.stop();
  await fakes.stop();
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
