import type { KnownBlock } from '@slack/types';
import { ErrorCode, type WebClient } from '@slack/web-api';
import { approvalMessage, decisionText } from '../../views/approval-message.ts';
import { type PreviewRefusal, previewRefusedMessage } from '../../views/preview-refused-message.ts';
import { type RequesterNews, requesterMessage } from '../../views/requester-message.ts';
import type { ApprovalStepConfig, Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Accounts } from '../services/accounts.ts';
import { stepStatuses } from '../services/approval-steps.ts';
import type { MediaStore } from '../services/media-store.ts';
import type { PostDoc, Posts } from '../services/posts.ts';
import { changesSince } from '../services/revision-changes.ts';
import type { Targets } from '../services/targets.ts';

/** A message for a person: notification text and optional blocks. */
export interface Note {
  text: string;
  blocks?: KnownBlock[];
}

/**
 * Tells Slack what happened to posts: the preview in the approval channel (posted, then kept up to date), notes in its
 * thread, direct messages to requesters and admins. Services call it with posts; it builds the views.
 * A failure to reach Slack is logged, never allowed to undo a decision already stored.
 */
export class PostNotifier {
  constructor(
    private readonly slack: WebClient,
    private readonly deps: {
      config: Config;
      logger: Logger;
      posts: Posts;
      targets: Targets;
      accounts: Accounts;
      media: MediaStore;
      /** The approval steps, shown on the card while a post goes through them. */
      steps: readonly ApprovalStepConfig[];
    },
  ) {}

  /** Posts the preview (first time) or updates it, and returns the post as stored. */
  async showPreview(post: PostDoc): Promise<PostDoc> {
    const message = await this.render(post);
    if (post.approvalMessage) {
      await this.slack.chat
        .update({ channel: post.approvalMessage.channel, ts: post.approvalMessage.ts, ...message })
        .catch((error) => this.deps.logger.error({ err: error, postId: post._id }, 'preview update failed'));
      return post;
    }
    const posted = await this.slack.chat.postMessage({ channel: this.deps.config.APPROVAL_CHANNEL_ID, ...message });
    const approvalMessage = { channel: String(posted.channel), ts: String(posted.ts) };
    await this.deps.posts.collection.updateOne({ _id: post._id }, { $set: { approvalMessage } });
    return { ...post, approvalMessage };
  }

  /** Re-reads the post and refreshes its preview. */
  async refresh(postId: string): Promise<void> {
    const post = await this.deps.posts.get(postId);
    if (post?.approvalMessage) await this.showPreview(post);
  }

  /** A note in the preview's thread (nothing when the post has no preview yet). */
  async thread(post: Pick<PostDoc, '_id' | 'approvalMessage'>, text: string): Promise<void> {
    if (!post.approvalMessage) return;
    await this.slack.chat
      .postMessage({ channel: post.approvalMessage.channel, thread_ts: post.approvalMessage.ts, text })
      .catch((error) => this.deps.logger.error({ err: error, postId: post._id }, 'thread note failed'));
  }

  /** A decision in the thread, worded the same way everywhere. */
  decision(post: PostDoc, action: string, by: string, note?: string): Promise<void> {
    return this.thread(post, decisionText(action, by, note));
  }

  /** A direct message to one person. */
  async tell(userId: string, note: Note): Promise<void> {
    await this.slack.chat
      .postMessage({ channel: userId, ...note })
      .catch((error) => this.deps.logger.error({ err: error }, 'direct message failed'));
  }

  /** Tells the requester their post needs changes, with a button that reopens it as they left it. */
  async askRequester(post: PostDoc, why: string): Promise<void> {
    await this.tellRequester(post, { kind: 'changes_requested', why });
  }

  /** Tells the requester about a decision on their post, with a link to its approval thread. */
  async tellRequester(post: PostDoc, news: RequesterNews): Promise<void> {
    const link = await this.permalink(post);
    await this.tell(post.requestedBy, requesterMessage(post, news, link));
  }

  /**
   * Tells the requester that their post's first preview could not be posted in the approval channel, and why, with a
   * button to send it for approval again.
   */
  async previewRefused(post: PostDoc, error: unknown): Promise<void> {
    const coded = error as { code?: string; data?: { error?: string } };
    const refusal: PreviewRefusal =
      coded.code === ErrorCode.PlatformError && coded.data?.error
        ? { kind: 'refused', error: coded.data.error }
        : { kind: 'unreachable' };
    await this.tell(
      post.requestedBy,
      previewRefusedMessage({
        postId: post._id,
        revision: post.revision,
        channelId: this.deps.config.APPROVAL_CHANNEL_ID,
        refusal,
      }),
    );
  }

  /** A link to the preview, for results and notes elsewhere. */
  async permalink(post: PostDoc): Promise<string | undefined> {
    if (!post.approvalMessage) return undefined;
    const answer = await this.slack.chat
      .getPermalink({ channel: post.approvalMessage.channel, message_ts: post.approvalMessage.ts })
      .catch(() => undefined);
    return answer?.permalink;
  }

  private async render(post: PostDoc) {
    const accounts = (await this.deps.accounts.list())
      .filter((account) => post.accountIds.includes(account._id))
      .map((account) => ({ id: account._id, platform: account.platform, name: account.name }));
    const thumbnails = post.media.flatMap((media, index) =>
      media.kind === 'image'
        ? [{ url: this.deps.media.signedUrl(media.id, 7 * 24 * 3600 * 1000), name: media.name, position: index + 1 }]
        : [],
    );
    const targets = await this.deps.targets.ofPost(post);
    return approvalMessage({
      post,
      accounts,
      thumbnails,
      ...(post.previous ? { changes: changesSince(post.previous, post) } : {}),
      teamTimezone: this.deps.config.TEAM_TIMEZONE,
      checks: post.checks ?? [],
      targets: targets.filter((target) => target.state !== 'queued' || post.state === 'publishing'),
      steps: stepStatuses(this.deps.steps, post),
      ...(post.dueAt && this.deps.config.APPROVAL_DEADLINE_MINUTES > 0
        ? { deadline: new Date(post.dueAt.getTime() - this.deps.config.APPROVAL_DEADLINE_MINUTES * 60_000) }
        : {}),
    });
  }
}
