import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';

export const purgeMediaJobName = 'purge-media';

/** `purge-media` (hourly): deletes stored media whose retention after publishing (or dropping) has run out. */
export function definePurgeMedia(agenda: Agenda, services: Services): void {
  agenda.define(purgeMediaJobName, async () => {
    const removed = await services.media.purgeExpired();
    if (removed > 0) services.logger.info({ removed }, 'expired media deleted');
  });
}
