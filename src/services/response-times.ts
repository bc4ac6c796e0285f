import type { Db } from 'mongodb';
import type { CommentDoc } from './comment-docs.ts';
import { unansweredFilter } from './comment-ownership.ts';

/** First-response times of one period: from a comment's platform time to our first reply to it. */
export interface ResponseTimeFigures {
  /** Comments whose first reply went out in the period. */
  answered: number;
  /** The median of their first-response times (mean of the two middle ones for an even count). */
  medianMs?: number;
  /** The 90th percentile, nearest rank: the smallest time at least 90% of them were within. */
  p90Ms?: number;
  /** Comments from before the period's end still waiting for a reply (and not marked done). */
  unanswered: number;
}

/** The median of ascending `sorted` values. */
export function median(sorted: readonly number[]): number | undefined {
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The `p`th percentile of ascending `sorted` values by nearest rank. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Reads the stored first-response times for the weekly digest. */
export class ResponseTimes {
  constructor(private readonly db: Db) {}

  async figures(period: { since: Date; until: Date }): Promise<ResponseTimeFigures> {
    const comments = this.db.collection<CommentDoc>('comments');
    const [answered, unanswered] = await Promise.all([
      comments
        .find({ own: false, firstResponseAt: { $gte: period.since, $lt: period.until } })
        .project<{ firstResponseMs?: number }>({ firstResponseMs: 1 })
        .toArray(),
      comments.countDocuments({ ...unansweredFilter, createdAt: { $lt: period.until } }),
    ]);
    const times = answered
      .map((doc) => doc.firstResponseMs)
      .filter((ms): ms is number => typeof ms === 'number')
      .sort((a, b) => a - b);
    const medianMs = median(times);
    const p90Ms = percentile(times, 90);
    return {
      answered: times.length,
      ...(medianMs === undefined ? {} : { medianMs }),
      ...(p90Ms === undefined ? {} : { p90Ms }),
      unanswered,
    };
  }
}
