import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';
import { defineCheckTokenHealth, scheduleCheckTokenHealth } from './check-token-health.ts';

/** Defines every Agenda job. Jobs are thin: they read their data and call a service. */
export function defineJobs(agenda: Agenda, services: Services): void {
  defineCheckTokenHealth(agenda, services);
}

/** Schedules the recurring jobs, once the scheduler runs. */
export async function scheduleRecurringJobs(agenda: Agenda, services: Services): Promise<void> {
  await scheduleCheckTokenHealth(agenda, services.config.TEAM_TIMEZONE);
}
