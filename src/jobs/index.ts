import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';
import { definePublishPost } from './publish-post.ts';
import { definePurgeMedia, purgeMediaJobName } from './purge-media.ts';

/** Defines every Agenda job. Jobs are thin: they read their data and call a service. */
export function defineJobs(agenda: Agenda, services: Services): void {
  definePublishPost(agenda, services);
  definePurgeMedia(agenda, services);
}

/** Recurring jobs and startup checks, once the scheduler runs. */
export async function startRecurringJobs(agenda: Agenda, services: Services): Promise<void> {
  await agenda.every('1 hour', purgeMediaJobName);
  await services.scheduling.reconcile();
}
