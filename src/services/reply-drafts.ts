import { type Db, MongoServerError } from 'mongodb';
import { expertThreadNote, type ReplyDraftMessageInput, replyDraftMessage } from '../../views/reply-draft-message.ts';
import { guardedUpdate, type Versioned } from '../db/guarded-update.ts';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { Logger } from '../logger.ts';
import type { CommentNotifier } from '../notify/comment-notifier.ts';
import type { Accounts } from './accounts.ts';
import type { AuditLog } from './audit.ts';
import type { CommentDoc, CommentThreadDoc } from './comment-docs.ts';
import { CommentActionError, type Comments } from './comments.ts';
import type { ApprovalReason, ReplyApprovalPolicy } from './reply-approval.ts';
import type { Roles } from './roles.ts';

export type ReplyDraftState = 'proposed' | 'awaiting_approval' | 'sending' | 'sent' | 'rejected' | 'replaced';

/**
 * A reply not sent yet: an expert's answer proposed as the reply (`proposed`), or a reply waiting for an approver
 * (`awaiting_approval`). `proposed` → `sending` | `awaiting_approval` | `replaced`; `awaiting_approval` → `sending` |
 * `rejected` | `replaced`; `sending` → `sent`, or back to where it came from when the platform refuses. What is sent is
 * `text` as stored: exactly what the message showed.
 */
export interface ReplyDraftDoc extends Versioned {
  /** `expert:<channel>:<ts>` for an expert's answer, `team:<view id>` for a reply written in the modal. */
  _id: string;
  commentKey: string;
  text: string;
  origin: 'expert' | 'team';
  /** Who wrote the words: they cannot approve them. */
  writtenBy: string;
  /** Who put an expert's answer forward, or asked for an edited version: they cannot approve it either. */
  requestedBy?: string;
  state: ReplyDraftState;
  /** The state a send started from, to go back to if it fails. */
  sendingFrom?: ReplyDraftState;
  approval?: ApprovalReason;
  /** Where the expert wrote it: their message, and the thread (the routed comment) it is in. */
  expert?: { channel: string; ts: string; threadTs?: string };
  slackChannel?: string;
  slackTs?: string;
  decidedBy?: string;
  /** The modal that replaced this draft with an edited one. */
  replacedByView?: string;
  error?: string;
  createdAt: Date;
  updatedAt: Date;
}

export const replyDraftIndexes: CollectionIndexes = {
  collection: 'reply_drafts',
  indexes: [{ key: { commentKey: 1 } }, { key: { state: 1 } }],
};

export type SubmitOutcome = { status: 'sent'; comment: CommentDoc } | { status: 'awaiting_approval'; draftId: string };

const isDuplicateKey = (error: unknown) => error instanceof MongoServerError && error.code === 11000;

/**
 * Replies on their way: answers from expert channels offered as the reply ("Send as reply", "Edit first"), and the
 * approval of replies `REPLY_APPROVAL` holds back (Approve, Edit, Reject; never by whoever wrote them). Every change is
 * one `guardedUpdate` from the state it leaves, so two clicks cannot both send.
 */
export class ReplyDrafts {
  constructor(
    private readonly deps: {
      db: Db;
      comments: Comments;
      accounts: Accounts;
      policy: ReplyApprovalPolicy;
      roles: Roles;
      audit: AuditLog;
      notifier: CommentNotifier;
      logger: Logger;
    },
  ) {}

  private get drafts() {
    return this.deps.db.collection<ReplyDraftDoc>('reply_drafts');
  }

  get(id: string): Promise<ReplyDraftDoc | null> {
    return this.drafts.findOne({ _id: id });
  }

  /** An answer written in an expert channel's thread under a routed comment: shown in the comment's thread. */
  async propose(input: {
    commentKey: string;
    text: string;
    writtenBy: string;
    channel: string;
    ts: string;
    threadTs: string;
  }) {
    const text = input.text.trim();
    if (!text) return undefined;
    const comment = await this.deps.comments.get(input.commentKey);
    if (!comment || comment.removed) return undefined;
    const now = new Date();
    const draft: ReplyDraftDoc = {
      _id: `expert:${input.channel}:${input.ts}`,
      version: 0,
      commentKey: input.commentKey,
      text,
      origin: 'expert',
      writtenBy: input.writtenBy,
      state: 'proposed',
      expert: { channel: input.channel, ts: input.ts, threadTs: input.threadTs },
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.drafts.insertOne(draft);
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
    await this.post(draft, comment);
    await this.tellExpert(
      draft,
      expertThreadNote({ outcome: 'offered', writtenBy: draft.writtenBy, platform: comment.platform }),
    );
    return draft;
  }

  /**
   * A reply written in the modal (`viewId`). Sent at once unless it needs approval, in which case it waits in the
   * thread. `replaces` is the draft the modal edited: it is retired first, so the old version can no longer be sent.
   */
  async submit(input: {
    key: string;
    userId: string;
    text: string;
    viewId: string;
    replaces?: string;
  }): Promise<SubmitOutcome> {
    await this.deps.roles.require(input.userId, 'reply_comment');
    const comment = await this.deps.comments.get(input.key);
    if (!comment) throw new CommentActionError('not_found', 'This comment is no longer known to Wone Social.');
    if (comment.removed) throw new CommentActionError('removed', 'This comment was removed, so it cannot be answered.');
    if (input.replaces) await this.retire(input.replaces, input.key, input.viewId);
    const reason = this.deps.policy.reasonFor(comment, await this.deps.accounts.get(comment.accountId));
    if (!reason) {
      return {
        status: 'sent',
        comment: await this.deps.comments.reply(input.key, input.userId, input.text, input.viewId),
      };
    }
    const text = input.text.trim();
    if (!text) throw new CommentActionError('invalid_reply', 'Write a reply first.');
    const now = new Date();
    const draft: ReplyDraftDoc = {
      _id: `team:${input.viewId}`,
      version: 0,
      commentKey: input.key,
      text,
      origin: 'team',
      writtenBy: input.userId,
      state: 'awaiting_approval',
      approval: reason,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.drafts.insertOne(draft);
    } catch (error) {
      if (isDuplicateKey(error))
        throw new CommentActionError('already_sent', 'This reply is waiting for approval already.');
      throw error;
    }
    await this.deps.audit.record({ actor: input.userId, action: 'reply_submitted', subject: `comment:${input.key}` });
    await this.post(draft, comment);
    return { status: 'awaiting_approval', draftId: draft._id };
  }

  /** "Send as reply" on an expert's answer: sent at once, or held for approval when the policy says so. */
  async sendProposal(id: string, userId: string): Promise<SubmitOutcome> {
    await this.deps.roles.require(userId, 'reply_comment');
    const draft = await this.get(id);
    if (!draft) throw new CommentActionError('not_found', 'This proposed reply is no longer known.');
    const comment = await this.deps.comments.get(draft.commentKey);
    if (!comment) throw new CommentActionError('not_found', 'This comment is no longer known to Wone Social.');
    const reason = this.deps.policy.reasonFor(comment, await this.deps.accounts.get(comment.accountId));
    if (reason) {
      const held = await this.move(id, 'proposed', {
        $set: { state: 'awaiting_approval', approval: reason, requestedBy: userId, updatedAt: new Date() },
      });
      if (!held) throw this.alreadyHandled();
      await this.deps.audit.record({
        actor: userId,
        action: 'reply_submitted',
        subject: `comment:${draft.commentKey}`,
      });
      await this.refresh(held);
      return { status: 'awaiting_approval', draftId: id };
    }
    return { status: 'sent', comment: await this.sendFrom(id, 'proposed', userId, { requestedBy: userId }) };
  }

  /** An approver's approval: sends the reply once. Whoever wrote it, or put it forward, cannot approve it. */
  async approve(id: string, userId: string): Promise<CommentDoc> {
    await this.deps.roles.require(userId, 'approve');
    const draft = await this.get(id);
    if (!draft) throw new CommentActionError('not_found', 'This reply is no longer known.');
    if (draft.writtenBy === userId || draft.requestedBy === userId) {
      await this.deps.audit.record({
        actor: userId,
        action: 'own_reply_approval_refused',
        subject: `comment:${draft.commentKey}`,
      });
      throw new CommentActionError(
        'own_reply',
        'You wrote or put forward this reply, so another approver must approve it.',
      );
    }
    const comment = await this.sendFrom(id, 'awaiting_approval', draft.requestedBy ?? draft.writtenBy, {
      decidedBy: userId,
    });
    await this.deps.audit.record({ actor: userId, action: 'reply_approved', subject: `comment:${draft.commentKey}` });
    return comment;
  }

  async reject(id: string, userId: string): Promise<void> {
    await this.deps.roles.require(userId, 'approve');
    const rejected = await this.move(id, 'awaiting_approval', {
      $set: { state: 'rejected', decidedBy: userId, updatedAt: new Date() },
    });
    if (!rejected) throw this.alreadyHandled();
    await this.deps.audit.record({
      actor: userId,
      action: 'reply_rejected',
      subject: `comment:${rejected.commentKey}`,
    });
    await this.refresh(rejected);
  }

  /** Who may open "Edit first" / "Edit" on a draft, and what it holds. */
  async forEdit(id: string, userId: string): Promise<ReplyDraftDoc> {
    await this.deps.roles.require(userId, 'reply_comment');
    const draft = await this.get(id);
    if (!draft) throw new CommentActionError('not_found', 'This reply is no longer known.');
    await this.deps.roles.require(userId, draft.state === 'awaiting_approval' ? 'approve' : 'reply_comment');
    if (draft.state !== 'proposed' && draft.state !== 'awaiting_approval') throw this.alreadyHandled();
    return draft;
  }

  private async sendFrom(
    id: string,
    from: ReplyDraftState,
    senderId: string,
    extra: { requestedBy?: string; decidedBy?: string },
  ): Promise<CommentDoc> {
    const sending = await this.move(id, from, {
      $set: { state: 'sending', sendingFrom: from, updatedAt: new Date(), ...extra },
      $unset: { error: '' },
    });
    if (!sending) throw this.alreadyHandled();
    await this.refresh(sending);
    try {
      const comment = await this.deps.comments.send(sending.commentKey, senderId, sending.text, `draft:${id}`);
      const sent = await this.move(id, 'sending', {
        $set: { state: 'sent', updatedAt: new Date() },
        $unset: { sendingFrom: '' },
      });
      if (sent) {
        await this.refresh(sent);
        await this.tellExpert(
          sent,
          expertThreadNote({
            outcome: 'sent',
            writtenBy: sent.writtenBy,
            platform: comment.platform,
            sentBy: senderId,
          }),
        );
      }
      return comment;
    } catch (error) {
      const message = error instanceof CommentActionError ? error.message : 'Something went wrong. Nothing was sent.';
      const back = await this.move(id, 'sending', {
        $set: { state: from, error: message, updatedAt: new Date() },
        $unset: { sendingFrom: '', ...(from === 'proposed' ? { requestedBy: '' } : {}), decidedBy: '' },
      });
      if (back) await this.refresh(back);
      throw error;
    }
  }

  /** Retires a draft an edited version replaces; a second submission of the same edit modal finds it retired by it. */
  private async retire(id: string, key: string, viewId: string): Promise<void> {
    const draft = await this.get(id);
    if (!draft || draft.commentKey !== key) throw new CommentActionError('not_found', 'This reply is no longer known.');
    if (draft.state === 'replaced' && draft.replacedByView === viewId) return;
    const retired = await guardedUpdate(
      this.drafts,
      id,
      { state: { $in: ['proposed', 'awaiting_approval'] } },
      { $set: { state: 'replaced', replacedByView: viewId, updatedAt: new Date() } },
    );
    if (!retired) throw this.alreadyHandled();
    await this.refresh(retired);
  }

  private move(id: string, from: ReplyDraftState, update: Parameters<typeof guardedUpdate<ReplyDraftDoc>>[3]) {
    return guardedUpdate(this.drafts, id, { state: from }, update);
  }

  private alreadyHandled(): CommentActionError {
    return new CommentActionError('already_done', 'This reply was already sent, approved, rejected or edited.');
  }

  private async post(draft: ReplyDraftDoc, comment: CommentDoc): Promise<void> {
    const thread = await this.deps.db
      .collection<CommentThreadDoc>('comment_threads')
      .findOne({ _id: comment.targetId });
    if (!thread?.channel || !thread.ts) {
      this.deps.logger.warn({ draft: draft._id }, 'the comment has no thread to show the reply in');
      return;
    }
    try {
      const place = await this.deps.notifier.postTo(
        thread.channel,
        replyDraftMessage(this.input(draft, comment)),
        thread.ts,
      );
      await this.drafts.updateOne({ _id: draft._id }, { $set: { slackChannel: place.channel, slackTs: place.ts } });
    } catch (error) {
      this.deps.logger.warn({ err: error, draft: draft._id }, 'could not show the reply in Slack');
    }
  }

  /** A line in the expert's thread; a failure is logged (the answer itself is safe). */
  private async tellExpert(draft: ReplyDraftDoc, note: { text: string }): Promise<void> {
    if (!draft.expert?.threadTs) return;
    await this.deps.notifier
      .postTo(draft.expert.channel, note, draft.expert.threadTs)
      .catch((error) => this.deps.logger.warn({ err: error, draft: draft._id }, 'could not tell the expert'));
  }

  private async refresh(draft: ReplyDraftDoc): Promise<void> {
    if (!draft.slackChannel || !draft.slackTs) return;
    const comment = await this.deps.comments.get(draft.commentKey);
    if (!comment) return;
    await this.deps.notifier
      .update({ channel: draft.slackChannel, ts: draft.slackTs }, replyDraftMessage(this.input(draft, comment)))
      .catch((error) => this.deps.logger.warn({ err: error, draft: draft._id }, 'could not update the reply message'));
  }

  private input(draft: ReplyDraftDoc, comment: CommentDoc): ReplyDraftMessageInput {
    return {
      id: draft._id,
      state: draft.state,
      origin: draft.origin,
      text: draft.text,
      writtenBy: draft.writtenBy,
      platform: comment.platform,
      authorName: comment.authorName,
      ...(draft.requestedBy ? { requestedBy: draft.requestedBy } : {}),
      ...(draft.decidedBy ? { decidedBy: draft.decidedBy } : {}),
      ...(draft.expert ? { expertChannel: draft.expert.channel } : {}),
      ...(draft.approval ? { approval: draft.approval } : {}),
      ...(draft.error ? { error: draft.error } : {}),
    };
  }
}
