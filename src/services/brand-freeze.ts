import type { Db } from 'mongodb';
import { guardedUpdate } from '../db/guarded-update.ts';
import type { Logger } from '../logger.ts';
import type { AuditLog } from './audit.ts';
import { type PostDoc, PostStateError, type Posts } from './posts.ts';
import type { Roles } from './roles.ts';
import type { Scheduling } from './scheduling.ts';

/** How long an answer of `BrandFreeze.isActive` is reused. */
const recheckMs = 250;

/** The one freeze document: whether publishing is frozen, by whom, why and since when. */
export interface FreezeDoc {
  _id: 'brand';
  version: number;
  active: boolean;
  by?: string;
  reason?: string;
  since?: Date;
  liftedBy?: string;
  liftedAt?: Date;
}

/** The freeze as shown at the top of the queue and App Home. */
export type FreezeState = Pick<FreezeDoc, 'by' | 'reason' | 'since'>;

/** `/wone freeze` while frozen, or `/wone unfreeze` while not. */
export class FreezeStateError extends Error {
  readonly code = 'freeze_state';
  constructor(readonly frozen: boolean) {
    super(frozen ? 'Publishing is already frozen.' : 'Publishing is not frozen.');
    this.name = 'FreezeStateError';
  }
}

/** What a freeze held: scheduled posts, and posts already started that it could not stop. */
export interface FreezeOutcome {
  freeze: FreezeState;
  held: PostDoc[];
}

/** What lifting a freeze did: posts whose time passed (waiting for a decision) and posts that go out at their time. */
export interface UnfreezeOutcome {
  by: string;
  passed: PostDoc[];
  resumed: PostDoc[];
}

/**
 * A brand freeze (admins): while it lasts no post starts publishing. Freezing marks every scheduled post held in one
 * update; the publisher reads the freeze before it starts a post and holds it too, so posts approved during the freeze
 * wait as well. Lifting it sends the held posts whose time is still ahead out at their time; the others wait for a
 * person (Publish now, Reschedule, Cancel).
 */
export class BrandFreeze {
  /** The last answer of `isActive`, shared by the posts that start in the same moment. */
  private known: { active: Promise<boolean>; until: number } | undefined;

  constructor(
    private readonly deps: {
      db: Db;
      posts: Posts;
      scheduling: Scheduling;
      roles: Roles;
      audit: AuditLog;
      logger: Logger;
      clock: () => Date;
    },
  ) {}

  private get collection() {
    return this.deps.db.collection<FreezeDoc>('freeze');
  }

  /** The freeze in force, or `undefined`. */
  async current(): Promise<FreezeState | undefined> {
    const doc = await this.collection.findOne({ _id: 'brand' });
    if (!doc?.active) return undefined;
    return {
      ...(doc.by ? { by: doc.by } : {}),
      ...(doc.reason ? { reason: doc.reason } : {}),
      ...(doc.since ? { since: doc.since } : {}),
    };
  }

  /**
   * Whether publishing is frozen, as the publisher asks before it starts each post. Read at most every `recheckMs`
   * (a freeze from another instance takes effect within that), so a thousand posts due at once cost one read, not a
   * thousand; this instance's own freeze and unfreeze take effect at once.
   */
  isActive(): Promise<boolean> {
    const now = Date.now();
    if (this.known && this.known.until > now) return this.known.active;
    const active = this.current().then((freeze) => freeze !== undefined);
    this.known = { active, until: now + recheckMs };
    active.catch(() => {
      this.known = undefined;
    });
    return active;
  }

  /** Freezes publishing (admins): every scheduled post is held at once. */
  async freeze(by: string, reason: string): Promise<FreezeOutcome> {
    await this.deps.roles.require(by, 'freeze');
    await this.ensureDocument();
    const since = this.deps.clock();
    const frozen = await guardedUpdate(
      this.collection,
      'brand',
      { active: { $ne: true } },
      { $set: { active: true, by, reason, since } },
    );
    this.known = undefined;
    if (!frozen) throw new FreezeStateError(true);
    const posts = this.deps.posts.collection;
    await posts.updateMany({ state: 'scheduled' }, { $set: { heldByFreeze: true } });
    // Posts already prepared to start at their time are held by the publisher when that time comes.
    const held = await posts
      .find({ $or: [{ state: 'scheduled' }, { state: 'publishing', dueAt: { $gt: since } }] })
      .sort({ dueAt: 1 })
      .toArray();
    await this.deps.audit.record({
      actor: by,
      action: 'freeze',
      subject: 'freeze',
      details: { reason: reason.slice(0, 500), held: held.length },
    });
    return { freeze: { by, reason, since }, held };
  }

  /** Lifts the freeze (admins): posts whose time is ahead are planned again; the others wait for a decision. */
  async unfreeze(by: string): Promise<UnfreezeOutcome> {
    await this.deps.roles.require(by, 'freeze');
    const lifted = await guardedUpdate(
      this.collection,
      'brand',
      { active: true },
      { $set: { active: false, liftedBy: by, liftedAt: this.deps.clock() } },
    );
    this.known = undefined;
    if (!lifted) throw new FreezeStateError(false);
    const now = this.deps.clock();
    const held = await this.deps.posts.collection
      .find({ state: 'scheduled', heldByFreeze: true })
      .sort({ dueAt: 1 })
      .toArray();
    const passed: PostDoc[] = [];
    const resumed: PostDoc[] = [];
    for (const post of held) {
      if (!post.dueAt || post.dueAt.getTime() <= now.getTime()) {
        const moved = await this.deps.posts
          .move(post._id, ['scheduled'], 'overdue', {
            decision: { action: 'held_past', by: 'system' },
            unset: ['heldByFreeze'],
          })
          .catch((error) => {
            if (error instanceof PostStateError) return undefined;
            throw error;
          });
        if (moved) passed.push(moved);
        continue;
      }
      const released = await this.deps.posts.patch(post._id, ['scheduled'], { heldByFreeze: false });
      if (!released) continue;
      await this.deps.scheduling.plan(post._id, post.dueAt);
      resumed.push(released);
    }
    // Held posts that left `scheduled` during the freeze (edited, cancelled) carry no mark either.
    await this.deps.posts.collection.updateMany({ heldByFreeze: true }, { $unset: { heldByFreeze: '' } });
    await this.deps.audit.record({
      actor: by,
      action: 'unfreeze',
      subject: 'freeze',
      details: { passed: passed.length, resumed: resumed.length },
    });
    return { by, passed, resumed };
  }

  private async ensureDocument(): Promise<void> {
    await this.collection.insertOne({ _id: 'brand', version: 0, active: false }).catch((error: { code?: number }) => {
      if (error.code !== 11000) throw error;
    });
  }
}
