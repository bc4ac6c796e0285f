import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFromEnvironment, type WoneApp } from '../../src/app.ts';
import { WEEKLY_DIGEST_JOB } from '../../src/jobs/weekly-digest.ts';
import { createLogger } from '../../src/logger.ts';
import { FakeSlack } from '../../src/sandbox/fake-slack.ts';
import { runJobsNow } from '../../src/sandbox/platform-world.ts';
import { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import { waitForQuiet } from '../harness/quiet.ts';
import { DIGEST_CHANNEL, testEnvironment } from '../harness/test-app.ts';
import { connectTikTok, daysOf, during, insertTarget, tiktokEnvironment, weeks, ZONE } from './insights-fixtures.ts';

const quiet = () =>
  createLogger(
    'error',
    new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    }),
  );

let slack: FakeSlack;
let tiktok: TikTokFake;
const apps: WoneApp[] = [];

beforeAll(async () => {
  slack = new FakeSlack();
  await slack.start();
  tiktok = new TikTokFake();
  await tiktok.start();
  // Two instances of the app on one database, as behind a load balancer.
  const env = testEnvironment(slack, tiktokEnvironment(tiktok));
  for (let i = 0; i < 2; i++) {
    apps.push(
      await startFromEnvironment(env, { logger: quiet(), slackRetryConfig: { retries: 0 }, jobPollInterval: 200 }),
    );
  }
});
afterAll(async () => {
  for (const app of apps) await app.stop();
  await tiktok?.stop();
  await slack?.stop();
});

const digestMessages = () => slack.messages.filter((m) => m.channel === DIGEST_CHANNEL && !m.thread_ts);

async function until(probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('two app instances on one database', () => {
  it('keep one repeating digest job, due next Monday 09:00 in the team zone', async () => {
    const jobs = await apps[0]?.services.db.collection('jobs').find({ name: WEEKLY_DIGEST_JOB }).toArray();
    expect(jobs).toHaveLength(1);
    expect(jobs?.[0]?.repeatInterval).toBe('0 9 * * 1');
    expect(jobs?.[0]?.repeatTimezone).toBe(ZONE);
    const next = DateTime.fromJSDate(jobs?.[0]?.nextRunAt as Date, { zone: ZONE });
    expect(next.weekday).toBe(1);
    expect(next.toFormat('HH:mm')).toBe('09:00');
    expect(next.toMillis()).toBeGreaterThan(Date.now());
    expect(next.toMillis()).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000);
  });

  it('post one digest when the job comes due, whichever instance runs it', async () => {
    const [a] = apps;
    if (!a) throw new Error('no app');
    const { current } = weeks();
    tiktok.seedAccount({
      openId: 'tt-inst',
      followers: 77,
      dailyMetrics: daysOf(current).map((date) => ({
        date,
        video_views: 10,
        profile_views: 1,
        likes: 1,
        comments: 0,
        shares: 0,
      })),
    });
    const accountId = await connectTikTok(a.services, tiktok, 'tt-inst', '@wone');
    tiktok.seedVideo('tt-inst', '7300000000000000031', { video_views: 42 });
    await insertTarget(a.services.db, {
      accountId,
      platform: 'tiktok',
      caption: 'Hello',
      remoteId: '7300000000000000031',
      publishedAt: during(current, 3),
    });

    const jobs = a.services.db.collection('jobs');
    const dueAt = new Date();
    // Its time comes: the job is moved to now through Agenda's own API (as the sandbox's clock control does).
    expect(await runJobsNow(a.services.scheduler, new RegExp(`^${WEEKLY_DIGEST_JOB}$`))).toBe(1);
    await until(async () => {
      const job = await jobs.findOne({ name: WEEKLY_DIGEST_JOB });
      return job?.lastFinishedAt instanceof Date && job.lastFinishedAt >= dueAt;
    });
    // Both instances keep polling: whatever else they would do shows before Slack goes quiet.
    await waitForQuiet(() => slack.calls.length, 1_000);
    expect(digestMessages()).toHaveLength(1);
    expect(JSON.stringify(digestMessages()[0]?.blocks)).toContain('*Followers*\\n77');
    const job = await jobs.findOne({ name: WEEKLY_DIGEST_JOB });
    expect(job?.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    const claimed = await a.services.db.collection('digests').find({}).toArray();
    expect(claimed).toHaveLength(1);
    expect(claimed[0]).toMatchObject({ state: 'posted', ts: digestMessages()[0]?.ts });
  });

  it('post one digest when both instances run the same week at the same moment', async () => {
    const [a, b] = apps;
    if (!a || !b) throw new Error('no apps');
    const nextWeek = DateTime.now().plus({ weeks: 1 }).toJSDate();
    const before = digestMessages().length;
    const outcomes = await Promise.all([
      a.services.insightsPublisher.postWeeklyDigest(nextWeek),
      b.services.insightsPublisher.postWeeklyDigest(nextWeek),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['already_claimed', 'posted']);
    expect(digestMessages()).toHaveLength(before + 1);
  });
});
