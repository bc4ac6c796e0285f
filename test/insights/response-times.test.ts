import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommentDoc } from '../../src/services/comment-docs.ts';
import { median, percentile } from '../../src/services/response-times.ts';
import { DIGEST_CHANNEL, startTestApp, type TestApp } from '../harness/test-app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.stop();
});

const minute = 60_000;
let sequence = 0;

/** A comment as intake and a sent reply leave it, with fixed times. */
function stored(input: {
  createdAt: string;
  firstResponseMs?: number;
  own?: boolean;
  removed?: boolean;
  doneAt?: string;
  assignee?: string;
}): CommentDoc {
  const id = `c${++sequence}`;
  const createdAt = new Date(input.createdAt);
  const firstResponseAt =
    input.firstResponseMs === undefined ? undefined : new Date(createdAt.getTime() + input.firstResponseMs);
  return {
    _id: `instagram:${id}`,
    platform: 'instagram',
    commentId: id,
    accountId: 'instagram:1',
    targetId: 'post-1:instagram:1',
    itemId: 'm1',
    authorName: 'someone',
    text: 'a question',
    createdAt,
    receivedAt: createdAt,
    source: 'poll',
    own: input.own ?? false,
    edited: false,
    removed: input.removed ?? false,
    hidden: false,
    slackState: input.own ? 'none' : 'posted',
    replies: firstResponseAt ? [{ id: `r${id}`, by: 'UEDITOR', text: 'answer', at: firstResponseAt }] : [],
    ...(firstResponseAt ? { firstResponseAt, firstResponseMs: input.firstResponseMs } : {}),
    ...(input.doneAt ? { doneAt: new Date(input.doneAt), doneBy: 'UEDITOR' } : {}),
    ...(input.assignee ? { assignee: input.assignee } : {}),
    updatedAt: createdAt,
  };
}

describe('first-response times', () => {
  it('median by the middle values, 90th percentile by nearest rank', () => {
    expect(median([])).toBeUndefined();
    expect(median([5])).toBe(5);
    expect(median([1, 3, 10, 20])).toBe(6.5);
    expect(percentile([5, 10, 20, 40, 120], 90)).toBe(120);
    expect(
      percentile(
        Array.from({ length: 20 }, (_, i) => i + 1),
        90,
      ),
    ).toBe(18);
  });

  it('the weekly digest shows the median, the 90th percentile and the unanswered count of the stored times', async () => {
    const { db, insightsPublisher } = t.app.services;
    // The digest of Monday 16 Nov 2026 covers 9–15 Nov in Europe/Berlin: 8 Nov 23:00 UTC to 15 Nov 23:00 UTC.
    await db.collection<CommentDoc>('comments').insertMany([
      stored({ createdAt: '2026-11-09T08:00:00Z', firstResponseMs: 5 * minute }),
      stored({ createdAt: '2026-11-10T08:00:00Z', firstResponseMs: 10 * minute }),
      stored({ createdAt: '2026-11-11T08:00:00Z', firstResponseMs: 20 * minute }),
      stored({ createdAt: '2026-11-12T08:00:00Z', firstResponseMs: 40 * minute }),
      stored({ createdAt: '2026-11-15T20:00:00Z', firstResponseMs: 120 * minute }),
      // Answered before the week: not this week's figure.
      stored({ createdAt: '2026-11-02T08:00:00Z', firstResponseMs: 1 * minute }),
      // Answered after the week ended: not yet.
      stored({ createdAt: '2026-11-15T22:30:00Z', firstResponseMs: 60 * minute }),
      // Still waiting: one unassigned, one assigned.
      stored({ createdAt: '2026-11-13T08:00:00Z' }),
      stored({ createdAt: '2026-11-14T08:00:00Z', assignee: 'UEDITOR' }),
      // Not waiting: done, removed, our own reply, and one that arrived after the week.
      stored({ createdAt: '2026-11-13T09:00:00Z', doneAt: '2026-11-13T10:00:00Z' }),
      stored({ createdAt: '2026-11-13T09:30:00Z', removed: true }),
      stored({ createdAt: '2026-11-13T09:45:00Z', own: true }),
      stored({ createdAt: '2026-11-16T08:00:00Z' }),
    ]);

    const outcome = await insightsPublisher.postWeeklyDigest(new Date('2026-11-16T10:00:00Z'));
    expect(outcome.status).toBe('posted');
    const digest = t.slack.messages.find((m) => m.channel === DIGEST_CHANNEL && !m.thread_ts);
    const text = JSON.stringify(digest?.blocks);
    expect(text).toContain('*Comment response times*');
    expect(text).toContain('Median 20 min · 90th percentile 2 h · 5 answered · 2 still unanswered');
  });
});
