import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { startWoneApp, type WoneApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { sandboxRoutes } from './routes.ts';
import { claimDataDir, refuseRealSettings } from './safety.ts';
import { type SimulatedAccount, type Simulators, startSimulators } from './simulators.ts';
import type { SlackIdentity, SlackPerson } from './slack-payloads.ts';
import { type SandboxChannel, SandboxWorkspace } from './workspace.ts';

export const sandboxIdentity: SlackIdentity = {
  teamId: 'T0SANDBOX',
  teamDomain: 'wone-sandbox',
  appId: 'A0WONESBX',
  botId: 'B0WONESBX',
  botUserId: 'U0WONEBOT',
};

/** The three people of the sandbox, one per role. */
export const sandboxPeople: (SlackPerson & { role: 'editor' | 'approver' | 'admin' })[] = [
  { id: 'U0EDITOR', name: 'Eddie', timezone: 'Europe/Berlin', role: 'editor' },
  { id: 'U0APPROVER', name: 'April', timezone: 'Europe/Berlin', role: 'approver' },
  { id: 'U0ADMIN', name: 'Ada', timezone: 'Europe/Berlin', role: 'admin' },
];

export const sandboxChannels: SandboxChannel[] = [
  { id: 'C0APPROVALS', name: 'social-approvals', purpose: 'Drafts wait here for an approver.' },
  { id: 'C0COMMENTS', name: 'social-comments', purpose: 'Comments on our posts arrive here.' },
  { id: 'C0DIGEST', name: 'social-digest', purpose: 'The weekly insights digest arrives here.' },
  {
    id: 'C0BILLING',
    name: 'billing',
    purpose: 'Comments about refunds and invoices arrive here too; answer in their thread to propose the reply.',
  },
];

export interface SandboxOptions {
  /** The port of the page and the app; 0 or unset picks a free one (3000 from the command line). */
  port?: number;
  /** Where the embedded database keeps its files (default `./data/sandbox`); emptied at each start. */
  dataDir?: string;
  /** A MongoDB for the sandbox instead of the embedded one (tests); must be a sandbox database on this machine. */
  mongoUrl?: string;
  logger?: Logger;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How often the scheduler looks for due jobs (default 1 s, so a published post shows up at once). */
  jobPollInterval?: number;
  /**
   * The interface to listen on: loopback unless asked otherwise, since the sandbox lets anyone who reaches it act as
   * any of its people, admin included.
   */
  host?: string;
  /**
   * The URL prefix the TikTok simulator treats as verified for pull-from-URL (TikTok's URL-prefix verification);
   * default `<sandbox url>/media/`, where the app serves media. Media elsewhere is refused as TikTok would.
   */
  tiktokVerifiedPrefix?: string;
}

/** A running sandbox: the app against simulated Slack and platforms, and the page that plays the Slack client. */
export interface Sandbox {
  /** `http://localhost:PORT`; the page is at `/sandbox`. */
  url: string;
  app: WoneApp;
  simulators: Simulators;
  workspace: SandboxWorkspace;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox. Refuses an environment with real Slack or platform settings in it, and a data directory that
 * holds anything but sandbox data. The app is the real one (`startWoneApp`), configured from scratch to reach only the
 * simulators; the simulated accounts are stored through the accounts service like connected ones.
 */
export async function startSandbox(env: NodeJS.ProcessEnv, options: SandboxOptions = {}): Promise<Sandbox> {
  refuseRealSettings({ ...env, MONGODB_URL: options.mongoUrl ?? env.MONGODB_URL });
  const dataDir = options.mongoUrl ? undefined : claimDataDir(options.dataDir ?? './data/sandbox');
  const port = options.port ? options.port : await freePort();
  const url = `http://localhost:${port}`;
  const signingSecret = randomBytes(24).toString('hex');
  const botToken = `xoxb-sandbox-${randomBytes(12).toString('hex')}`;
  const webhookVerifyToken = randomBytes(12).toString('hex');
  const simulators = await startSimulators({ botToken, teamId: sandboxIdentity.teamId });
  for (const person of sandboxPeople)
    simulators.slack.addUser({ id: person.id, name: person.name, tz: person.timezone });
  // The billing channel is an expert channel (COMMENT_ROUTES) the bot was invited to.
  simulators.slack.inviteBot('C0BILLING');
  simulators.tiktok.verifiedUrlPrefixes = [
    options.tiktokVerifiedPrefix ?? env.SANDBOX_TIKTOK_VERIFIED_PREFIX ?? `${url}/media/`,
  ];
  // The sandbox serves its media over http on this machine; everything else about pulling is checked as TikTok does.
  simulators.tiktok.requireHttps = false;

  const role = (name: string) =>
    sandboxPeople
      .filter((person) => person.role === name)
      .map((person) => person.id)
      .join(',');
  const config = loadConfig({
    PORT: String(port),
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: botToken,
    SLACK_API_URL: simulators.slack.apiUrl,
    SLACK_TEAM_ID: sandboxIdentity.teamId,
    ...(options.mongoUrl ? { MONGODB_URL: options.mongoUrl } : {}),
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
    PUBLIC_BASE_URL: url,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    META_APP_ID: simulators.graph.appId,
    META_APP_SECRET: simulators.graph.appSecret,
    META_GRAPH_URL: simulators.graph.facebook.url,
    META_LOGIN_URL: simulators.consent.facebookUrl,
    INSTAGRAM_GRAPH_URL: simulators.graph.instagram.url,
    INSTAGRAM_API_URL: simulators.graph.instagramApi.url,
    INSTAGRAM_LOGIN_URL: simulators.consent.instagramUrl,
    INSTAGRAM_APP_ID: simulators.graph.instagramAppId,
    INSTAGRAM_APP_SECRET: simulators.graph.instagramAppSecret,
    META_WEBHOOK_VERIFY_TOKEN: webhookVerifyToken,
    TIKTOK_CLIENT_KEY: simulators.tiktok.clientKey,
    TIKTOK_CLIENT_SECRET: simulators.tiktok.clientSecret,
    TIKTOK_API_URL: simulators.tiktok.url,
    TIKTOK_BUSINESS_API_URL: simulators.tiktok.url,
    TIKTOK_LOGIN_URL: simulators.consent.tiktokUrl,
    TIKTOK_BUSINESS_APP_ID: simulators.tiktok.businessAppId,
    TIKTOK_BUSINESS_APP_SECRET: simulators.tiktok.businessAppSecret,
    APPROVAL_CHANNEL_ID: 'C0APPROVALS',
    COMMENTS_CHANNEL_ID: 'C0COMMENTS',
    DIGEST_CHANNEL_ID: 'C0DIGEST',
    COMMENT_ROUTES: 'refund,billing,invoice=C0BILLING',
    ADMIN_USER_IDS: role('admin'),
    APPROVER_USER_IDS: role('approver'),
    TEAM_TIMEZONE: 'Europe/Berlin',
    LOG_LEVEL: options.logLevel ?? 'info',
  });
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);

  const workspace = new SandboxWorkspace(
    simulators.slack,
    sandboxIdentity,
    sandboxPeople,
    sandboxChannels,
    `http://127.0.0.1:${port}`,
    signingSecret,
  );
  let app: WoneApp | undefined;
  const routes = sandboxRoutes(() => {
    if (!app) throw new Error('the sandbox is still starting');
    const { scheduling } = app.services;
    return {
      workspace,
      simulators,
      db: app.services.db,
      scheduler: app.services.scheduler,
      appUrl: `http://127.0.0.1:${port}`,
      publicUrl: url,
      roles: Object.fromEntries(sandboxPeople.map((person) => [person.id, person.role])),
      publishNow: (postId, by) => scheduling.publishNow(postId, by),
    };
  }, logger);
  try {
    app = await startWoneApp(config, {
      logger,
      extraRoutes: routes,
      slackRetryConfig: { retries: 0 },
      jobPollInterval: options.jobPollInterval ?? 1000,
      host: options.host ?? '127.0.0.1',
      // Media links would be fetched from the internet; the sandbox takes attached files only.
      mediaLinks: false,
    });
    const admin = sandboxPeople.find((person) => person.role === 'admin')?.id ?? 'U0ADMIN';
    for (const account of simulators.accounts) {
      await app.services.accounts.save({
        _id: account.id,
        platform: account.platform,
        login: account.login,
        externalId: account.externalId,
        name: account.name,
        status: 'ok',
        scopes: account.scopes,
        connectedBy: admin,
        connectedAt: new Date(),
        accessToken: account.accessToken,
        ...(account.refreshToken ? { refreshTokenValue: account.refreshToken } : {}),
        ...(account.tokenExpiresAt ? { tokenExpiresAt: account.tokenExpiresAt } : {}),
      });
      if (account.business) {
        const { vault } = app.services;
        await app.services.accounts.attachBusiness(
          account.id,
          {
            businessId: account.business.businessId,
            scopes: account.business.scopes,
            status: 'ok',
            tokenExpiresAt: account.business.tokenExpiresAt,
            connectedBy: admin,
            connectedAt: new Date(),
          },
          { token: vault.seal(account.business.accessToken), refreshToken: vault.seal(account.business.refreshToken) },
        );
      }
    }
    // The Webhooks product is set up as an operator would, and the accounts subscribed as connecting does: Meta
    // delivers comments only for subscribed objects.
    await simulators.graph.configureWebhooks(`http://127.0.0.1:${port}/webhooks/meta`, webhookVerifyToken);
    for (const account of simulators.accounts) {
      if (account.platform === 'tiktok') continue;
      await subscribeWebhooks(simulators, account);
    }
  } catch (error) {
    await app?.stop().catch(() => {});
    await simulators.stop().catch(() => {});
    throw error;
  }
  const running = app;
  return {
    url,
    app: running,
    simulators,
    workspace,
    stop: async () => {
      await running.stop();
      await simulators.stop();
    },
  };
}

/** `subscribed_apps` for a simulated account, as connecting it would: the Page's `feed`, or Instagram Login's `comments`. */
async function subscribeWebhooks(simulators: Simulators, account: SimulatedAccount): Promise<void> {
  const instagram = account.login === 'instagram';
  const base = instagram ? simulators.graph.instagram.url : simulators.graph.facebook.url;
  const path = instagram ? 'me/subscribed_apps' : `${account.externalId}/subscribed_apps`;
  const answer = await fetch(`${base}/v25.0/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ subscribed_fields: instagram ? 'comments' : 'feed' }).toString(),
  });
  if (!answer.ok) throw new Error(`the simulator refused the webhook subscription of ${account.id}`);
}

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
