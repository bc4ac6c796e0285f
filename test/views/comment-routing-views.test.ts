import { describe, expect, it } from 'vitest';
import { messageProblems, viewProblems } from '../../src/sandbox/block-kit-rules.ts';
import { commentRoutedMessage } from '../../views/comment-routed-message.ts';
import { homeCommentBlocks } from '../../views/home-comments.ts';
import { duration, insightsReportMessage } from '../../views/insights-report.ts';
import { replyDraftMessage } from '../../views/reply-draft-message.ts';

const hostile = '<!channel> <https://evil.example|click> & *bold*';

describe('routed comment message', () => {
  it('stays within Slack limits and shows outside text as written', () => {
    const message = commentRoutedMessage({
      platform: 'instagram',
      accountName: 'a'.repeat(500),
      authorName: hostile,
      text: `${hostile} ${'x'.repeat(9000)}`,
      createdAt: new Date('2026-11-20T10:00:00Z'),
      keyword: 'refund',
      caption: hostile + 'c'.repeat(5000),
      postPermalink: 'https://www.instagram.com/p/X/',
      threadLink: 'https://wone.slack.com/archives/C0COMMENTS/p1700000001000001',
    });
    expect(messageProblems(message)).toEqual([]);
    const shown = JSON.stringify(message);
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<https://evil.example|click>');
    expect(shown).toContain('&lt;!channel&gt;');
  });
});

describe('reply draft message', () => {
  const base = {
    id: 'expert:C0BILLING:1.2',
    origin: 'expert' as const,
    text: hostile,
    writtenBy: 'UEXPERT',
    expertChannel: 'C0BILLING',
    platform: 'facebook' as const,
    authorName: hostile,
  };
  it('offers Send as reply and Edit first on a proposal; Approve, Edit and Reject while waiting; none after', () => {
    const buttons = (state: Parameters<typeof replyDraftMessage>[0]['state']) =>
      replyDraftMessage({ ...base, state }).blocks.flatMap((b) =>
        b.type === 'actions' ? b.elements.map((e) => ('action_id' in e ? e.action_id : '')) : [],
      );
    expect(buttons('proposed')).toEqual(['reply_draft_send', 'reply_draft_edit']);
    expect(buttons('awaiting_approval')).toEqual(['reply_draft_approve', 'reply_draft_edit', 'reply_draft_reject']);
    expect(buttons('sent')).toEqual([]);
    expect(buttons('rejected')).toEqual([]);
  });
  it('stays within Slack limits and escapes what people wrote', () => {
    const message = replyDraftMessage({
      ...base,
      state: 'awaiting_approval',
      text: 'y'.repeat(9000),
      approval: { kind: 'keyword', keyword: hostile },
      error: hostile.repeat(100),
    });
    expect(messageProblems(message)).toEqual([]);
    expect(JSON.stringify(replyDraftMessage({ ...base, state: 'proposed' }))).not.toContain('<!channel>');
  });
});

describe('App Home comments and digest figures', () => {
  it('lists assigned and unanswered comments within the home tab limits, escaped', () => {
    const many = Array.from({ length: 10 }, (_, i) => ({
      _id: `instagram:${i}`,
      platform: 'instagram' as const,
      authorName: hostile,
      text: hostile + 'z'.repeat(3000),
      createdAt: new Date(0),
      assignee: 'UEDITOR',
    }));
    const blocks = homeCommentBlocks({ assigned: many, unanswered: many, unansweredTotal: 25 });
    expect(viewProblems({ type: 'home', blocks })).toEqual([]);
    expect(JSON.stringify(blocks)).not.toContain('<!channel>');
    expect(JSON.stringify(blocks)).toContain('15 more unanswered');
  });

  it('words durations', () => {
    expect(duration(45_000)).toBe('45 s');
    expect(duration(12 * 60_000)).toBe('12 min');
    expect(duration(185 * 60_000)).toBe('3 h 5 min');
    expect(duration(52 * 3_600_000)).toBe('2 d 4 h');
  });

  it('adds the response-time section to the digest', () => {
    const period = { since: new Date('2026-11-09T00:00:00Z'), until: new Date('2026-11-16T00:00:00Z'), zone: 'UTC' };
    const message = insightsReportMessage(
      {
        period,
        previousPeriod: period,
        totals: {
          current: { posts: 0, views: 0, followers: 0, failed: 0 },
          previous: { posts: 0, views: 0, followers: 0, failed: 0 },
        },
        accounts: [],
        topPosts: [],
      } as unknown as Parameters<typeof insightsReportMessage>[0],
      { kind: 'weekly', responseTimes: { answered: 0, unanswered: 3 } },
    );
    expect(JSON.stringify(message.blocks)).toContain('No comment was answered this period. · 3 still unanswered');
  });
});
