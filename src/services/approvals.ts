import { escapeMrkdwn } from '../../views/slack-text.ts';
import type { PostNotifier } from '../notify/post-notifier.ts';
import type { AuditLog } from './audit.ts';
import type { MediaStore } from './media-store.ts';
import { platformOf } from './post-types.ts';
import { type PostDoc, PostStateError, type Posts } from './posts.ts';
import type { Roles } from './roles.ts';
import { formatInZone } from './schedule-time.ts';
import { mediaRetentionMs, type Scheduling } from './scheduling.ts';
import type { Targets } from './targets.ts';

/** Refused because people may not approve what they asked for or wrote themselves (an edit included). */
export class OwnPostError extends Error {
  readonly code = 'own_post';
  constructor(readonly postId: string) {
    super('You cannot approve your own post or a post you edited. Ask another approver.');
    this.name = 'OwnPostError';
  }
}

/** The preview the click came from shows an older revision than the post has now. */
export class StaleRevisionError extends Error {
  readonly code = 'stale_revision';
  constructor(readonly postId: string) {
    super('This post was edited since that preview was posted. Look at the updated preview.');
    this.name = 'StaleRevisionError';
  }
}

/** Whether `userId` asked for the post or wrote any of its revisions. */
function wrote(post: Pick<PostDoc, 'requestedBy' | 'decisions'>, userId: string): boolean {
  return post.requestedBy === userId || post.decisions.some((d) => d.action === 'edited' && d.by === userId);
}

const decisionFields = ['state', 'revision', 'requestedBy', 'dueAt', 'decisions'] as const;

/**
 * Decisions on posts waiting for approval. Only approvers decide, never on their own posts; each decision is one
 * guarded update, so of two approvers clicking at once exactly one wins and the other gets `PostStateError`.
 */
export class Approvals {
  constructor(
    private readonly deps: {
      posts: Posts;
      targets: Targets;
      media: MediaStore;
      scheduling: Scheduling;
      notifier: PostNotifier;
      roles: Roles;
      audit: AuditLog;
    },
  ) {}

  /** Approves: the post is scheduled at its time (or now, for "as soon as approved" and times already past). */
  async approve(postId: string, revision: number, by: string, now = new Date()): Promise<PostDoc> {
    await this.deps.roles.require(by, 'approve');
    const current = await this.current(postId, revision);
    if (wrote(current, by)) throw new OwnPostError(postId);
    const late = current.dueAt && current.dueAt.getTime() < now.getTime();
    const dueAt = !current.dueAt || late ? now : current.dueAt;
    const post = await this.deps.posts.move(postId, ['pending_approval'], 'scheduled', {
      decision: { action: 'approved', by },
      set: { dueAt },
      guard: { revision },
    });
    await this.deps.targets.queue(
      postId,
      post.accountIds.flatMap((accountId) => {
        const platform = accountId.split(':')[0];
        const postType = Object.values(post.postTypes).find((type) => type && platformOf(type) === platform);
        return postType ? [{ accountId, platform: platformOf(postType), postType }] : [];
      }),
      post.caption,
      dueAt,
    );
    await this.deps.scheduling.plan(postId, dueAt);
    await this.deps.audit.record({ actor: by, action: 'approve', subject: `post:${postId}` });
    await this.deps.notifier.showPreview(post);
    const when = late
      ? 'its time had passed, so it goes out now'
      : `goes out ${formatInZone(dueAt, post.requesterTimezone)}`;
    await this.deps.notifier.decision(post, 'approved', by, when);
    await this.deps.notifier.tell(post.requestedBy, { text: `<@${by}> approved your post; it ${when}.` });
    return post;
  }

  /** Sends the post back to its requester with a reason. */
  async requestChanges(postId: string, revision: number, by: string, reason: string): Promise<PostDoc> {
    await this.deps.roles.require(by, 'approve');
    await this.current(postId, revision);
    const post = await this.deps.posts.move(postId, ['pending_approval'], 'changes_requested', {
      decision: { action: 'changes_requested', by, note: reason },
      guard: { revision },
    });
    await this.deps.audit.record({ actor: by, action: 'request_changes', subject: `post:${postId}` });
    await this.deps.notifier.showPreview(post);
    await this.deps.notifier.decision(post, 'changes_requested', by, reason);
    await this.deps.notifier.askRequester(post, `<@${by}> says: ${escapeMrkdwn(reason)}`);
    return post;
  }

  /** Rejects: the post will not be published. */
  async reject(postId: string, revision: number, by: string): Promise<PostDoc> {
    await this.deps.roles.require(by, 'approve');
    await this.current(postId, revision);
    const post = await this.deps.posts.move(postId, ['pending_approval'], 'rejected', {
      decision: { action: 'rejected', by },
      set: { finishedAt: new Date() },
      guard: { revision },
    });
    await this.deps.media.expire(
      post.media.map((media) => media.id),
      new Date(Date.now() + mediaRetentionMs),
    );
    await this.deps.audit.record({ actor: by, action: 'reject', subject: `post:${postId}` });
    await this.deps.notifier.showPreview(post);
    await this.deps.notifier.decision(post, 'rejected', by);
    await this.deps.notifier.tell(post.requestedBy, { text: `<@${by}> rejected your post. It will not be published.` });
    return post;
  }

  /** What a decision checks first: the post's state, revision and requester, read without the rest of it. */
  private async current(postId: string, revision: number) {
    const post = await this.deps.posts.getFields(postId, decisionFields);
    if (!post) throw new PostStateError(postId, undefined, 'approved');
    if (post.state !== 'pending_approval') {
      throw new PostStateError(postId, post.state, 'decided', post.decisions.at(-1));
    }
    if (post.revision !== revision) throw new StaleRevisionError(postId);
    return post;
  }
}
