import { type Db, MongoServerError } from 'mongodb';
import type { CommentMessageInput } from '../../views/comment-message.ts';
import { hideablePlatforms } from '../../views/comment-message.ts';
import { replyLimits } from '../../views/comment-reply-modal.ts';
import { escapeMrkdwn, truncate } from '../../views/slack-text.ts';
import type { Config } from '../config.ts';
import { claimOnce, releaseClaim } from '../db/claims.ts';
import type { Logger } from '../logger.ts';
import type { CommentNotifier, SlackPlace } from '../notify/comment-notifier.ts';
import { PlatformError } from '../platforms/errors.ts';
import type { PlatformClient, PlatformComment, PlatformName, PlatformUsage, RecentItem } from '../platforms/types.ts';
import { type AccountDoc, AccountNotConnectedError, type Accounts } from './accounts.ts';
import type { AuditLog } from './audit.ts';
import type { CommentDoc, CommentPollDoc, CommentThreadDoc } from './comment-docs.ts';
import { type CommentPost, CommentPosts } from './comment-posts.ts';
import type { Roles } from './roles.ts';
import type { TargetDoc } from './targets.ts';

/** The platform clients comments use, by platform; a platform without one is not polled and cannot be answered. */
export type CommentPlatformClients = Partial<Record<PlatformName, Pick<PlatformClient, CommentMethods>>>;
type CommentMethods = 'listComments' | 'replyToComment' | 'setCommentHidden' | 'listsRecentItems';

/** A comment as a webhook or a poll reported it, already tied to one of our accounts. */
export interface IncomingComment extends Omit<PlatformComment, 'fromOwner'> {
  platform: PlatformName;
  /** The account's `_id` (`<platform>:<externalId>`). */
  accountId: string;
  fromOwner: boolean;
  /** The item as the poll saw it, for a post published outside this app. */
  item?: RecentItem;
}

/** What a webhook or poll says happened to a comment. */
export type CommentEvent =
  | { kind: 'added' | 'edited'; comment: IncomingComment }
  | { kind: 'removed'; platform: PlatformName; commentId: string };

/** What intake did with one event. */
export type IntakeOutcome =
  | 'posted'
  | 'slack_pending'
  | 'duplicate'
  | 'own'
  | 'not_our_account'
  | 'not_our_post'
  | 'updated'
  | 'unknown';

export type CommentActionCode =
  | 'not_found'
  | 'removed'
  | 'invalid_reply'
  | 'already_sent'
  | 'busy'
  | 'already_done'
  | 'not_supported'
  | 'account'
  | 'platform'
  | 'own_reply';

/** A reply or hide that could not be done; `message` is safe to show in Slack. */
export class CommentActionError extends Error {
  constructor(
    readonly code: CommentActionCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommentActionError';
  }
}

/**
 * Work other services do around intake: `beforeSlack` may change a new comment before its message is posted (rules
 * hiding it), `afterSlack` runs once its message is in the comments channel (routing to expert channels). Neither
 * may throw.
 */
export interface CommentHooks {
  beforeSlack?(doc: CommentDoc): Promise<CommentDoc>;
  afterSlack?(doc: CommentDoc): Promise<void>;
}

/** What one account's poll did. */
export interface PollReport {
  accountId: string;
  /** Comment reads asked of its platform client (0 when skipped); one read is one HTTP call wherever the API allows. */
  reads: number;
  skipped?: 'paused' | 'no_business_api' | 'no_client' | 'no_recent_posts';
  received: number;
  posted: number;
  error?: string;
}

/** Shown beside a TikTok account whose comments cannot be collected. */
export const tiktokCommentsNote =
  'TikTok comments come through the TikTok API for Business, which is not connected for this account, so its comments are not collected. Connect it as a TikTok Business account to see and answer them in Slack.';

/** Why an account's comments are not collected, or `undefined` when they are (for `/wone accounts`). */
export function commentIntakeNote(account: Pick<AccountDoc, 'platform' | 'businessApi'>): string | undefined {
  return account.platform === 'tiktok' && account.businessApi !== true ? tiktokCommentsNote : undefined;
}

/** A guard older than this belongs to a worker that died; it may be taken over. */
const staleGuardMs = 5 * 60_000;
/** Usage (percent of the platform's limit) from which polling rests, and for how many poll intervals. */
const usageRest: { from: number; intervals: number }[] = [
  { from: 95, intervals: 6 },
  { from: 85, intervals: 3 },
  { from: 75, intervals: 1 },
];

const isDuplicateKey = (error: unknown) => error instanceof MongoServerError && error.code === 11000;

/**
 * Comments on our published posts: intake from webhooks and polls (each comment stored once, our own replies never
 * piped back in), their Slack messages, and replying and hiding through the platform APIs. Every change of state is
 * one atomic update guarded by the state it leaves, so a webhook and a poll, or two clicks, cannot both act.
 */
export class Comments {
  constructor(
    private readonly deps: {
      db: Db;
      config: Pick<Config, 'COMMENT_LOOKBACK_DAYS' | 'COMMENT_POLL_MINUTES'>;
      logger: Logger;
      accounts: Accounts;
      audit: AuditLog;
      roles: Roles;
      notifier: CommentNotifier;
      clients: CommentPlatformClients;
      hooks?: CommentHooks;
      now?: () => Date;
    },
  ) {}

  private get comments() {
    return this.deps.db.collection<CommentDoc>('comments');
  }

  private get threads() {
    return this.deps.db.collection<CommentThreadDoc>('comment_threads');
  }

  private get polls() {
    return this.deps.db.collection<CommentPollDoc>('comment_polls');
  }

  private get targets() {
    return this.deps.db.collection<TargetDoc>('targets');
  }

  private get posts() {
    return new CommentPosts(this.deps.db);
  }

  private lookbackSince(): Date {
    return new Date(this.now().getTime() - this.deps.config.COMMENT_LOOKBACK_DAYS * 86_400_000);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** A stored comment by its key (`<platform>:<commentId>`). */
  get(key: string): Promise<CommentDoc | null> {
    return this.comments.findOne({ _id: key });
  }

  /** Applies what a webhook or poll reported. Never throws for Slack trouble: the comment stays pending instead. */
  ingest(event: CommentEvent, source: 'webhook' | 'poll'): Promise<IntakeOutcome> {
    const key =
      event.kind === 'removed'
        ? commentKey(event.platform, event.commentId)
        : commentKey(event.comment.platform, event.comment.id);
    return event.kind === 'removed' ? this.applyRemoval(key) : this.applyComment(key, event, source);
  }

  private async applyComment(
    key: string,
    event: Extract<CommentEvent, { comment: unknown }>,
    source: 'webhook' | 'poll',
  ): Promise<IntakeOutcome> {
    const incoming = event.comment;
    if (event.kind === 'edited') {
      const updated = await this.comments.findOneAndUpdate(
        { _id: key, removed: false },
        { $set: { text: incoming.text, edited: true, updatedAt: this.now() } },
        { returnDocument: 'after' },
      );
      if (updated) {
        await this.refreshMessage(updated);
        return 'updated';
      }
    }
    const account = await this.deps.accounts.get(incoming.accountId);
    if (!account) return 'not_our_account';
    if (isOwnComment(incoming, account)) return 'own';
    const target =
      (await this.posts.byRemoteId(incoming.platform, incoming.itemId)) ??
      (incoming.item && incoming.item.id === incoming.itemId
        ? await this.posts.recordElsewhere(
            { platform: incoming.platform, accountId: account._id, item: incoming.item },
            this.lookbackSince(),
          )
        : null);
    if (!target) return 'not_our_post';
    const now = this.now();
    const doc: CommentDoc = {
      _id: key,
      platform: incoming.platform,
      commentId: incoming.id,
      accountId: account._id,
      targetId: target._id,
      itemId: incoming.itemId,
      ...(incoming.parentId && incoming.parentId !== incoming.itemId ? { parentId: incoming.parentId } : {}),
      ...(incoming.authorId ? { authorId: incoming.authorId } : {}),
      authorName: incoming.authorName,
      text: incoming.text,
      createdAt: incoming.createdAt,
      receivedAt: now,
      source,
      own: false,
      edited: event.kind === 'edited',
      removed: false,
      hidden: incoming.hidden === true,
      slackState: 'posting',
      slackClaimedAt: now,
      replies: [],
      updatedAt: now,
    };
    try {
      await this.comments.insertOne(doc);
    } catch (error) {
      if (isDuplicateKey(error)) return 'duplicate';
      throw error;
    }
    const ready = this.deps.hooks?.beforeSlack ? await this.deps.hooks.beforeSlack(doc) : doc;
    return this.deliver(ready);
  }

  /** Posts comments whose Slack message could not be posted earlier (or whose poster died). */
  async deliverPending(): Promise<number> {
    const stale = new Date(this.now().getTime() - staleGuardMs);
    const waiting = await this.comments
      .find({ $or: [{ slackState: 'pending' }, { slackState: 'posting', slackClaimedAt: { $lt: stale } }] })
      .sort({ receivedAt: 1 })
      .limit(50)
      .toArray();
    let posted = 0;
    for (const candidate of waiting) {
      // Another instance may be retrying the same comment: the update guarded by the state it leaves has one winner.
      const claimed = await this.comments.findOneAndUpdate(
        { _id: candidate._id, slackState: candidate.slackState, slackClaimedAt: candidate.slackClaimedAt },
        { $set: { slackState: 'posting', slackClaimedAt: this.now() } },
        { returnDocument: 'after' },
      );
      if (claimed && (await this.deliver(claimed)) === 'posted') posted += 1;
    }
    return posted;
  }

  /** Polls every connected account once, then retries pending Slack messages. */
  async pollAll(): Promise<PollReport[]> {
    const reports: PollReport[] = [];
    for (const account of await this.deps.accounts.list()) {
      if (account.status !== 'ok') continue;
      reports.push(await this.pollAccount(account));
    }
    await this.deliverPending();
    return reports;
  }

  /** Comments on one account's recent posts, newer than where its last poll ended: one platform call where possible. */
  async pollAccount(account: Omit<AccountDoc, 'token' | 'refreshToken'>): Promise<PollReport> {
    const report: PollReport = { accountId: account._id, reads: 0, received: 0, posted: 0 };
    const now = this.now();
    const state = await this.polls.findOne({ _id: account._id });
    if (state?.pausedUntil && state.pausedUntil > now) return { ...report, skipped: 'paused' };
    const note = commentIntakeNote(account);
    if (note) {
      await this.polls.updateOne({ _id: account._id }, { $set: { note } }, { upsert: true });
      return { ...report, skipped: 'no_business_api' };
    }
    const client = this.deps.clients[account.platform];
    if (!client) return { ...report, skipped: 'no_client' };
    const since = this.lookbackSince();
    const recent = await this.targets
      // Instagram stories take no comments (a reply to a story is a direct message) and are gone after 24 h.
      .find({
        accountId: account._id,
        state: 'published',
        publishedAt: { $gte: since },
        postType: { $ne: 'instagram_story' },
      })
      .project<{ remoteId?: string }>({ remoteId: 1 })
      .toArray();
    const itemIds = recent.map((target) => target.remoteId).filter((id): id is string => Boolean(id));
    if (itemIds.length === 0 && !client.listsRecentItems) return { ...report, skipped: 'no_recent_posts' };

    const interval = this.deps.config.COMMENT_POLL_MINUTES * 60_000;
    try {
      const access = await this.deps.accounts.access(account._id);
      report.reads = 1;
      const page = await client.listComments(access, { itemIds, ...(state?.cursor ? { cursor: state.cursor } : {}) });
      const items = new Map((page.items ?? []).map((item) => [item.id, item]));
      for (const comment of page.comments) {
        report.received += 1;
        const item = items.get(comment.itemId);
        const outcome = await this.ingest(
          {
            kind: 'added',
            comment: { ...comment, platform: account.platform, accountId: account._id, ...(item ? { item } : {}) },
          },
          'poll',
        );
        if (outcome === 'posted') report.posted += 1;
      }
      const rest = restFor(page.usage, interval);
      await this.polls.updateOne(
        { _id: account._id },
        {
          $set: {
            lastPolledAt: now,
            ...(page.cursor ? { cursor: page.cursor } : {}),
            ...(rest ? { pausedUntil: new Date(now.getTime() + rest) } : {}),
          },
          $unset: { note: '', ...(rest ? {} : { pausedUntil: '' }) },
        },
        { upsert: true },
      );
    } catch (error) {
      report.error = await this.pollFailed(account._id, error, interval);
    }
    return report;
  }

  /**
   * Sends a reply as the brand. `viewId` is the modal it came from: a second submission of the same modal, or a click
   * while another reply to the comment is on its way, sends nothing.
   */
  async reply(key: string, userId: string, rawText: string, viewId: string): Promise<CommentDoc> {
    await this.deps.roles.require(userId, 'reply_comment');
    return this.send(key, userId, rawText, viewId);
  }

  /**
   * Sends a reply whose sender the caller has already authorized (an approved or proposed reply). `sendId` plays the
   * part of the modal's view id: one send per id.
   */
  send(key: string, userId: string, rawText: string, sendId: string): Promise<CommentDoc> {
    return this.sendReply(key, userId, rawText, sendId);
  }

  /** Shows a comment's current state in its Slack message again (after an assignment, say). */
  async refresh(key: string): Promise<void> {
    const doc = await this.get(key);
    if (doc) await this.refreshMessage(doc);
  }

  private async sendReply(key: string, userId: string, rawText: string, viewId: string): Promise<CommentDoc> {
    const text = rawText.trim();
    const comment = await this.get(key);
    if (!comment) throw new CommentActionError('not_found', 'This comment is no longer known to Wone Social.');
    if (comment.removed) throw new CommentActionError('removed', 'This comment was removed, so it cannot be answered.');
    if (!text) throw new CommentActionError('invalid_reply', 'Write a reply first.');
    const limit = replyLimits[comment.platform];
    if ([...text].length > limit) {
      throw new CommentActionError('invalid_reply', `Replies on this platform are at most ${limit} characters.`);
    }
    if (comment.lastReplyViewId === viewId)
      throw new CommentActionError('already_sent', 'This reply was already sent.');
    const client = this.deps.clients[comment.platform];
    if (!client) throw new CommentActionError('not_supported', 'Replying on this platform is not available yet.');

    const now = this.now();
    const claimed = await this.comments.findOneAndUpdate(
      {
        _id: key,
        removed: false,
        lastReplyViewId: { $ne: viewId },
        $or: [
          { replyingViewId: { $exists: false } },
          { replyingSince: { $lt: new Date(now.getTime() - staleGuardMs) } },
        ],
      },
      { $set: { replyingViewId: viewId, replyingSince: now } },
      { returnDocument: 'after' },
    );
    if (!claimed) {
      const current = await this.get(key);
      if (current?.lastReplyViewId === viewId)
        throw new CommentActionError('already_sent', 'This reply was already sent.');
      throw new CommentActionError(
        'busy',
        'A reply to this comment is on its way already. Wait a moment and look again.',
      );
    }
    // One send per submitted modal (a one-time key), even once the guard above has lapsed for a stuck sender; given
    // back if the platform refuses, so the corrected modal can be sent again.
    const sendClaim = `comment_reply:${key}:${viewId}`;
    if (!(await claimOnce(this.deps.db, sendClaim))) {
      throw new CommentActionError('already_sent', 'This reply was already sent.');
    }
    const release = async () => {
      await releaseClaim(this.deps.db, sendClaim);
      await this.comments.updateOne(
        { _id: key, replyingViewId: viewId },
        { $unset: { replyingViewId: '', replyingSince: '' } },
      );
    };

    let replyId: string;
    try {
      const access = await this.deps.accounts.access(comment.accountId);
      // Instagram takes replies to top-level comments only: an answer to a reply joins its conversation.
      const commentId = comment.platform === 'instagram' && comment.parentId ? comment.parentId : comment.commentId;
      ({ id: replyId } = await client.replyToComment(access, { itemId: comment.itemId, commentId }, text));
    } catch (error) {
      await release();
      throw this.actionFailure(error, 'reply');
    }
    // Stored first so neither the webhook nor the poll that sees our reply pipes it back in.
    await this.storeOwnReply(comment, replyId, text).catch((error) =>
      this.deps.logger.warn({ err: error, key }, 'could not store our own reply'),
    );
    const updated = await this.comments.findOneAndUpdate(
      { _id: key, replyingViewId: viewId },
      {
        $push: { replies: { id: replyId, by: userId, text, at: this.now() } },
        $set: { lastReplyViewId: viewId, updatedAt: this.now() },
        $unset: { replyingViewId: '', replyingSince: '' },
      },
      { returnDocument: 'after' },
    );
    if (updated && !updated.firstResponseAt) {
      const sentAt = updated.replies.at(-1)?.at ?? this.now();
      await this.comments.updateOne(
        { _id: key, firstResponseAt: { $exists: false } },
        {
          $set: {
            firstResponseAt: sentAt,
            firstResponseMs: Math.max(0, sentAt.getTime() - comment.createdAt.getTime()),
          },
        },
      );
    }
    await this.deps.audit.record({
      actor: userId,
      action: 'reply',
      subject: `comment:${key}`,
      details: { platform: comment.platform, account: comment.accountId, reply: replyId },
    });
    const latest = updated ?? (await this.get(key)) ?? comment;
    await this.refreshMessage(latest);
    const thread = await this.threads.findOne({ _id: comment.targetId });
    if (thread?.channel && thread.ts) {
      await this.deps.notifier
        .postThreadNote(
          { channel: thread.channel, ts: thread.ts },
          `:leftwards_arrow_with_hook: Replied by <@${userId}> to ${escapeMrkdwn(truncate(comment.authorName, 100))}: ${escapeMrkdwn(truncate(text, 1500))}`,
        )
        .catch((error) => this.deps.logger.warn({ err: error, key }, 'could not post the reply note'));
    }
    return latest;
  }

  /** Hides or unhides a comment on its platform (Instagram and Facebook), audited and shown in Slack. */
  async setHidden(key: string, userId: string, hidden: boolean): Promise<CommentDoc> {
    await this.deps.roles.require(userId, 'hide_comment');
    return this.sendHidden(key, userId, hidden);
  }

  private async sendHidden(key: string, userId: string, hidden: boolean): Promise<CommentDoc> {
    const comment = await this.get(key);
    if (!comment) throw new CommentActionError('not_found', 'This comment is no longer known to Wone Social.');
    if (comment.removed) throw new CommentActionError('removed', 'This comment was removed already.');
    const client = this.deps.clients[comment.platform];
    if (!client || !hideablePlatforms.includes(comment.platform)) {
      throw new CommentActionError('not_supported', 'Hiding comments is not available on this platform.');
    }
    if (comment.hidden === hidden) {
      throw new CommentActionError(
        'already_done',
        hidden ? 'This comment is hidden already.' : 'This comment is visible already.',
      );
    }
    const now = this.now();
    const claimed = await this.comments.findOneAndUpdate(
      {
        _id: key,
        removed: false,
        hidden: !hidden,
        $or: [
          { moderatingSince: { $exists: false } },
          { moderatingSince: { $lt: new Date(now.getTime() - staleGuardMs) } },
        ],
      },
      { $set: { moderatingSince: now } },
      { returnDocument: 'after' },
    );
    if (!claimed)
      throw new CommentActionError('busy', 'Someone is changing this comment right now. Look again in a moment.');
    try {
      const access = await this.deps.accounts.access(comment.accountId);
      await client.setCommentHidden(access, { itemId: comment.itemId, commentId: comment.commentId }, hidden);
    } catch (error) {
      await this.comments.updateOne({ _id: key, moderatingSince: now }, { $unset: { moderatingSince: '' } });
      throw this.actionFailure(error, hidden ? 'hide' : 'unhide');
    }
    const updated = await this.comments.findOneAndUpdate(
      { _id: key, moderatingSince: now },
      hidden
        ? {
            $set: { hidden: true, hiddenBy: userId, updatedAt: this.now() },
            $unset: { moderatingSince: '', hiddenByRule: '' },
          }
        : {
            $set: { hidden: false, updatedAt: this.now() },
            $unset: { moderatingSince: '', hiddenBy: '', hiddenByRule: '' },
          },
      { returnDocument: 'after' },
    );
    await this.deps.audit.record({
      actor: userId,
      action: hidden ? 'hide' : 'unhide',
      subject: `comment:${key}`,
      details: { platform: comment.platform, account: comment.accountId },
    });
    const latest = updated ?? (await this.get(key)) ?? comment;
    await this.refreshMessage(latest);
    return latest;
  }

  private async applyRemoval(key: string): Promise<IntakeOutcome> {
    // The removed comment's words are not kept: it is gone on the platform too.
    const updated = await this.comments.findOneAndUpdate(
      { _id: key, removed: false },
      { $set: { removed: true, text: '', updatedAt: this.now() } },
      { returnDocument: 'after' },
    );
    if (!updated) return 'unknown';
    await this.refreshMessage(updated);
    return 'updated';
  }

  private async storeOwnReply(parent: CommentDoc, replyId: string, text: string): Promise<void> {
    const now = this.now();
    try {
      await this.comments.insertOne({
        _id: commentKey(parent.platform, replyId),
        platform: parent.platform,
        commentId: replyId,
        accountId: parent.accountId,
        targetId: parent.targetId,
        itemId: parent.itemId,
        parentId: parent.commentId,
        authorName: 'us',
        text,
        createdAt: now,
        receivedAt: now,
        source: 'reply',
        own: true,
        edited: false,
        removed: false,
        hidden: false,
        slackState: 'none',
        replies: [],
        updatedAt: now,
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** Posts the comment's message into its post's thread; the caller holds the `posting` claim. */
  private async deliver(doc: CommentDoc): Promise<'posted' | 'slack_pending'> {
    try {
      const target = await this.posts.byId(doc.targetId);
      const account = await this.deps.accounts.get(doc.accountId);
      if (!target) throw new Error(`target ${doc.targetId} is gone`);
      const thread = await this.threadFor(target, account?.name ?? doc.accountId);
      const place = await this.deps.notifier.postComment(thread, this.messageInput(doc, account?.name, target));
      const posted = await this.comments.findOneAndUpdate(
        { _id: doc._id, slackState: 'posting' },
        {
          $set: { slackState: 'posted', slackChannel: place.channel, slackTs: place.ts },
          $unset: { slackClaimedAt: '' },
        },
        { returnDocument: 'after' },
      );
      // An edit or removal that arrived while the message was on its way is shown now.
      if (posted && changedSince(doc, posted)) await this.refreshMessage(posted);
      if (posted && this.deps.hooks?.afterSlack) await this.deps.hooks.afterSlack(posted);
      return 'posted';
    } catch (error) {
      this.deps.logger.warn({ err: error, comment: doc._id }, 'comment not posted to Slack yet; will retry');
      await this.comments.updateOne({ _id: doc._id, slackState: 'posting' }, { $set: { slackState: 'pending' } });
      return 'slack_pending';
    }
  }

  /** The post's parent message, posted by whoever claims it first; others wait for it. */
  private async threadFor(target: CommentPost, accountName: string): Promise<SlackPlace> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const existing = await this.threads.findOne({ _id: target._id });
      if (existing?.state === 'posted' && existing.channel && existing.ts) {
        return { channel: existing.channel, ts: existing.ts };
      }
      const now = this.now();
      let claimed = false;
      if (!existing) {
        try {
          await this.threads.insertOne({ _id: target._id, state: 'posting', claimedAt: now });
          claimed = true;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      } else if (existing.claimedAt.getTime() < now.getTime() - 60_000) {
        claimed = Boolean(
          await this.threads.findOneAndUpdate(
            { _id: target._id, state: 'posting', claimedAt: existing.claimedAt },
            { $set: { claimedAt: now } },
          ),
        );
      }
      if (claimed) {
        try {
          const place = await this.deps.notifier.postParent({
            platform: target.platform,
            accountName,
            caption: target.caption,
            ...(target.permalink ? { permalink: target.permalink } : {}),
            ...(target.publishedAt ? { publishedAt: target.publishedAt } : {}),
            ...(target.elsewhere ? { elsewhere: true } : {}),
          });
          await this.threads.updateOne(
            { _id: target._id },
            { $set: { state: 'posted', channel: place.channel, ts: place.ts } },
          );
          return place;
        } catch (error) {
          await this.threads.deleteOne({ _id: target._id, state: 'posting', claimedAt: now });
          throw error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the parent message for ${target._id} is not ready`);
  }

  private async refreshMessage(doc: CommentDoc): Promise<void> {
    if (doc.slackState !== 'posted' || !doc.slackChannel || !doc.slackTs) return;
    try {
      const [account, target] = await Promise.all([
        this.deps.accounts.get(doc.accountId),
        this.posts.byId(doc.targetId),
      ]);
      await this.deps.notifier.updateComment(
        { channel: doc.slackChannel, ts: doc.slackTs },
        this.messageInput(doc, account?.name, target ?? undefined),
      );
    } catch (error) {
      this.deps.logger.warn({ err: error, comment: doc._id }, 'could not update the comment message');
    }
  }

  private messageInput(doc: CommentDoc, accountName: string | undefined, target?: CommentPost): CommentMessageInput {
    return {
      key: doc._id,
      platform: doc.platform,
      accountName: accountName ?? doc.accountId,
      authorName: doc.authorName,
      text: doc.text,
      createdAt: doc.createdAt,
      isReply: Boolean(doc.parentId),
      edited: doc.edited,
      removed: doc.removed,
      hidden: doc.hidden,
      ...(doc.hiddenBy ? { hiddenBy: doc.hiddenBy } : {}),
      ...(doc.hiddenByRule ? { hiddenByRule: doc.hiddenByRule } : {}),
      ...(doc.assignee ? { assignee: doc.assignee } : {}),
      ...(doc.doneBy ? { doneBy: doc.doneBy } : {}),
      replies: doc.replies,
      ...(target?.permalink ? { permalink: target.permalink } : {}),
    };
  }

  private async pollFailed(accountId: string, error: unknown, interval: number): Promise<string> {
    const now = this.now();
    if (error instanceof AccountNotConnectedError) return 'account not connected';
    if (!(error instanceof PlatformError)) {
      this.deps.logger.error({ err: error, accountId }, 'comment poll failed');
      return 'internal error';
    }
    this.deps.logger.warn({ accountId, kind: error.kind, code: error.code }, 'comment poll failed');
    const set: Partial<CommentPollDoc> = { lastPolledAt: now };
    if (error.kind === 'rate_limited') {
      set.pausedUntil = new Date(now.getTime() + Math.max(error.retryAfterMs ?? 0, interval * 4));
    } else if (error.kind === 'auth') {
      await this.deps.accounts.markReconnectNeeded(accountId);
      set.note = 'The account needs reconnecting before its comments can be collected.';
    }
    await this.polls.updateOne({ _id: accountId }, { $set: set }, { upsert: true });
    return `${error.kind}: ${error.code}`;
  }

  private actionFailure(error: unknown, what: 'reply' | 'hide' | 'unhide'): Error {
    if (error instanceof AccountNotConnectedError) {
      return new CommentActionError('account', 'The account needs reconnecting first (ask an admin).');
    }
    if (error instanceof PlatformError) {
      this.deps.logger.warn({ kind: error.kind, code: error.code, platform: error.platform }, `comment ${what} failed`);
      const reason = error.userMessage ?? platformWords[error.kind];
      const maybe = error.ambiguous ? ' It may have gone through: check on the platform before trying again.' : '';
      return new CommentActionError('platform', `The ${what} did not go through: ${reason}${maybe}`);
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

const platformWords: Record<PlatformError['kind'], string> = {
  transient: 'the platform did not answer properly. Try again in a moment.',
  rate_limited: 'the platform asks us to slow down. Try again in a few minutes.',
  auth: 'the account needs reconnecting (ask an admin).',
  permanent: 'the platform refused it.',
};

/** The key of a comment: `<platform>:<commentId>`. */
export function commentKey(platform: PlatformName, commentId: string): string {
  return `${platform}:${commentId}`;
}

function isOwnComment(comment: IncomingComment, account: Pick<AccountDoc, 'externalId' | 'name'>): boolean {
  if (comment.fromOwner) return true;
  if (comment.authorId && comment.authorId === account.externalId) return true;
  const bare = (name: string) => name.replace(/^@/, '').trim().toLowerCase();
  return bare(comment.authorName) !== '' && bare(comment.authorName) === bare(account.name);
}

function changedSince(before: CommentDoc, after: CommentDoc): boolean {
  return before.text !== after.text || before.removed !== after.removed || before.hidden !== after.hidden;
}

/** How long polling rests after an answer whose usage headers said we are close to the limit. */
export function restFor(usage: PlatformUsage | undefined, intervalMs: number): number | undefined {
  if (!usage) return undefined;
  const step = usageRest.find((candidate) => usage.percent >= candidate.from);
  if (!step) return undefined;
  // Half an interval more, so the rest covers the next `intervals` cycles whatever their jitter.
  return Math.max((step.intervals + 0.5) * intervalMs, usage.regainAccessMs ?? 0);
}
