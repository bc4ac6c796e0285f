import type { App } from '@slack/bolt';
import type { Services } from '../services/index.ts';
import { registerAccountActions } from './accounts.ts';
import { registerConnectActions } from './connect.ts';
import { teamGuard } from './team-guard.ts';
import { registerWoneCommand } from './wone-command.ts';

/** Wires every Slack listener. Each area registers its own commands, actions, views and events. */
export function registerHandlers(app: App, services: Services): void {
  app.use(teamGuard(services.config.SLACK_TEAM_ID));
  registerWoneCommand(app, services);
  registerAccountActions(app, services);
  registerConnectActions(app, services);
}
