import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimOnce, claimRetentionMs, pruneClaims } from '../../src/db/claims.ts';
import { freshDatabaseUrl } from '../harness/test-app.ts';

const url = freshDatabaseUrl();
// Three connections, as three app instances would have.
const clients = [new MongoClient(url), new MongoClient(url), new MongoClient(url)];

beforeAll(async () => {
  await Promise.all(clients.map((client) => client.connect()));
});
afterAll(async () => {
  await clients[0]?.db().dropDatabase();
  await Promise.all(clients.map((client) => client.close()));
});

describe('one-time keys', () => {
  it('are claimed by exactly one of three racing instances', async () => {
    for (let round = 0; round < 20; round++) {
      const won = await Promise.all(clients.map((client) => claimOnce(client.db(), `key-${round}`)));
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });

  it('are pruned after the retention, and recent ones are kept', async () => {
    const db = (clients[0] as MongoClient).db();
    const now = new Date();
    const old = new Date(now.getTime() - claimRetentionMs - 60_000);
    await db.collection('claims').insertOne({ _id: 'old-one-off' as never, at: old });
    expect(await claimOnce(db, 'recent-one-off')).toBe(true);
    expect(await pruneClaims(db, now)).toBe(1);
    expect(await db.collection('claims').findOne({ _id: 'old-one-off' as never })).toBeNull();
    expect(await claimOnce(db, 'recent-one-off')).toBe(false);
  });
});
