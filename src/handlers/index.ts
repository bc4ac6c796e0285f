import type { App } from '@slack/bolt';
import type { Services } from '../services/index.ts';
import { registerAccountActions } from './accounts.ts';
import { registerApprovalHandlers } from './approvals.ts';
import { registerCommentHandlers } from './comments.ts';
import { registerConnectActions } from './connect.ts';
import { registerDraftHandlers } from './drafts.ts';
import { registerInsightsActions } from './insights.ts';
import { registerPublishingHandlers } from './publishing.ts';
import { registerQueueHandlers } from './queue.ts';
import { teamGuard } from './team-guard.ts';
import { registerWoneCommand } from './wone-command.ts';

/** Wires every Slack listener. Each area registers its own commands, actions, views and events. */
export function registerHandlers(app: App, services: Services): void {
  app.use(teamGuard(services.config.SLACK_TEAM_ID));
  registerWoneCommand(app, services);
  registerInsightsActions(app, services);
  registerCommentHandlers(app, services);
  registerDraftHandlers(app, services);
  registerApprovalHandlers(app, services);
  registerQueueHandlers(app, services);
  registerPublishingHandlers(app, services);
  registerAccountActions(app, services);
  registerConnectActions(app, services);
}
