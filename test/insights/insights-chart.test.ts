import { describe, expect, it } from 'vitest';
import type { PlatformName } from '../../src/platforms/types.ts';
import { type AccountReport, type InsightsReport, periodEnding, previousPeriod } from '../../src/services/insights.ts';
import { chartAltText, chartTitle, viewsChartSpec, viewsPerDay } from '../../src/services/insights-chart.ts';

const period = periodEnding(new Date('2026-11-30T10:00:00Z'), 7, 'Europe/Berlin');

function account(name: string, platform: PlatformName, daily: number[]): AccountReport {
  return {
    accountId: `${platform}:${name}`,
    name,
    platform,
    current: { metrics: {}, postCount: 0 },
    posts: [],
    failed: [],
    notes: [],
    problems: [],
    daily: daily.map((value, i) => ({ date: `2026-11-${23 + i}`, value })),
  };
}

function report(accounts: AccountReport[]): InsightsReport {
  return {
    period,
    previousPeriod: previousPeriod(period),
    generatedAt: new Date(),
    accounts,
    topPosts: [],
    totals: { current: { posts: 0, failed: 0 }, previous: {} },
  };
}

describe('the insights chart', () => {
  it('draws every platform with daily figures and says what each line measures', () => {
    const all = report([
      account('@wone.shop', 'instagram', [10, 20]),
      account('Wone Commerce', 'facebook', [30, 40]),
      account('@wonecommerce', 'tiktok', [50, 60]),
      account('@wonelabs', 'tiktok', []),
    ]);
    const labels = [...new Set(viewsPerDay(all).map((point) => point.account))];
    expect(labels).toEqual([
      '@wone.shop · Instagram, people reached',
      'Wone Commerce · Facebook, views',
      '@wonecommerce · TikTok, views',
    ]);
    // Instagram's reach is not drawn on a bare "Views" axis.
    const title = chartTitle(all);
    expect(title).toBe('Views per day (people reached per day for Instagram)');
    const spec = viewsChartSpec(viewsPerDay(all), title) as { encoding: { y: { title: string } } };
    expect(spec.encoding.y.title).toBe(title);
    // An account with no daily figures is named, not silently left out.
    expect(chartAltText(all)).toContain('No daily figures from @wonelabs (TikTok)');
  });

  it('calls a views-only chart "Views per day" and a reach-only one "People reached per day"', () => {
    expect(chartTitle(report([account('@wonecommerce', 'tiktok', [1])]))).toBe('Views per day');
    expect(chartTitle(report([account('@wone.shop', 'instagram', [1])]))).toBe('People reached per day');
  });
});
