import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { hasLink, KeywordMatcher } from '../../src/services/comment-keywords.ts';
import { ruleBroken } from '../../src/services/comment-rules.ts';
import { ReplyApprovalPolicy } from '../../src/services/reply-approval.ts';
import { configProblems, validEnv } from '../harness/config-fixtures.ts';

const valid = validEnv;
const problemsOf = configProblems;

describe('comment settings', () => {
  it('are off by default', () => {
    const config = loadConfig(valid);
    expect(config.COMMENT_ROUTES).toEqual([]);
    expect(config.COMMENT_RULES).toEqual([]);
    expect(config.REPLY_APPROVAL).toBe('off');
  });

  it('reads routes, rules and flagged approval', () => {
    const config = loadConfig({
      ...valid,
      COMMENT_ROUTES: 'refund, billing,invoice=C0BILLING; shipping,delivery,tracking=C0SHIPPING',
      COMMENT_RULES: 'hide:links; hide:scam,free followers',
      REPLY_APPROVAL: 'flagged',
      REPLY_APPROVAL_KEYWORDS: 'lawyer, lawsuit',
      REPLY_APPROVAL_ACCOUNTS: '@wone.shop, facebook:1234',
    });
    expect(config.COMMENT_ROUTES).toEqual([
      { keywords: ['refund', 'billing', 'invoice'], channel: 'C0BILLING' },
      { keywords: ['shipping', 'delivery', 'tracking'], channel: 'C0SHIPPING' },
    ]);
    expect(config.COMMENT_RULES).toEqual([
      { action: 'hide', match: 'links' },
      { action: 'hide', match: 'keywords', keywords: ['scam', 'free followers'] },
    ]);
    expect(config.REPLY_APPROVAL_KEYWORDS).toEqual(['lawyer', 'lawsuit']);
  });

  it('stops startup naming each bad comment setting and what it should be', () => {
    const problems = problemsOf({
      ...valid,
      COMMENT_ROUTES: 'refund=billing-channel',
      COMMENT_RULES: 'delete:links',
      REPLY_APPROVAL: 'sometimes',
    }).join('\n');
    expect(problems).toContain('COMMENT_ROUTES is invalid: expected keywords=channel pairs');
    expect(problems).toContain('COMMENT_RULES is invalid: expected rules separated by semicolons');
    expect(problems).toContain('REPLY_APPROVAL is invalid: expected off, all or flagged');
    expect(problemsOf({ ...valid, COMMENT_ROUTES: '=C0BILLING' }).join()).toContain('COMMENT_ROUTES is invalid');
    expect(problemsOf({ ...valid, COMMENT_ROUTES: 'refund=G0PRIVATE' }).join()).toContain('COMMENT_ROUTES is invalid');
    expect(problemsOf({ ...valid, REPLY_APPROVAL: 'flagged' }).join()).toContain(
      'REPLY_APPROVAL is flagged but nothing is flagged',
    );
  });
});

describe('keywords and rules', () => {
  it('match whole words in any case and any language’s letters', () => {
    const matcher = new KeywordMatcher(['refund', 'возврат', 'rückerstattung']);
    expect(matcher.firstIn('I want a REFUND!')).toBe('refund');
    expect(matcher.firstIn('refunded already')).toBeUndefined();
    expect(matcher.firstIn('nonrefund')).toBeUndefined();
    expect(matcher.firstIn('Когда будет Возврат?')).toBe('возврат');
    expect(matcher.firstIn('Rückerstattung bitte')).toBe('rückerstattung');
    expect(matcher.firstIn('Rückerstattungen')).toBeUndefined();
  });

  it('find links with a scheme, www. or a bare domain, and not in plain words or e-mail addresses', () => {
    expect(hasLink('see https://spam.example/x')).toBe(true);
    expect(hasLink('visit www.cheap-stuff.biz now')).toBe(true);
    expect(hasLink('followers at cheapfollows.com')).toBe(true);
    expect(hasLink('Love it. Great coat')).toBe(false);
    expect(hasLink('mail care@wone.com')).toBe(false);
    expect(ruleBroken([{ action: 'hide', match: 'links' }], 'go to bit.ly/abc')).toEqual({
      rule: 'hide:links',
      found: 'a link',
    });
    expect(ruleBroken([{ action: 'hide', match: 'keywords', keywords: ['scam'] }], 'What a SCAM')).toEqual({
      rule: 'hide:scam',
      found: 'scam',
    });
  });

  it('flag replies for approval by keyword or account, or all of them', () => {
    const flagged = new ReplyApprovalPolicy({
      REPLY_APPROVAL: 'flagged',
      REPLY_APPROVAL_KEYWORDS: ['lawyer'],
      REPLY_APPROVAL_ACCOUNTS: ['@Wone.Shop'],
    });
    expect(flagged.reasonFor({ text: 'my Lawyer', accountId: 'instagram:1' }, { name: 'other' })).toEqual({
      kind: 'keyword',
      keyword: 'lawyer',
    });
    expect(flagged.reasonFor({ text: 'hi', accountId: 'instagram:1' }, { name: 'wone.shop' })).toEqual({
      kind: 'account',
    });
    expect(flagged.reasonFor({ text: 'hi', accountId: 'instagram:1' }, { name: 'other' })).toBeUndefined();
    const all = new ReplyApprovalPolicy({
      REPLY_APPROVAL: 'all',
      REPLY_APPROVAL_KEYWORDS: [],
      REPLY_APPROVAL_ACCOUNTS: [],
    });
    expect(all.reasonFor({ text: 'hi', accountId: 'x' }, null)).toEqual({ kind: 'all' });
  });
});
