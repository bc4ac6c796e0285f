import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';

/** Defines every Agenda job. Jobs are thin: they read their data and call a service. */
export function defineJobs(_agenda: Agenda, _services: Services): void {}
