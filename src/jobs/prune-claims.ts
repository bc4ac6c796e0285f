import type { Agenda } from 'agenda';
import { pruneClaims } from '../db/claims.ts';
import type { Services } from '../services/index.ts';

export const pruneClaimsJobName = 'prune-claims';

/** `prune-claims` (daily): keeps the claim collections and finished publish jobs from growing without end. */
export function definePruneClaims(agenda: Agenda, services: Services): void {
  agenda.define(pruneClaimsJobName, async () => {
    const removed = await pruneClaims(services.db);
    if (removed > 0) services.logger.info({ removed }, 'old claims deleted');
    const finished = await services.scheduling.pruneFinishedJobs();
    if (finished > 0) services.logger.info({ finished }, 'finished publish jobs deleted');
  });
}
