import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';
import { definePollComments, schedulePollComments } from './poll-comments.ts';
import { defineWeeklyDigest, scheduleWeeklyDigest } from './weekly-digest.ts';

/** Defines every Agenda job. Jobs are thin: they read their data and call a service. */
export function defineJobs(agenda: Agenda, services: Services): void {
  defineWeeklyDigest(agenda, services);
  definePollComments(agenda, services);
}

/** Puts the repeating jobs on the schedule once the scheduler runs (idempotent: every instance may call it). */
export async function scheduleRepeatingJobs(agenda: Agenda, services: Services): Promise<void> {
  await scheduleWeeklyDigest(agenda, services.config);
  await schedulePollComments(agenda, services);
}
