import { randomInt } from 'node:crypto';
import type { Db, ObjectId } from 'mongodb';
import type { Logger } from '../logger.ts';
import type { Preparation, PreparedPost, Publisher } from './publisher.ts';
import { publishJobName, type Scheduling } from './scheduling.ts';

/** After a start that failed unexpectedly, this instance looks at the post again this much later. */
const failedStartRetryMs = 10_000;

/** The parts of an Agenda job document the dispatcher reads (it never writes them: the job is moved through Agenda). */
interface PublishJobDoc {
  _id: ObjectId;
  name: string;
  data?: { postId?: string };
  nextRunAt?: Date | null;
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
 * The one runner of due posts, on every instance. Each approved post keeps its Agenda job as its durable schedule
 * (created, moved and cancelled through Agenda's own API, never by writing its fields), but Agenda does not run it:
 * Agenda locks jobs one query at a time, and on the embedded database each query reads the whole job collection, so a
 * minute with a thousand posts would start over minutes. Each instance reads the publish jobs due within the lead once
 * per poll and prepares their posts; who publishes a target is decided by the target's fenced lease alone (one claim
 * wins, and every write presents its lease generation). A job stays due until the run that owns its post writes it up
 * (moves it to the post's next look, or cancels it): a run whose process died leaves it due, and the next instance to
 * look resumes the post once the dead run's leases lapse.
 */
export class PublishDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polling: Promise<void> | undefined;
  /** Prepared posts waiting for their time, by job id. */
  private readonly waiting = new Map<string, { prepared: PreparedPost; timer: NodeJS.Timeout }>();
  /** Jobs this instance is preparing, holding or running (by job id): not taken again meanwhile. */
  private readonly busy = new Set<string>();
  /** Jobs whose posts are in another run's hands or wait for a retry: not looked at by this instance before then. */
  private readonly notBefore = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private readonly salt = randomInt(0, 2 ** 24);

  constructor(
    private readonly deps: {
      db: Db;
      publisher: Publisher;
      scheduling: Pick<Scheduling, 'plan' | 'unplanFinished'>;
      logger: Logger;
    },
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
   * Stops reading jobs, gives back the posts prepared but not started (their jobs are still due, for any instance)
   * and waits for the posts being published.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    for (const [key, entry] of this.waiting) {
      clearTimeout(entry.timer);
      this.waiting.delete(key);
      this.busy.delete(key);
      await this.deps.publisher.release(entry.prepared).catch(() => undefined);
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
    const now = Date.now();
    const horizon = new Date(now + this.options.leadMs);
    const found = await this.jobs
      .find({ name: publishJobName, nextRunAt: { $lte: horizon } }, { projection: { _id: 1, data: 1, nextRunAt: 1 } })
      .toArray();
    const dueKeys = new Set(found.map((job) => String(job._id)));
    for (const key of this.notBefore.keys()) if (!dueKeys.has(key)) this.notBefore.delete(key);
    const due = found.filter((job) => {
      const key = String(job._id);
      return !this.busy.has(key) && (this.notBefore.get(key) ?? 0) <= now;
    });
    // Soonest first; among jobs due at the same time each instance takes its own order, so that several instances
    // share a burst instead of all racing for the same post.
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

  /** Prepares one due job's post and sets it to start at its time. */
  private async take(job: PublishJobDoc): Promise<void> {
    const postId = job.data?.postId;
    const runAt = job.nextRunAt;
    const key = String(job._id);
    if (!postId || !(runAt instanceof Date)) return;
    this.busy.add(key);
    let prepared: Preparation;
    try {
      prepared = await this.deps.publisher.prepare(postId, new Date(), new Date(Date.now() + this.options.leadMs));
    } catch (error) {
      // The job stays due; steps already taken are guarded, and this instance looks again soon.
      this.busy.delete(key);
      this.notBefore.set(key, Date.now() + failedStartRetryMs);
      throw error;
    }
    if (prepared.kind === 'later' && prepared.held) {
      // Another run holds the post's targets (or they wait for a retry that run planned): its job stays as that run
      // leaves it, and this instance looks again when the first lease or retry time comes.
      this.busy.delete(key);
      this.notBefore.set(key, prepared.at.getTime());
      return;
    }
    if (prepared.kind !== 'ready') {
      await this.settle(job._id, postId, runAt, prepared.kind === 'later' ? prepared.at : undefined).finally(() =>
        this.busy.delete(key),
      );
      return;
    }
    const timer = setTimeout(
      () => {
        this.waiting.delete(key);
        this.launch(job._id, postId, runAt, prepared);
      },
      Math.max(0, prepared.dueAt.getTime() - Date.now()),
    );
    this.waiting.set(key, { prepared, timer });
  }

  private launch(jobId: ObjectId, postId: string, takenAt: Date, prepared: PreparedPost): void {
    const key = String(jobId);
    const late = Date.now() - prepared.dueAt.getTime();
    if (late > 1_000) this.deps.logger.warn({ postId, lateMs: late }, 'post started late');
    const run = (async () => {
      let next: Date | undefined;
      try {
        next = await this.deps.publisher.start(prepared);
      } catch (error) {
        // Every step is guarded, so running it again is safe; targets not begun are given back for that run, and the
        // ones this run held are taken up again by this instance without waiting out their lease.
        this.deps.logger.error({ err: error, postId }, 'publishing failed; trying again soon');
        await this.deps.publisher.release(prepared).catch(() => undefined);
        next = new Date(Date.now() + failedStartRetryMs);
      }
      await this.settle(jobId, postId, takenAt, next).catch((error) => {
        // The job stays due (the database may be away): this instance looks again at `next`.
        this.notBefore.set(key, next?.getTime() ?? Date.now() + failedStartRetryMs);
        throw error;
      });
    })()
      .catch((error) => this.deps.logger.error({ err: error }, 'saving a publish job failed'))
      .finally(() => this.busy.delete(key));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /**
   * Writes up a run through Agenda: the post's job is due again at `next`, or cancelled when the post needs nothing
   * more (the job collection then holds only what is still to run). If the post was planned again while it ran (its
   * job moved, or was cancelled), that plan stands.
   */
  private async settle(jobId: ObjectId, postId: string, takenAt: Date, next: Date | undefined): Promise<void> {
    const job = await this.jobs.findOne({ _id: jobId }, { projection: { nextRunAt: 1 } });
    if (!job || job.nextRunAt?.getTime() !== takenAt.getTime()) return;
    if (next) await this.deps.scheduling.plan(postId, next);
    else await this.deps.scheduling.unplanFinished(postId);
  }
}
