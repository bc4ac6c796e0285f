import type { Agenda } from 'agenda';
import type { Config } from '../config.ts';
import type { Services } from '../services/index.ts';

export const WEEKLY_DIGEST_JOB = 'weekly-digest';

/** Posts the weekly insights digest. The publisher's per-week claim makes a second run of the same week a no-op. */
export function defineWeeklyDigest(agenda: Agenda, services: Services): void {
  agenda.define(WEEKLY_DIGEST_JOB, async () => {
    const outcome = await services.insightsPublisher.postWeeklyDigest(new Date());
    if (outcome.status === 'failed') throw new Error(`weekly digest ${outcome.weekId} failed: ${outcome.error}`);
  });
}

/**
 * The repeating schedule, `DIGEST_CRON` in `TEAM_TIMEZONE`. Agenda keeps one job of this name however many
 * instances call this (a `single` job is upserted by name), and locks each run to one instance.
 */
export async function scheduleWeeklyDigest(agenda: Agenda, config: Pick<Config, 'DIGEST_CRON' | 'TEAM_TIMEZONE'>) {
  await agenda.every(config.DIGEST_CRON, WEEKLY_DIGEST_JOB, undefined, {
    timezone: config.TEAM_TIMEZONE,
    skipImmediate: true,
  });
}
