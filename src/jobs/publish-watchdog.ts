import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';

export const publishWatchdogJobName = 'publish-watchdog';

/** `publish-watchdog`: gives back a job to any scheduled or publishing post left without one that will run (see `reconcile`). */
export function definePublishWatchdog(agenda: Agenda, services: Services): void {
  agenda.define(publishWatchdogJobName, async () => {
    await services.scheduling.reconcile();
  });
}

/** Runs once per publishing lease (between 5 seconds and a minute). */
export async function schedulePublishWatchdog(agenda: Agenda, services: Services): Promise<void> {
  const seconds = Math.min(60, Math.max(5, services.config.PUBLISH_LEASE_SECONDS));
  await agenda.every(`${seconds} seconds`, publishWatchdogJobName);
}
