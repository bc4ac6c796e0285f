import { DateTime } from 'luxon';
import type { Db } from 'mongodb';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { Logger } from '../logger.ts';
import { PlatformError } from '../platforms/errors.ts';
import type { PlatformClients } from '../platforms/index.ts';
import type { AccountInsights, ItemInsights, PlatformName } from '../platforms/types.ts';
import type { AccountDoc, Accounts } from './accounts.ts';
import { metricLabels, pickMetrics, platformLabels, platformMetrics } from './insight-metrics.ts';
import { withStoredStoryMetrics } from './story-insights.ts';
import type { TargetDoc } from './targets.ts';

type AccessibleAccount = Omit<AccountDoc, 'token' | 'refreshToken'>;

/** A reporting window: whole days in the team's time zone, `since` inclusive, `until` exclusive. */
export interface ReportPeriod {
  since: Date;
  until: Date;
  days: number;
  zone: string;
  /** The period runs to the moment the report was made (today so far included); nothing is stored for it. */
  toNow?: boolean;
}

/** One published post with what its platform says about it. */
export interface PostFigures {
  targetId: string;
  accountId: string;
  accountName: string;
  platform: PlatformName;
  remoteId: string;
  permalink?: string;
  caption: string;
  publishedAt: Date;
  /** Only the valid metrics for its platform (see `platformMetrics`). */
  metrics: Record<string, number>;
}

export interface FailedPost {
  targetId: string;
  caption: string;
  error: string;
  at: Date;
}

/** A metric left out of the report, and why (in the platform's words where it gave any). */
export interface MetricNote {
  metric: string;
  scope: 'posts' | 'account';
  reason: string;
  /** For post metrics: on how many posts it was missing. */
  posts?: number;
}

/** An account's figures for one period. */
export interface AccountFigures {
  followers?: number;
  /** Account-level totals over the period (valid metrics only). */
  metrics: Record<string, number>;
  postCount: number;
  /** The sum of the platform's view metric over the posts published in the period. */
  postViews?: number;
}

export interface AccountReport {
  accountId: string;
  name: string;
  platform: PlatformName;
  current: AccountFigures;
  /** The previous period as measured then (`snapshot`), or read afterwards for the first report (`backfill`). */
  previous?: AccountFigures & { source: 'snapshot' | 'backfill' };
  posts: PostFigures[];
  failed: FailedPost[];
  notes: MetricNote[];
  /** Whole parts that could not be read (token refused, platform down, platform switched off). */
  problems: string[];
  /** The account's per-day figure (`platformMetrics[platform].dailyMetric`), oldest first, for the chart. */
  daily: { date: string; value: number }[];
}

export interface ReportTotals {
  followers?: number;
  views?: number;
  posts: number;
  failed: number;
}

export interface InsightsReport {
  period: ReportPeriod;
  previousPeriod: ReportPeriod;
  generatedAt: Date;
  accounts: AccountReport[];
  /** The most viewed posts of the period across all accounts. */
  topPosts: PostFigures[];
  totals: { current: ReportTotals; previous: Partial<ReportTotals> };
}

/** What was measured for one account over one period; later reports compare with it. */
export interface InsightSnapshotDoc {
  /** `<accountId>|<since ISO>|<until ISO>`. */
  _id: string;
  accountId: string;
  platform: PlatformName;
  since: Date;
  until: Date;
  measuredAt: Date;
  /** `measured` at the end of the period; `backfill` read later because nothing was stored then (no followers). */
  source: 'measured' | 'backfill';
  followers?: number;
  metrics: Record<string, number>;
  postCount: number;
  postViews?: number;
  posts: { remoteId: string; metrics: Record<string, number> }[];
  daily: { date: string; value: number }[];
}

export const insightSnapshotIndexes: CollectionIndexes = {
  collection: 'insight_snapshots',
  indexes: [{ key: { accountId: 1, since: -1 } }],
};

export type ReportLength = 7 | 30 | 90;

/** How many top posts the report lists. */
const TOP_POSTS = 5;

/** The `days` whole days before the start of `now`'s day in `zone`. */
export function periodEnding(now: Date, days: number, zone: string): ReportPeriod {
  const until = DateTime.fromJSDate(now, { zone }).startOf('day');
  return { since: until.minus({ days }).toJSDate(), until: until.toJSDate(), days, zone };
}

/** The last `days` days up to `now`, today so far included: what `/wone insights` reports, so today's posts count. */
export function periodToNow(now: Date, days: number, zone: string): ReportPeriod {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  return { since: today.minus({ days: days - 1 }).toJSDate(), until: now, days, zone, toNow: true };
}

/** The period of the same length just before `period`. */
export function previousPeriod(period: ReportPeriod): ReportPeriod {
  return periodEnding(period.since, period.days, period.zone);
}

function snapshotId(accountId: string, period: ReportPeriod): string {
  return `${accountId}|${period.since.toISOString()}|${period.until.toISOString()}`;
}

/**
 * Builds insights reports: for each connected account, the posts published in the period with their metrics, the
 * account's followers and views, the previous period as measured then, the top posts and the failed posts. Every
 * report stores what it measured, so next week's comparison uses this week's numbers. A metric or an account that a
 * platform refuses is noted in the report; it never stops the report.
 */
export class InsightsService {
  constructor(
    private readonly db: Db,
    private readonly accounts: Accounts,
    private readonly clients: PlatformClients,
    private readonly logger: Logger,
  ) {}

  private get snapshots() {
    return this.db.collection<InsightSnapshotDoc>('insight_snapshots');
  }

  /** The account a `/wone insights` argument names: its id, its name, or its @name, case-insensitive. */
  async findAccount(query: string): Promise<AccessibleAccount | undefined> {
    const wanted = query.trim().replace(/^@/, '').toLowerCase();
    const all = await this.accounts.list();
    return (
      all.find((account) => account._id.toLowerCase() === wanted) ??
      all.find((account) => account.name.replace(/^@/, '').toLowerCase() === wanted)
    );
  }

  /** A report over `period` for every connected account, or only `accountId`. */
  async buildReport(period: ReportPeriod, options: { accountId?: string } = {}): Promise<InsightsReport> {
    const previous = previousPeriod(period);
    const all = await this.accounts.list();
    const chosen = options.accountId ? all.filter((account) => account._id === options.accountId) : all;
    const accounts: AccountReport[] = [];
    for (const account of chosen) accounts.push(await this.accountReport(account, period, previous));
    const topPosts = accounts
      .flatMap((account) => account.posts)
      .filter((post) => viewsOf(post) !== undefined)
      .sort((a, b) => (viewsOf(b) ?? 0) - (viewsOf(a) ?? 0))
      .slice(0, TOP_POSTS);
    return {
      period,
      previousPeriod: previous,
      generatedAt: new Date(),
      accounts,
      topPosts,
      totals: { current: totalsOf(accounts, (a) => a.current), previous: previousTotals(accounts) },
    };
  }

  private async accountReport(
    account: AccessibleAccount,
    period: ReportPeriod,
    previous: ReportPeriod,
  ): Promise<AccountReport> {
    const metrics = platformMetrics[account.platform];
    const targets = this.db.collection<TargetDoc>('targets');
    const published = await targets
      .find({ accountId: account._id, state: 'published', publishedAt: { $gte: period.since, $lt: period.until } })
      .sort({ publishedAt: 1 })
      .toArray();
    const failed = await targets
      .find({ accountId: account._id, state: 'failed', updatedAt: { $gte: period.since, $lt: period.until } })
      .sort({ updatedAt: 1 })
      .toArray();
    const report: AccountReport = {
      accountId: account._id,
      name: account.name,
      platform: account.platform,
      current: { metrics: {}, postCount: published.length },
      posts: published.map((target) => ({
        targetId: target._id,
        accountId: account._id,
        accountName: account.name,
        platform: account.platform,
        remoteId: target.remoteId ?? '',
        ...(target.permalink ? { permalink: target.permalink } : {}),
        caption: target.caption,
        publishedAt: target.publishedAt ?? target.updatedAt,
        metrics: {},
      })),
      failed: failed.map((target) => ({
        targetId: target._id,
        caption: target.caption,
        error: target.error ?? 'no reason recorded',
        at: target.updatedAt,
      })),
      notes: [],
      problems: [],
      daily: [],
    };

    const client = this.clients[account.platform];
    if (!client) {
      report.problems.push(`${platformLabels[account.platform]} is not switched on here, so no figures were read.`);
      return this.withPrevious(report, account, previous, undefined);
    }
    let access: Awaited<ReturnType<Accounts['access']>>;
    try {
      access = await this.accounts.access(account._id);
    } catch {
      report.problems.push('The account needs reconnecting, so no figures were read.');
      return this.withPrevious(report, account, previous, undefined);
    }

    const withRemote = report.posts.filter((post) => post.remoteId);
    if (withRemote.length > 0) {
      const items = await this.attempt(report, 'post figures', async () =>
        withStoredStoryMetrics(
          this.db,
          await client.getItemInsights(
            access,
            withRemote.map((post) => post.remoteId),
          ),
        ),
      );
      if (items) this.applyItems(report, items, metrics.item);
    }
    const insights = await this.attempt(report, 'account figures', () => client.getAccountInsights(access, period));
    if (insights) this.applyAccount(report, insights, period);

    const postViews = sumOf(report.posts.map((post) => post.metrics[metrics.itemViews]));
    if (postViews !== undefined) report.current.postViews = postViews;
    await this.store(account, period, report, 'measured');
    return this.withPrevious(report, account, previous, () => client.getAccountInsights(access, previous));
  }

  private applyItems(report: AccountReport, items: ItemInsights[], allowed: readonly string[]): void {
    const byId = new Map(items.map((item) => [item.remoteId, item]));
    const missing = new Map<string, { reason: string; posts: number }>();
    for (const post of report.posts) {
      const item = byId.get(post.remoteId);
      if (!item) continue;
      post.metrics = pickMetrics(item.metrics, allowed);
      for (const skip of item.skipped) {
        if (!allowed.includes(skip.metric)) continue;
        const seen = missing.get(skip.metric);
        missing.set(skip.metric, { reason: seen?.reason ?? skip.reason, posts: (seen?.posts ?? 0) + 1 });
      }
    }
    for (const [metric, { reason, posts }] of missing) report.notes.push({ metric, scope: 'posts', reason, posts });
  }

  private applyAccount(report: AccountReport, insights: AccountInsights, period: ReportPeriod): void {
    const figures = accountFiguresOf(report.platform, insights, period);
    if (insights.followers !== undefined) report.current.followers = insights.followers;
    report.current.metrics = figures.metrics;
    report.daily = figures.daily;
    const allowed = platformMetrics[report.platform].account;
    for (const skip of insights.skipped) {
      if (allowed.includes(skip.metric))
        report.notes.push({ metric: skip.metric, scope: 'account', reason: skip.reason });
    }
  }

  /** Runs one platform read; a failure becomes a problem line on the account instead of an exception. */
  private async attempt<T>(report: AccountReport, what: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      this.logger.warn({ err: error, accountId: report.accountId, what }, 'insights read failed');
      report.problems.push(`The ${what} could not be read: ${describeFailure(error)}`);
      return undefined;
    }
  }

  /** Adds the previous period: as stored then, or (first time only) read now and stored as a backfill. */
  private async withPrevious(
    report: AccountReport,
    account: AccessibleAccount,
    previous: ReportPeriod,
    backfill: (() => Promise<AccountInsights>) | undefined,
  ): Promise<AccountReport> {
    const stored = await this.snapshots.findOne({ _id: snapshotId(account._id, previous) });
    if (stored) {
      report.previous = { ...figuresOf(stored), source: stored.source === 'measured' ? 'snapshot' : 'backfill' };
      return report;
    }
    if (!backfill) return report;
    try {
      const earlier = await backfill();
      const targets = this.db.collection<TargetDoc>('targets');
      const postCount = await targets.countDocuments({
        accountId: account._id,
        state: 'published',
        publishedAt: { $gte: previous.since, $lt: previous.until },
      });
      const { metrics } = accountFiguresOf(account.platform, earlier, previous);
      const doc: InsightSnapshotDoc = {
        _id: snapshotId(account._id, previous),
        accountId: account._id,
        platform: account.platform,
        since: previous.since,
        until: previous.until,
        measuredAt: new Date(),
        source: 'backfill',
        metrics,
        postCount,
        posts: [],
        daily: [],
      };
      await this.snapshots.insertOne(doc).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
      report.previous = { ...figuresOf(doc), source: 'backfill' };
    } catch (error) {
      this.logger.warn({ err: error, accountId: account._id }, 'previous period could not be read');
      report.problems.push(`The previous period could not be read: ${describeFailure(error)}`);
    }
    return report;
  }

  private async store(
    account: AccessibleAccount,
    period: ReportPeriod,
    report: AccountReport,
    source: InsightSnapshotDoc['source'],
  ): Promise<void> {
    // A period up to now is not over: later reports compare with whole periods only.
    if (period.toNow) return;
    const doc: InsightSnapshotDoc = {
      _id: snapshotId(account._id, period),
      accountId: account._id,
      platform: account.platform,
      since: period.since,
      until: period.until,
      measuredAt: new Date(),
      source,
      ...(report.current.followers !== undefined ? { followers: report.current.followers } : {}),
      metrics: report.current.metrics,
      postCount: report.current.postCount,
      ...(report.current.postViews !== undefined ? { postViews: report.current.postViews } : {}),
      posts: report.posts.map((post) => ({ remoteId: post.remoteId, metrics: post.metrics })),
      daily: report.daily,
    };
    await this.snapshots.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }
}

/** The number that ranks a post: its platform's view metric. */
export function viewsOf(post: PostFigures): number | undefined {
  return post.metrics[platformMetrics[post.platform].itemViews];
}

/** An account's views over the period (its platform's account-level view metric). */
export function accountViews(platform: PlatformName, figures: AccountFigures): number | undefined {
  return figures.metrics[platformMetrics[platform].accountViews];
}

/** The local dates (YYYY-MM-DD) of a period's days. */
export function datesOf(period: ReportPeriod): string[] {
  const first = DateTime.fromJSDate(period.since, { zone: period.zone });
  return Array.from({ length: period.days }, (_, i) => first.plus({ days: i }).toISODate() ?? '');
}

/**
 * The valid account metrics and the charted figure per day inside the period. Platforms count days in their own zone
 * and some include a day either side, so the days are cut to the period's own dates, and views (which add up day by
 * day) are totalled from those days whenever the platform gave them per day.
 */
function accountFiguresOf(platform: PlatformName, insights: AccountInsights, period: ReportPeriod) {
  const { account, accountViews: viewsMetric, dailyMetric } = platformMetrics[platform];
  const inPeriod = new Set(datesOf(period));
  const daily = insights.daily
    .map((day) => ({ date: day.date.slice(0, 10), value: day.metrics[dailyMetric] }))
    .filter((day): day is { date: string; value: number } => inPeriod.has(day.date) && typeof day.value === 'number');
  const metrics = pickMetrics(insights.metrics, account);
  if (dailyMetric === viewsMetric && daily.length > 0) {
    metrics[viewsMetric] = daily.reduce((sum, day) => sum + day.value, 0);
  }
  return { metrics, daily };
}

function figuresOf(doc: InsightSnapshotDoc): AccountFigures {
  return {
    ...(doc.followers !== undefined ? { followers: doc.followers } : {}),
    metrics: doc.metrics,
    postCount: doc.postCount,
    ...(doc.postViews !== undefined ? { postViews: doc.postViews } : {}),
  };
}

function sumOf(values: (number | undefined)[]): number | undefined {
  const numbers = values.filter((value): value is number => typeof value === 'number');
  return numbers.length > 0 ? numbers.reduce((sum, value) => sum + value, 0) : undefined;
}

function totalsOf(accounts: AccountReport[], figures: (account: AccountReport) => AccountFigures): ReportTotals {
  const totals: ReportTotals = {
    posts: accounts.reduce((sum, account) => sum + figures(account).postCount, 0),
    failed: accounts.reduce((sum, account) => sum + account.failed.length, 0),
  };
  const followers = sumOf(accounts.map((account) => figures(account).followers));
  const views = sumOf(accounts.map((account) => accountViews(account.platform, figures(account))));
  if (followers !== undefined) totals.followers = followers;
  if (views !== undefined) totals.views = views;
  return totals;
}

/** Totals of the previous period, for each figure only when every account has it then and now (a fair comparison). */
function previousTotals(accounts: AccountReport[]): Partial<ReportTotals> {
  const totals: Partial<ReportTotals> = {};
  if (accounts.length === 0 || accounts.some((account) => !account.previous)) return totals;
  totals.posts = accounts.reduce((sum, account) => sum + (account.previous?.postCount ?? 0), 0);
  const comparable = (pick: (figures: AccountFigures, platform: PlatformName) => number | undefined) => {
    let sum = 0;
    for (const account of accounts) {
      const now = pick(account.current, account.platform);
      const then = account.previous ? pick(account.previous, account.platform) : undefined;
      if (now === undefined || then === undefined) return undefined;
      sum += then;
    }
    return sum;
  };
  const followers = comparable((figures) => figures.followers);
  const views = comparable((figures, platform) => accountViews(platform, figures));
  if (followers !== undefined) totals.followers = followers;
  if (views !== undefined) totals.views = views;
  return totals;
}

/** Safe words for a failed read: the platform's own user message when it gave one, never a token or URL. */
export function describeFailure(error: unknown): string {
  if (error instanceof PlatformError) {
    const platform = platformLabels[error.platform];
    if (error.kind === 'auth') return `${platform} refused the account's login; it needs reconnecting.`;
    if (error.kind === 'rate_limited') return `${platform} asked us to slow down; try again later.`;
    if (error.kind === 'transient') return `${platform} did not answer properly; try again later.`;
    return error.userMessage ? `${platform} said: ${error.userMessage}` : `${platform} refused it (${error.code}).`;
  }
  return 'an unexpected error (logged).';
}

/** A readable name for a metric in notes. */
export function metricLabel(metric: string): string {
  return metricLabels[metric] ?? metric;
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number }).code === 11000;
}

/** An account's engagement on the posts of the period: each kind summed, and the rate over reach (or views). */
export interface EngagementFigures {
  /** Summed per kind, in the platform's order: likes (or reactions), comments, shares, saves. */
  kinds: { metric: string; value: number }[];
  total: number;
  /** What the rate divides by: the people reached where the platform counts them per post, else views. */
  base?: { metric: 'reach' | 'views'; value: number };
  /** `total / base.value`, when the base is above zero. */
  rate?: number;
}

const ENGAGEMENT: Record<PlatformName, readonly string[]> = {
  instagram: ['likes', 'comments', 'shares', 'saved'],
  facebook: ['reactions', 'comments', 'shares'],
  tiktok: ['like_count', 'comment_count', 'share_count'],
};

/** The engagement figures of some posts of one platform (an account's, or the top posts'). */
export function engagementOf(platform: PlatformName, posts: PostFigures[]): EngagementFigures {
  const kinds: { metric: string; value: number }[] = [];
  for (const metric of ENGAGEMENT[platform]) {
    const value = sumOf(posts.map((post) => post.metrics[metric]));
    if (value !== undefined) kinds.push({ metric, value });
  }
  const total = kinds.reduce((sum, kind) => sum + kind.value, 0);
  const reach = sumOf(posts.map((post) => post.metrics.reach));
  const views = sumOf(posts.map((post) => post.metrics[platformMetrics[platform].itemViews]));
  const base =
    reach !== undefined
      ? { metric: 'reach' as const, value: reach }
      : views !== undefined
        ? { metric: 'views' as const, value: views }
        : undefined;
  return {
    kinds,
    total,
    ...(base ? { base } : {}),
    ...(base && base.value > 0 && kinds.length > 0 ? { rate: total / base.value } : {}),
  };
}
