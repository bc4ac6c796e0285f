import type { Db, Filter, UpdateFilter } from 'mongodb';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { PlatformName, PostType, PublishProgress } from '../platforms/types.ts';
import type { PostDoc } from './posts.ts';

/**
 * Where one post goes: post × account. Each target moves through these states by atomic updates guarded by the
 * state it leaves, so two workers or two clicks cannot both act.
 * queued → publishing → published | failed | unconfirmed | held
 */
export type TargetState = 'queued' | 'publishing' | 'published' | 'failed' | 'unconfirmed' | 'held';

/** A document of the `targets` collection. Comments and insights read the published ones. */
export interface TargetDoc {
  /** `<postId>:<accountId>`. */
  _id: string;
  postId: string;
  accountId: string;
  platform: PlatformName;
  postType: PostType;
  state: TargetState;
  /** When it is due (copied from the post when it is approved or rescheduled). */
  dueAt?: Date;
  /** Saved by the platform client between steps, so a restart resumes instead of posting twice. */
  progress: PublishProgress;
  /** The platform's id of the live item, and its public link. */
  remoteId?: string;
  permalink?: string;
  publishedAt?: Date;
  /** The caption as published (for comment and digest messages). */
  caption: string;
  /** Why it failed or is unconfirmed, in words safe to show in Slack. */
  error?: string;
  attempts: number;
  updatedAt: Date;
  /** TikTok inbox posts: delivered to the creator's inbox (no live item yet). */
  deliveredTo?: 'inbox';
  /** A transient failure: try again at this time (until the post's retry deadline). */
  retryAt?: Date;
  /** While `publishing`: the worker's claim; after it lapses another worker may resume. */
  leaseUntil?: Date;
  /**
   * The lease generation, a fencing token: every claim increments it, and a worker writes to the target (progress,
   * its outcome) only while the stored generation is still the one its claim returned. A worker whose lease lapsed
   * and was taken over can therefore change nothing, and learns so at its next save, before its next platform call.
   */
  lease?: number;
  /** The process that claimed it last (it may take the target back at once when its own run stopped short). */
  holder?: string;
}

/** A worker's write was refused because another worker has claimed the target since (its lease was taken over). */
export class LeaseLostError extends Error {
  readonly code = 'lease_lost';
  constructor(readonly targetId: string) {
    super(`Target ${targetId} was taken over by another worker; this worker stops.`);
    this.name = 'LeaseLostError';
  }
}

export const targetIndexes: CollectionIndexes = {
  collection: 'targets',
  indexes: [{ key: { postId: 1 } }, { key: { accountId: 1, state: 1 } }, { key: { state: 1, publishedAt: -1 } }],
};

/** How long a worker's claim on a target lasts before another worker may resume it. */
export const targetLeaseMs = 10 * 60 * 1000;

/**
 * The targets store. Every state change is one atomic update guarded by the state it leaves (and, for the worker
 * publishing it, by its lease generation): one caller wins.
 */
export class Targets {
  constructor(
    private readonly db: Db,
    /** How long a worker's claim lasts (renewed while it publishes, and by each saved step). */
    readonly leaseMs = targetLeaseMs,
    /** The app's clock: a lease is set and compared on one clock. */
    private readonly clock: () => Date = () => new Date(),
  ) {}

  get collection() {
    return this.db.collection<TargetDoc>('targets');
  }

  static idOf(postId: string, accountId: string): string {
    return `${postId}:${accountId}`;
  }

  /** Creates the queued targets of an approved post (existing ones are left as they are). */
  async queue(
    postId: string,
    /** `caption`: the one published on that account's network. */
    items: { accountId: string; platform: PlatformName; postType: PostType; caption: string }[],
    dueAt: Date,
  ): Promise<void> {
    const now = new Date();
    for (const item of items) {
      await this.collection.updateOne(
        { _id: Targets.idOf(postId, item.accountId) },
        {
          $setOnInsert: {
            postId,
            accountId: item.accountId,
            platform: item.platform,
            postType: item.postType,
            state: 'queued',
            progress: {},
            caption: item.caption,
            attempts: 0,
          },
          $set: { dueAt, updatedAt: now },
        },
        { upsert: true },
      );
    }
  }

  /**
   * A post's targets, in `_id` order. Given the post, each of its accounts' targets is read by `_id` (the one read
   * the embedded database answers without reading the whole collection); given only the id, by `postId`.
   */
  async ofPost(post: string | Pick<PostDoc, '_id' | 'accountIds'>): Promise<TargetDoc[]> {
    if (typeof post === 'string') return this.collection.find({ postId: post }).sort({ _id: 1 }).toArray();
    const ids = post.accountIds.map((accountId) => Targets.idOf(post._id, accountId)).sort();
    const found = await Promise.all(ids.map((id) => this.collection.findOne({ _id: id })));
    return found.filter((target): target is TargetDoc => target !== null);
  }

  get(id: string): Promise<TargetDoc | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Removes a post's targets that have not started (the post was cancelled or sent back for approval). */
  async dropQueued(postId: string): Promise<void> {
    await this.collection.deleteMany({ postId, state: 'queued' });
  }

  async reschedule(postId: string, dueAt: Date): Promise<void> {
    await this.collection.updateMany({ postId, state: 'queued' }, { $set: { dueAt, updatedAt: new Date() } });
  }

  /**
   * Claims a target for publishing: a queued one whose retry time has come, or one whose previous worker's lease
   * lapsed (it resumes from the saved progress). Only one worker can win; the target it gets back carries its lease
   * generation (`lease`), which its every later write must present. `holder` (the claiming process) also takes back
   * a target it claimed itself earlier and no run of it works on any more, without waiting for that lease to lapse.
   */
  claim(id: string, now = this.clock(), holder?: string): Promise<TargetDoc | null> {
    return this.collection.findOneAndUpdate(
      {
        _id: id,
        $or: [
          { state: 'queued', $or: [{ retryAt: { $exists: false } }, { retryAt: { $lte: now } }] },
          { state: 'publishing', leaseUntil: { $lt: now } },
          ...(holder === undefined ? [] : [{ state: 'publishing' as const, holder }]),
        ],
      },
      {
        $set: {
          state: 'publishing',
          leaseUntil: new Date(now.getTime() + this.leaseMs),
          updatedAt: now,
          ...(holder === undefined ? {} : { holder }),
        },
        $inc: { attempts: 1, lease: 1 },
        $unset: { retryAt: '' },
      },
      { returnDocument: 'after' },
    );
  }

  /**
   * Saves publishing progress and renews the lease, only while the worker's lease (generation `lease`) still holds.
   * Throws `LeaseLostError` otherwise: the worker must stop before its next platform call.
   */
  async saveProgress(id: string, lease: number | undefined, progress: PublishProgress): Promise<void> {
    const result = await this.collection.updateOne(
      { _id: id, state: 'publishing', lease: lease ?? { $exists: false } },
      { $set: { progress, updatedAt: new Date(), leaseUntil: new Date(this.clock().getTime() + this.leaseMs) } },
    );
    if (result.matchedCount !== 1) throw new LeaseLostError(id);
  }

  /**
   * Renews the lease of the worker holding generation `lease` (a long step: a wait for the platform). Throws
   * `LeaseLostError` when another worker holds the target now.
   */
  async renew(id: string, lease: number | undefined): Promise<void> {
    const result = await this.collection.updateOne(
      { _id: id, state: 'publishing', lease: lease ?? { $exists: false } },
      { $set: { leaseUntil: new Date(this.clock().getTime() + this.leaseMs) } },
    );
    if (result.matchedCount !== 1) throw new LeaseLostError(id);
  }

  /**
   * Moves a target from one of `from` to `to` with `set`; `null` when it was not in any of `from` (or, with `lease`,
   * when that lease generation no longer holds it).
   */
  move(
    id: string,
    from: TargetState[],
    to: TargetState,
    set: Partial<TargetDoc> = {},
    unset: (keyof TargetDoc)[] = [],
    lease?: number,
  ): Promise<TargetDoc | null> {
    const update: UpdateFilter<TargetDoc> = { $set: { ...set, state: to, updatedAt: new Date() } };
    const toUnset = [...unset, ...(to === 'publishing' ? [] : (['leaseUntil'] as const))];
    if (toUnset.length) update.$unset = Object.fromEntries(toUnset.map((key) => [key, '']));
    const guard: Filter<TargetDoc> = { _id: id, state: { $in: from } };
    if (lease !== undefined) guard.lease = lease;
    return this.collection.findOneAndUpdate(guard, update, { returnDocument: 'after' });
  }

  /** Holds every queued target of an account (it can no longer be published to); returns the targets held. */
  async holdAccount(accountId: string, reason: string): Promise<TargetDoc[]> {
    const queued = await this.collection.find({ accountId, state: 'queued' }, { projection: { _id: 1 } }).toArray();
    const held: TargetDoc[] = [];
    for (const { _id } of queued) {
      // Guarded like every other move: a target a worker has just claimed is left to that worker.
      const target = await this.move(_id, ['queued'], 'held', { error: reason });
      if (target) held.push(target);
    }
    return held;
  }
}
