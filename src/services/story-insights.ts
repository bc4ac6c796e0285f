import type { Db } from 'mongodb';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { Logger } from '../logger.ts';
import type { PlatformClients } from '../platforms/index.ts';
import type { ItemInsights } from '../platforms/types.ts';
import type { Accounts } from './accounts.ts';
import type { TargetDoc } from './targets.ts';

const HOUR_MS = 3_600_000;
/** Instagram serves a story's metrics for 24 hours after it went live, then answers with an empty set. */
export const STORY_LIFETIME_MS = 24 * HOUR_MS;
/** While a story is live its figures are read again at most this often... */
const READ_EVERY_MS = 4 * HOUR_MS;
/** ...and every run in its last hours, so the stored figures are the story's final ones within a run's interval. */
const FINAL_HOURS_MS = 2 * HOUR_MS;

/** The last figures read for one Instagram story while Instagram still served them. */
export interface StoryInsightDoc {
  /** The target's id. */
  _id: string;
  accountId: string;
  remoteId: string;
  publishedAt: Date;
  metrics: Record<string, number>;
  measuredAt: Date;
}

export const storyInsightIndexes: CollectionIndexes = {
  collection: 'story_insights',
  indexes: [{ key: { remoteId: 1 } }],
};

/** What one run did, for logs. */
export interface StoryRunReport {
  live: number;
  read: number;
  stored: number;
  failed: number;
}

/**
 * Keeps the figures of Instagram stories after Instagram stops serving them (24 hours after publishing). Each run
 * reads the live stories whose figures are stale (every few hours, and every run in their last two hours), one
 * `getItemInsights` per account, and stores what Instagram gave. Reports and results replies then take the stored
 * figures where Instagram answers with nothing (`withStoredStoryMetrics`).
 */
export class StoryInsights {
  constructor(
    private readonly deps: {
      db: Db;
      accounts: Accounts;
      clients: PlatformClients;
      logger: Logger;
      /** The time now; tests pass their own. */
      clock?: () => Date;
    },
  ) {}

  get collection() {
    return this.deps.db.collection<StoryInsightDoc>('story_insights');
  }

  async runDue(now = this.deps.clock?.() ?? new Date()): Promise<StoryRunReport> {
    const report: StoryRunReport = { live: 0, read: 0, stored: 0, failed: 0 };
    const live = await this.deps.db
      .collection<TargetDoc>('targets')
      .find({
        state: 'published',
        platform: 'instagram',
        postType: 'instagram_story',
        publishedAt: { $gt: new Date(now.getTime() - STORY_LIFETIME_MS), $lte: now },
      })
      .toArray();
    report.live = live.length;
    if (live.length === 0) return report;
    const stored = new Map(
      (await this.collection.find({ _id: { $in: live.map((t) => t._id) } }).toArray()).map((d) => [d._id, d]),
    );
    const due = live.filter((target) => {
      if (!target.remoteId || !target.publishedAt) return false;
      const last = stored.get(target._id)?.measuredAt.getTime();
      if (last === undefined || now.getTime() - last >= READ_EVERY_MS) return true;
      const finalFrom = target.publishedAt.getTime() + STORY_LIFETIME_MS - FINAL_HOURS_MS;
      return now.getTime() >= finalFrom && last < now.getTime();
    });
    const byAccount = new Map<string, TargetDoc[]>();
    for (const target of due) byAccount.set(target.accountId, [...(byAccount.get(target.accountId) ?? []), target]);
    const client = this.deps.clients.instagram;
    if (!client) return report;
    for (const [accountId, targets] of byAccount) {
      let items: ItemInsights[];
      try {
        const access = await this.deps.accounts.access(accountId);
        items = await client.getItemInsights(
          access,
          targets.map((t) => t.remoteId ?? ''),
        );
      } catch (error) {
        this.deps.logger.warn({ err: error, accountId }, 'story figures could not be read; trying on the next run');
        report.failed += targets.length;
        continue;
      }
      report.read += targets.length;
      const byRemote = new Map(items.map((item) => [item.remoteId, item]));
      for (const target of targets) {
        const metrics = byRemote.get(target.remoteId ?? '')?.metrics ?? {};
        if (Object.keys(metrics).length === 0) continue;
        await this.store(target, metrics, now);
        report.stored++;
      }
    }
    return report;
  }

  /** One guarded write: a later reading replaces an earlier one, never the other way round. */
  private async store(target: TargetDoc, metrics: Record<string, number>, now: Date): Promise<void> {
    const fields = {
      accountId: target.accountId,
      remoteId: target.remoteId ?? '',
      publishedAt: target.publishedAt ?? now,
      metrics,
      measuredAt: now,
    };
    const updated = await this.collection.updateOne({ _id: target._id, measuredAt: { $lt: now } }, { $set: fields });
    if (updated.matchedCount > 0) return;
    await this.collection.insertOne({ _id: target._id, ...fields }).catch((error: unknown) => {
      if ((error as { code?: number }).code !== 11000) throw error;
    });
  }
}

/**
 * Fills the figures Instagram no longer serves (a story older than 24 hours answers with an empty set) from the last
 * stored reading. A figure Instagram did give is kept; a stored figure clears that metric's "skipped" note.
 */
export async function withStoredStoryMetrics(db: Db, items: ItemInsights[]): Promise<ItemInsights[]> {
  if (items.length === 0) return items;
  const stored = await db
    .collection<StoryInsightDoc>('story_insights')
    .find({ remoteId: { $in: items.map((item) => item.remoteId) } })
    .toArray();
  if (stored.length === 0) return items;
  const byRemote = new Map(stored.map((doc) => [doc.remoteId, doc]));
  return items.map((item) => {
    const doc = byRemote.get(item.remoteId);
    if (!doc) return item;
    const metrics = { ...doc.metrics, ...item.metrics };
    return { ...item, metrics, skipped: item.skipped.filter((skip) => !(skip.metric in metrics)) };
  });
}
