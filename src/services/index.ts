import type { WebClient } from '@slack/web-api';
import type { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createPlatformClients, type PlatformClients } from '../platforms/index.ts';
import { Accounts } from './accounts.ts';
import { AuditLog } from './audit.ts';
import { CommentNotifier } from './comment-notifier.ts';
import { Comments } from './comments.ts';
import { InsightsService } from './insights.ts';
import { InsightsPublisher } from './insights-publisher.ts';
import { Roles } from './roles.ts';
import { TokenVault } from './token-vault.ts';

/** Everything the handlers and jobs work with, built once at startup. */
export interface Services {
  config: Config;
  logger: Logger;
  db: Db;
  scheduler: Agenda;
  /** The bot's Web API client, for work that runs outside a Slack request (jobs, notifications). */
  slack: WebClient;
  roles: Roles;
  audit: AuditLog;
  vault: TokenVault;
  accounts: Accounts;
  /** One client per platform switched on in the configuration. */
  platforms: PlatformClients;
  insights: InsightsService;
  insightsPublisher: InsightsPublisher;
  comments: Comments;
}

export function createServices(deps: {
  config: Config;
  logger: Logger;
  db: Db;
  scheduler: Agenda;
  slack: WebClient;
}): Services {
  const commentRole = deps.config.COMMENT_ROLE;
  const roles = new Roles(
    deps.config,
    async (usergroup) => {
      const answer = await deps.slack.usergroups.users.list({ usergroup });
      return answer.users ?? [];
    },
    undefined,
    { reply_comment: commentRole, hide_comment: commentRole },
  );
  const vault = new TokenVault(deps.config.TOKEN_ENCRYPTION_KEY);
  const audit = new AuditLog(deps.db);
  const accounts = new Accounts(deps.db, vault);
  const platforms = createPlatformClients(deps.config);
  const insights = new InsightsService(deps.db, accounts, platforms, deps.logger);
  const insightsPublisher = new InsightsPublisher(deps.db, insights, deps.slack, deps.config, deps.logger);
  const comments = new Comments({
    db: deps.db,
    config: deps.config,
    logger: deps.logger.child({ component: 'comments' }),
    accounts,
    audit,
    roles,
    notifier: new CommentNotifier(deps.slack, deps.config.COMMENTS_CHANNEL_ID),
    clients: platforms,
  });
  return { ...deps, roles, audit, vault, accounts, platforms, insights, insightsPublisher, comments };
}
