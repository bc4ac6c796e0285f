import { Agenda } from 'agenda';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singlePollBackend } from '../../src/jobs/single-poll-backend.ts';
import { freshDatabaseUrl } from '../harness/test-app.ts';

const client = new MongoClient(freshDatabaseUrl());
beforeAll(() => client.connect());
afterAll(() => client.close());

describe('the scheduler backend', () => {
  it('keeps one search per job name in flight: a poll overlapping it finds nothing, the next poll finds the job', async () => {
    const db = client.db();
    const agenda = new Agenda({ backend: singlePollBackend(db) });
    const due = new Date(Date.now() - 1_000);
    await agenda.create('publish-post', { postId: 'p1' }).schedule(due).save();
    await agenda.create('publish-post', { postId: 'p2' }).schedule(due).save();
    await agenda.create('purge-media', {}).schedule(due).save();
    const repository = agenda.db;
    const search = (name: string) =>
      repository.getNextJobToRun(name, new Date(), new Date(Date.now() - 600_000), undefined, undefined);

    const [first, overlapping, otherName] = await Promise.all([
      search('publish-post'),
      search('publish-post'),
      search('purge-media'),
    ]);
    // Two jobs are due: without the limit, the overlapping search would lock the second.
    expect(first?.name).toBe('publish-post');
    expect(overlapping).toBeUndefined();
    expect(otherName?.name).toBe('purge-media');

    // The next poll finds the other one.
    const next = await search('publish-post');
    expect(next?.name).toBe('publish-post');
    expect(next?.data).not.toEqual(first?.data);
  });
});
