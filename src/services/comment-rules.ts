import type { Collection, Db } from 'mongodb';
import { hideablePlatforms } from '../../views/comment-message.ts';
import type { CommentRule } from '../config.ts';
import { guardedUpdate, type Versioned } from '../db/guarded-update.ts';
import type { Logger } from '../logger.ts';
import { PlatformError } from '../platforms/errors.ts';
import type { Accounts } from './accounts.ts';
import type { AuditLog } from './audit.ts';
import type { CommentDoc } from './comment-docs.ts';
import { hasLink, KeywordMatcher } from './comment-keywords.ts';
import type { CommentPlatformClients } from './comments.ts';

/** The actor named in the audit log for what `COMMENT_RULES` does. */
export const ruleActor = 'rule';

interface CompiledRule {
  /** How the rule is named in Slack and the audit log, e.g. `hide:links`. */
  label: string;
  matches(text: string): string | undefined;
}

/** The first rule a comment's text breaks, with what in the text broke it, or `undefined`. */
export function ruleBroken(rules: readonly CommentRule[], text: string): { rule: string; found: string } | undefined {
  for (const rule of compile(rules)) {
    const found = rule.matches(text);
    if (found) return { rule: rule.label, found };
  }
  return undefined;
}

function compile(rules: readonly CommentRule[]): CompiledRule[] {
  return rules.map((rule) => {
    if (rule.match === 'links')
      return { label: 'hide:links', matches: (text) => (hasLink(text) ? 'a link' : undefined) };
    const matcher = new KeywordMatcher(rule.keywords);
    return { label: `hide:${rule.keywords.join(',')}`, matches: (text) => matcher.firstIn(text) };
  });
}

/**
 * `COMMENT_RULES`: hides a new comment on its platform when it breaks a rule, before its Slack message is posted, so
 * the message shows it as hidden by the rule (with Unhide). Every automatic hide, and every one that failed, is audited.
 */
export class CommentRules {
  constructor(
    private readonly deps: {
      db: Db;
      rules: readonly CommentRule[];
      accounts: Accounts;
      audit: AuditLog;
      clients: CommentPlatformClients;
      logger: Logger;
    },
  ) {}

  private get comments() {
    // Comments change through `guardedUpdate` here; `version` is absent until the first such change.
    return this.deps.db.collection<CommentDoc>('comments') as unknown as Collection<CommentDoc & Versioned>;
  }

  /** Applies the rules to a new comment; returns it as it now is. Never throws. */
  async apply(doc: CommentDoc): Promise<CommentDoc> {
    if (this.deps.rules.length === 0 || doc.hidden || doc.removed || doc.own) return doc;
    const client = this.deps.clients[doc.platform];
    if (!client || !hideablePlatforms.includes(doc.platform)) return doc;
    const broken = ruleBroken(this.deps.rules, doc.text);
    if (!broken) return doc;
    const subject = `comment:${doc._id}`;
    try {
      const claimed = await guardedUpdate(
        this.comments,
        doc._id,
        { hidden: false, removed: false, moderatingSince: { $exists: false } },
        { $set: { moderatingSince: new Date() } },
      );
      if (!claimed) return doc;
      try {
        const access = await this.deps.accounts.access(doc.accountId);
        await client.setCommentHidden(access, { itemId: doc.itemId, commentId: doc.commentId }, true);
      } catch (error) {
        await this.comments.updateOne({ _id: doc._id }, { $unset: { moderatingSince: '' } });
        throw error;
      }
      const hidden = await this.comments.findOneAndUpdate(
        { _id: doc._id },
        { $set: { hidden: true, hiddenByRule: broken.rule, updatedAt: new Date() }, $unset: { moderatingSince: '' } },
        { returnDocument: 'after' },
      );
      await this.deps.audit.record({
        actor: ruleActor,
        action: 'auto_hide',
        subject,
        details: { rule: broken.rule, platform: doc.platform, account: doc.accountId },
      });
      return hidden ?? { ...doc, hidden: true, hiddenByRule: broken.rule };
    } catch (error) {
      const kind = error instanceof PlatformError ? error.kind : 'internal';
      this.deps.logger.warn({ err: error, comment: doc._id, rule: broken.rule }, 'automatic hide failed');
      await this.deps.audit
        .record({ actor: ruleActor, action: 'auto_hide_failed', subject, details: { rule: broken.rule, kind } })
        .catch(() => undefined);
      return (await this.comments.findOne({ _id: doc._id }).catch(() => null)) ?? doc;
    }
  }
}
