import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, EDITOR } from '../harness/test-app.ts';
import { draftWith, FB, PAGE_ID, type PostApp, startPostApp, until } from '../posts/post-harness.ts';

// The app started without MONGODB_URL runs its own embedded database; when that process dies, the app starts it again
// (same port, same data), says so on /readyz meanwhile, and publishes again once it answers.

const dataDir = mkdtempSync(join(tmpdir(), 'wone-supervised-'));
let t: PostApp;
beforeAll(async () => {
  t = await startPostApp({
    MONGODB_URL: undefined,
    DATA_DIR: dataDir,
    PUBLISH_LEASE_SECONDS: '3',
    PUBLISH_LEAD_SECONDS: '1',
  });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The process id of the embedded database serving `dataDir` (read from /proc, as an operator would find it). */
function embeddedPid(): number | undefined {
  const stateDir = `--state-dir=${resolve(dataDir, 'ferretdb')}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(stateDir)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

async function publishOnce(caption: string) {
  const id = await t.app.services.drafts.save({
    draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption }),
    files: [],
    timezone: 'Europe/Berlin',
    by: EDITOR,
  });
  const pending = await t.app.services.drafts.prepare(id);
  if (pending?.state !== 'pending_approval') throw new Error(`not pending: ${pending?.state}`);
  await t.app.services.approvals.approve(id, pending.revision, APPROVER);
  return until(async () => {
    const post = await t.app.services.posts.get(id);
    return post?.state === 'published' ? post : undefined;
  }, 30_000);
}

const readyz = async () => (await fetch(`${t.url}/readyz`)).status;

describe('the embedded database is supervised', () => {
  it('is restarted with its data when its process is killed, and publishing goes on', { timeout: 90_000 }, async () => {
    await publishOnce('Before the kill');
    const before = embeddedPid();
    expect(before).toBeDefined();
    expect(await readyz()).toBe(200);

    process.kill(before as number, 'SIGKILL');
    // A new process serves the same data, and the app is ready again. (How long /readyz says 503 in between depends
    // on how fast the restart is: a restart quicker than the driver's next ping is never seen as "not ready".)
    await until(async () => {
      const pid = embeddedPid();
      return pid !== undefined && pid !== before && (await readyz()) === 200;
    }, 30_000);
    const after = embeddedPid();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);

    // The data is the same, and a post approved now goes out once.
    expect(await t.app.services.posts.collection.countDocuments({ state: 'published' })).toBe(1);
    await publishOnce('After the restart');
    const captions = t.graph.published(PAGE_ID).map((item) => item.caption);
    expect(captions.filter((caption) => caption === 'Before the kill')).toHaveLength(1);
    expect(captions.filter((caption) => caption === 'After the restart')).toHaveLength(1);
  });
});
