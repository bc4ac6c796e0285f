import type { Agenda } from 'agenda';
import type { ObjectId } from 'mongodb';
import type { Logger } from '../logger.ts';
import type { PostNotifier } from '../notify/post-notifier.ts';
import type { AuditLog } from './audit.ts';
import type { MediaStore } from './media-store.ts';
import { type PostDoc, PostStateError, type Posts, queuedStates } from './posts.ts';
import type { Roles } from './roles.ts';
import { formatInZone, resolveLocalTime } from './schedule-time.ts';
import type { Targets } from './targets.ts';

export const publishJobName = 'publish-post';

/** How long media stay stored after a post is finished or dropped. */
export const mediaRetentionMs = 7 * 24 * 60 * 60 * 1000;

/** A new time that cannot be used; `field` names the modal input. */
export class ScheduleError extends Error {
  readonly code = 'schedule_invalid';
  constructor(
    readonly field: 'date' | 'time',
    message: string,
  ) {
    super(message);
    this.name = 'ScheduleError';
  }
}

/**
 * When approved posts go out: one Agenda job per post (data: the post id), created, moved and cancelled through
 * Agenda's API only; `reconcile` (at startup and then every lease) revives the job of any post left without one that
 * will run. Each instance's `PublishDispatcher` is the one runner of these jobs (Agenda does not run them).
 */
export class Scheduling {
  constructor(
    private readonly deps: {
      scheduler: Agenda;
      posts: Posts;
      targets: Targets;
      media: MediaStore;
      notifier: PostNotifier;
      roles: Roles;
      audit: AuditLog;
      logger: Logger;
      graceMinutes: number;
      /** How long a publishing run may go without a sign of life before another instance takes over. */
      leaseMs: number;
    },
  ) {}

  /** Creates or moves the post's job to `at`. */
  async plan(postId: string, at: Date): Promise<void> {
    await this.deps.scheduler.create(publishJobName, { postId }).unique({ 'data.postId': postId }).schedule(at).save();
  }

  /** Removes the post's job. */
  async unplan(postId: string): Promise<void> {
    await this.deps.scheduler.cancel({ name: publishJobName, data: { postId } });
  }

  /**
   * Removes the job of a post whose run needs nothing more. A person may have queued one of its targets again while
   * the run was being written up (Retry, Publish again put the post back in publishing and plan it): then the post is
   * planned again, at once, so the cancel cannot strand it.
   */
  async unplanFinished(postId: string): Promise<void> {
    await this.unplan(postId);
    const post = await this.deps.posts.getFields(postId, ['state']);
    if (post?.state === 'publishing') await this.plan(postId, new Date());
  }

  /**
   * Cancels (through Agenda) the publish jobs left with no next run, as Agenda left the ones it ran to the end before
   * the dispatcher ran every post: the job collection then holds only what is still to run, which keeps every look for
   * due jobs short. A post whose job has no next run and still needs one gets it back from `reconcile`.
   */
  async pruneFinishedJobs(): Promise<number> {
    const jobs = this.deps.posts.collection.db.collection<PublishJobDoc>('jobs');
    const finished = await jobs.find({ name: publishJobName, nextRunAt: null }, { projection: { _id: 1 } }).toArray();
    if (finished.length === 0) return 0;
    return this.deps.scheduler.cancel({ ids: finished.map((job) => job._id.toHexString()) });
  }

  /** Whether a post that was due at `dueAt` may still go out at `now`, or has missed its grace window. */
  withinGrace(dueAt: Date, now = new Date()): boolean {
    return now.getTime() - dueAt.getTime() <= this.deps.graceMinutes * 60_000;
  }

  /** Moves a scheduled or overdue post to a new local time (approvers). */
  async reschedule(postId: string, by: string, date: string, time: string, timezone: string): Promise<PostDoc> {
    await this.deps.roles.require(by, 'reschedule');
    const resolved = resolveLocalTime(date, time, timezone);
    if (!resolved.ok) throw new ScheduleError(resolved.field, resolved.message);
    if (resolved.at.getTime() < Date.now() + 60_000) throw new ScheduleError('time', 'Choose a time in the future.');
    const post = await this.deps.posts.move(postId, queuedStates, 'scheduled', {
      decision: { action: 'rescheduled', by, note: formatInZone(resolved.at, timezone) },
      set: { dueAt: resolved.at, schedule: { kind: 'at', date, time, timezone } },
    });
    await this.deps.targets.reschedule(postId, resolved.at);
    await this.plan(postId, resolved.at);
    await this.deps.audit.record({ actor: by, action: 'reschedule', subject: `post:${postId}` });
    await this.deps.notifier.showPreview(post);
    await this.deps.notifier.decision(post, 'rescheduled', by, formatInZone(resolved.at, timezone));
    if (post.requestedBy !== by) {
      const when = formatInZone(resolved.at, post.requesterTimezone);
      await this.deps.notifier.tellRequester(post, { kind: 'rescheduled', by, when });
    }
    return post;
  }

  /** Cancels a post that has not gone out (approvers). */
  async cancel(postId: string, by: string): Promise<PostDoc> {
    await this.deps.roles.require(by, 'cancel');
    const post = await this.deps.posts.move(postId, queuedStates, 'cancelled', {
      decision: { action: 'cancelled', by },
      set: { finishedAt: new Date() },
    });
    await this.unplan(postId);
    await this.deps.targets.dropQueued(postId);
    await this.deps.media.expire(
      post.media.map((media) => media.id),
      new Date(Date.now() + mediaRetentionMs),
    );
    await this.deps.audit.record({ actor: by, action: 'cancel', subject: `post:${postId}` });
    await this.deps.notifier.showPreview(post);
    await this.deps.notifier.decision(post, 'cancelled', by);
    if (post.requestedBy !== by) await this.deps.notifier.tellRequester(post, { kind: 'cancelled', by });
    return post;
  }

  /** Sends an overdue or scheduled post out now (approvers). */
  async publishNow(postId: string, by: string): Promise<PostDoc> {
    await this.deps.roles.require(by, 'approve');
    const now = new Date();
    const post = await this.deps.posts.move(postId, queuedStates, 'scheduled', {
      decision: { action: 'publish_now', by },
      set: { dueAt: now },
    });
    await this.deps.targets.reschedule(postId, now);
    await this.plan(postId, now);
    await this.deps.audit.record({ actor: by, action: 'publish_now', subject: `post:${postId}` });
    await this.deps.notifier.showPreview(post);
    await this.deps.notifier.decision(post, 'publish_now', by);
    return post;
  }

  /** A post found past its grace window: kept for a person to decide, and said so in Slack. */
  async flagOverdue(post: PostDoc): Promise<void> {
    try {
      const flagged = await this.deps.posts.move(post._id, ['scheduled'], 'overdue', {
        decision: { action: 'overdue', by: 'system' },
      });
      await this.deps.notifier.showPreview(flagged);
      const due = flagged.dueAt ? formatInZone(flagged.dueAt, flagged.requesterTimezone) : 'its time';
      await this.deps.notifier.thread(
        flagged,
        `<@${flagged.requestedBy}> this post was due ${due} but the app was not running then. It has not been published. An approver can publish it now, reschedule or cancel it.`,
      );
    } catch (error) {
      if (!(error instanceof PostStateError)) throw error;
    }
  }

  /**
   * At startup and then every lease: every scheduled or publishing post whose job was lost, or has no next run, gets
   * one back through Agenda (jobs that will run are left as they are: a job stays due while its post is published, and
   * the dispatcher resumes a run whose process died once its leases lapse). Returns how many were planned again.
   */
  async reconcile(now = new Date()): Promise<number> {
    const posts = await this.deps.posts.collection
      .find(
        // Posts a brand freeze holds have no job on purpose: lifting the freeze plans them.
        { state: { $in: ['scheduled', 'publishing'] }, heldByFreeze: { $ne: true } },
        { projection: { _id: 1, dueAt: 1, state: 1 } },
      )
      .toArray();
    const jobs = this.deps.posts.collection.db.collection<PublishJobDoc>('jobs');
    // Read the job collection directly, in one query: Agenda's query helpers use aggregation stages FerretDB lacks,
    // and one query per post would make a start with a long queue slow.
    const planned = new Set<string>();
    const found = jobs.find({ name: publishJobName }, { projection: { _id: 1, 'data.postId': 1, nextRunAt: 1 } });
    for (const job of await found.toArray()) {
      if (job.data?.postId && job.nextRunAt instanceof Date) planned.add(job.data.postId);
    }
    let recreated = 0;
    for (const post of posts) {
      if (planned.has(post._id)) continue;
      await this.plan(post._id, post.state === 'publishing' ? now : (post.dueAt ?? now));
      recreated += 1;
    }
    if (recreated > 0) this.deps.logger.info({ recreated }, 'revived publish jobs');
    return recreated;
  }
}

/** The parts of an Agenda job document that `reconcile` and `pruneFinishedJobs` read (never write). */
interface PublishJobDoc {
  _id: ObjectId;
  name: string;
  data?: { postId?: string };
  nextRunAt?: Date | null;
}
