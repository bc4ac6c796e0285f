import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';

export const videoPostIdsJob = 'video-post-ids';

/**
 * Moves Facebook videos published before their post was kept to their post's id. Runs at start and daily after, so a
 * video whose account was disconnected or whose lookup failed is tried again; with nothing left it is one query.
 */
export function defineVideoPostIds(agenda: Agenda, services: Services): void {
  agenda.define(
    videoPostIdsJob,
    async () => {
      const report = await services.videoPostIds.run();
      if (report.found > 0) services.logger.info(report, 'Facebook videos moved to their posts');
    },
    { concurrency: 1, lockLimit: 1 },
  );
}
