import { randomBytes } from 'node:crypto';
import { MongoClient, ObjectId } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../../src/sandbox/fake-http-server.ts';
import { FakeSlack } from '../../src/sandbox/fake-slack.ts';
import { GraphFake } from '../../src/sandbox/graph-fake.ts';
import { type RunningServer, startServer } from '../harness/processes.ts';
import {
  approvedPost,
  type RigAccount,
  seedApprovedPosts,
  seedJpeg,
  seedRigAccountsInGraph,
  storeRigAccounts,
} from '../harness/publish-fixtures.ts';
import { TEAM_ID, testEnvironment } from '../harness/test-app.ts';

/** Runs per kill point: small in CI, more with `CRASH_RUNS`. */
const RUNS = Number(process.env.CRASH_RUNS ?? 1);
const POSTS = Number(process.env.CRASH_POSTS ?? 4);

/** Where publishing is killed: the Graph request seen, and whether the app got the answer first. */
const killPoints = {
  'after the container is made': { request: isContainerCreate, phase: 'answered' },
  'after the publish request is sent, before its answer': { request: isPublish, phase: 'received' },
  'after the publish answer, before the result is stored': { request: isPublish, phase: 'answered' },
} as const;

function isContainerCreate(req: FakeRequest): boolean {
  return req.method === 'POST' && /\/\d+\/media$/.test(req.path);
}

function isPublish(req: FakeRequest): boolean {
  return req.method === 'POST' && (/\/media_publish$/.test(req.path) || /\/\d+\/feed$/.test(req.path));
}

interface Outcome {
  runs: number;
  published: number;
  unconfirmed: number;
  duplicates: number;
  losses: number;
}

const running: RunningServer[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
});

/**
 * Two app instances (child processes) on one database publish `POSTS` due posts; at the kill point both are killed
 * with SIGKILL, then restarted. Every post must end published exactly once, or unconfirmed and said so in Slack.
 */
async function crashRun(point: keyof typeof killPoints): Promise<Outcome> {
  const graph = new GraphFake({ startAt: Date.now(), quotaTotal: 1000 });
  const urls = await graph.start();
  const slack = new FakeSlack('xoxb-crash-token', TEAM_ID);
  await slack.start();
  const tokenKey = randomBytes(32).toString('base64');
  const env: NodeJS.ProcessEnv = {
    ...testEnvironment(slack, {
      TOKEN_ENCRYPTION_KEY: tokenKey,
      META_APP_ID: graph.appId,
      META_APP_SECRET: graph.appSecret,
      META_GRAPH_URL: urls.facebookUrl,
      INSTAGRAM_GRAPH_URL: urls.instagramUrl,
      JOB_POLL_SECONDS: '0.2',
      PUBLISH_LEASE_SECONDS: '3',
      PUBLISH_LEAD_SECONDS: '1',
      LOG_LEVEL: 'error',
    }),
    PATH: process.env.PATH,
  };
  const client = new MongoClient(env.MONGODB_URL ?? '');
  const db = client.db();
  try {
    const accounts = seedRigAccountsInGraph(graph, 2);
    await storeRigAccounts(db, tokenKey, accounts);
    const jpeg = await seedJpeg(db, new ObjectId().toHexString());
    const posts = Array.from({ length: POSTS }, (_, i) => {
      const account = accounts[i % accounts.length] as RigAccount;
      const instagram = account.platform === 'instagram';
      return approvedPost({
        id: new ObjectId().toHexString(),
        account,
        postType: instagram ? 'instagram_feed' : 'facebook_text',
        caption: `crash ${point} ${i}`,
        dueAt: new Date(),
        ...(instagram ? { media: [jpeg] } : {}),
      });
    });
    await seedApprovedPosts(db, posts);

    const start = async () => {
      const started = await Promise.all([0, 1].map(() => startServer('bench/wone-app.ts', env)));
      running.push(...started);
      return started;
    };
    let apps: RunningServer[] = [];
    let killed = false;
    const { request, phase } = killPoints[point];
    const observer = (req: FakeRequest, seen: 'received' | 'answered') => {
      if (killed || seen !== phase || !request(req)) return;
      killed = true;
      for (const app of apps) app.child.kill('SIGKILL');
    };
    graph.instagram.observer = observer;
    graph.facebook.observer = observer;
    apps = await start();

    const settled = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const open = await db.collection('posts').countDocuments({ state: { $in: ['scheduled', 'publishing'] } });
        if (open === 0) return true;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return false;
    };
    // Wait for the kill, then bring both instances back.
    const killDeadline = Date.now() + 20_000;
    while (!killed && Date.now() < killDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(killed).toBe(true);
    await Promise.all(apps.map((app) => app.stop()));
    running.splice(0);
    apps = await start();
    await settled(30_000);

    const outcome: Outcome = { runs: 1, published: 0, unconfirmed: 0, duplicates: 0, losses: 0 };
    const thread = slack.messages.map((message) => message.text).join('\n');
    for (const post of posts) {
      const account = accounts.find((a) => a.id === post.accountIds[0]) as RigAccount;
      const live = graph.published(account.externalId).filter((item) => item.caption === post.caption).length;
      const target = await db.collection('targets').findOne({ postId: post._id });
      if (live > 1) outcome.duplicates += 1;
      if (target?.state === 'published' && live === 1) outcome.published += 1;
      else if (target?.state === 'unconfirmed' && live <= 1 && /not confirmed/.test(thread)) outcome.unconfirmed += 1;
      else {
        outcome.losses += 1;
        const job = await db.collection('jobs').findOne({ 'data.postId': post._id });
        const stored = await db.collection('posts').findOne({ _id: post._id as never }, { projection: { state: 1 } });
        console.log(
          `lost: ${post.caption}: ${live} live, post ${stored?.state}, target ${JSON.stringify(target)}, job ${JSON.stringify(job)}`,
        );
      }
    }
    return outcome;
  } finally {
    graph.instagram.observer = undefined;
    graph.facebook.observer = undefined;
    // Every process this run started is stopped before the next run starts its own (none outlives the run).
    await Promise.all(running.splice(0).map((app) => app.stop()));
    await client.close();
    await graph.stop();
    await slack.stop();
  }
}

describe('publishing through SIGKILL (two instances on one database, killed and restarted)', () => {
  for (const point of Object.keys(killPoints) as (keyof typeof killPoints)[]) {
    it(
      `every post ends published once or unconfirmed in Slack when killed ${point}`,
      async () => {
        const total: Outcome = { runs: 0, published: 0, unconfirmed: 0, duplicates: 0, losses: 0 };
        for (let run = 0; run < RUNS; run += 1) {
          const outcome = await crashRun(point);
          for (const key of Object.keys(total) as (keyof Outcome)[]) total[key] += outcome[key];
        }
        console.log(
          `killed ${point}: ${total.runs} runs, ${total.runs * POSTS} posts, ${total.published} published once, ${total.unconfirmed} unconfirmed (shown in Slack), ${total.duplicates} duplicates, ${total.losses} lost`,
        );
        expect(total.duplicates).toBe(0);
        expect(total.losses).toBe(0);
        expect(total.published + total.unconfirmed).toBe(total.runs * POSTS);
      },
      RUNS * 60_000,
    );
  }
});
