import type { Agenda, Job } from 'agenda';
import type { Db } from 'mongodb';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import type { AccountDoc } from '../services/accounts.ts';
import type { PostDoc, PostState } from '../services/posts.ts';
import type { TargetState } from '../services/targets.ts';
import {
  commentDelivered,
  platformRequest,
  publishOutcome,
  publishStarted,
  rateLimitWait,
  slackApiError,
} from './events.ts';

const dayMs = 24 * 60 * 60 * 1000;

/** Every state, so each gets its series (a zero included); the compiler keeps the lists whole. */
const postStates = Object.keys({
  drafted: true,
  pending_approval: true,
  changes_requested: true,
  rejected: true,
  scheduled: true,
  overdue: true,
  publishing: true,
  published: true,
  needs_attention: true,
  cancelled: true,
  expired: true,
} satisfies Record<PostState, true>) as PostState[];
const targetStates = Object.keys({
  queued: true,
  publishing: true,
  published: true,
  failed: true,
  unconfirmed: true,
  held: true,
} satisfies Record<TargetState, true>) as TargetState[];

/**
 * The app's Prometheus metrics, in a registry of its own: counters and histograms fed by the facts the app reports
 * (`events.ts`) and the scheduler's events, gauges read from the database at each scrape, and Node's process metrics.
 * Every name starts with `wone_`.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly unlisten: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'wone_' });

    const lateness = new Histogram({
      name: 'wone_publish_lateness_seconds',
      help: "Seconds from a post's due time to its first platform call, per target",
      labelNames: ['platform'],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    const outcomes = new Counter({
      name: 'wone_publish_outcomes_total',
      help: 'Publish attempts by platform and how they ended (published, sent_to_inbox, unconfirmed, failed, held, retry)',
      labelNames: ['platform', 'outcome'],
      registers,
    });
    const requests = new Counter({
      name: 'wone_platform_requests_total',
      help: 'HTTP requests to the platforms by platform and HTTP status (network_error when no answer came)',
      labelNames: ['platform', 'status'],
      registers,
    });
    const waits = new Counter({
      name: 'wone_platform_rate_limit_waits_total',
      help: 'Times a platform asked us to wait (rate limited), by platform',
      labelNames: ['platform'],
      registers,
    });
    const waitSeconds = new Counter({
      name: 'wone_platform_rate_limit_wait_seconds_total',
      help: 'Seconds the platforms asked us to wait, by platform',
      labelNames: ['platform'],
      registers,
    });
    const slackErrors = new Counter({
      name: 'wone_slack_api_errors_total',
      help: 'Failed Slack Web API calls by method and error',
      labelNames: ['method', 'error'],
      registers,
    });
    const commentLag = new Histogram({
      name: 'wone_comment_intake_lag_seconds',
      help: "Seconds from a comment's platform timestamp to its message in Slack",
      labelNames: ['platform'],
      buckets: [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 6 * 3600, 24 * 3600],
      registers,
    });
    this.digestRuns = new Counter({
      name: 'wone_digest_runs_total',
      help: 'Weekly digest runs by outcome (success, failed)',
      labelNames: ['outcome'],
      registers,
    });
    this.jobFailures = new Counter({
      name: 'wone_job_failures_total',
      help: 'Scheduled job runs that failed, by job name',
      labelNames: ['job'],
      registers,
    });

    const collectSafely = (what: string, collect: () => Promise<void>) => async () => {
      try {
        await collect();
      } catch (error) {
        this.logger.warn({ problem: (error as Error).message }, `metrics: could not read ${what}`);
      }
    };
    const posts = new Gauge({
      name: 'wone_posts',
      help: 'Posts by state (pending_approval, scheduled, overdue, publishing, needs_attention, …)',
      labelNames: ['state'],
      registers,
      collect: collectSafely('posts', async () => {
        for (const [state, count] of await this.countByState('posts', postStates)) posts.set({ state }, count);
      }),
    });
    const targets = new Gauge({
      name: 'wone_publish_targets',
      help: 'Publish targets (post × account) by state (queued, publishing, published, failed, unconfirmed, held)',
      labelNames: ['state'],
      registers,
      collect: collectSafely('targets', async () => {
        for (const [state, count] of await this.countByState('targets', targetStates)) targets.set({ state }, count);
      }),
    });
    const dueWaiting = new Gauge({
      name: 'wone_post_due_waiting_seconds',
      help: 'Seconds the longest-waiting scheduled post is past its due time and not started (0: none)',
      registers,
      collect: collectSafely('due posts', async () => {
        const now = new Date();
        const oldest = await this.db
          .collection<PostDoc>('posts')
          .find(
            { state: 'scheduled', dueAt: { $lte: now } },
            { projection: { dueAt: 1 }, sort: { dueAt: 1 }, limit: 1 },
          )
          .next();
        dueWaiting.set(oldest?.dueAt ? (now.getTime() - oldest.dueAt.getTime()) / 1000 : 0);
      }),
    });
    const accounts = new Gauge({
      name: 'wone_accounts',
      help: 'Connected accounts by platform and status (ok, reconnect_needed)',
      labelNames: ['platform', 'status'],
      registers,
      collect: collectSafely('accounts', async () => {
        accounts.reset();
        const rows = await this.db
          .collection<AccountDoc>('accounts')
          .find({ status: { $ne: 'disconnected' } }, { projection: { platform: 1, status: 1 } })
          .toArray();
        for (const row of rows) accounts.inc({ platform: row.platform, status: row.status });
      }),
    });
    const expiry = new Gauge({
      name: 'wone_token_expiry_days',
      help: "Days until a connected account's access token expires (accounts whose token expires)",
      labelNames: ['account', 'platform'],
      registers,
      collect: collectSafely('token expiry', async () => {
        expiry.reset();
        const now = Date.now();
        const rows = await this.db
          .collection<AccountDoc>('accounts')
          .find(
            { status: { $ne: 'disconnected' }, tokenExpiresAt: { $exists: true } },
            { projection: { platform: 1, tokenExpiresAt: 1 } },
          )
          .toArray();
        for (const row of rows) {
          if (!row.tokenExpiresAt) continue;
          expiry.set({ account: row._id, platform: row.platform }, (row.tokenExpiresAt.getTime() - now) / dayMs);
        }
      }),
    });

    this.unlisten.push(
      publishStarted.listen((event) => lateness.observe({ platform: event.platform }, event.latenessSeconds)),
      publishOutcome.listen((event) => outcomes.inc({ platform: event.platform, outcome: event.outcome })),
      platformRequest.listen((event) => requests.inc({ platform: event.platform, status: event.status })),
      rateLimitWait.listen((event) => {
        waits.inc({ platform: event.platform });
        waitSeconds.inc({ platform: event.platform }, Math.max(0, event.waitSeconds));
      }),
      slackApiError.listen((event) => slackErrors.inc({ method: event.method, error: event.error })),
      commentDelivered.listen((event) =>
        commentLag.observe({ platform: event.platform }, Math.max(0, event.lagSeconds)),
      ),
    );
  }

  private readonly digestRuns: Counter<'outcome'>;
  private readonly jobFailures: Counter<'job'>;

  /** Counts the scheduler's failed runs by job, and the weekly digest's runs. */
  watchScheduler(scheduler: Agenda, digestJobName: string): void {
    // Another instance's runs arrive as `remote` events: each instance counts only its own.
    const onFail = (_error: unknown, job: Job, remote?: boolean) => {
      if (!remote) this.jobFailures.inc({ job: job.attrs.name });
    };
    const onDigestSuccess = (_job: Job, remote?: boolean) => {
      if (!remote) this.digestRuns.inc({ outcome: 'success' });
    };
    const onDigestFail = (_error: unknown, _job: Job, remote?: boolean) => {
      if (!remote) this.digestRuns.inc({ outcome: 'failed' });
    };
    scheduler.on('fail', onFail);
    scheduler.on(`success:${digestJobName}`, onDigestSuccess);
    scheduler.on(`fail:${digestJobName}`, onDigestFail);
    this.unlisten.push(() => {
      scheduler.off('fail', onFail);
      scheduler.off(`success:${digestJobName}`, onDigestSuccess);
      scheduler.off(`fail:${digestJobName}`, onDigestFail);
    });
  }

  /** The metrics in Prometheus' text format. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops listening (the app is stopping). */
  close(): void {
    for (const unlisten of this.unlisten.splice(0)) unlisten();
    this.registry.clear();
  }

  /** One count per state, each answered by the `state` index (no `$group`, which the embedded database mishandles). */
  private async countByState(collection: string, states: string[]): Promise<[string, number][]> {
    const counts: [string, number][] = [];
    for (const state of states) counts.push([state, await this.db.collection(collection).countDocuments({ state })]);
    return counts;
  }
}
