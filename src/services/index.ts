import type { WebClient } from '@slack/web-api';
import type { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { Accounts } from './accounts.ts';
import { AuditLog } from './audit.ts';
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
}

export function createServices(deps: {
  config: Config;
  logger: Logger;
  db: Db;
  scheduler: Agenda;
  slack: WebClient;
}): Services {
  const roles = new Roles(deps.config, async (usergroup) => {
    const answer = await deps.slack.usergroups.users.list({ usergroup });
    return answer.users ?? [];
  });
  const vault = new TokenVault(deps.config.TOKEN_ENCRYPTION_KEY, deps.config.TOKEN_ENCRYPTION_KEY_PREVIOUS);
  return { ...deps, roles, audit: new AuditLog(deps.db), vault, accounts: new Accounts(deps.db, vault) };
}
