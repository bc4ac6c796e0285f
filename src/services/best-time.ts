import { DateTime, type WeekdayNumbers } from 'luxon';
import type { Db } from 'mongodb';
import type { Logger } from '../logger.ts';
import type { PlatformClients } from '../platforms/index.ts';
import type { PlatformClient, PlatformName } from '../platforms/types.ts';
import type { AccountSummary, Accounts } from './accounts.ts';
import { platformMetrics } from './insight-metrics.ts';
import { describeFailure } from './insights.ts';
import { engagementMetrics, HISTORY_DAYS, type PostResultDoc } from './post-results.ts';

const DAY_MS = 86_400_000;
/** Fewer measured posts than this over the window and our own history is too thin to rank hours. */
export const MIN_HISTORY_POSTS = 10;
/** A weekday × hour is ranked only when at least this many posts were published in it. */
export const MIN_SLOT_POSTS = 2;
/** How many slots an answer gives. */
export const BEST_SLOTS = 3;
/** The window of the audience fallback (Instagram serves `online_followers` for the last 30 days). */
export const AUDIENCE_DAYS = 30;
/** A suggested time is at least this far ahead. */
const LEAD_MS = 30 * 60_000;

/** A weekday (1 = Monday … 7 = Sunday) and hour (0–23) in the reader's time zone. */
export interface Slot {
  weekday: number;
  hour: number;
}

/** A slot ranked from our own posts: engagement per view (or per reach) over the posts published in it. */
export interface HistorySlot extends Slot {
  posts: number;
  rate: number;
}

/** A slot ranked from the platform's report of when followers are online: the average followers online then. */
export interface AudienceSlot extends Slot {
  online: number;
}

export type BestTimeAnswer = {
  accountId: string;
  accountName: string;
  platform: PlatformName;
  /** Measured posts in the history window. */
  posts: number;
} & (
  | { source: 'history'; slots: HistorySlot[] }
  | { source: 'audience'; slots: AudienceSlot[]; days: number }
  | { source: 'none'; problem?: string }
);

/** A next moment to post, from the best slots of one or more accounts. */
export interface SuggestedTime {
  at: Date;
  /** In the reader's zone: `yyyy-MM-dd` and `HH:mm`, as the draft modal's pickers take them. */
  date: string;
  time: string;
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
  accountNames: string[];
}

interface Measured {
  publishedAt: Date;
  engagement: number;
  audience: number;
}

/**
 * When each account's audience answers best, from our own history: the posts of the last 90 days measured at their
 * results checkpoints (the 7-day figures where there are any, else the 24-hour ones), grouped by the weekday and hour
 * they went out in the reader's zone, ranked by engagement (likes or reactions, comments, shares, saves) per view, or
 * per reach for a post without views. With too little history it falls back to the hours the platform says followers
 * are online, where it says so (Instagram), and says which it used.
 */
export class BestTime {
  constructor(
    private readonly deps: {
      db: Db;
      accounts: Accounts;
      clients: PlatformClients;
      logger: Logger;
      clock?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** The answer for each connected account, or only `accountIds`. */
  async answer(
    zone: string,
    options: { accountIds?: string[]; audience?: boolean; now?: Date } = {},
  ): Promise<BestTimeAnswer[]> {
    const now = options.now ?? this.now();
    const all = await this.deps.accounts.list();
    const chosen = options.accountIds ? all.filter((a) => options.accountIds?.includes(a._id)) : all;
    const answers: BestTimeAnswer[] = [];
    for (const account of chosen) answers.push(await this.forAccount(account, zone, now, options.audience ?? true));
    return answers;
  }

  /** The next `count` moments from the best slots of `accountIds`, soonest first, at least half an hour ahead. */
  async suggest(zone: string, accountIds: string[], count = BEST_SLOTS, now = this.now()): Promise<SuggestedTime[]> {
    const answers = await this.answer(zone, { accountIds, audience: true, now });
    const byTime = new Map<number, SuggestedTime>();
    for (const answer of answers) {
      if (answer.source === 'none') continue;
      for (const slot of answer.slots) {
        const at = nextOccurrence(slot, zone, now);
        const found = byTime.get(at.toMillis());
        if (found) {
          if (!found.accountNames.includes(answer.accountName)) found.accountNames.push(answer.accountName);
          continue;
        }
        byTime.set(at.toMillis(), {
          at: at.toJSDate(),
          date: at.toFormat('yyyy-MM-dd'),
          time: at.toFormat('HH:mm'),
          weekday: at.weekday,
          accountNames: [answer.accountName],
        });
      }
    }
    return [...byTime.values()].sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, count);
  }

  private async forAccount(
    account: AccountSummary,
    zone: string,
    now: Date,
    audience: boolean,
  ): Promise<BestTimeAnswer> {
    const base = { accountId: account._id, accountName: account.name, platform: account.platform };
    const measured = await this.history(account._id, account.platform, now);
    const slots = rankHistory(measured, zone);
    if (measured.length >= MIN_HISTORY_POSTS && slots.length > 0) {
      return { ...base, posts: measured.length, source: 'history', slots };
    }
    const client: PlatformClient | undefined = this.deps.clients[account.platform];
    if (!audience || !client?.getAudienceActivity) return { ...base, posts: measured.length, source: 'none' };
    try {
      const access = await this.deps.accounts.access(account._id);
      const hours = await client.getAudienceActivity(access, {
        since: new Date(now.getTime() - AUDIENCE_DAYS * DAY_MS),
        until: now,
      });
      const ranked = rankAudience(hours, zone);
      if (ranked.length === 0) return { ...base, posts: measured.length, source: 'none' };
      return { ...base, posts: measured.length, source: 'audience', slots: ranked, days: AUDIENCE_DAYS };
    } catch (error) {
      this.deps.logger.warn({ err: error, accountId: account._id }, 'audience activity could not be read');
      return { ...base, posts: measured.length, source: 'none', problem: describeFailure(error) };
    }
  }

  /** One figure per post: its 7-day checkpoint where it has one, else its 24-hour one. */
  private async history(accountId: string, platform: PlatformName, now: Date): Promise<Measured[]> {
    const docs = await this.deps.db
      .collection<PostResultDoc>('post_results')
      .find({ accountId, state: 'posted', publishedAt: { $gte: new Date(now.getTime() - HISTORY_DAYS * DAY_MS) } })
      .toArray();
    const latest = new Map<string, PostResultDoc>();
    for (const doc of docs) {
      const seen = latest.get(doc.targetId);
      if (!seen || (seen.checkpoint === '24h' && doc.checkpoint === '7d')) latest.set(doc.targetId, doc);
    }
    const viewsMetric = platformMetrics[platform].itemViews;
    const engagement = engagementMetrics(platform);
    const measured: Measured[] = [];
    for (const doc of latest.values()) {
      const metrics = doc.metrics ?? {};
      const views = metrics[viewsMetric];
      const reach = metrics.reach;
      const audience = views && views > 0 ? views : reach && reach > 0 ? reach : undefined;
      if (audience === undefined) continue;
      const engaged = engagement.reduce((sum, metric) => sum + (metrics[metric] ?? 0), 0);
      measured.push({ publishedAt: doc.publishedAt, engagement: engaged, audience });
    }
    return measured;
  }
}

/** Slots with at least `MIN_SLOT_POSTS` posts, by engagement per view (summed over the slot's posts), best first. */
export function rankHistory(measured: Measured[], zone: string): HistorySlot[] {
  const slots = new Map<string, { slot: Slot; posts: number; engagement: number; audience: number }>();
  for (const post of measured) {
    const local = DateTime.fromJSDate(post.publishedAt, { zone });
    const key = `${local.weekday}-${local.hour}`;
    const entry = slots.get(key) ?? {
      slot: { weekday: local.weekday, hour: local.hour },
      posts: 0,
      engagement: 0,
      audience: 0,
    };
    entry.posts++;
    entry.engagement += post.engagement;
    entry.audience += post.audience;
    slots.set(key, entry);
  }
  return [...slots.values()]
    .filter((entry) => entry.posts >= MIN_SLOT_POSTS)
    .map((entry) => ({ ...entry.slot, posts: entry.posts, rate: entry.engagement / entry.audience }))
    .sort((a, b) => b.rate - a.rate || b.posts - a.posts || a.weekday - b.weekday || a.hour - b.hour)
    .slice(0, BEST_SLOTS);
}

/** Slots by the average followers online in them, best first. */
export function rankAudience(hours: { at: Date; online: number }[], zone: string): AudienceSlot[] {
  const slots = new Map<string, { slot: Slot; total: number; days: number }>();
  for (const hour of hours) {
    const local = DateTime.fromJSDate(hour.at, { zone });
    const key = `${local.weekday}-${local.hour}`;
    const entry = slots.get(key) ?? { slot: { weekday: local.weekday, hour: local.hour }, total: 0, days: 0 };
    entry.total += hour.online;
    entry.days++;
    slots.set(key, entry);
  }
  return [...slots.values()]
    .map((entry) => ({ ...entry.slot, online: entry.total / entry.days }))
    .sort((a, b) => b.online - a.online || a.weekday - b.weekday || a.hour - b.hour)
    .slice(0, BEST_SLOTS);
}

/** The next start of `slot` in `zone` at least half an hour after `now`. */
export function nextOccurrence(slot: Slot, zone: string, now: Date): DateTime {
  const local = DateTime.fromJSDate(now, { zone });
  let at = local.set({
    weekday: slot.weekday as WeekdayNumbers,
    hour: slot.hour,
    minute: 0,
    second: 0,
    millisecond: 0,
  });
  while (at.toMillis() < now.getTime() + LEAD_MS) at = at.plus({ weeks: 1 });
  return at;
}
