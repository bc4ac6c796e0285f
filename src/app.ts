import { hostname } from 'node:os';
import { App, type CustomRoute, HTTPReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import { type RetryOptions, WebClient } from '@slack/web-api';
import { Agenda } from 'agenda';
import { type Config, configWarnings, loadConfig } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { registerHandlers } from './handlers/index.ts';
import { createPooledFetch, type PooledFetch } from './handlers/pooled-fetch.ts';
import { watchSlackCalls } from './handlers/slack-fetch.ts';
import { SlackProbe } from './handlers/slack-probe.ts';
import { healthRoutes } from './http/health.ts';
import { mediaRoutes } from './http/media.ts';
import { metaWebhookRoutes } from './http/meta-webhooks.ts';
import { metricsRoutes } from './http/metrics.ts';
import { oauthRoutes } from './http/oauth.ts';
import { privacyRoutes } from './http/privacy.ts';
import { slackDoor } from './http/slack-door.ts';
import { defineJobs, startRecurringJobs } from './jobs/index.ts';
import { singlePollBackend } from './jobs/single-poll-backend.ts';
import { WEEKLY_DIGEST_JOB } from './jobs/weekly-digest.ts';
import { boltLogger, createLogger, type Logger } from './logger.ts';
import { Metrics } from './metrics/metrics.ts';
import { createServices, type Services } from './services/index.ts';
import { PublishDispatcher } from './services/publish-dispatcher.ts';

/** How often Agenda looks for due jobs at most (the publish dispatcher, which runs due posts, every `JOB_POLL_SECONDS`). */
const agendaPollSeconds = 5;

export interface WoneAppOptions {
  logger?: Logger;
  /** Web API retry policy; tests use `{ retries: 0 }` so a failing fake answers at once. */
  slackRetryConfig?: RetryOptions;
  /** How often Agenda looks for due jobs. */
  jobPollInterval?: number;
  /** More HTTP routes on the app's port (the sandbox page); production adds none. */
  extraRoutes?: CustomRoute[];
  /** The interface to listen on (HTTP mode); every interface when unset. */
  host?: string;
  /** Whether media links are downloaded (default true); the sandbox takes attached files only. */
  mediaLinks?: boolean;
  /**
   * The time now, for the work that waits for a moment (results checkpoints) and the approval rules (deadlines, what a
   * freeze held past its time); tests pass their own.
   */
  clock?: () => Date;
}

/** A running Wone Social: Slack app, HTTP routes, database and scheduler. */
export interface WoneApp {
  config: Config;
  services: Services;
  bolt: App;
  /** The HTTP port actually listened on. */
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts everything in order: database (embedded when `MONGODB_URL` is unset), scheduler, then the Slack app and HTTP
 * routes on one port. `stop()` shuts down in the reverse order: scheduler (unlocking running jobs), HTTP, database.
 */
export async function startWoneApp(config: Config, options: WoneAppOptions = {}): Promise<WoneApp> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  for (const warning of configWarnings(config)) logger.warn(warning);
  // A refused bot token stops the start here, with what to fix; an unreachable Slack only makes the app not ready.
  const slackProbe = new SlackProbe(config.SLACK_BOT_TOKEN, config.SLACK_TEAM_ID, {
    apiUrl: config.SLACK_API_URL,
    fetch: watchSlackCalls(fetch, config.SLACK_API_URL, logger),
  });
  const slackAtStart = await slackProbe.verifyAtStartup();
  if (slackAtStart.state === 'unreachable') {
    logger.warn({ problem: slackAtStart.problem }, 'Slack cannot be reached: starting, but not ready until it answers');
  }
  const database = await openDatabase(config, logger);
  let scheduler: Agenda | undefined;
  let pooledFetch: PooledFetch | undefined;
  let metrics: Metrics | undefined;
  try {
    scheduler = new Agenda({
      name: `${hostname()}-${process.pid}`,
      backend: singlePollBackend(database.db),
      // Due posts are run by the publish dispatcher (below) alone, every JOB_POLL_SECONDS; Agenda runs everything else,
      // for which a few seconds are soon enough. Each of its polls is one search per job name, which on the embedded
      // database reads the whole job collection.
      processEvery: options.jobPollInterval ?? Math.max(config.JOB_POLL_SECONDS, agendaPollSeconds) * 1000,
      maxConcurrency: config.PUBLISH_CONCURRENCY + 10,
      defaultConcurrency: 10,
    });
    // Agenda's errors can carry its job and database objects (circular): the message is what helps.
    scheduler.on('error', (error: unknown) =>
      logger.error({ problem: error instanceof Error ? error.message : String(error) }, 'scheduler error'),
    );
    const slackOptions = {
      slackApiUrl: config.SLACK_API_URL,
      ...(options.slackRetryConfig ? { retryConfig: options.slackRetryConfig } : {}),
    };
    const slack = new WebClient(config.SLACK_BOT_TOKEN, {
      ...slackOptions,
      logger: boltLogger(logger),
      fetch: watchSlackCalls(fetch, config.SLACK_API_URL, logger),
    });
    const services = createServices({
      config,
      logger,
      db: database.db,
      scheduler,
      slack,
      mediaLinks: options.mediaLinks ?? true,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    defineJobs(scheduler, services);

    if (config.METRICS_TOKEN) {
      metrics = new Metrics(database.db, logger);
      metrics.watchScheduler(scheduler, WEEKLY_DIGEST_JOB);
    }

    let schedulerRunning = false;
    const routes = [
      ...buildRoutes(services, database, () => schedulerRunning, slackProbe),
      ...(metrics && config.METRICS_TOKEN ? metricsRoutes(metrics, config.METRICS_TOKEN, logger) : []),
    ];
    const receiver = createReceiver(config, [...routes, ...(options.extraRoutes ?? [])], logger);
    pooledFetch = createPooledFetch();
    const bolt = new App({
      // Who the bot is comes from the startup check (Bolt's own auth.test would run once, and a Slack that was down
      // then would leave every later event failing).
      authorize: async () => ({ botToken: config.SLACK_BOT_TOKEN, ...(await slackProbe.identity()) }),
      receiver,
      logger: boltLogger(logger),
      clientOptions: { ...slackOptions, fetch: watchSlackCalls(pooledFetch.fetch, config.SLACK_API_URL, logger) },
      convoStore: false,
    });
    registerHandlers(bolt, services);

    // Recurring jobs and the reconciliation go first: once the scheduler polls, a slow database (the embedded one with
    // a long queue) answers these after every poll, and the start would wait on them.
    await startRecurringJobs(scheduler, services);
    await scheduler.start();
    schedulerRunning = true;
    const dispatcher = new PublishDispatcher(
      { db: database.db, publisher: services.publisher, scheduling: services.scheduling, logger },
      {
        pollMs: options.jobPollInterval ?? config.JOB_POLL_SECONDS * 1000,
        leadMs: config.PUBLISH_LEAD_SECONDS * 1000,
        // Preparing is database writes, which take turns on the embedded database: a few at a time go fastest.
        concurrency: Math.min(config.PUBLISH_CONCURRENCY, 8),
      },
    );
    dispatcher.start();
    const started = await bolt.start(options.host ? { port: config.PORT, host: options.host } : config.PORT);
    const port = listeningPort(started) ?? config.PORT;
    logger.info({ port, socketMode: Boolean(config.SLACK_APP_TOKEN) }, 'Wone Social is running');

    let stopping: Promise<void> | undefined;
    const runningScheduler = scheduler;
    const runningFetch = pooledFetch;
    const runningMetrics = metrics;
    return {
      config,
      services,
      bolt,
      port,
      stop: () => {
        stopping ??= (async () => {
          schedulerRunning = false;
          await dispatcher.stop().catch((error) => logger.error({ err: error }, 'publish dispatcher stop failed'));
          await runningScheduler.stop().catch((error) => logger.error({ err: error }, 'scheduler stop failed'));
          await bolt.stop().catch((error) => logger.error({ err: error }, 'HTTP stop failed'));
          await runningFetch.close().catch(() => {});
          await services.media.close().catch(() => {});
          for (const client of Object.values(services.platforms)) {
            if (client && 'close' in client && typeof client.close === 'function') await client.close().catch(() => {});
          }
          runningMetrics?.close();
          await database.close().catch((error) => logger.error({ err: error }, 'database close failed'));
          logger.info('Wone Social stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    metrics?.close();
    await scheduler?.stop().catch(() => {});
    await pooledFetch?.close().catch(() => {});
    await database.close().catch(() => {});
    throw error;
  }
}

/** Reads the configuration from the environment and starts the app: the entry point for production and tests. */
export function startFromEnvironment(env: NodeJS.ProcessEnv, options: WoneAppOptions = {}): Promise<WoneApp> {
  return startWoneApp(loadConfig(env), options);
}

function buildRoutes(
  services: Services,
  database: Database,
  schedulerRunning: () => boolean,
  slackProbe: SlackProbe,
): CustomRoute[] {
  return [
    ...healthRoutes(
      { database: () => database.ping(), scheduler: schedulerRunning, slack: () => slackProbe.current() },
      services.logger,
    ),
    ...metaWebhookRoutes(services.config, services.comments, services.logger, async (accountId, commentId) => {
      const instagram = services.platforms.instagram;
      return instagram?.commentMediaId(await services.accounts.access(accountId), commentId);
    }),
    ...mediaRoutes(services.media, services.logger),
    ...privacyRoutes(services),
    ...oauthRoutes(services),
  ];
}

function createReceiver(config: Config, customRoutes: CustomRoute[], logger: Logger): Receiver {
  if (config.SLACK_APP_TOKEN) {
    return new SocketModeReceiver({
      appToken: config.SLACK_APP_TOKEN,
      customRoutes,
      installerOptions: { port: config.PORT },
      logger: boltLogger(logger),
    });
  }
  const bodyLimit = 1024 * 1024;
  const receiver = new HTTPReceiver({
    signingSecret: config.SLACK_SIGNING_SECRET,
    customRoutes,
    logger: boltLogger(logger),
    // A malformed body must not become a 500 (nothing is dispatched either way).
    bodyLimit,
  });
  // Every Slack request passes the door first: signature, age both ways, and a zod parse of the payload.
  receiver.requestListener = slackDoor(receiver.requestListener, {
    signingSecret: config.SLACK_SIGNING_SECRET,
    bodyLimit,
    logger,
  });
  return receiver;
}

function listeningPort(started: unknown): number | undefined {
  const address = (started as { address?: () => unknown } | undefined)?.address?.();
  return typeof address === 'object' && address !== null && 'port' in address ? Number(address.port) : undefined;
}
