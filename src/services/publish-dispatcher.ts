import { randomInt } from 'node:crypto';
import type { Db, ObjectId } from 'mongodb';
import { claimOnce } from '../db/claims.ts';
import type { Logger } from '../logger.ts';
import type { Preparation, PreparedPost, Publisher } from './publisher.ts';
import { publishJobName } from './scheduling.ts';

/** After a start that failed unexpectedly, the post's job is due again this much later. */
const failedStartRetryMs = 10_000;

/** The parts of an Agenda job document the dispatcher reads and writes. */
interface PublishJobDoc {
  _id: ObjectId;
  name: string;
  data?: { postId?: string };
  nextRunAt?: Date | null;
  lockedAt?: Date | null;
}

export interface PublishDispatcherOptions {
  /** How often the due publish jobs are read. */
  pollMs: number;
  /** How long before its time a post is prepared (moved to publishing, targets claimed). */
  leadMs: number;
  /** How many posts are prepared at once. */
  concurrency: number;
}

/**
 * Starts due posts on the second, from every instance. Each approved post keeps its Agenda job (its durable schedule,
 * moved and cancelled with the post), but Agenda locks jobs one query at a time, and on the embedded database each
 * query reads the whole job collection: a minute with a thousand posts would start over minutes. So each instance
 * reads the publish jobs due within the lead once per poll, takes each job with a unique claim (one instance wins),
 * marks it locked the way Agenda does (Agenda leaves it for one lease, and runs it if this instance dies), prepares the
 * post and starts it at its time.
 */
export class PublishDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polling: Promise<void> | undefined;
  /** Prepared posts waiting for their time, by job id. */
  private readonly waiting = new Map<
    string,
    { prepared: PreparedPost; jobId: ObjectId; takenAt: Date; timer: NodeJS.Timeout }
  >();
  private readonly running = new Set<Promise<void>>();
  private readonly salt = randomInt(0, 2 ** 24);

  constructor(
    private readonly deps: { db: Db; publisher: Publisher; logger: Logger },
    private readonly options: PublishDispatcherOptions,
  ) {}

  private get jobs() {
    return this.deps.db.collection<PublishJobDoc>('jobs');
  }

  start(): void {
    this.stopped = false;
    this.schedulePoll(0);
  }

  /**
   * Stops reading jobs, gives back the posts prepared but not started (their jobs are due again at once for any
   * instance) and waits for the posts being published.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    for (const [key, entry] of this.waiting) {
      clearTimeout(entry.timer);
      this.waiting.delete(key);
      await this.deps.publisher.release(entry.prepared).catch(() => undefined);
      await this.settle(entry.jobId, entry.takenAt, entry.prepared.dueAt);
    }
    await Promise.allSettled([...this.running]);
  }

  private schedulePoll(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.polling = this.poll()
        .catch((error) => this.deps.logger.error({ err: error }, 'reading due publish jobs failed'))
        .finally(() => {
          this.polling = undefined;
          if (!this.stopped) this.schedulePoll(this.options.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const horizon = new Date(Date.now() + this.options.leadMs);
    const due = await this.jobs
      .find(
        { name: publishJobName, nextRunAt: { $lte: horizon }, lockedAt: null },
        { projection: { _id: 1, data: 1, nextRunAt: 1 } },
      )
      .toArray();
    // Soonest first; among jobs due at the same time each instance takes its own order, so that several instances
    // share a burst instead of all racing for the same job.
    const mixed = (job: PublishJobDoc) => Number.parseInt(String(job._id).slice(-6), 16) ^ this.salt;
    due.sort((a, b) => (a.nextRunAt?.getTime() ?? 0) - (b.nextRunAt?.getTime() ?? 0) || mixed(a) - mixed(b));
    let next = 0;
    const worker = async () => {
      while (!this.stopped && next < due.length) {
        const job = due[next++] as PublishJobDoc;
        await this.take(job).catch((error) =>
          this.deps.logger.error({ err: error, jobId: String(job._id) }, 'preparing a post failed'),
        );
      }
    };
    const began = Date.now();
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency) }, worker));
    if (due.length > 0) this.deps.logger.info({ jobs: due.length, ms: Date.now() - began }, 'due posts prepared');
  }

  /** Claims one due job, marks it locked, prepares its post and sets it to start at its time. */
  private async take(job: PublishJobDoc): Promise<void> {
    const postId = job.data?.postId;
    const runAt = job.nextRunAt;
    if (!postId || !(runAt instanceof Date) || this.waiting.has(String(job._id))) return;
    if (!(await claimOnce(this.deps.db, `dispatch:${String(job._id)}@${runAt.getTime()}`))) return;
    await this.jobs.updateOne({ _id: job._id }, { $set: { lockedAt: new Date(), lastRunAt: new Date() } });
    let prepared: Preparation;
    try {
      prepared = await this.deps.publisher.prepare(postId, new Date(), new Date(Date.now() + this.options.leadMs));
    } catch (error) {
      // Not left locked for a whole lease: the job is due again soon (steps already taken are guarded).
      await this.settle(job._id, runAt, new Date(Date.now() + failedStartRetryMs)).catch(() => undefined);
      throw error;
    }
    if (prepared.kind === 'later') return this.settle(job._id, runAt, prepared.at);
    if (prepared.kind === 'done') return this.settle(job._id, runAt, undefined);
    const key = String(job._id);
    const timer = setTimeout(
      () => {
        this.waiting.delete(key);
        this.launch(job._id, runAt, prepared);
      },
      Math.max(0, prepared.dueAt.getTime() - Date.now()),
    );
    this.waiting.set(key, { prepared, jobId: job._id, takenAt: runAt, timer });
  }

  private launch(jobId: ObjectId, takenAt: Date, prepared: PreparedPost): void {
    const late = Date.now() - prepared.dueAt.getTime();
    if (late > 1_000) this.deps.logger.warn({ postId: prepared.post._id, lateMs: late }, 'post started late');
    const run = (async () => {
      let next: Date | undefined;
      try {
        next = await this.deps.publisher.start(prepared);
      } catch (error) {
        // Every step is guarded, so running it again is safe; targets not begun are given back for that run.
        this.deps.logger.error({ err: error, postId: prepared.post._id }, 'publishing failed; trying again soon');
        await this.deps.publisher.release(prepared).catch(() => undefined);
        next = new Date(Date.now() + failedStartRetryMs);
      }
      await this.settle(jobId, takenAt, next);
    })().catch((error) => this.deps.logger.error({ err: error }, 'saving a publish job failed'));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /**
   * Writes up a run: the job is due again at `next`, or removed when the post needs nothing more (the job collection
   * then holds only what is still to run). If the post was planned again while it ran (its job moved), that plan
   * stands and the job is only unlocked.
   */
  private async settle(jobId: ObjectId, takenAt: Date, next: Date | undefined): Promise<void> {
    const job = await this.jobs.findOne({ _id: jobId }, { projection: { nextRunAt: 1 } });
    if (!job) return;
    if (job.nextRunAt?.getTime() !== takenAt.getTime()) {
      await this.jobs.updateOne({ _id: jobId }, { $set: { lockedAt: null } });
    } else if (next) {
      await this.jobs.updateOne({ _id: jobId }, { $set: { nextRunAt: next, lockedAt: null } });
    } else {
      await this.jobs.deleteOne({ _id: jobId });
    }
  }
}
