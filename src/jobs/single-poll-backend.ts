import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';

/**
 * Agenda's MongoDB backend, with at most one search for the next job of each name in flight. Agenda polls on a fixed
 * interval whether or not the previous poll has been answered; on a database that scans the job collection for every
 * search (the embedded one with a long queue) the unanswered searches would pile up without end, holding memory and
 * delaying every other query. A poll that finds the previous search for a name still running finds nothing for that
 * name this time; the running search and the next poll carry on.
 */
export function singlePollBackend(db: Db, collection = 'jobs'): MongoBackend {
  const backend = new MongoBackend({ mongo: db, collection });
  const repository = backend.repository;
  const search = repository.getNextJobToRun.bind(repository);
  const inFlight = new Set<string>();
  repository.getNextJobToRun = async (jobName, ...rest) => {
    if (inFlight.has(jobName)) return undefined;
    inFlight.add(jobName);
    try {
      return await search(jobName, ...rest);
    } finally {
      inFlight.delete(jobName);
    }
  };
  return backend;
}
