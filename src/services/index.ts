import type { WebClient } from '@slack/web-api';
import type { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createPlatformClients, type PlatformClients } from '../platforms/index.ts';
import { MetaLogin } from '../platforms/meta-login.ts';
import { AccountConnect } from './account-connect.ts';
import { AccountDisconnect } from './account-disconnect.ts';
import { Accounts } from './accounts.ts';
import { AuditLog } from './audit.ts';
import { DataDeletion } from './data-deletion.ts';
import { Notifier } from './notifier.ts';
import { OAuthStates } from './oauth-states.ts';
import { Roles } from './roles.ts';
import { TargetHolds } from './target-holds.ts';
import { TokenHealthMonitor } from './token-health.ts';
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
  /** Token refresh and checks; `reportAuthFailure` is for any code whose platform call failed with an auth error. */
  tokenHealth: TokenHealthMonitor;
  /** `/wone connect`, the OAuth callbacks and the choice of accounts. */
  connect: AccountConnect;
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
  const tokenHealth = new TokenHealthMonitor(accounts, platforms, notifier, holds, audit, logger);
  const metaLogin =
    config.META_APP_ID && config.META_APP_SECRET
      ? new MetaLogin({
          graphUrl: config.META_GRAPH_URL,
          instagramGraphUrl: config.INSTAGRAM_GRAPH_URL,
          instagramApiUrl: config.INSTAGRAM_API_URL,
          version: config.META_GRAPH_VERSION,
          appId: config.META_APP_ID,
          appSecret: config.META_APP_SECRET,
        })
      : undefined;
  const connect = new AccountConnect({
    db,
    config,
    vault,
    accounts,
    audit,
    states: new OAuthStates(db),
    logger,
    ...(metaLogin ? { metaLogin } : {}),
    ...(platforms.tiktok ? { tiktok: platforms.tiktok } : {}),
  });
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
    tokenHealth,
    connect,
  };
}
