import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';
import { defineCheckTokenHealth, scheduleCheckTokenHealth } from './check-token-health.ts';
import { defineExpireApprovals, scheduleExpireApprovals } from './expire-approvals.ts';
import { definePollComments, schedulePollComments } from './poll-comments.ts';
import { definePostResults, schedulePostResults } from './post-results.ts';
import { definePruneClaims, pruneClaimsJobName } from './prune-claims.ts';
import { definePublishWatchdog, schedulePublishWatchdog } from './publish-watchdog.ts';
import { definePurgeMedia, purgeMediaJobName } from './purge-media.ts';
import { defineStoryInsights, scheduleStoryInsights } from './story-insights.ts';
import { defineVideoPostIds, videoPostIdsJob } from './video-post-ids.ts';
import { defineWeeklyDigest, scheduleWeeklyDigest } from './weekly-digest.ts';

/** Defines every Agenda job. Jobs are thin: they read their data and call a service. */
export function defineJobs(agenda: Agenda, services: Services): void {
  definePublishWatchdog(agenda, services);
  definePurgeMedia(agenda, services);
  definePruneClaims(agenda, services);
  defineWeeklyDigest(agenda, services);
  definePollComments(agenda, services);
  defineCheckTokenHealth(agenda, services);
  definePostResults(agenda, services);
  defineStoryInsights(agenda, services);
  defineVideoPostIds(agenda, services);
  defineExpireApprovals(agenda, services);
}

/** Repeating jobs and startup checks, once the scheduler runs (idempotent: every instance may call it). */
export async function startRecurringJobs(agenda: Agenda, services: Services): Promise<void> {
  await agenda.every('1 hour', purgeMediaJobName);
  await agenda.every('1 day', pruneClaimsJobName);
  await scheduleWeeklyDigest(agenda, services.config);
  await schedulePollComments(agenda, services);
  await schedulePostResults(agenda, services);
  await scheduleStoryInsights(agenda, services);
  await agenda.every('1 day', videoPostIdsJob);
  await scheduleCheckTokenHealth(agenda, services.config.TEAM_TIMEZONE);
  await schedulePublishWatchdog(agenda, services);
  await scheduleExpireApprovals(agenda, services);
  await services.scheduling.reconcile();
}
