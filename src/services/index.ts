import type { WebClient } from '@slack/web-api';
import type { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { Accounts } from './accounts.ts';
import { AuditLog } from './audit.ts';
import { commentClientsFor } from './comment-clients.ts';
import { CommentNotifier } from './comment-notifier.ts';
import { type CommentPlatformClients, Comments } from './comments.ts';
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
  comments: Comments;
}

export function createServices(deps: {
  config: Config;
  logger: Logger;
  db: Db;
  scheduler: Agenda;
  slack: WebClient;
  /** The platform clients comments are read and answered with. */
  commentClients?: CommentPlatformClients;
}): Services {
  const { commentClients, ...base } = deps;
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
  const comments = new Comments({
    db: deps.db,
    config: deps.config,
    logger: deps.logger.child({ component: 'comments' }),
    accounts,
    audit,
    roles,
    notifier: new CommentNotifier(deps.slack, deps.config.COMMENTS_CHANNEL_ID),
    clients: commentClients ?? commentClientsFor(deps.config),
  });
  return { ...base, roles, audit, vault, accounts, comments };
}
