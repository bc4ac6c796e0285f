import { hostname } from 'node:os';
import type { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import type { Db } from 'mongodb';
import { insightsReportMessage, periodLabel } from '../../views/insights-report.ts';
import type { Config } from '../config.ts';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { Logger } from '../logger.ts';
import { type InsightsReport, type InsightsService, periodEnding } from './insights.ts';
import { chartAltText, chartTitle, renderViewsChart } from './insights-chart.ts';
import type { ResponseTimeFigures, ResponseTimes } from './response-times.ts';

/**
 * One week's digest. Its id is the week's first day; inserting it is the claim, so with several app instances only
 * the one whose insert succeeds posts. `posting` → `posted` | `failed` (a failed one may be claimed again).
 */
export interface DigestDoc {
  _id: string;
  state: 'posting' | 'posted' | 'failed';
  claimedBy: string;
  claimedAt: Date;
  channel?: string;
  ts?: string;
  postedAt?: Date;
  error?: string;
}

/** An on-demand report kept so its "Post to channel" button posts exactly what the person saw, once. */
export interface SavedReportDoc {
  _id: string;
  report: InsightsReport;
  requestedBy: string;
  createdAt: Date;
  sharedBy?: string;
  sharedAt?: Date;
}

export const savedReportIndexes: CollectionIndexes = {
  collection: 'insight_reports',
  indexes: [{ key: { createdAt: -1 } }],
};

export type WeeklyDigestOutcome =
  | { status: 'posted'; weekId: string; ts: string }
  | { status: 'already_claimed'; weekId: string }
  | { status: 'failed'; weekId: string; error: string };

export type ShareOutcome = { status: 'posted'; ts: string } | { status: 'already_shared' } | { status: 'not_found' };

/** Posts insights reports to the digest channel: the message, then the views chart in its thread. */
export class InsightsPublisher {
  private readonly instance = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly db: Db,
    private readonly insights: InsightsService,
    private readonly slack: WebClient,
    private readonly config: Pick<Config, 'DIGEST_CHANNEL_ID' | 'TEAM_TIMEZONE'>,
    private readonly logger: Logger,
    private readonly responseTimes?: ResponseTimes,
  ) {}

  private get digests() {
    return this.db.collection<DigestDoc>('digests');
  }

  private get saved() {
    return this.db.collection<SavedReportDoc>('insight_reports');
  }

  /**
   * The weekly digest for the seven whole days before `now`'s day in the team's zone. Posts only if this instance
   * claims the week; a second call (another instance, or a retried job) for the same week posts nothing.
   */
  async postWeeklyDigest(now = new Date()): Promise<WeeklyDigestOutcome> {
    const period = periodEnding(now, 7, this.config.TEAM_TIMEZONE);
    const weekId = DateTime.fromJSDate(period.since, { zone: period.zone }).toISODate() ?? period.since.toISOString();
    if (!(await this.claim(weekId))) {
      this.logger.info({ weekId }, 'weekly digest already claimed');
      return { status: 'already_claimed', weekId };
    }
    try {
      const report = await this.insights.buildReport(period);
      const responseTimes = await this.responseTimes?.figures(period);
      const ts = await this.postReport(report, 'weekly', responseTimes);
      await this.digests.updateOne(
        { _id: weekId, state: 'posting' },
        { $set: { state: 'posted', channel: this.config.DIGEST_CHANNEL_ID, ts, postedAt: new Date() } },
      );
      this.logger.info({ weekId, ts }, 'weekly digest posted');
      return { status: 'posted', weekId, ts };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.digests.updateOne({ _id: weekId, state: 'posting' }, { $set: { state: 'failed', error: message } });
      this.logger.error({ err: error, weekId }, 'weekly digest failed');
      return { status: 'failed', weekId, error: message };
    }
  }

  /** Posts a report to the digest channel and its chart into the message's thread; returns the message's ts. */
  async postReport(
    report: InsightsReport,
    kind: 'weekly' | 'on_demand',
    responseTimes?: ResponseTimeFigures,
  ): Promise<string> {
    const channel = this.config.DIGEST_CHANNEL_ID;
    const message = insightsReportMessage(report, { kind, ...(responseTimes ? { responseTimes } : {}) });
    const posted = await this.slack.chat.postMessage({ channel, ...message });
    const ts = posted.ts;
    if (!ts) throw new Error('Slack did not return the digest message ts');
    try {
      const chart = await renderViewsChart(report);
      if (chart) {
        await this.slack.filesUploadV2({
          channel_id: channel,
          thread_ts: ts,
          file: chart,
          filename: 'insights-per-day.png',
          title: chartTitle(report),
          alt_text: chartAltText(report),
        });
      }
    } catch (error) {
      // The digest itself is out; a missing chart is logged, not a reason to post again.
      this.logger.error({ err: error }, 'insights chart could not be posted');
    }
    return ts;
  }

  /**
   * An on-demand report's chart, for the person who asked: Slack has no private files in a channel, so it goes to
   * their direct messages with the app (the chart under a line naming the report). True when a chart was sent.
   */
  async sendChartTo(userId: string, report: InsightsReport): Promise<boolean> {
    try {
      const chart = await renderViewsChart(report);
      if (!chart) return false;
      const note = await this.slack.chat.postMessage({
        channel: userId,
        text: `${chartTitle(report)} for your insights report, ${periodLabel(report.period)}.`,
      });
      if (!note.ts) throw new Error('Slack did not return the chart note ts');
      await this.slack.filesUploadV2({
        channel_id: note.channel ?? userId,
        thread_ts: note.ts,
        file: chart,
        filename: 'insights-per-day.png',
        title: chartTitle(report),
        alt_text: chartAltText(report),
      });
      return true;
    } catch (error) {
      this.logger.error({ err: error }, 'insights chart could not be sent');
      return false;
    }
  }

  /** Keeps an on-demand report for its "Post to channel" button; returns the id the button carries. */
  async saveForSharing(report: InsightsReport, requestedBy: string): Promise<string> {
    const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
    await this.saved.insertOne({ _id: id, report, requestedBy, createdAt: new Date() });
    return id;
  }

  /** Posts a saved report to the channel once: the first click claims it, later clicks are told it is already there. */
  async shareSaved(id: string, userId: string): Promise<ShareOutcome> {
    const claimed = await this.saved.findOneAndUpdate(
      { _id: id, sharedAt: { $exists: false } },
      { $set: { sharedAt: new Date(), sharedBy: userId } },
      { returnDocument: 'after' },
    );
    if (!claimed)
      return (await this.saved.countDocuments({ _id: id })) > 0
        ? { status: 'already_shared' }
        : { status: 'not_found' };
    try {
      return { status: 'posted', ts: await this.postReport(claimed.report, 'on_demand') };
    } catch (error) {
      await this.saved.updateOne({ _id: id }, { $unset: { sharedAt: '', sharedBy: '' } });
      throw error;
    }
  }

  private async claim(weekId: string): Promise<boolean> {
    const claim = { state: 'posting' as const, claimedBy: this.instance, claimedAt: new Date() };
    try {
      await this.digests.insertOne({ _id: weekId, ...claim });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
    }
    const retried = await this.digests.findOneAndUpdate(
      { _id: weekId, state: 'failed' },
      { $set: claim, $unset: { error: '' } },
    );
    return retried !== null;
  }
}
