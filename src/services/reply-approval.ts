import type { Config } from '../config.ts';
import type { AccountDoc } from './accounts.ts';
import type { CommentDoc } from './comment-docs.ts';
import { KeywordMatcher } from './comment-keywords.ts';

/** Why a reply must be approved before it is posted. */
export type ApprovalReason = { kind: 'all' } | { kind: 'keyword'; keyword: string } | { kind: 'account' };

/**
 * `REPLY_APPROVAL`: `off` (replies go out at once), `all` (every reply waits for an approver) or `flagged` (replies to
 * comments with a `REPLY_APPROVAL_KEYWORDS` word, or on posts of a `REPLY_APPROVAL_ACCOUNTS` account, wait).
 */
export class ReplyApprovalPolicy {
  private readonly keywords: KeywordMatcher;
  private readonly accounts: Set<string>;

  constructor(
    private readonly config: Pick<Config, 'REPLY_APPROVAL' | 'REPLY_APPROVAL_KEYWORDS' | 'REPLY_APPROVAL_ACCOUNTS'>,
  ) {
    this.keywords = new KeywordMatcher(config.REPLY_APPROVAL_KEYWORDS);
    this.accounts = new Set(config.REPLY_APPROVAL_ACCOUNTS.map(bare));
  }

  /** Why a reply to this comment waits for approval, or `undefined` when it may go out at once. */
  reasonFor(
    comment: Pick<CommentDoc, 'text' | 'accountId'>,
    account: Pick<AccountDoc, 'name'> | null | undefined,
  ): ApprovalReason | undefined {
    if (this.config.REPLY_APPROVAL === 'off') return undefined;
    if (this.config.REPLY_APPROVAL === 'all') return { kind: 'all' };
    const keyword = this.keywords.firstIn(comment.text);
    if (keyword) return { kind: 'keyword', keyword };
    if (this.accounts.has(bare(comment.accountId)) || (account && this.accounts.has(bare(account.name)))) {
      return { kind: 'account' };
    }
    return undefined;
  }
}

const bare = (name: string) => name.trim().replace(/^@/, '').toLowerCase();
