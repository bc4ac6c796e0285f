import type { PostNotifier } from '../notify/post-notifier.ts';
import type { AuditLog } from './audit.ts';
import type { MediaStore } from './media-store.ts';
import { type PostDoc, type PostState, PostStateError, type Posts } from './posts.ts';
import { PermissionDeniedError, type Roles } from './roles.ts';
import { mediaRetentionMs, type Scheduling } from './scheduling.ts';
import type { Targets } from './targets.ts';

/** The states a post may be withdrawn from: waiting for approval, or approved and waiting for its time. */
export const withdrawableStates: PostState[] = ['pending_approval', 'scheduled'];

/**
 * Withdrawal: the requester takes back their own post before it goes out (approvers and admins may withdraw anyone's).
 * One guarded update moves it to `cancelled`; a scheduled post's job and queued targets are dropped after it.
 */
export class Withdrawals {
  constructor(
    private readonly deps: {
      posts: Posts;
      targets: Pick<Targets, 'dropQueued'>;
      media: Pick<MediaStore, 'expire'>;
      scheduling: Pick<Scheduling, 'unplan'>;
      notifier: Pick<PostNotifier, 'showPreview' | 'decision'>;
      roles: Roles;
      audit: AuditLog;
    },
  ) {}

  /** Whether `userId` may withdraw the post: its requester (while they may draft), or an approver or admin. */
  async mayWithdraw(post: Pick<PostDoc, 'requestedBy'>, userId: string): Promise<boolean> {
    if (await this.deps.roles.can(userId, 'cancel')) return true;
    return post.requestedBy === userId && (await this.deps.roles.can(userId, 'draft'));
  }

  /** Withdraws the post; refused when `by` may not, or when it is no longer waiting (a race with approval is lost). */
  async withdraw(postId: string, by: string): Promise<PostDoc> {
    const current = await this.deps.posts.getFields(postId, ['requestedBy', 'state']);
    if (!current) throw new PostStateError(postId, undefined, 'withdrawn');
    if (!(await this.mayWithdraw(current, by))) {
      throw new PermissionDeniedError(by, 'cancel', this.deps.roles.needed('cancel'));
    }
    const post = await this.deps.posts.move(postId, withdrawableStates, 'cancelled', {
      decision: { action: 'withdrawn', by },
      set: { finishedAt: new Date() },
    });
    // The decision is stored; what follows only tidies up after it (each step is safe to find already done).
    await this.deps.scheduling.unplan(postId);
    await this.deps.targets.dropQueued(postId);
    await this.deps.media.expire(
      post.media.map((media) => media.id),
      new Date(Date.now() + mediaRetentionMs),
    );
    await this.deps.audit.record({ actor: by, action: 'withdraw', subject: `post:${postId}` });
    await this.deps.notifier.showPreview(post);
    await this.deps.notifier.decision(post, 'withdrawn', by);
    return post;
  }
}
