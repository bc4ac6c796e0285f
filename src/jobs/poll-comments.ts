import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';

export const pollCommentsJob = 'poll-comments';

/** Every `COMMENT_POLL_MINUTES`: each connected account's new comments on recent posts; one run at a time. */
export function definePollComments(agenda: Agenda, services: Services): void {
  agenda.define(
    pollCommentsJob,
    async () => {
      const reports = await services.comments.pollAll();
      await services.commentRouting.retryFailed();
      const reads = reports.reduce((sum, report) => sum + report.reads, 0);
      const posted = reports.reduce((sum, report) => sum + report.posted, 0);
      services.logger.debug({ accounts: reports.length, reads, posted }, 'comment poll done');
    },
    { concurrency: 1, lockLimit: 1, lockLifetime: 10 * 60_000 },
  );
}

/** Schedules the poll (once per deployment: Agenda keeps one recurring job by name). */
export async function schedulePollComments(agenda: Agenda, services: Services): Promise<void> {
  await agenda.every(`${services.config.COMMENT_POLL_MINUTES} minutes`, pollCommentsJob, undefined, {
    skipImmediate: true,
  });
}
