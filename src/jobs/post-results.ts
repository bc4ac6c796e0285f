import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';

export const postResultsJob = 'post-results';

/**
 * Every `RESULTS_CHECK_MINUTES`: replies with the figures of posts whose 24-hour or 7-day checkpoint has come. What is
 * due is read from the stored targets, so a restart loses nothing; one run at a time.
 */
export function definePostResults(agenda: Agenda, services: Services): void {
  agenda.define(
    postResultsJob,
    async () => {
      const report = await services.postResults.runDue();
      if (report.due > 0) services.logger.info(report, 'post results run');
    },
    { concurrency: 1, lockLimit: 1, lockLifetime: 10 * 60_000 },
  );
}

/** Schedules the check (once per deployment: Agenda keeps one recurring job by name). */
export async function schedulePostResults(agenda: Agenda, services: Services): Promise<void> {
  await agenda.every(`${services.config.RESULTS_CHECK_MINUTES} minutes`, postResultsJob, undefined, {
    skipImmediate: true,
  });
}
