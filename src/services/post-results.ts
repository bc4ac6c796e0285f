import { hostname } from 'node:os';
import type { Db } from 'mongodb';
import { guardedUpdate } from '../db/guarded-update.ts';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { Logger } from '../logger.ts';
import { PlatformError } from '../platforms/errors.ts';
import type { PlatformClients } from '../platforms/index.ts';
import type { ItemInsights, PlatformName, PostType } from '../platforms/types.ts';
import type { Accounts } from './accounts.ts';
import { AccountNotConnectedError } from './accounts.ts';
import { describeFailure } from './insights.ts';
import type { Posts } from './posts.ts';
import { withStoredStoryMetrics } from './story-insights.ts';
import type { TargetDoc } from './targets.ts';

/** When a published target's figures are brought back to its approval thread. */
export type Checkpoint = '24h' | '7d';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Each checkpoint is due from its moment until the next one's (the 7-day one for a day), so a restart or a slow run
 * still answers late rather than never, and a checkpoint missed altogether is not answered with later figures.
 */
export const checkpoints: readonly { id: Checkpoint; afterMs: number; untilMs: number }[] = [
  { id: '24h', afterMs: DAY_MS, untilMs: 7 * DAY_MS },
  { id: '7d', afterMs: 7 * DAY_MS, untilMs: 8 * DAY_MS },
];

/** The figures a results reply shows, per platform, in this order: views, reach, likes, comments, shares, saves. */
export const resultMetrics: Record<PlatformName, readonly string[]> = {
  instagram: ['views', 'reach', 'likes', 'comments', 'shares', 'saved'],
  facebook: ['views', 'reach', 'reactions', 'comments', 'shares'],
  tiktok: ['view_count', 'reach', 'like_count', 'comment_count', 'share_count'],
};

/** The audience figures (what a post reached); every other result metric is an engagement. */
const audienceMetrics = new Set(['views', 'reach', 'view_count']);

/** The result metrics that count as engagement (likes or reactions, comments, shares, saves). */
export function engagementMetrics(platform: PlatformName): string[] {
  return resultMetrics[platform].filter((metric) => !audienceMetrics.has(metric));
}

/** The window the "usual" figures and the best times are taken from. */
export const HISTORY_DAYS = 90;
/** Fewer earlier posts of a type than this and a figure is shown without a comparison. */
export const MIN_COMPARED_POSTS = 3;
/** A checkpoint that failed this many times (platform down, Slack refusing the reply) is given up. */
export const MAX_ATTEMPTS = 5;
/** A claim left by an instance that died mid-run is taken over after this long. */
const CLAIM_LEASE_MS = 10 * 60_000;

/**
 * One checkpoint of one target. Inserting it is the claim (its `_id` is the one-time key), so with several instances
 * only one replies; it then moves by guarded updates: `posting` → `posted` | `noted` (the login was refused) |
 * `failed` (read again on the next run while the checkpoint is due, at most `MAX_ATTEMPTS` times) | `skipped` (no
 * approval thread to answer in).
 * The figures of posted checkpoints are the history the comparisons and the best times are computed from.
 */
export interface PostResultDoc {
  /** `<targetId>|<checkpoint>`. */
  _id: string;
  version: number;
  targetId: string;
  postId: string;
  accountId: string;
  platform: PlatformName;
  postType: PostType;
  checkpoint: Checkpoint;
  publishedAt: Date;
  state: 'posting' | 'posted' | 'noted' | 'failed' | 'skipped';
  claimedBy: string;
  claimedAt: Date;
  attempts: number;
  /** As read at the checkpoint: the result metrics the platform gave. */
  metrics?: Record<string, number>;
  /** The result metrics the platform refused, said in this reply (so the next checkpoint does not repeat them). */
  refused?: string[];
  measuredAt?: Date;
  ts?: string;
  error?: string;
}

export const postResultIndexes: CollectionIndexes = {
  collection: 'post_results',
  indexes: [{ key: { accountId: 1, state: 1, publishedAt: -1 } }, { key: { targetId: 1 } }],
};

/** One figure of a results reply, with the account's usual value for the post type where there is enough history. */
export interface ResultFigure {
  metric: string;
  value: number;
  /** The median of the same checkpoint over the account's posts of this type in the last 90 days. */
  median?: number;
  /** `value / median`, when the median is above zero. */
  ratio?: number;
  /** How many posts the median rests on. */
  compared: number;
}

/** What a results reply says; the view words it. */
export interface PostResultFacts {
  checkpoint: Checkpoint;
  accountName: string;
  platform: PlatformName;
  postType: PostType;
  permalink?: string;
  figures: ResultFigure[];
  /** Metrics the platform refused for this post, said once per post. */
  refused: { metric: string; reason: string }[];
}

/** A checkpoint that could not be read because the account's login was refused. */
export interface PostResultNoteFacts {
  checkpoint: Checkpoint;
  accountName: string;
  platform: PlatformName;
  problem: string;
}

/** Where results go: a reply in the approval thread. Returns the reply's ts. */
export interface PostResultSink {
  results(thread: { channel: string; ts: string }, facts: PostResultFacts): Promise<string>;
  note(thread: { channel: string; ts: string }, facts: PostResultNoteFacts): Promise<string>;
}

/** What one run did, for logs and the API-economy bench. */
export interface ResultsRunReport {
  due: number;
  claimed: number;
  posted: number;
  noted: number;
  failed: number;
  /** Accounts whose figures were read (one `getItemInsights` each). */
  accountsRead: number;
}

interface Due {
  id: string;
  target: TargetDoc & { remoteId: string; publishedAt: Date };
  checkpoint: Checkpoint;
}

/**
 * Brings each published target's figures back to the thread where its post was approved, 24 hours and 7 days after it
 * went live, compared with the account's usual figures for that post type. Runs find what is due from the stored
 * targets, so nothing is lost across restarts; a run with nothing due reads nothing from any platform, and a run reads
 * each account's due posts in one `getItemInsights` (one Graph batch).
 */
export class PostResults {
  private readonly instance = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly deps: {
      db: Db;
      accounts: Accounts;
      posts: Posts;
      clients: PlatformClients;
      sink: PostResultSink;
      logger: Logger;
      /** The time now; tests pass their own. */
      clock?: () => Date;
    },
  ) {}

  get collection() {
    return this.deps.db.collection<PostResultDoc>('post_results');
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** Finds the due checkpoints, claims them, reads each account's figures once and replies in each post's thread. */
  async runDue(now = this.now()): Promise<ResultsRunReport> {
    const report: ResultsRunReport = { due: 0, claimed: 0, posted: 0, noted: 0, failed: 0, accountsRead: 0 };
    const due = await this.findDue(now);
    report.due = due.length;
    if (due.length === 0) return report;
    const claimed: Due[] = [];
    for (const item of due) if (await this.claim(item, now)) claimed.push(item);
    report.claimed = claimed.length;
    const byAccount = new Map<string, Due[]>();
    for (const item of claimed) {
      const list = byAccount.get(item.target.accountId) ?? [];
      list.push(item);
      byAccount.set(item.target.accountId, list);
    }
    for (const [accountId, items] of byAccount) {
      await this.runAccount(accountId, items, now, report);
    }
    return report;
  }

  /** Targets published between 8 days and 24 hours ago whose checkpoint is due and not yet answered or being answered. */
  private async findDue(now: Date): Promise<Due[]> {
    const oldest = Math.max(...checkpoints.map((c) => c.untilMs));
    const newest = Math.min(...checkpoints.map((c) => c.afterMs));
    const targets = await this.deps.db
      .collection<TargetDoc>('targets')
      .find({
        state: 'published',
        publishedAt: { $gt: new Date(now.getTime() - oldest), $lte: new Date(now.getTime() - newest) },
      })
      .toArray();
    const candidates: Due[] = [];
    for (const target of targets) {
      // Inbox deliveries are not public yet: there is nothing to measure.
      if (!target.remoteId || !target.publishedAt || target.deliveredTo === 'inbox') continue;
      const age = now.getTime() - target.publishedAt.getTime();
      const checkpoint = checkpoints.find((c) => age >= c.afterMs && age < c.untilMs);
      if (!checkpoint) continue;
      candidates.push({
        id: `${target._id}|${checkpoint.id}`,
        target: target as Due['target'],
        checkpoint: checkpoint.id,
      });
    }
    if (candidates.length === 0) return [];
    const existing = await this.collection.find({ _id: { $in: candidates.map((c) => c.id) } }).toArray();
    const known = new Map(existing.map((doc) => [doc._id, doc]));
    return candidates.filter((candidate) => {
      const doc = known.get(candidate.id);
      if (!doc) return true;
      if (doc.state === 'failed') return doc.attempts < MAX_ATTEMPTS;
      return doc.state === 'posting' && doc.claimedAt.getTime() < now.getTime() - CLAIM_LEASE_MS;
    });
  }

  /** One instance wins each checkpoint: the first insert of its key, or the one guarded update that retakes it. */
  private async claim(item: Due, now: Date): Promise<boolean> {
    const { target } = item;
    const doc: PostResultDoc = {
      _id: item.id,
      version: 0,
      targetId: target._id,
      postId: target.postId,
      accountId: target.accountId,
      platform: target.platform,
      postType: target.postType,
      checkpoint: item.checkpoint,
      publishedAt: target.publishedAt,
      state: 'posting',
      claimedBy: this.instance,
      claimedAt: now,
      attempts: 1,
    };
    try {
      await this.collection.insertOne(doc);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
    }
    const retaken = await guardedUpdate(
      this.collection,
      item.id,
      {
        $or: [
          { state: 'failed', attempts: { $lt: MAX_ATTEMPTS } },
          { state: 'posting', claimedAt: { $lt: new Date(now.getTime() - CLAIM_LEASE_MS) } },
        ],
      },
      { $set: { state: 'posting', claimedBy: this.instance, claimedAt: now }, $inc: { attempts: 1 } },
    );
    return retaken !== null;
  }

  private async runAccount(accountId: string, items: Due[], now: Date, report: ResultsRunReport): Promise<void> {
    const { accounts, clients, logger } = this.deps;
    const account = await accounts.get(accountId);
    const platform = items[0]?.target.platform ?? 'instagram';
    const accountName = account?.name ?? accountId;
    const client = clients[platform];
    if (!client) {
      for (const item of items) await this.settle(item, 'skipped', { error: 'platform switched off' });
      return;
    }
    let insights: ItemInsights[];
    try {
      const access = await accounts.access(accountId);
      report.accountsRead++;
      insights = await withStoredStoryMetrics(
        this.deps.db,
        await client.getItemInsights(
          access,
          items.map((item) => item.target.remoteId),
        ),
      );
    } catch (error) {
      const refused =
        error instanceof AccountNotConnectedError || (error instanceof PlatformError && error.kind === 'auth');
      if (!refused) {
        logger.warn({ err: error, accountId }, 'results could not be read; trying again on the next run');
        for (const item of items) await this.settle(item, 'failed', { error: describeFailure(error) });
        report.failed += items.length;
        return;
      }
      const problem =
        error instanceof PlatformError
          ? describeFailure(error)
          : 'The account is not connected any more; it needs reconnecting.';
      for (const item of items) {
        const thread = await this.threadOf(item);
        if (!thread) {
          await this.settle(item, 'skipped', {});
          continue;
        }
        const ts = await this.deps.sink.note(thread, {
          checkpoint: item.checkpoint,
          accountName,
          platform,
          problem,
        });
        await this.settle(item, 'noted', { ts, error: problem });
        report.noted++;
      }
      return;
    }
    const byId = new Map(insights.map((insight) => [insight.remoteId, insight]));
    for (const item of items) {
      try {
        const thread = await this.threadOf(item);
        if (!thread) {
          await this.settle(item, 'skipped', {});
          continue;
        }
        const insight = byId.get(item.target.remoteId) ?? { remoteId: item.target.remoteId, metrics: {}, skipped: [] };
        const { figures, metrics, refused } = await this.factsOf(item, insight, now);
        const ts = await this.deps.sink.results(thread, {
          checkpoint: item.checkpoint,
          accountName,
          platform,
          postType: item.target.postType,
          ...(item.target.permalink ? { permalink: item.target.permalink } : {}),
          figures,
          refused,
        });
        await this.settle(item, 'posted', { ts, metrics, refused: refused.map((r) => r.metric), measuredAt: now });
        report.posted++;
      } catch (error) {
        logger.error({ err: error, targetId: item.target._id }, 'results reply failed');
        await this.settle(item, 'failed', { error: error instanceof Error ? error.message : String(error) });
        report.failed++;
      }
    }
  }

  private async threadOf(item: Due): Promise<{ channel: string; ts: string } | undefined> {
    const post = await this.deps.posts.getFields(item.target.postId, ['approvalMessage']);
    return post?.approvalMessage;
  }

  /** The figures with their comparisons, and the refused metrics not already said for this post. */
  private async factsOf(item: Due, insight: ItemInsights, now: Date) {
    const { platform, postType, accountId, _id: targetId } = item.target;
    const shown = resultMetrics[platform];
    const metrics: Record<string, number> = {};
    for (const metric of shown) {
      const value = insight.metrics[metric];
      if (typeof value === 'number' && Number.isFinite(value)) metrics[metric] = value;
    }
    const history = await this.collection
      .find({
        accountId,
        state: 'posted',
        postType,
        checkpoint: item.checkpoint,
        publishedAt: { $gte: new Date(now.getTime() - HISTORY_DAYS * DAY_MS) },
        targetId: { $ne: targetId },
      })
      .toArray();
    const figures: ResultFigure[] = shown
      .filter((metric) => metric in metrics)
      .map((metric) => {
        const value = metrics[metric] ?? 0;
        const earlier = history.map((doc) => doc.metrics?.[metric]).filter((v): v is number => typeof v === 'number');
        if (earlier.length < MIN_COMPARED_POSTS) return { metric, value, compared: earlier.length };
        const usual = median(earlier);
        return {
          metric,
          value,
          median: usual,
          compared: earlier.length,
          ...(usual > 0 ? { ratio: value / usual } : {}),
        };
      });
    const said = new Set(
      (await this.collection.find({ targetId, _id: { $ne: item.id } }).toArray()).flatMap((doc) => doc.refused ?? []),
    );
    const refused: { metric: string; reason: string }[] = [];
    for (const skip of insight.skipped) {
      if (!shown.includes(skip.metric) || skip.metric in metrics || said.has(skip.metric)) continue;
      if (refused.some((r) => r.metric === skip.metric)) continue;
      refused.push({ metric: skip.metric, reason: skip.reason });
    }
    return { figures, metrics, refused };
  }

  private async settle(
    item: Due,
    state: Exclude<PostResultDoc['state'], 'posting'>,
    fields: Partial<Pick<PostResultDoc, 'ts' | 'metrics' | 'refused' | 'measuredAt' | 'error'>>,
  ): Promise<void> {
    await guardedUpdate(
      this.collection,
      item.id,
      { state: 'posting', claimedBy: this.instance },
      { $set: { state, ...fields } },
    );
  }
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? 0;
  return ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
