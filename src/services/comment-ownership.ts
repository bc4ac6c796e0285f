import type { Collection, Db } from 'mongodb';
import { guardedUpdate, type Versioned } from '../db/guarded-update.ts';
import type { AuditLog } from './audit.ts';
import type { CommentDoc } from './comment-docs.ts';
import { CommentActionError, type Comments } from './comments.ts';
import type { Roles } from './roles.ts';

/** A comment as a list (App Home) shows it. */
export type CommentSummary = Pick<
  CommentDoc,
  '_id' | 'platform' | 'authorName' | 'text' | 'createdAt' | 'slackChannel' | 'slackTs' | 'assignee'
>;

/** What App Home lists for one person. */
export interface CommentWork {
  assigned: CommentSummary[];
  unanswered: CommentSummary[];
  /** All unanswered comments, of which `unanswered` shows the newest. */
  unansweredTotal: number;
}

/** A comment waiting for us: not ours, not removed, not answered and not marked done. */
export const unansweredFilter = {
  own: false,
  removed: false,
  slackState: 'posted',
  firstResponseAt: { $exists: false },
  // Comments answered before first-response times were stored have replies but no time.
  replies: { $size: 0 },
  doneAt: { $exists: false },
} as const;

const summaryFields = {
  _id: 1,
  platform: 1,
  authorName: 1,
  text: 1,
  createdAt: 1,
  slackChannel: 1,
  slackTs: 1,
  assignee: 1,
} as const;

/** Who looks after a comment ("Assign to me"), when it needs nothing more ("Done"), and each person's list. */
export class CommentOwnership {
  constructor(private readonly deps: { db: Db; comments: Comments; roles: Roles; audit: AuditLog }) {}

  private get collection() {
    // Changed through `guardedUpdate`; `version` is absent until the first such change.
    return this.deps.db.collection<CommentDoc>('comments') as unknown as Collection<CommentDoc & Versioned>;
  }

  async assign(key: string, userId: string): Promise<void> {
    await this.deps.roles.require(userId, 'reply_comment');
    const assigned = await guardedUpdate(
      this.collection,
      key,
      { removed: false, doneAt: { $exists: false }, assignee: { $ne: userId } },
      { $set: { assignee: userId, assignedAt: new Date() } },
    );
    if (!assigned) {
      const current = await this.deps.comments.get(key);
      if (!current) throw new CommentActionError('not_found', 'This comment is no longer known to Wone Social.');
      if (current.assignee === userId) throw new CommentActionError('already_done', 'This comment is yours already.');
      if (current.doneAt) throw new CommentActionError('already_done', 'This comment is done already.');
      if (current.removed) throw new CommentActionError('removed', 'This comment was removed on the platform.');
      throw new CommentActionError('busy', 'Someone changed this comment just now. Look again.');
    }
    await this.deps.audit.record({ actor: userId, action: 'comment_assigned', subject: `comment:${key}` });
    await this.deps.comments.refresh(key);
  }

  async done(key: string, userId: string): Promise<void> {
    await this.deps.roles.require(userId, 'reply_comment');
    const done = await guardedUpdate(
      this.collection,
      key,
      { doneAt: { $exists: false } },
      { $set: { doneBy: userId, doneAt: new Date() } },
    );
    if (!done) {
      const current = await this.deps.comments.get(key);
      if (!current) throw new CommentActionError('not_found', 'This comment is no longer known to Wone Social.');
      throw new CommentActionError('already_done', 'This comment is done already.');
    }
    await this.deps.audit.record({ actor: userId, action: 'comment_done', subject: `comment:${key}` });
    await this.deps.comments.refresh(key);
  }

  /** The comments assigned to `userId` and not done, and the newest unanswered ones. */
  async workFor(userId: string, limit = 10): Promise<CommentWork> {
    const comments = this.deps.db.collection<CommentDoc>('comments');
    const [assigned, unanswered, unansweredTotal] = await Promise.all([
      comments
        .find({ assignee: userId, doneAt: { $exists: false }, removed: false })
        .project<CommentSummary>(summaryFields)
        .sort({ createdAt: -1 })
        .limit(limit)
        .toArray(),
      comments
        .find(unansweredFilter)
        .project<CommentSummary>(summaryFields)
        .sort({ createdAt: -1 })
        .limit(limit)
        .toArray(),
      comments.countDocuments(unansweredFilter),
    ]);
    return { assigned, unanswered, unansweredTotal };
  }
}
