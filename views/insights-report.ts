import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import { platformLabels, platformMetrics } from '../src/services/insight-metrics.ts';
import {
  type AccountReport,
  accountViews,
  type EngagementFigures,
  engagementOf,
  type InsightsReport,
  metricLabel,
  type PostFigures,
  type ReportPeriod,
  viewsOf,
} from '../src/services/insights.ts';
import type { ResponseTimeFigures } from '../src/services/response-times.ts';
import { escapeMrkdwn, slackLink } from './slack-text.ts';

/** The action id of the "Post to channel" button on an on-demand report. */
export const SHARE_INSIGHTS_ACTION = 'insights_post_to_channel';

/** Slack allows 50 blocks in a message; accounts beyond what fits are named in one line. */
const MAX_BLOCKS = 50;
const SECTION_TEXT = 3000;

export interface InsightsReportOptions {
  /** `weekly` for the digest; `on_demand` for `/wone insights`. */
  kind: 'weekly' | 'on_demand';
  /** When set, a "Post to channel" button carrying this value (the stored report's id). */
  shareValue?: string;
  /** First-response times to comments in the period (the weekly digest). */
  responseTimes?: ResponseTimeFigures;
  /** Where the chart went when it is not in the message's thread (an on-demand report's chart, in the person's DM). */
  chartNote?: string;
}

/** The insights report as a Slack message: summary, a section per account, top posts with links, failed posts. */
export function insightsReportMessage(
  report: InsightsReport,
  options: InsightsReportOptions,
): { text: string; blocks: KnownBlock[] } {
  const title = `${options.kind === 'weekly' ? 'Weekly insights' : 'Insights'} · ${periodLabel(report.period)}`;
  const { current, previous } = report.totals;
  const engagement = report.accounts.map((account) => engagementOf(account.platform, account.posts));
  const engaged = engagement.reduce((sum, figures) => sum + figures.total, 0);
  const reached = engagement.reduce(
    (sum, figures) => sum + (figures.rate !== undefined ? (figures.base?.value ?? 0) : 0),
    0,
  );
  const engagedCounted = engagement.reduce((sum, figures) => sum + (figures.rate !== undefined ? figures.total : 0), 0);
  const summaryFields = [
    `*Posts published*\n${withChange(current.posts, previous.posts)}`,
    `*Views*\n${withChange(current.views, previous.views)}`,
    `*Followers*\n${withChange(current.followers, previous.followers)}`,
    `*Failed to publish*\n${current.failed}`,
    `*Likes, comments, shares and saves*\n${format(engaged)}`,
    `*Engagement rate*\n${reached > 0 ? percent(engagedCounted / reached) : 'n/a'}`,
  ];
  const head: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
    { type: 'section', fields: summaryFields.map((text) => ({ type: 'mrkdwn', text })) },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Compared with the ${report.previousPeriod.days} days before (${periodLabel(report.previousPeriod)}). ${plural(report.accounts.length, 'account')}. Engagement rate: likes (or reactions), comments, shares and saves on the period's posts, per person reached (per view where reach is not counted).${options.chartNote ? ` ${options.chartNote}` : ''}`,
        },
      ],
    },
  ];

  const tail: KnownBlock[] = [];
  if (options.responseTimes) tail.push({ type: 'divider' }, responseTimeSection(options.responseTimes));
  if (report.topPosts.length > 0) {
    tail.push({ type: 'divider' });
    tail.push(section(`*Top posts*\n${report.topPosts.map((post, i) => topPostLine(post, i + 1)).join('\n')}`));
  }
  const failed = report.accounts.flatMap((account) => account.failed.map((post) => ({ account, post })));
  if (failed.length > 0) {
    const lines = failed.map(
      ({ account, post }) =>
        `• ${escapeMrkdwn(account.name)}: “${escapeMrkdwn(clip(post.caption, 60))}” — ${escapeMrkdwn(post.error)}`,
    );
    tail.push(section(`*Failed to publish*\n${lines.join('\n')}`));
  }
  if (options.shareValue) {
    tail.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: SHARE_INSIGHTS_ACTION,
          text: { type: 'plain_text', text: 'Post to channel' },
          value: options.shareValue,
        },
      ],
    });
  }

  const body: KnownBlock[] = [];
  // One divider after the summary, and one block kept for naming the accounts that did not fit.
  const room = MAX_BLOCKS - head.length - tail.length - 2;
  const left: string[] = [];
  if (report.accounts.length === 0) body.push(section('No accounts are connected yet.'));
  for (const account of report.accounts) {
    const blocks = accountBlocks(account);
    if (body.length + blocks.length <= room) body.push(...blocks);
    else left.push(account.name);
  }
  if (left.length > 0) body.push(section(`Not shown for space: ${escapeMrkdwn(left.join(', '))}.`));

  const text = `${title}: ${plural(current.posts, 'post')}, ${format(current.views)} views, ${format(current.followers)} followers.`;
  return { text, blocks: [...head, { type: 'divider' }, ...body, ...tail] };
}

function responseTimeSection(figures: ResponseTimeFigures): KnownBlock {
  const answered =
    figures.answered > 0
      ? `Median ${duration(figures.medianMs ?? 0)} · 90th percentile ${duration(figures.p90Ms ?? 0)} · ${figures.answered} answered`
      : 'No comment was answered this period.';
  return section(`*Comment response times*\n${answered} · ${figures.unanswered} still unanswered`);
}

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

function accountBlocks(account: AccountReport): KnownBlock[] {
  const metrics = platformMetrics[account.platform];
  const platform = platformLabels[account.platform];
  const { current, previous } = account;
  const lines = [`*${escapeMrkdwn(account.name)}* · ${platform}`];
  lines.push(
    [
      `Followers ${withChange(current.followers, previous?.followers)}`,
      `Views ${withChange(accountViews(account.platform, current), previous && accountViews(account.platform, previous))}`,
      ...(metrics.accountReach
        ? [
            `People reached ${withChange(
              current.metrics[metrics.accountReach],
              previous?.metrics[metrics.accountReach],
            )}`,
          ]
        : []),
    ].join(' · '),
  );
  lines.push(
    `${capitalise(plural(current.postCount, 'post'))} published${previous ? ` (${previous.postCount} the period before)` : ''} · their views ${withChange(current.postViews, previous?.postViews)}`,
  );
  const engagement = engagementLine(engagementOf(account.platform, account.posts));
  if (engagement) lines.push(engagement);
  const blocks: KnownBlock[] = [section(lines.join('\n'))];

  const notes: string[] = [];
  for (const problem of account.problems) notes.push(`:warning: ${escapeMrkdwn(problem)}`);
  for (const note of account.notes) {
    const what =
      note.scope === 'posts'
        ? `${metricLabel(note.metric)} for ${plural(note.posts ?? 0, 'post')}`
        : `the account's ${metricLabel(note.metric)}`;
    notes.push(`${platform} gave no ${what}: ${escapeMrkdwn(clip(note.reason, 200))}`);
  }
  if (previous?.source === 'backfill')
    notes.push(
      'The period before was not measured at the time, so its figures were read afterwards and followers are not compared.',
    );
  if (notes.length > 0)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(notes.join('\n'), SECTION_TEXT) }] });
  return blocks;
}

/** "76 likes · 12 comments · 4 shares · 9 saves · engagement rate 11.2% of people reached". */
function engagementLine(figures: EngagementFigures): string | undefined {
  if (figures.kinds.length === 0) return undefined;
  const parts = figures.kinds.map((kind) => counted(kind.value, kind.metric));
  if (figures.rate !== undefined)
    parts.push(
      `engagement rate ${percent(figures.rate)} ${figures.base?.metric === 'reach' ? 'of people reached' : 'of views'}`,
    );
  return `On these posts: ${parts.join(' · ')}`;
}

function topPostLine(post: PostFigures, rank: number): string {
  const label = clip(post.caption.replace(/\s+/g, ' ') || '(no caption)', 80);
  const link = post.permalink ? slackLink(post.permalink, label) : escapeMrkdwn(label);
  const engagement = engagementOf(post.platform, [post])
    .kinds.filter((kind) => kind.value > 0)
    .map((kind) => counted(kind.value, kind.metric));
  return `${rank}. ${link} — ${escapeMrkdwn(post.accountName)} (${platformLabels[post.platform]}) · ${format(viewsOf(post))} views${engagement.length > 0 ? ` · ${engagement.join(' · ')}` : ''}`;
}

/**
 * "9 Nov – 15 Nov 2026" in the team's zone (the last day shown is the day before `until`), or "24 Nov – 30 Nov 2026,
 * up to now" for a period that runs to the moment the report was made.
 */
export function periodLabel(period: ReportPeriod): string {
  const first = DateTime.fromJSDate(period.since, { zone: period.zone });
  if (period.toNow) {
    const today = DateTime.fromJSDate(period.until, { zone: period.zone });
    return `${first.toFormat('d LLL')} – ${today.toFormat('d LLL yyyy')}, up to now`;
  }
  const last = DateTime.fromJSDate(period.until, { zone: period.zone }).minus({ days: 1 });
  return `${first.toFormat('d LLL')} – ${last.toFormat('d LLL yyyy')}`;
}

/** "1,234 (▲ 12%, +130)", "1,234 (▼ 3%, −40)", "1,234 (no change)", or just "1,234" with nothing to compare. */
export function withChange(now: number | undefined, before: number | undefined): string {
  if (now === undefined) return 'n/a';
  if (before === undefined) return format(now);
  const diff = now - before;
  if (diff === 0) return `${format(now)} (no change)`;
  const sign = diff > 0 ? '▲' : '▼';
  const signed = `${diff > 0 ? '+' : '−'}${format(Math.abs(diff))}`;
  if (before === 0) return `${format(now)} (${sign} ${signed})`;
  const percent = Math.round((Math.abs(diff) / before) * 100);
  return `${format(now)} (${sign} ${percent}%, ${signed})`;
}

function format(value: number | undefined): string {
  return value === undefined ? 'n/a' : value.toLocaleString('en-US');
}

/** "12 likes", "1 like": a metric's count in words. */
function counted(value: number, metric: string): string {
  const label = metricLabel(metric);
  return `${format(value)} ${value === 1 && label.endsWith('s') ? label.slice(0, -1) : label}`;
}

/** "1 post", "3 posts". */
function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/** "4.2%" (one decimal below 10%, whole numbers above). */
function percent(ratio: number): string {
  const value = ratio * 100;
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toString()}%`;
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_TEXT) } };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
