import type { PlatformName, PostType, PublishProgress } from '../platforms/types.ts';

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
}
