import { describe, expect, it } from 'vitest';
import { messageProblems } from '../../src/sandbox/block-kit-rules.ts';
import { type AccountReport, type InsightsReport, periodEnding, previousPeriod } from '../../src/services/insights.ts';
import { insightsReportMessage, periodLabel, withChange } from '../../views/insights-report.ts';

const period = periodEnding(new Date('2026-11-30T10:00:00Z'), 7, 'Europe/Berlin');

function account(i: number, caption: string): AccountReport {
  return {
    accountId: `instagram:${i}`,
    name: `@wone_${i}`,
    platform: 'instagram',
    current: { followers: 1000 + i, metrics: { views: 500, reach: 300 }, postCount: 2, postViews: 800 },
    previous: {
      followers: 1000,
      metrics: { views: 400, reach: 300 },
      postCount: 1,
      postViews: 200,
      source: 'snapshot',
    },
    posts: [
      {
        targetId: `t${i}`,
        accountId: `instagram:${i}`,
        accountName: `@wone_${i}`,
        platform: 'instagram',
        remoteId: `m${i}`,
        permalink: `https://www.instagram.com/p/${i}/`,
        caption,
        publishedAt: period.since,
        metrics: { views: 800, likes: 40, saved: 3 },
      },
    ],
    failed: [{ targetId: `f${i}`, caption, error: 'Instagram refused the image: too large.', at: period.since }],
    notes: [
      { metric: 'saved', scope: 'posts', reason: `(#100) not supported for stories ${'x'.repeat(400)}`, posts: 1 },
    ],
    problems: [],
    daily: [],
  };
}

function report(accounts: AccountReport[]): InsightsReport {
  return {
    period,
    previousPeriod: previousPeriod(period),
    generatedAt: new Date(),
    accounts,
    topPosts: accounts.flatMap((a) => a.posts).slice(0, 5),
    totals: { current: { posts: 2, failed: 1, views: 500, followers: 1001 }, previous: { posts: 1, views: 400 } },
  };
}

describe('the insights report message', () => {
  it('stays within Slack limits with many accounts and very long captions', () => {
    const long = '<b>Huge & loud</b> '.repeat(400);
    const message = insightsReportMessage(report(Array.from({ length: 40 }, (_, i) => account(i, long))), {
      kind: 'on_demand',
      shareValue: 'abc123def',
    });
    expect(messageProblems(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('Not shown for space:');
    expect(text).not.toContain('<b>');
    expect(message.blocks.at(-1)?.type).toBe('actions');
  });

  it('shows changes with direction, percent and amount', () => {
    expect(withChange(4900, 3500)).toBe('4,900 (▲ 40%, +1,400)');
    expect(withChange(90, 100)).toBe('90 (▼ 10%, −10)');
    expect(withChange(5, 5)).toBe('5 (no change)');
    expect(withChange(3, 0)).toBe('3 (▲ +3)');
    expect(withChange(3, undefined)).toBe('3');
    expect(withChange(undefined, 3)).toBe('n/a');
  });

  it('names the week in the team zone, last day included', () => {
    expect(periodLabel(period)).toBe('23 Nov – 29 Nov 2026');
  });

  it('notes skipped metrics with their platform reason, and the weekly digest has no button', () => {
    const text = JSON.stringify(insightsReportMessage(report([account(1, 'Hi')]), { kind: 'weekly' }).blocks);
    expect(text).toContain('Instagram gave no saves for 1 post: (#\u200B100) not supported for stories');
    // Plain words: no internal notes, metric codes or "(s)" plurals.
    expect(text).not.toMatch(/\(=\)|\(s\)|`saved`|read afterwards \(nothing/);
    expect(text).toContain('On these posts: 40 likes · 3 saves · engagement rate 5.4% of views');
    expect(text).toContain('*Engagement rate*\\n5.4%');
    expect(text).toContain('800 views · 40 likes · 3 saves');
    expect(text).not.toContain('"actions"');
  });
});
