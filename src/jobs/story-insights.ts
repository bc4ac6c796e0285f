import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';

export const storyInsightsJob = 'story-insights';

/**
 * Every `RESULTS_CHECK_MINUTES`: reads the figures of live Instagram stories and stores them, so they outlive the 24
 * hours Instagram serves them. What is live is read from the stored targets; one run at a time.
 */
export function defineStoryInsights(agenda: Agenda, services: Services): void {
  agenda.define(
    storyInsightsJob,
    async () => {
      const report = await services.storyInsights.runDue();
      if (report.read > 0 || report.failed > 0) services.logger.info(report, 'story figures run');
    },
    { concurrency: 1, lockLimit: 1, lockLifetime: 10 * 60_000 },
  );
}

/** Schedules the reads (once per deployment: Agenda keeps one recurring job by name). */
export async function scheduleStoryInsights(agenda: Agenda, services: Services): Promise<void> {
  await agenda.every(`${services.config.RESULTS_CHECK_MINUTES} minutes`, storyInsightsJob, undefined, {
    skipImmediate: true,
  });
}
