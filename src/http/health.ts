import type { CustomRoute } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { route, sendJson } from './route.ts';

export interface Readiness {
  database(): Promise<boolean>;
  scheduler(): boolean;
}

/** `GET /healthz`: the process is up. `GET /readyz`: the database answers and the scheduler runs, else 503. */
export function healthRoutes(readiness: Readiness, logger: Logger): CustomRoute[] {
  return [
    route('GET', '/healthz', async (_req, res) => sendJson(res, 200, { status: 'ok' }), logger),
    route(
      'GET',
      '/readyz',
      async (_req, res) => {
        const [database, scheduler] = [await readiness.database(), readiness.scheduler()];
        const ready = database && scheduler;
        sendJson(res, ready ? 200 : 503, {
          status: ready ? 'ready' : 'not ready',
          database: database ? 'ok' : 'unreachable',
          scheduler: scheduler ? 'running' : 'stopped',
        });
      },
      logger,
    ),
  ];
}
