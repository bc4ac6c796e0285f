import type { App } from '@slack/bolt';
import type { Services } from '../services/index.ts';
import { registerAccountActions } from './accounts.ts';
import { registerApprovalHandlers } from './approvals.ts';
import { registerCommentHandlers } from './comments.ts';
import { registerConnectActions } from './connect.ts';
import { registerDraftHandlers } from './drafts.ts';
import { registerExpertAnswerHandlers } from './expert-answers.ts';
import { registerInsightsActions } from './insights.ts';
import { registerPublishingHandlers } from './publishing.ts';
import { registerQueueHandlers } from './queue.ts';
import { registerReplyDraftHandlers } from './reply-drafts.ts';
import { SlackRouter } from './router.ts';
import { teamGuard } from './team-guard.ts';
import { registerWithdrawHandler } from './withdraw.ts';
import { registerWoneCommand } from './wone-command.ts';

/**
 * Wires every Slack listener. Each area registers its own commands, actions, views and events with the router, which
 * dispatches them from one middleware after the workspace check.
 */
export function registerHandlers(app: App, services: Services): void {
  app.use(teamGuard(services.config.SLACK_TEAM_ID));
  const router = new SlackRouter();
  const listeners = router.listeners;
  registerWoneCommand(listeners, services);
  registerInsightsActions(listeners, services);
  registerCommentHandlers(listeners, services);
  registerReplyDraftHandlers(listeners, services);
  registerExpertAnswerHandlers(listeners, services);
  registerDraftHandlers(listeners, services);
  registerApprovalHandlers(listeners, services);
  registerQueueHandlers(listeners, services);
  registerPublishingHandlers(listeners, services);
  registerWithdrawHandler(listeners, services);
  registerAccountActions(listeners, services);
  registerConnectActions(listeners, services);
  router.install(app);
}
