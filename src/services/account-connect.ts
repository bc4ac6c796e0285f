import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from 'mongodb';
import type { Config } from '../config.ts';
import { claimOnce } from '../db/claims.ts';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { Logger } from '../logger.ts';
import { PlatformError } from '../platforms/errors.ts';
import type { MetaApp, WebhookSubscription } from '../platforms/meta-app.ts';
import type { MetaLogin } from '../platforms/meta-login.ts';
import type { TikTokClient } from '../platforms/tiktok.ts';
import type { AccountDoc, Accounts } from './accounts.ts';
import type { AuditLog } from './audit.ts';
import type { LoginFlow, OAuthStates } from './oauth-states.ts';
import type { SealedSecret, TokenVault } from './token-vault.ts';

/** How long the accounts a login reached wait for the admin's choice. */
export const PENDING_LIFETIME_MS = 30 * 60_000;

/** TikTok Login Kit scopes the features use: profile, publishing (direct and to the inbox), and reading our videos. */
export const TIKTOK_LOGIN_SCOPES = ['user.info.basic', 'video.publish', 'video.upload', 'video.list'];

/** One account a login reached, waiting to be chosen. Its tokens are sealed from the moment they arrive. */
export interface PendingCandidate {
  accountId: string;
  platform: AccountDoc['platform'];
  login: AccountDoc['login'];
  externalId: string;
  name: string;
  /** What it is, for the choice: "Facebook Page", "Instagram (via Page X)". */
  describe: string;
  scopes: string[];
  token: SealedSecret;
  tokenExpiresAt?: Date;
  refreshToken?: SealedSecret;
  refreshExpiresAt?: Date;
  /** Instagram through Facebook Login: the Page linked to it (its comment webhooks need that Page subscribed). */
  linkedPageId?: string;
  /** TikTok API for Business connection: linked to the connected account `accountId`, not a new account. */
  business?: { businessId: string };
  alreadyConnected: boolean;
}

/** A completed login whose accounts wait for the admin's choice in Slack. */
export interface PendingConnectionDoc {
  _id: string;
  slackUserId: string;
  flow: LoginFlow;
  metaUserId?: string;
  createdAt: Date;
  expiresAt: Date;
  candidates: PendingCandidate[];
}

export const pendingConnectionIndexes: CollectionIndexes = {
  collection: 'oauth_pending',
  indexes: [{ key: { expiresAt: 1 } }, { key: { metaUserId: 1 } }],
};

export type CallbackOutcome =
  | { kind: 'choose'; pending: PendingConnectionDoc }
  | { kind: 'nothing_found'; flow: LoginFlow }
  | { kind: 'denied'; flow: LoginFlow }
  | { kind: 'refused'; reason: 'missing' | 'unknown' | 'used' | 'expired' | 'wrong_flow' | 'other_browser' }
  | { kind: 'failed'; flow: LoginFlow; message: string };

export type ChoiceOutcome =
  | { kind: 'connected'; accounts: { id: string; name: string }[] }
  | { kind: 'gone' }
  | { kind: 'expired' }
  | { kind: 'other_user' }
  | { kind: 'none_chosen' };

/** The parameters a platform's redirect brings back (already checked to be strings). */
export interface CallbackQuery {
  state?: string;
  code?: string;
  /** The API for Business's name for the code, accepted in its place. */
  auth_code?: string;
  error?: string;
}

export class LoginUnavailableError extends Error {
  readonly code = 'login_unavailable';
  constructor(readonly flow: LoginFlow) {
    super(
      flow === 'instagram'
        ? 'Instagram Login is switched off: set INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET (the Instagram app id and secret from "API setup with Instagram login").'
        : `${flow} is switched off in the configuration.`,
    );
    this.name = 'LoginUnavailableError';
  }
}

/**
 * Connecting accounts: authorize links bound to the admin who asked, the platforms' redirects (code exchanges ending
 * in long-lived tokens), and the admin's choice of which of the reached accounts to keep. Until chosen, the reached
 * accounts wait sealed for 30 minutes; only the chosen ones are stored.
 */
export class AccountConnect {
  constructor(
    private readonly deps: {
      db: Db;
      config: Pick<Config, 'PUBLIC_BASE_URL' | 'TIKTOK_CLIENT_KEY' | 'TIKTOK_LOGIN_URL'>;
      vault: TokenVault;
      accounts: Accounts;
      audit: AuditLog;
      states: OAuthStates;
      logger: Logger;
      metaLogin?: MetaLogin;
      metaApp?: MetaApp;
      tiktok?: TikTokClient;
      now?: () => Date;
    },
  ) {}

  private get pending() {
    return this.deps.db.collection<PendingConnectionDoc>('oauth_pending');
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The logins switched on in the configuration. */
  get flows(): LoginFlow[] {
    const flows: LoginFlow[] = [];
    if (this.deps.metaLogin) flows.push('facebook');
    if (this.deps.metaLogin?.instagramLoginEnabled) flows.push('instagram');
    if (this.deps.tiktok) flows.push('tiktok');
    if (this.deps.tiktok?.businessConfigured) flows.push('tiktok_business');
    return flows;
  }

  /** Logins that are off although their platform is on, and why (shown beside the links). */
  get switchedOff(): string[] {
    const off: string[] = [];
    if (this.deps.metaLogin && !this.deps.metaLogin.instagramLoginEnabled)
      off.push('Instagram Login is off: it needs INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET (see the README).');
    if (this.deps.tiktok && !this.deps.tiktok.businessConfigured) {
      off.push(
        'TikTok comments and insights are off: they need the TikTok API for Business app, TIKTOK_BUSINESS_APP_ID and TIKTOK_BUSINESS_APP_SECRET (see the README).',
      );
    }
    return off;
  }

  /** One start link per login, each with its own state bound to `slackUserId`. */
  async links(slackUserId: string, flows: LoginFlow[] = this.flows): Promise<{ flow: LoginFlow; url: string }[]> {
    const links: { flow: LoginFlow; url: string }[] = [];
    for (const flow of flows) {
      if (!this.flows.includes(flow)) throw new LoginUnavailableError(flow);
      const { state } = await this.deps.states.create(slackUserId, flow);
      links.push({ flow, url: `${this.base}/oauth/start?state=${encodeURIComponent(state)}` });
    }
    return links;
  }

  /** The platform's authorize URL for a state that is still good, or why not. */
  async authorizeUrl(
    state: string,
  ): Promise<{ ok: true; flow: LoginFlow; url: string } | { ok: false; reason: string }> {
    const check = await this.deps.states.peek(state);
    if (!check.ok) return { ok: false, reason: check.reason };
    const redirectUri = this.redirectUri(check.flow);
    const meta = this.deps.metaLogin;
    if (check.flow === 'facebook' && meta)
      return { ok: true, flow: check.flow, url: meta.facebookDialogUrl(redirectUri, state) };
    if (check.flow === 'instagram' && meta?.instagramLoginEnabled) {
      return { ok: true, flow: check.flow, url: meta.instagramAuthorizeUrl(redirectUri, state) };
    }
    if (check.flow === 'tiktok' && this.deps.tiktok && this.deps.config.TIKTOK_CLIENT_KEY) {
      const url = new URL(`${this.deps.config.TIKTOK_LOGIN_URL.replace(/\/+$/, '')}/v2/auth/authorize/`);
      url.search = new URLSearchParams({
        client_key: this.deps.config.TIKTOK_CLIENT_KEY,
        scope: TIKTOK_LOGIN_SCOPES.join(','),
        response_type: 'code',
        redirect_uri: redirectUri,
        state,
      }).toString();
      return { ok: true, flow: check.flow, url: url.toString() };
    }
    if (check.flow === 'tiktok_business' && this.deps.tiktok?.businessConfigured) {
      return { ok: true, flow: check.flow, url: this.deps.tiktok.businessAuthorizeUrl(redirectUri, state) };
    }
    return { ok: false, reason: 'unavailable' };
  }

  /** Where each platform sends the browser back. */
  redirectUri(flow: LoginFlow): string {
    const path = { facebook: 'meta', instagram: 'instagram', tiktok: 'tiktok', tiktok_business: 'tiktok-business' }[
      flow
    ];
    return `${this.base}/oauth/${path}/callback`;
  }

  /**
   * A platform's redirect. The state is used up whatever happens next; it must match the one this browser started
   * with (`browserState`, from the cookie set by the start link). Nothing is stored unless the exchange succeeds, and
   * then only as a pending, sealed choice.
   */
  async callback(flow: LoginFlow, query: CallbackQuery, browserState: string | undefined): Promise<CallbackOutcome> {
    if (!query.state) return { kind: 'refused', reason: 'missing' };
    const check = await this.deps.states.consume(query.state, flow);
    if (!check.ok) return { kind: 'refused', reason: check.reason };
    if (!browserState || !sameText(browserState, query.state)) return { kind: 'refused', reason: 'other_browser' };
    if (query.error) {
      await this.deps.audit.record({ actor: check.slackUserId, action: 'connect_declined', details: { flow } });
      return { kind: 'denied', flow };
    }
    const code = query.code ?? query.auth_code;
    if (!code) return { kind: 'refused', reason: 'missing' };
    let reached: { candidates: Omit<PendingCandidate, 'alreadyConnected'>[]; metaUserId?: string };
    try {
      reached = await this.exchange(flow, code);
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      this.deps.logger.warn({ err: error, flow }, 'login code exchange failed');
      return { kind: 'failed', flow, message: error.userMessage ?? 'The platform refused the login.' };
    }
    if (reached.candidates.length === 0) return { kind: 'nothing_found', flow };
    const connected =
      flow === 'tiktok_business'
        ? await this.businessConnectedIds(reached.candidates.map((c) => c.accountId))
        : await this.deps.accounts.connectedIds(reached.candidates.map((c) => c.accountId));
    const createdAt = this.now();
    const pending: PendingConnectionDoc = {
      _id: randomBytes(16).toString('base64url'),
      slackUserId: check.slackUserId,
      flow,
      ...(reached.metaUserId ? { metaUserId: reached.metaUserId } : {}),
      createdAt,
      expiresAt: new Date(createdAt.getTime() + PENDING_LIFETIME_MS),
      candidates: reached.candidates.map((c) => ({ ...c, alreadyConnected: connected.has(c.accountId) })),
    };
    await this.pending.deleteMany({ expiresAt: { $lt: createdAt } });
    await this.pending.insertOne(pending);
    return { kind: 'choose', pending };
  }

  /**
   * The admin's choice. Only the Slack user who started the login may make it; the pending record is taken by one
   * atomic delete, so a double click connects once, and whatever was not chosen is gone with it.
   */
  async choose(pendingId: string, slackUserId: string, chosenIds: string[]): Promise<ChoiceOutcome> {
    const found = await this.pending.findOne({ _id: pendingId }, { projection: { slackUserId: 1, expiresAt: 1 } });
    if (!found) return { kind: 'gone' };
    if (found.slackUserId !== slackUserId) return { kind: 'other_user' };
    if (chosenIds.length === 0) return { kind: 'none_chosen' };
    if (!(await claimOnce(this.deps.db, `oauth_pending:${pendingId}`))) return { kind: 'gone' };
    const taken = await this.pending.findOneAndDelete({ _id: pendingId, slackUserId });
    if (!taken) return { kind: 'gone' };
    if (taken.expiresAt.getTime() <= this.now().getTime()) return { kind: 'expired' };
    const chosen = taken.candidates.filter((candidate) => chosenIds.includes(candidate.accountId));
    const connectedAt = this.now();
    for (const candidate of chosen) {
      if (candidate.business) {
        await this.attachBusiness(candidate, slackUserId, connectedAt);
        continue;
      }
      await this.deps.accounts.saveSealed({
        _id: candidate.accountId,
        platform: candidate.platform,
        login: candidate.login,
        externalId: candidate.externalId,
        name: candidate.name,
        status: 'ok',
        scopes: candidate.scopes,
        token: candidate.token,
        ...(candidate.tokenExpiresAt ? { tokenExpiresAt: candidate.tokenExpiresAt } : {}),
        ...(candidate.refreshToken ? { refreshToken: candidate.refreshToken } : {}),
        ...(candidate.refreshExpiresAt ? { refreshExpiresAt: candidate.refreshExpiresAt } : {}),
        ...(taken.metaUserId ? { metaUserId: taken.metaUserId } : {}),
        ...(candidate.linkedPageId ? { linkedPageId: candidate.linkedPageId } : {}),
        connectedBy: slackUserId,
        connectedAt,
      });
      await this.subscribeWebhooks(candidate);
      await this.deps.audit.record({
        actor: slackUserId,
        action: 'connect',
        subject: `account:${candidate.accountId}`,
        details: {
          name: candidate.name,
          platform: candidate.platform,
          login: candidate.login,
          reconnect: candidate.alreadyConnected,
        },
      });
    }
    return { kind: 'connected', accounts: chosen.map((c) => ({ id: c.accountId, name: c.name })) };
  }

  /**
   * Meta sends no webhook until the app is subscribed for the object: the Page (for an Instagram account through
   * Facebook Login, the Page linked to it) or the Instagram Login account. A refusal leaves the account connected with
   * its comments polled, and `/wone accounts` says so.
   */
  private async subscribeWebhooks(candidate: PendingCandidate): Promise<void> {
    const { metaApp } = this.deps;
    if (!metaApp || candidate.platform === 'tiktok') return;
    const token = this.deps.vault.open(candidate.token);
    const pageId = candidate.platform === 'facebook' ? candidate.externalId : candidate.linkedPageId;
    const target: WebhookSubscription | undefined =
      candidate.login === 'instagram'
        ? { host: 'instagram', token }
        : pageId
          ? { host: 'facebook', pageId, token }
          : undefined;
    let live = false;
    if (target) {
      try {
        await metaApp.subscribe(target);
        live = true;
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        this.deps.logger.warn(
          { err: error, accountId: candidate.accountId },
          'Meta refused the webhook subscription; comments will be polled',
        );
      }
    }
    await this.deps.accounts.setLiveComments(candidate.accountId, live);
  }

  private async attachBusiness(candidate: PendingCandidate, slackUserId: string, connectedAt: Date): Promise<void> {
    if (!candidate.business) return;
    const attached = await this.deps.accounts.attachBusiness(
      candidate.accountId,
      {
        businessId: candidate.business.businessId,
        scopes: candidate.scopes,
        status: 'ok',
        ...(candidate.tokenExpiresAt ? { tokenExpiresAt: candidate.tokenExpiresAt } : {}),
        ...(candidate.refreshExpiresAt ? { refreshExpiresAt: candidate.refreshExpiresAt } : {}),
        connectedBy: slackUserId,
        connectedAt,
      },
      { token: candidate.token, ...(candidate.refreshToken ? { refreshToken: candidate.refreshToken } : {}) },
    );
    if (!attached) return;
    await this.deps.audit.record({
      actor: slackUserId,
      action: 'connect',
      subject: `account:${candidate.accountId}`,
      details: {
        name: candidate.name,
        platform: 'tiktok',
        login: 'tiktok_business',
        reconnect: candidate.alreadyConnected,
      },
    });
  }

  /** Among `ids`, the TikTok accounts whose API for Business connection is made now. */
  private async businessConnectedIds(ids: string[]): Promise<Set<string>> {
    const accounts = await Promise.all(ids.map((id) => this.deps.accounts.get(id)));
    return new Set(accounts.filter((a) => a?.business !== undefined).map((a) => a?._id ?? ''));
  }

  /** Drops a pending choice (only its own admin may). */
  async cancel(pendingId: string, slackUserId: string): Promise<boolean> {
    return (await this.pending.deleteOne({ _id: pendingId, slackUserId })).deletedCount === 1;
  }

  private get base(): string {
    return this.deps.config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  }

  /**
   * The Business authorization's account, linked to the connected TikTok (Login Kit) account it belongs to by its
   * @username: the two APIs know the account by different ids, so the username is what they share.
   */
  private async businessCandidates(
    tiktok: TikTokClient,
    code: string,
    redirectUri: string,
  ): Promise<Omit<PendingCandidate, 'alreadyConnected'>[]> {
    const { vault } = this.deps;
    const grant = await tiktok.exchangeBusinessCode(code, redirectUri);
    const profile = await tiktok.getBusinessProfile({
      platform: 'tiktok',
      login: 'tiktok',
      externalId: grant.businessId,
      accessToken: grant.accessToken,
      business: { businessId: grant.businessId, accessToken: grant.accessToken },
    });
    const wanted = profile.username?.toLowerCase();
    const account = wanted
      ? (await this.deps.accounts.list()).find(
          (candidate) => candidate.platform === 'tiktok' && candidate.name.replace(/^@/, '').toLowerCase() === wanted,
        )
      : undefined;
    if (!account) throw new BusinessAccountNotConnected(profile.username);
    return [
      {
        accountId: account._id,
        platform: 'tiktok',
        login: 'tiktok',
        externalId: account.externalId,
        name: account.name,
        describe: 'TikTok comments and insights (API for Business)',
        scopes: grant.scopes,
        token: vault.seal(grant.accessToken),
        ...(grant.expiresAt ? { tokenExpiresAt: grant.expiresAt } : {}),
        ...(grant.refreshToken ? { refreshToken: vault.seal(grant.refreshToken) } : {}),
        ...(grant.refreshExpiresAt ? { refreshExpiresAt: grant.refreshExpiresAt } : {}),
        business: { businessId: grant.businessId },
      },
    ];
  }

  private async exchange(
    flow: LoginFlow,
    code: string,
  ): Promise<{ candidates: Omit<PendingCandidate, 'alreadyConnected'>[]; metaUserId?: string }> {
    const { vault } = this.deps;
    const redirectUri = this.redirectUri(flow);
    if (flow === 'facebook' && this.deps.metaLogin) {
      const grant = await this.deps.metaLogin.completeFacebookLogin(code, redirectUri);
      const candidates: Omit<PendingCandidate, 'alreadyConnected'>[] = [];
      const pageScopes = grant.scopes.filter(
        (scope) =>
          scope.startsWith('pages_') || ['read_insights', 'publish_video', 'business_management'].includes(scope),
      );
      const igScopes = grant.scopes.filter((scope) => scope.startsWith('instagram_') || scope === 'pages_show_list');
      for (const page of grant.pages) {
        const token = vault.seal(page.token);
        candidates.push({
          accountId: `facebook:${page.id}`,
          platform: 'facebook',
          login: 'facebook',
          externalId: page.id,
          name: page.name,
          describe: 'Facebook Page',
          scopes: pageScopes,
          token,
        });
        if (page.instagram) {
          candidates.push({
            accountId: `instagram:${page.instagram.id}`,
            platform: 'instagram',
            login: 'facebook',
            externalId: page.instagram.id,
            name: page.instagram.username,
            describe: `Instagram, through the Page ${page.name}`,
            scopes: igScopes,
            token: vault.seal(page.token),
            linkedPageId: page.id,
          });
        }
      }
      return { candidates, metaUserId: grant.userId };
    }
    if (flow === 'instagram' && this.deps.metaLogin) {
      const grant = await this.deps.metaLogin.completeInstagramLogin(code, redirectUri);
      return {
        // Meta's data deletion callback names the app-scoped id, not the professional account id.
        metaUserId: grant.appScopedId,
        candidates: [
          {
            accountId: `instagram:${grant.userId}`,
            platform: 'instagram',
            login: 'instagram',
            externalId: grant.userId,
            name: grant.username,
            describe: 'Instagram, through Instagram Login',
            scopes: grant.scopes,
            token: vault.seal(grant.token),
            tokenExpiresAt: grant.expiresAt,
          },
        ],
      };
    }
    if (flow === 'tiktok' && this.deps.tiktok) {
      const grant = await this.deps.tiktok.exchangeCode(code, redirectUri);
      const profile = await this.deps.tiktok.getProfile({
        platform: 'tiktok',
        login: 'tiktok',
        externalId: grant.openId,
        accessToken: grant.accessToken,
      });
      return {
        candidates: [
          {
            accountId: `tiktok:${grant.openId}`,
            platform: 'tiktok',
            login: 'tiktok',
            externalId: grant.openId,
            name: `@${profile.username}`,
            describe: `TikTok: ${profile.displayName}, for publishing`,
            scopes: grant.scopes,
            token: vault.seal(grant.accessToken),
            ...(grant.expiresAt ? { tokenExpiresAt: grant.expiresAt } : {}),
            ...(grant.refreshToken ? { refreshToken: vault.seal(grant.refreshToken) } : {}),
            ...(grant.refreshExpiresAt ? { refreshExpiresAt: grant.refreshExpiresAt } : {}),
          },
        ],
      };
    }
    if (flow === 'tiktok_business' && this.deps.tiktok?.businessConfigured) {
      return { candidates: await this.businessCandidates(this.deps.tiktok, code, redirectUri) };
    }
    throw new LoginUnavailableError(flow);
  }
}

/** Thrown when a Business authorization belongs to no connected TikTok account. */
class BusinessAccountNotConnected extends PlatformError {
  constructor(username: string | undefined) {
    super({
      kind: 'permanent',
      platform: 'tiktok',
      code: 'business_account_not_connected',
      message: 'tiktok: the Business authorization matches no connected TikTok account',
      userMessage: username
        ? `The TikTok Business login is @${username}, which is not connected to Wone Social. Connect it with “TikTok” first, then connect its comments and insights.`
        : 'TikTok did not say which account this Business login is. Nothing was connected.',
    });
  }
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}
