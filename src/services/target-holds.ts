import { type Db, ObjectId } from 'mongodb';
import type { AccountNotifier } from '../notify/account-notifier.ts';
import type { TargetDoc, Targets } from './targets.ts';

/** A target that was queued and is now held, with the person who asked for its post. */
export interface HeldTarget {
  target: TargetDoc;
  requester?: string;
}

/**
 * Holds an account's pending posts when the account can no longer be published to (disconnected, deleted, or its
 * token refused), and tells each requester. Targets move queued → held by guarded updates (`Targets.holdAccount`), so
 * a target a worker has already picked up is left to that worker.
 */
export class TargetHolds {
  constructor(
    private readonly db: Db,
    private readonly targets: Targets,
    private readonly notifier: AccountNotifier,
  ) {}

  /** Holds every queued target of the account and tells each requester once. Returns what was held. */
  async holdForAccount(accountId: string, accountName: string, reason: string): Promise<HeldTarget[]> {
    const held: HeldTarget[] = [];
    for (const target of await this.targets.holdAccount(accountId, reason)) {
      held.push({ target, requester: await this.requesterOf(target.postId) });
    }
    const byRequester = new Map<string, TargetDoc[]>();
    for (const { target, requester } of held) {
      if (requester) byRequester.set(requester, [...(byRequester.get(requester) ?? []), target]);
    }
    for (const [requester, targets] of byRequester) {
      const lines = targets.map((target) => `• ${quote(target.caption)}`).join('\n');
      await this.notifier.tellUser(requester, {
        text: `${targets.length} of your scheduled post(s) to ${accountName} are on hold: ${reason}\n${lines}`,
      });
    }
    return held;
  }

  /** The Slack user who asked for a post (`requestedBy` on the post). */
  private async requesterOf(postId: string): Promise<string | undefined> {
    const posts = this.db.collection<{ _id: string | ObjectId; requestedBy?: string }>('posts');
    const ids: (string | ObjectId)[] = [postId];
    if (ObjectId.isValid(postId) && postId.length === 24) ids.push(new ObjectId(postId));
    const post = await posts.findOne({ _id: { $in: ids } }, { projection: { requestedBy: 1 } });
    return typeof post?.requestedBy === 'string' ? post.requestedBy : undefined;
  }
}

function quote(caption: string): string {
  const short = caption.length > 80 ? `${caption.slice(0, 79)}…` : caption;
  return short ? `“${short}”` : '(no caption)';
}
