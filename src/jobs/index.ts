import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';
import { definePollComments, schedulePollComments } from './poll-comments.ts';

/** Defines every Agenda job. Jobs are thin: they read their data and call a service. */
export function defineJobs(agenda: Agenda, services: Services): void {
  definePollComments(agenda, services);
}

/** Puts the recurring jobs on the schedule, once the scheduler runs. */
export async function scheduleRecurringJobs(agenda: Agenda, services: Services): Promise<void> {
  await schedulePollComments(agenda, services);
}
