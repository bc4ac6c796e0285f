import type { WebClient } from '@slack/web-api';
import type { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createPlatformClients, type PlatformClients } from '../platforms/index.ts';
import { AccountDisconnect } from './account-disconnect.ts';
import { Accounts } from './accounts.ts';
import { AuditLog } from './audit.ts';
import { DataDeletion } from './data-deletion.ts';
import { Notifier } from './notifier.ts';
import { Roles } from './roles.ts';
import { TargetHolds } from './target-holds.ts';
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
  notifier: Notifier;
  holds: TargetHolds;
  disconnect: AccountDisconnect;
  deletion: DataDeletion;
}

export function createServices(deps: {
  config: Config;
  logger: Logger;
  db: Db;
  scheduler: Agenda;
  slack: WebClient;
}): Services {
  const { config, logger, db, slack } = deps;
  const roles = new Roles(config, async (usergroup) => {
    const answer = await slack.usergroups.users.list({ usergroup });
    return answer.users ?? [];
  });
  const vault = new TokenVault(config.TOKEN_ENCRYPTION_KEY, config.TOKEN_ENCRYPTION_KEY_PREVIOUS);
  const audit = new AuditLog(db);
  const accounts = new Accounts(db, vault);
  const platforms = createPlatformClients(config);
  const notifier = new Notifier(slack, roles, logger);
  const holds = new TargetHolds(db, notifier);
  const disconnect = new AccountDisconnect(accounts, holds, audit, platforms, logger);
  const deletion = new DataDeletion(db, accounts, disconnect, audit);
  return {
    ...deps,
    roles,
    audit,
    vault,
    accounts,
    platforms,
    notifier,
    holds,
    disconnect,
    deletion,
  };
}
