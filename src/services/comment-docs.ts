import type { CollectionIndexes } from '../db/indexes.ts';
import type { PlatformName } from '../platforms/types.ts';

/**
 * Where a comment's Slack message is: `posting` while one worker posts it (the one whose insert won), `pending` when
 * posting failed and the next poll cycle should try again, `posted` with its `slackTs`, `none` for our own replies.
 */
export type CommentSlackState = 'pending' | 'posting' | 'posted' | 'none';

/** A reply the team sent from Slack. */
export interface SentReply {
  /** The platform's id of the reply. */
  id: string;
  /** Slack user id of who sent it. */
  by: string;
  text: string;
  at: Date;
}

/**
 * A document of the `comments` collection: one per platform comment, whoever saw it first (webhook or poll).
 * `_id` is `<platform>:<commentId>` and (platform, commentId) is unique, so a second sighting cannot insert again.
 */
export interface CommentDoc {
  _id: string;
  platform: PlatformName;
  commentId: string;
  accountId: string;
  /** The published target (post × account) the comment is on. */
  targetId: string;
  /** The platform's id of the published item. */
  itemId: string;
  /** Set for a reply to another comment. */
  parentId?: string;
  authorId?: string;
  authorName: string;
  /** Emptied when the comment is removed on the platform. */
  text: string;
  createdAt: Date;
  receivedAt: Date;
  source: 'webhook' | 'poll' | 'reply';
  /** Written by the account itself (replies sent from Slack): stored so no sighting pipes it back in. */
  own: boolean;
  edited: boolean;
  removed: boolean;
  hidden: boolean;
  hiddenBy?: string;
  /** The `COMMENT_RULES` rule that hid it automatically (cleared when someone unhides it). */
  hiddenByRule?: string;
  /** Who took the comment on ("Assign to me"), and when. */
  assignee?: string;
  assignedAt?: Date;
  /** Marked done: needs nothing more from the team. */
  doneBy?: string;
  doneAt?: Date;
  /** When our first reply went out, and how long after the comment's platform time. */
  firstResponseAt?: Date;
  firstResponseMs?: number;
  /** Counts changes made through `guardedUpdate` (assign, done, rules). */
  version?: number;
  slackState: CommentSlackState;
  slackChannel?: string;
  slackTs?: string;
  slackClaimedAt?: Date;
  replies: SentReply[];
  /** Guard while a reply is being sent: the modal (view id) that sends it. */
  replyingViewId?: string;
  replyingSince?: Date;
  /** The last modal whose reply went out: a second submission of it sends nothing. */
  lastReplyViewId?: string;
  /** Guard while a hide or unhide is being sent. */
  moderatingSince?: Date;
  updatedAt: Date;
}

/** The Slack parent message of one published target, under which its comments are threaded. */
export interface CommentThreadDoc {
  /** The target's `_id`. */
  _id: string;
  state: 'posting' | 'posted';
  claimedAt: Date;
  channel?: string;
  ts?: string;
}

/** Polling state of one account: where its last answer ended, and whether it is resting because of rate limits. */
export interface CommentPollDoc {
  /** The account's `_id`. */
  _id: string;
  cursor?: string;
  lastPolledAt?: Date;
  /** No polling before this time (the platform said it is close to its limit). */
  pausedUntil?: Date;
  /** Why this account is not polled, or why its last poll failed, in words safe to show in Slack. */
  note?: string;
}

export const commentIndexes: CollectionIndexes = {
  collection: 'comments',
  indexes: [
    { key: { platform: 1, commentId: 1 }, unique: true, name: 'platform_comment_unique' },
    { key: { slackState: 1 } },
    { key: { targetId: 1 } },
    { key: { assignee: 1, doneAt: 1 } },
    { key: { firstResponseAt: 1 } },
  ],
};
