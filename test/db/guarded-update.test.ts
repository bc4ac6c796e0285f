import { type Collection, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimOnce, claimRetentionMs, pruneClaims } from '../../src/db/claims.ts';
import { guardedUpdate, type Versioned } from '../../src/db/guarded-update.ts';
import { freshDatabaseUrl } from '../harness/test-app.ts';

interface Job extends Versioned {
  state: 'free' | 'taken';
  by?: number;
}

const url = freshDatabaseUrl();
// Three connections, as three app instances would have.
const clients = [new MongoClient(url), new MongoClient(url), new MongoClient(url)];
let collections: Collection<Job>[];

beforeAll(async () => {
  await Promise.all(clients.map((client) => client.connect()));
  collections = clients.map((client) => client.db().collection<Job>('jobs'));
});
afterAll(async () => Promise.all(clients.map((client) => client.close())));

describe('guarded updates', () => {
  it('lets exactly one of three racing writers win, every time', async () => {
    const winners: number[] = [];
    for (let round = 0; round < 40; round++) {
      const id = `race-${round}`;
      await collections[0]?.insertOne({ _id: id, state: 'free', version: 0 });
      const results = await Promise.all(
        collections.map((collection, writer) =>
          guardedUpdate(
            clients[writer]?.db() as never,
            collection,
            id,
            { state: 'free' },
            { $set: { state: 'taken', by: writer } },
          ),
        ),
      );
      const won = results.filter((result) => result !== null);
      winners.push(won.length);
      const stored = await collections[0]?.findOne({ _id: id });
      expect(stored?.state).toBe('taken');
      expect(stored?.by).toBe(won[0]?.by);
      expect(stored?.version).toBe(1);
    }
    expect(
      winners.every((count) => count === 1),
      `winners per round: ${winners.join(',')}`,
    ).toBe(true);
  });

  it('returns null when the guard does not match, and applies successive updates in turn', async () => {
    const jobs = collections[0] as Collection<Job>;
    const db = jobs.db;
    await jobs.insertOne({ _id: 'seq', state: 'free', version: 0 });
    expect(await guardedUpdate(db, jobs, 'seq', { state: 'taken' }, { $set: { by: 1 } })).toBeNull();
    const first = await guardedUpdate(db, jobs, 'seq', { state: 'free' }, { $set: { state: 'taken', by: 1 } });
    const second = await guardedUpdate(db, jobs, 'seq', { state: 'taken' }, { $set: { state: 'free' } });
    expect(first?.version).toBe(1);
    expect(second?.version).toBe(2);
    expect(second?.by).toBe(1);
  });

  it('takes over a claim left by a writer that died before updating', async () => {
    const jobs = collections[0] as Collection<Job>;
    const db = jobs.db;
    await jobs.insertOne({ _id: 'orphan', state: 'free', version: 0 });
    await db.collection('transitions').insertOne({ _id: 'jobs:orphan@0' as never, at: new Date(Date.now() - 180_000) });
    const taken = await guardedUpdate(db, jobs, 'orphan', { state: 'free' }, { $set: { state: 'taken' } });
    expect(taken?.state).toBe('taken');
    await db.collection('transitions').insertOne({ _id: 'jobs:fresh@0' as never, at: new Date() });
    await jobs.insertOne({ _id: 'fresh', state: 'free', version: 0 });
    expect(await guardedUpdate(db, jobs, 'fresh', { state: 'free' }, { $set: { state: 'taken' } })).toBeNull();
  });
  it('tests guards with operators ($in, $or, $exists, $lte) the way MongoDB would', async () => {
    const jobs = collections[0] as Collection<Job & { retryAt?: Date }>;
    const db = jobs.db;
    const now = new Date();
    await jobs.insertOne({ _id: 'ops', state: 'free', version: 0, retryAt: new Date(now.getTime() + 60_000) });
    const due = { $or: [{ retryAt: { $exists: false } }, { retryAt: { $lte: now } }], state: { $in: ['free'] } };
    expect(await guardedUpdate(db, jobs, 'ops', due as never, { $set: { by: 1 } })).toBeNull();
    await jobs.updateOne({ _id: 'ops' }, { $unset: { retryAt: '' } });
    expect((await guardedUpdate(db, jobs, 'ops', due as never, { $set: { by: 2 } }))?.by).toBe(2);
  });
});

describe('old claims', () => {
  it('are pruned after the retention, and recent ones are kept', async () => {
    const db = (collections[0] as Collection<Job>).db;
    const now = new Date();
    const old = new Date(now.getTime() - claimRetentionMs - 60_000);
    await db.collection('claims').insertOne({ _id: 'old-one-off' as never, at: old });
    await db.collection('transitions').insertOne({ _id: 'jobs:old@3' as never, at: old });
    expect(await claimOnce(db, 'recent-one-off')).toBe(true);
    const removed = await pruneClaims(db, now);
    expect(removed).toBeGreaterThanOrEqual(2);
    expect(await db.collection('claims').findOne({ _id: 'old-one-off' as never })).toBeNull();
    expect(await db.collection('transitions').findOne({ _id: 'jobs:old@3' as never })).toBeNull();
    expect(await claimOnce(db, 'recent-one-off')).toBe(false);
  });
});
