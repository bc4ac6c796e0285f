import { MongoJobRepository } from '@agendajs/mongo-backend';
import { type Collection, MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../harness/test-app.ts';

// The promises the app builds on, checked on the database the tests run on (the embedded one unless MONGODB_URL is
// set): one document is changed by one write at a time, whichever connection it comes from. Each race runs on three
// connections, as three app instances would, two operations each, many rounds. FerretDB 1.24 as published fails every
// one of these (it reads, changes and writes back a document with nothing between two connections doing the same);
// the build made by scripts/ensure-ferretdb.mjs passes them. To check another server, run with MONGODB_URL set to it.

const url = freshDatabaseUrl();
const clients = [new MongoClient(url), new MongoClient(url), new MongoClient(url)];
const ROUNDS = 50;

interface Target {
  _id: string;
  state: 'queued' | 'publishing';
  by?: string;
}

beforeAll(async () => {
  await Promise.all(clients.map((client) => client.connect()));
});
afterAll(async () => {
  await clients[0]?.db().dropDatabase();
  await Promise.all(clients.map((client) => client.close()));
});

/** Each connection's handle on one collection. */
function collections<T extends object>(name: string): Collection<T>[] {
  return clients.map((client) => client.db().collection<T>(name));
}

/** Runs `operation` twice on each connection, all at once. */
function race<R>(operation: (connection: number, attempt: number) => Promise<R>): Promise<R[]> {
  return Promise.all(clients.flatMap((_, connection) => [0, 1].map((attempt) => operation(connection, attempt))));
}

describe('single-document atomicity across connections', () => {
  it('gives a findOneAndUpdate guarded by the state it leaves one winner per round', async () => {
    const targets = collections<Target>('targets');
    const winnersPerRound: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const _id = `target-${round}`;
      await targets[0]?.insertOne({ _id, state: 'queued' });
      const results = await race((connection, attempt) =>
        (targets[connection] as Collection<Target>).findOneAndUpdate(
          { _id, state: 'queued' },
          { $set: { state: 'publishing', by: `${connection}.${attempt}` } },
          { returnDocument: 'after' },
        ),
      );
      const winners = results.filter((result) => result !== null);
      winnersPerRound.push(winners.length);
      const stored = await targets[0]?.findOne({ _id });
      if (winners.length === 1) expect(stored?.by).toBe(winners[0]?.by);
    }
    const rounds = winnersPerRound.filter((count) => count !== 1).length;
    expect(rounds, `rounds without exactly one winner: ${rounds} of ${ROUNDS}`).toBe(0);
  });

  it('gives a plain updateOne guarded by state one match per round', async () => {
    const targets = collections<Target>('guarded');
    let rounds = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const _id = `guarded-${round}`;
      await targets[0]?.insertOne({ _id, state: 'queued' });
      const results = await race((connection) =>
        (targets[connection] as Collection<Target>).updateOne(
          { _id, state: 'queued' },
          { $set: { state: 'publishing' } },
        ),
      );
      if (results.reduce((sum, result) => sum + result.modifiedCount, 0) !== 1) rounds++;
    }
    expect(rounds, `rounds where the guarded update did not change the document exactly once: ${rounds}`).toBe(0);
  });

  it('loses no $inc among 60 concurrent increments of one document', async () => {
    const counters = collections<{ _id: string; n: number }>('counters');
    await counters[0]?.insertOne({ _id: 'counter', n: 0 });
    await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        counters[index % clients.length]?.updateOne({ _id: 'counter' }, { $inc: { n: 1 } }),
      ),
    );
    const stored = await counters[0]?.findOne({ _id: 'counter' });
    expect(stored?.n, `n after 60 increments: ${stored?.n}`).toBe(60);
  });

  it("hands each due job to one of Agenda's job locks on several connections", async () => {
    const repositories = clients.map(
      (client) => new MongoJobRepository({ mongo: client.db(), db: { collection: 'agendaJobs' }, ensureIndex: false }),
    );
    await Promise.all(repositories.map((repository) => repository.connect()));
    const jobs = clients[0]?.db().collection('agendaJobs');
    const duplicatedRounds: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const name = `publish-${round}`;
      const due = new Date(Date.now() - 1_000);
      // Three due jobs, six lockers: each job must be locked once, and three lockers must find nothing.
      await jobs?.insertMany(
        [0, 1, 2].map((index) => ({ _id: new ObjectId(), name, data: { index }, nextRunAt: due, priority: 0 })),
      );
      const now = new Date();
      const locked = await race((connection) =>
        (repositories[connection] as MongoJobRepository).getNextJobToRun(
          name,
          now,
          new Date(now.getTime() - 600_000),
          now,
          undefined,
        ),
      );
      const ids = locked.filter((job) => job !== undefined).map((job) => String(job._id));
      if (ids.length !== 3 || new Set(ids).size !== 3) duplicatedRounds.push(`${round}: ${ids.length} locks`);
    }
    expect(
      duplicatedRounds,
      `rounds where a job was locked twice or left unlocked: ${duplicatedRounds.length}`,
    ).toEqual([]);
  });

  it("lets one of several lockJob calls take one job (Agenda's lock of a job it already holds in memory)", async () => {
    const repositories = clients.map(
      (client) => new MongoJobRepository({ mongo: client.db(), db: { collection: 'lockJobs' }, ensureIndex: false }),
    );
    await Promise.all(repositories.map((repository) => repository.connect()));
    const jobs = clients[0]?.db().collection('lockJobs');
    let rounds = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const job = { _id: new ObjectId(), name: 'publish', nextRunAt: new Date(Date.now() - 1_000), priority: 0 };
      await jobs?.insertOne(job);
      const locked = await race((connection) =>
        (repositories[connection] as MongoJobRepository).lockJob(
          { ...job, _id: job._id.toString() } as never,
          undefined,
        ),
      );
      if (locked.filter((result) => result !== undefined).length !== 1) rounds++;
    }
    expect(rounds, `rounds where the job was locked other than once: ${rounds} of ${ROUNDS}`).toBe(0);
  });

  it('answers an aggregation with no $match (no filter at all) and one anchored on _id with other keys', async () => {
    const [states] = collections<{ _id: string; state: string }>('grouped');
    await states?.insertMany([
      { _id: 'a', state: 'queued' },
      { _id: 'b', state: 'publishing' },
      { _id: 'c', state: 'queued' },
    ]);
    const grouped = await states
      ?.aggregate([{ $group: { _id: '$state', n: { $sum: 1 } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(grouped).toEqual([
      { _id: 'publishing', n: 1 },
      { _id: 'queued', n: 2 },
    ]);
    expect(await states?.findOne({ _id: 'c', state: 'queued' })).toEqual({ _id: 'c', state: 'queued' });
    expect(await states?.findOne({ _id: 'c', state: 'publishing' })).toBeNull();
  });
});
