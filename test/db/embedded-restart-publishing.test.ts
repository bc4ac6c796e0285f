import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../../src/sandbox/fake-http-server.ts';
import { APPROVER, EDITOR } from '../harness/test-app.ts';
import { draftWith, FB, PAGE_ID, type PostApp, startPostApp, until } from '../posts/post-harness.ts';

// A target caught mid-publish when the embedded database dies is resumed by the same app once the database is back,
// without waiting out its lease (two minutes here): the run that lost its way has ended, so the process that holds the
// lease takes the target back at once, and finds the post it had already made instead of making it again. While the
// database is away, /readyz says so.

const leaseSeconds = 120;
const dataDir = mkdtempSync(join(tmpdir(), 'wone-restart-publishing-'));
let t: PostApp;
let blocker: Server | undefined;
beforeAll(async () => {
  t = await startPostApp({
    MONGODB_URL: undefined,
    DATA_DIR: dataDir,
    PUBLISH_LEASE_SECONDS: String(leaseSeconds),
    PUBLISH_LEAD_SECONDS: '1',
    JOB_POLL_SECONDS: '0.2',
  });
});
afterAll(async () => {
  blocker?.close();
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The embedded database's process id and port (read from /proc, as an operator would find them). */
function embedded(): { pid: number; port: number } | undefined {
  const stateDir = `--state-dir=${resolve(dataDir, 'ferretdb')}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const listen = args.find((arg) => arg.startsWith('--listen-addr='));
      if (args.includes(stateDir) && listen) return { pid: Number(entry), port: Number(listen.split(':').pop()) };
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

/** Holds the database's port, so its restarts fail until `release` (the database stays away for a while). */
async function holdPort(port: number): Promise<Server> {
  for (;;) {
    const server = createServer((socket) => socket.destroy());
    const bound = await new Promise<boolean>((done) => {
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => done(true));
    });
    if (bound) return server;
    await new Promise((wait) => setTimeout(wait, 5));
  }
}

const feedPost = (req: FakeRequest) => req.method === 'POST' && req.path.endsWith(`/${PAGE_ID}/feed`);

describe('publishing through a restart of the embedded database', () => {
  it('resumes a target caught mid-publish once the database is back, not after its lease', {
    timeout: 120_000,
  }, async () => {
    const database = embedded();
    if (!database) throw new Error('no embedded database found');
    let killedAt = 0;
    // The feed post is made; before its answer goes back, the database dies and stays away for 12 s.
    t.graph.facebook.observer = async (req, phase) => {
      if (phase !== 'received' || !feedPost(req) || killedAt) return;
      killedAt = Date.now();
      process.kill(database.pid, 'SIGKILL');
      while (existsSync(`/proc/${database.pid}`)) await new Promise((wait) => setTimeout(wait, 2));
      blocker = await holdPort(database.port);
      setTimeout(() => blocker?.close(), 12_000);
    };

    const id = await t.app.services.drafts.save({
      draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption: 'Through a restart' }),
      files: [],
      timezone: 'Europe/Berlin',
      by: EDITOR,
    });
    const pending = await t.app.services.drafts.prepare(id);
    if (pending?.state !== 'pending_approval') throw new Error(`not pending: ${pending?.state}`);
    await t.app.services.approvals.approve(id, pending.revision, APPROVER);

    // While the database is away the app says it is not ready.
    await until(async () => killedAt > 0, 30_000);
    const whileAway = await fetch(`${t.url}/readyz`);
    expect(whileAway.status).toBe(503);
    expect(await whileAway.json()).toMatchObject({ database: 'unreachable' });

    const post = await until(async () => {
      const found = await t.app.services.posts.get(id).catch(() => null);
      return found?.state === 'published' ? found : undefined;
    }, 90_000);
    t.graph.facebook.observer = undefined;
    expect(killedAt).toBeGreaterThan(0);
    // Well inside the lease: the app took its own target back as soon as the database answered.
    expect(Date.now() - killedAt).toBeLessThan((leaseSeconds / 2) * 1000);
    const [target] = await t.app.services.targets.ofPost(post);
    expect(target).toMatchObject({ state: 'published', lease: 2 });
    // One request, one live post: the resumed run looked for the post instead of sending it again.
    expect(t.graph.facebook.callsTo('POST', new RegExp(`/${PAGE_ID}/feed$`))).toHaveLength(1);
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'Through a restart')).toHaveLength(1);
    expect(embedded()?.pid).not.toBe(database.pid);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });
});
