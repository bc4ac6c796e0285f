import { type Db, type Filter, ObjectId, type UpdateFilter } from 'mongodb';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { PlatformName, PostType } from '../platforms/types.ts';
import type { ApprovalRound } from './approval-steps.ts';
import type { RevisionSnapshot } from './revision-changes.ts';

/**
 * Where a post is in its life. Every change is one atomic update guarded by the state it leaves (see `Posts.move`).
 *
 * drafted → pending_approval → scheduled (approved) → publishing → published | needs_attention
 *                            ↘ changes_requested → (edited) → pending_approval
 *                            ↘ rejected
 *                            ↘ expired (not fully approved by its deadline) → (edited) → pending_approval
 * scheduled → overdue (missed the grace window) → publishing | cancelled
 * scheduled | overdue → cancelled; scheduled | changes_requested → (edited) → pending_approval
 * pending_approval | scheduled → cancelled (withdrawn by its requester)
 */
export type PostState =
  | 'drafted'
  | 'pending_approval'
  | 'changes_requested'
  | 'rejected'
  | 'scheduled'
  | 'overdue'
  | 'publishing'
  | 'published'
  | 'needs_attention'
  | 'cancelled'
  | 'expired';

/** States in which a post waits for its time (the queue). */
export const queuedStates: PostState[] = ['scheduled', 'overdue'];

/** States `/wone queue` lists: waiting for approval, sent back for changes, and waiting for their time. */
export const boardStates: PostState[] = ['pending_approval', 'changes_requested', ...queuedStates];
/** States in which the requester (or an admin) may still edit a post. */
export const editableStates: PostState[] = [
  'drafted',
  'pending_approval',
  'changes_requested',
  'scheduled',
  'overdue',
  'expired',
];

export type DecisionAction =
  | 'submitted'
  | 'edited'
  | 'approved'
  | 'changes_requested'
  | 'rejected'
  | 'rescheduled'
  | 'cancelled'
  | 'overdue'
  | 'publish_now'
  | 'media_refused'
  | 'expired'
  | 'held_past'
  | 'withdrawn';

/** A recorded decision: who did what, when, and why. */
export interface Decision {
  action: DecisionAction;
  /** Slack user id, or `system`. */
  by: string;
  at: Date;
  note?: string;
}

/** A stored piece of media (GridFS file id) and what its content check found. */
export interface MediaRef {
  id: string;
  name: string;
  kind: 'image' | 'video';
  mimeType: string;
  sizeBytes: number;
  width?: number;
  height?: number;
  durationSec?: number;
}

/** A Slack file the requester attached, downloaded after the modal is acknowledged. */
export interface SlackFileRef {
  id: string;
  name: string;
  mimetype: string;
  size: number;
  url: string;
}

export type ScheduleChoice =
  | { kind: 'asap' }
  /** A wall-clock time in the requester's zone; `dueAt` is the instant it resolved to. */
  | { kind: 'at'; date: string; time: string; timezone: string };

export interface TikTokChoices {
  /** Per TikTok account id: the privacy level chosen from that creator's options (never defaulted). */
  privacy: Record<string, string>;
  allowComment: boolean;
  allowDuet: boolean;
  allowStitch: boolean;
  brandOrganic: boolean;
  brandContent: boolean;
  /** Per TikTok account id: the interactions allowed on it (the modal asks per account); else the flags above. */
  interactions?: Record<string, { comment: boolean; duet: boolean; stitch: boolean }>;
  /** The commercial content disclosure toggle (off by default); when on, one of the two kinds must be chosen. */
  disclose?: boolean;
  /** Photo posts: their title (at most 90 characters); the caption is the description. */
  photoTitle?: string;
  /** Photo posts: add TikTok's recommended music, if the requester chose to. */
  autoAddMusic?: boolean;
}

/** Everything the requester typed in the draft modal, kept verbatim so an edit reopens it unchanged. */
export interface DraftContent {
  accountIds: string[];
  postTypes: Partial<Record<PlatformName, PostType>>;
  /** TikTok: post directly to the profile, or send to the creator's inbox. */
  tiktokMode: 'direct' | 'inbox';
  caption: string;
  /** A network's own caption, used there instead of `caption` (only for networks the post goes to). */
  captions?: Partial<Record<PlatformName, string>>;
  firstComment?: string;
  link?: string;
  mediaUrls: string[];
  schedule: ScheduleChoice;
  tiktok: TikTokChoices;
}

/** A document of the `posts` collection. */
export interface PostDoc extends DraftContent {
  _id: string;
  state: PostState;
  requestedBy: string;
  /** The requester's time zone when they last submitted (shown beside the team's). */
  requesterTimezone: string;
  /** When it goes out; for "as soon as approved" it is set at approval. */
  dueAt?: Date;
  media: MediaRef[];
  /** Media of the previous revision, removed once an edit's new media are stored. */
  replacedMedia?: MediaRef[];
  /** Slack files still to download (cleared once stored). */
  pendingFiles: SlackFileRef[];
  /** Each platform's rule check on the stored media (shown in the preview). */
  checks: { platform: PlatformName; problems: string[] }[];
  /** The preview message in the approval channel. */
  approvalMessage?: { channel: string; ts: string };
  decisions: Decision[];
  /** The current round of approval (reset when the post is put up for approval again). */
  approval?: ApprovalRound;
  /** Set while a brand freeze holds this scheduled post: it is not started until the freeze is lifted. */
  heldByFreeze?: boolean;
  /** Counts submissions and edits; a stale click on an older preview is refused. */
  revision: number;
  /** The last revision sent for approval before an edit, so the card can say what the edit changed. */
  previous?: RevisionSnapshot;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
}

export const postIndexes: CollectionIndexes = {
  collection: 'posts',
  indexes: [{ key: { state: 1, dueAt: 1 } }, { key: { requestedBy: 1, createdAt: -1 } }, { key: { finishedAt: -1 } }],
};

/** A transition was refused because the post is no longer in a state it may leave that way. */
export class PostStateError extends Error {
  readonly code = 'post_state';
  constructor(
    readonly postId: string,
    readonly current: PostState | undefined,
    readonly wanted: string,
    /** The decision that put the post where it is, when the refusing code had the post at hand. */
    readonly lastDecision?: Decision,
  ) {
    super(
      current ? `Post ${postId} is ${current.replace('_', ' ')}, so it cannot be ${wanted}.` : `No post ${postId}.`,
    );
    this.name = 'PostStateError';
  }
}

/** The posts store. Every state change goes through `move`: one atomic update guarded by the state it leaves. */
export class Posts {
  constructor(private readonly db: Db) {}

  get collection() {
    return this.db.collection<PostDoc>('posts');
  }

  newId(): string {
    return new ObjectId().toHexString();
  }

  async insert(post: PostDoc): Promise<void> {
    await this.collection.insertOne(post);
  }

  get(id: string): Promise<PostDoc | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Only the named fields of a post, for checks that need no more (the filter stays `{ _id }`, looked up directly). */
  getFields<K extends keyof PostDoc>(id: string, fields: readonly K[]): Promise<Pick<PostDoc, '_id' | K> | null> {
    const projection = Object.fromEntries(fields.map((field) => [field, 1]));
    return this.collection.findOne<Pick<PostDoc, '_id' | K>>({ _id: id }, { projection });
  }

  /**
   * Moves a post from one of `from` to `to`, applying `update` in the same atomic write and recording `decision`.
   * Returns the post after the change, or throws `PostStateError` when another click or worker got there first.
   */
  async move(
    id: string,
    from: PostState[],
    to: PostState,
    options: {
      decision?: Omit<Decision, 'at'>;
      set?: Partial<PostDoc>;
      unset?: (keyof PostDoc)[];
      guard?: Filter<PostDoc>;
    } = {},
  ): Promise<PostDoc> {
    const after = await this.tryMove(id, from, to, options);
    if (after) return after;
    // Another click or worker moved it first (or it is gone): say where it is now.
    const current = await this.getFields(id, ['state']);
    throw new PostStateError(id, current?.state, to.replace('_', ' '));
  }

  /** `move`, but `null` at once when the post did not match or another writer won (for callers that read again). */
  async tryMove(
    id: string,
    from: PostState[],
    to: PostState,
    options: {
      decision?: Omit<Decision, 'at'>;
      set?: Partial<PostDoc>;
      unset?: (keyof PostDoc)[];
      guard?: Filter<PostDoc>;
    } = {},
  ): Promise<PostDoc | null> {
    const now = new Date();
    const update: UpdateFilter<PostDoc> = {
      $set: { ...(options.set ?? {}), state: to, updatedAt: now },
    };
    if (options.decision) update.$push = { decisions: { ...options.decision, at: now } };
    if (options.unset?.length) update.$unset = Object.fromEntries(options.unset.map((key) => [key, '']));
    const guard = { ...(options.guard ?? {}), _id: id, state: { $in: from } } as Filter<PostDoc>;
    return this.collection.findOneAndUpdate(guard, update, { returnDocument: 'after' });
  }

  /** Changes fields without a state change, only while the post is in one of `states`. */
  patch(id: string, states: PostState[], set: Partial<PostDoc>): Promise<PostDoc | null> {
    return this.collection.findOneAndUpdate(
      { _id: id, state: { $in: states } },
      { $set: { ...set, updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
  }

  /** Upcoming posts, soonest first. */
  queue(options: { skip?: number; limit?: number } = {}): Promise<PostDoc[]> {
    return this.collection
      .find({ state: { $in: queuedStates } })
      .sort({ dueAt: 1, _id: 1 })
      .skip(options.skip ?? 0)
      .limit(options.limit ?? 10)
      .toArray();
  }

  countQueue(): Promise<number> {
    return this.collection.countDocuments({ state: { $in: queuedStates } });
  }

  /**
   * Posts on their way out (`boardStates`), soonest first (those going out as soon as approved before them); only
   * those going to `accountId` when given.
   */
  board(options: { skip?: number; limit?: number; accountId?: string } = {}): Promise<PostDoc[]> {
    return this.collection
      .find(boardFilter(options.accountId))
      .sort({ dueAt: 1, _id: 1 })
      .skip(options.skip ?? 0)
      .limit(options.limit ?? 10)
      .toArray();
  }

  countBoard(accountId?: string): Promise<number> {
    return this.collection.countDocuments(boardFilter(accountId));
  }

  /** Posts that expired waiting for approval and have not been edited since, latest first. */
  expired(limit = 10): Promise<PostDoc[]> {
    return this.collection.find({ state: 'expired' }).sort({ updatedAt: -1 }).limit(limit).toArray();
  }

  /** A person's own posts in `states`, most recently changed first (at most `limit`), and how many there are. */
  async ofRequester(userId: string, states: PostState[], limit: number): Promise<{ posts: PostDoc[]; total: number }> {
    const filter: Filter<PostDoc> = { requestedBy: userId, state: { $in: states } };
    const [posts, total] = await Promise.all([
      this.collection.find(filter).sort({ updatedAt: -1, _id: -1 }).limit(limit).toArray(),
      this.collection.countDocuments(filter),
    ]);
    return { posts, total };
  }

  /** Recently finished posts, newest first. */
  recent(limit = 5): Promise<PostDoc[]> {
    return this.collection
      .find({ state: { $in: ['published', 'needs_attention'] } })
      .sort({ finishedAt: -1 })
      .limit(limit)
      .toArray();
  }
}

function boardFilter(accountId: string | undefined): Filter<PostDoc> {
  return { state: { $in: boardStates }, ...(accountId ? { accountIds: accountId } : {}) };
}
