import type { CustomRoute } from '@slack/bolt';
import type { SlackStatus } from '../handlers/slack-probe.ts';
import type { Logger } from '../logger.ts';
import { route, sendJson } from './route.ts';

export interface Readiness {
  database(): Promise<boolean>;
  scheduler(): boolean;
  /** Whether Slack answers with this bot token (a recent look, see `SlackProbe`). */
  slack(): Promise<SlackStatus>;
}

/**
 * `GET /healthz`: the process is up. `GET /readyz`: each dependency by name (database, scheduler, Slack); 200 only
 * when all of them are fine, else 503.
 */
export function healthRoutes(readiness: Readiness, logger: Logger): CustomRoute[] {
  return [
    route('GET', '/healthz', async (_req, res) => sendJson(res, 200, { status: 'ok' }), logger),
    route(
      'GET',
      '/readyz',
      async (_req, res) => {
        const [database, slack] = await Promise.all([readiness.database(), readiness.slack()]);
        const scheduler = readiness.scheduler();
        const ready = database && scheduler && slack.state === 'ok';
        sendJson(res, ready ? 200 : 503, {
          status: ready ? 'ready' : 'not ready',
          database: database ? 'ok' : 'unreachable',
          scheduler: scheduler ? 'running' : 'stopped',
          slack: slackWords(slack),
        });
      },
      logger,
    ),
  ];
}

function slackWords(status: SlackStatus): string {
  switch (status.state) {
    case 'ok':
      return 'ok';
    case 'refused':
      return `refused the bot token (${status.error})`;
    case 'wrong_workspace':
      return 'the bot token is for another workspace';
    case 'unreachable':
      return 'unreachable';
  }
}
