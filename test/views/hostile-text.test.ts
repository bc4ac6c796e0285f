import { describe, expect, it } from 'vitest';
import { mrkdwnToHtml } from '../../src/sandbox/mrkdwn-html.ts';
import type { AccountSummary } from '../../src/services/accounts.ts';
import type { AccountReport, InsightsReport } from '../../src/services/insights.ts';
import { periodEnding, previousPeriod } from '../../src/services/insights.ts';
import type { PostDoc } from '../../src/services/posts.ts';
import type { TargetDoc } from '../../src/services/targets.ts';
import { accountsMessage } from '../../views/accounts-message.ts';
import { approvalMessage, decisionText } from '../../views/approval-message.ts';
import { auditMessage } from '../../views/audit-message.ts';
import { commentMessage } from '../../views/comment-message.ts';
import { commentReplyModal } from '../../views/comment-reply-modal.ts';
import { commentThreadParent } from '../../views/comment-thread-parent.ts';
import { confirmAccountAction } from '../../views/confirm-account-action.ts';
import { draftModal } from '../../views/draft-modal.ts';
import { insightsReportMessage } from '../../views/insights-report.ts';
import { postResultsMessage, postResultsNote } from '../../views/post-results-message.ts';
import { homeTab, queueMessage } from '../../views/queue-message.ts';
import { escapeMrkdwn, slackLink } from '../../views/slack-text.ts';

/** Text an outsider controls: a caption, a comment, a page name, a platform error, a reason. */
const hostile =
  '<!channel> Flash *sale* <https://evil.example|wone.com> _now_ ~gone~ `code` <@U0BOSS> <!here> @channel #general :tada: &lt; done';
const hostileLine = `> quoted\n${hostile}`;

/** Every mrkdwn string a view hands to Slack: text objects and the notification text. */
function mrkdwnTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) mrkdwnTexts(item, out);
  else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (object.type === 'mrkdwn' && typeof object.text === 'string') out.push(object.text);
    for (const [key, inner] of Object.entries(object)) {
      if (key === 'text' && typeof inner === 'string' && object.type === undefined) out.push(inner);
      else mrkdwnTexts(inner, out);
    }
  }
  return out;
}

/** What a reader sees: tags dropped, entities decoded, zero-width spaces gone. */
function visible(html: string): string {
  return html
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/\u200B/g, '');
}

function expectShownAsWritten(name: string, view: unknown, minimumShown = 1) {
  const texts = mrkdwnTexts(view);
  const html = texts.map((text) => mrkdwnToHtml(text, { users: { U0BOSS: 'boss' } })).join('\n');
  expect(html, name).not.toMatch(/<span class="mention">@(channel|here|everyone|boss|U0BOSS)/);
  expect(html, name).not.toContain('href="https://evil.example');
  expect(html, name).not.toMatch(/<(strong|em|del|code)>(sale|now|gone|code)</);
  expect(html, name).not.toContain('🎉');
  for (const text of texts) {
    expect(text, name).not.toContain('<!channel>');
    expect(text, name).not.toContain('<!here>');
    expect(text, name).not.toContain('<https://evil.example');
    expect(text, name).not.toContain('<@U0BOSS>');
  }
  const shown = visible(html);
  const times = shown.split('Flash *sale* <https://evil.example|wone.com> _now_ ~gone~ `code`').length - 1;
  expect(times, `${name}: the hostile text is shown as written`).toBeGreaterThanOrEqual(minimumShown);
}

const now = new Date('2027-03-20T10:00:00Z');
const accounts = [
  { id: 'instagram:1', platform: 'instagram' as const, name: hostile },
  { id: 'tiktok:1', platform: 'tiktok' as const, name: hostile },
];

function post(overrides: Partial<PostDoc> = {}): PostDoc {
  return {
    _id: '0123456789abcdef01234567',
    version: 3,
    accountIds: accounts.map((a) => a.id),
    postTypes: { instagram: 'instagram_feed', tiktok: 'tiktok_video' },
    tiktokMode: 'direct',
    tiktok: {
      privacy: { 'tiktok:1': 'SELF_ONLY' },
      allowComment: true,
      allowDuet: false,
      allowStitch: false,
      brandOrganic: false,
      brandContent: false,
    },
    caption: hostileLine,
    firstComment: hostile,
    mediaUrls: [],
    schedule: { kind: 'at', date: '2027-03-28', time: '09:00', timezone: 'UTC' },
    state: 'pending_approval',
    requestedBy: 'UEDITOR',
    requesterTimezone: 'UTC',
    dueAt: new Date('2027-03-28T09:00:00Z'),
    media: [{ id: 'a'.repeat(24), name: hostile, kind: 'image', mimeType: 'image/jpeg', sizeBytes: 1000 }],
    pendingFiles: [],
    checks: [{ platform: 'instagram', problems: [hostile] }],
    decisions: [{ action: 'changes_requested', by: 'UAPPROVER', at: now, note: hostile }],
    revision: 2,
    createdAt: now,
    updatedAt: now,
    finishedAt: now,
    ...overrides,
  } as PostDoc;
}

const target = (state: TargetDoc['state']): TargetDoc =>
  ({
    _id: `t-${state}`,
    postId: '0123456789abcdef01234567',
    accountId: 'instagram:1',
    platform: 'instagram',
    state,
    attempts: 1,
    error: hostile,
    permalink: 'https://www.instagram.com/p/x|<!channel>/',
  }) as unknown as TargetDoc;

const summary: AccountSummary = {
  _id: 'facebook:1',
  platform: 'facebook',
  login: 'facebook',
  externalId: '1',
  name: hostile,
  status: 'ok',
  scopes: [],
  connectedBy: 'UADMIN',
  connectedAt: now,
  lastHealthProblem: hostile,
} as AccountSummary;

describe('text from outside is shown in Slack exactly as written', () => {
  it('the one helper neutralises mentions, links, formatting, quotes and emoji', () => {
    const html = mrkdwnToHtml(escapeMrkdwn(hostileLine));
    expect(visible(html)).toBe(hostileLine);
    expect(html).not.toMatch(/<(strong|em|del|code|a|span|blockquote)\b/);
    expect(slackLink('javascript:alert(1)', 'x')).toBe('x');
    expect(mrkdwnToHtml(slackLink('https://ok.example/a|b>c', hostile))).toContain(
      'href="https://ok.example/a%7Cb%3Ec"',
    );
  });

  it('the approval card, in every state with targets, and the decision line', () => {
    for (const state of ['pending_approval', 'needs_attention'] as const) {
      const message = approvalMessage({
        post: post({ state }),
        accounts,
        thumbnails: [],
        teamTimezone: 'UTC',
        checks: post().checks ?? [],
        targets: [target('failed'), target('published')],
      });
      expectShownAsWritten(`approval ${state}`, message, 5);
    }
    expectShownAsWritten('decision', { text: decisionText('changes_requested', 'UAPPROVER', hostile) });
  });

  it('the queue, the App Home tab and the draft modal', () => {
    expectShownAsWritten(
      'queue',
      queueMessage({ posts: [post({ state: 'scheduled' })], page: 0, total: 1, accounts, timezone: 'UTC' }),
      2,
    );
    expectShownAsWritten(
      'home',
      homeTab({
        queue: [post({ state: 'scheduled' })],
        queueTotal: 1,
        recent: [{ post: post({ state: 'published' }), targets: [target('published')] }],
        accounts,
        timezone: 'UTC',
      }),
      3,
    );
    // With the TikTok account chosen (its settings could not be loaded, so its name is said in a sentence).
    const modal = draftModal({
      accounts,
      creators: {},
      timezone: 'UTC',
      suggested: { date: '2027-01-01', time: '10:00' },
      initial: post({
        accountIds: ['tiktok:1'],
        tiktok: {
          privacy: {},
          allowComment: false,
          allowDuet: false,
          allowStitch: false,
          brandOrganic: false,
          brandContent: false,
        },
      }),
      editing: false,
      privateMetadata: '{}',
    });
    expectShownAsWritten('draft modal', modal);
  });

  it('comments, their thread parent and the reply modal', () => {
    const comment = {
      key: 'instagram:1',
      platform: 'instagram' as const,
      accountName: hostile,
      authorName: hostile,
      text: hostileLine,
      createdAt: now,
      isReply: false,
      edited: false,
      removed: false,
      hidden: false,
      replies: [{ by: 'UAPPROVER', text: hostile, at: now }],
    };
    expectShownAsWritten('comment', commentMessage(comment), 3);
    expectShownAsWritten(
      'thread parent',
      commentThreadParent({ platform: 'instagram', accountName: hostile, caption: hostile }),
      2,
    );
    expectShownAsWritten('reply modal', commentReplyModal({ ...comment, error: hostile }), 2);
  });

  it('accounts, account confirmations, the audit log and the insights report', () => {
    expectShownAsWritten('accounts', accountsMessage([summary]), 2);
    expectShownAsWritten('confirm', confirmAccountAction('disconnect', summary), 1);
    expectShownAsWritten(
      'audit',
      auditMessage([{ at: now, actor: hostile, action: 'role_denied', subject: hostile, details: { why: hostile } }]),
      2,
    );
    const period = periodEnding(now, 7, 'UTC');
    const account: AccountReport = {
      accountId: 'instagram:1',
      name: hostile,
      platform: 'instagram',
      current: { followers: 10, metrics: {}, postCount: 1, postViews: 1 },
      previous: { followers: 10, metrics: {}, postCount: 1, postViews: 1, source: 'snapshot' },
      posts: [
        {
          targetId: 't1',
          accountId: 'instagram:1',
          accountName: hostile,
          platform: 'instagram',
          remoteId: 'm1',
          permalink: 'https://www.instagram.com/p/1/',
          caption: hostile,
          publishedAt: period.since,
          metrics: { views: 5 },
        },
      ],
      failed: [{ targetId: 'f1', caption: hostile, error: hostile, at: period.since }],
      notes: [{ metric: 'saved', scope: 'posts', reason: hostile, posts: 1 }],
      problems: [hostile],
      daily: [],
    };
    const report: InsightsReport = {
      period,
      previousPeriod: previousPeriod(period),
      generatedAt: now,
      accounts: [account],
      topPosts: account.posts,
      totals: { current: { posts: 1, failed: 1, views: 1, followers: 10 }, previous: { posts: 1, views: 1 } },
    };
    expectShownAsWritten('insights', insightsReportMessage(report, { kind: 'on_demand', shareValue: 'abc' }), 3);
  });

  it('the results reply and note in a post thread', () => {
    const results = postResultsMessage({
      checkpoint: '24h',
      accountName: hostile,
      platform: 'instagram',
      postType: 'instagram_feed',
      permalink: 'https://www.instagram.com/p/x|<!channel>/',
      figures: [{ metric: 'reach', value: 10, compared: 0 }],
      refused: [],
    });
    expectShownAsWritten('results', results, 1);
    const note = postResultsNote({ checkpoint: '7d', accountName: hostile, platform: 'facebook', problem: hostile });
    expectShownAsWritten('results note', note, 2);
  });
});
