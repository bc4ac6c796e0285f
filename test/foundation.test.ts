import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedDatabase } from '../src/db/embedded-ferretdb.ts';
import { startTestApp, type TestApp } from './harness/test-app.ts';

const until = async (probe: () => Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('health', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('/readyz goes 503 while the database is down and back to 200 when it returns, without a crash', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wone-readyz-'));
    let database = await startEmbeddedDatabase({ dataDir });
    const port = database.port;
    const t: TestApp = await startTestApp({ MONGODB_URL: `mongodb://127.0.0.1:${port}/readyz` });
    cleanups.push(async () => {
      await t.stop();
      await database.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const ready = async () => (await fetch(`${t.url}/readyz`)).status;

    expect(await ready()).toBe(200);
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });

    await database.stop();
    await until(async () => (await ready()) === 503);
    const body = (await (await fetch(`${t.url}/readyz`)).json()) as Record<string, string>;
    expect(body.database).toBe('unreachable');
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);

    database = await startEmbeddedDatabase({ dataDir, port });
    await until(async () => (await ready()) === 200);
  });
});

describe('scheduler', () => {
  it('runs a job scheduled a few seconds ahead exactly once against the database', async () => {
    const t = await startTestApp();
    try {
      const runs: Date[] = [];
      const { scheduler, db } = t.app.services;
      scheduler.define('foundation-check', async () => {
        runs.push(new Date());
      });
      const due = new Date(Date.now() + 2_000);
      await scheduler.schedule(due, 'foundation-check', { note: 'once' });
      await until(async () => runs.length > 0, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(runs).toHaveLength(1);
      expect(runs[0]?.getTime()).toBeGreaterThanOrEqual(due.getTime());
      const stored = await db.collection('jobs').findOne({ name: 'foundation-check' });
      expect(stored?.lastFinishedAt).toBeInstanceOf(Date);
      expect(stored?.data).toEqual({ note: 'once' });
    } finally {
      await t.stop();
    }
  });
});
