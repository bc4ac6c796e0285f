import { z } from 'zod';
import { PlatformError, type PlatformName } from './errors.ts';
import { GraphClient } from './graph-client.ts';
import { graphErrorEnvelopeSchema, graphErrorToPlatformError } from './graph-errors.ts';
import { PlatformHttp, type PlatformResponse } from './http.ts';

/**
 * Facebook Login permissions the features use (reference D.1; the README names the feature behind each): Pages
 * publishing (videos need `publish_video`), comments (reading, replying, hiding, and the webhook subscription with
 * `pages_manage_metadata`), insights; Instagram through its Page the same; `business_management` for Pages and
 * Instagram accounts reached through a business portfolio.
 */
export const FACEBOOK_LOGIN_SCOPES = [
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_posts',
  'pages_manage_engagement',
  'pages_read_user_content',
  'pages_manage_metadata',
  'publish_video',
  'read_insights',
  'business_management',
  'instagram_basic',
  'instagram_content_publish',
  'instagram_manage_comments',
  'instagram_manage_insights',
];

/** Instagram Login permissions the features use (reference D.2). */
export const INSTAGRAM_LOGIN_SCOPES = [
  'instagram_business_basic',
  'instagram_business_content_publish',
  'instagram_business_manage_comments',
  'instagram_business_manage_insights',
];

export interface MetaLoginOptions {
  /** `META_GRAPH_URL`. */
  graphUrl: string;
  /** `META_LOGIN_URL`: the host of the Facebook Login dialog (default `https://www.facebook.com`). */
  facebookLoginUrl?: string;
  /** `INSTAGRAM_LOGIN_URL`: the host of Instagram's authorize page (default `https://www.instagram.com`). */
  instagramLoginUrl?: string;
  /** `INSTAGRAM_GRAPH_URL`. */
  instagramGraphUrl: string;
  /** `INSTAGRAM_API_URL` (api.instagram.com: Instagram Login's code exchange). */
  instagramApiUrl: string;
  version: string;
  /** `META_APP_ID` / `META_APP_SECRET`: Facebook Login. */
  appId: string;
  appSecret: string;
  /** `META_LOGIN_CONFIG_ID`: Facebook Login for Business; the dialog asks for this configuration's permissions. */
  loginConfigId?: string;
  /** `INSTAGRAM_APP_ID` / `INSTAGRAM_APP_SECRET`: Instagram Login has its own app; without them it is off. */
  instagramAppId?: string;
  instagramAppSecret?: string;
  now?: () => Date;
}

/** A Page the Facebook login reaches, with its Page token and linked Instagram account. */
export interface GrantedPage {
  id: string;
  name: string;
  token: string;
  instagram?: { id: string; username: string };
}

/** What a completed Facebook Login yields. Page tokens from a long-lived user token do not expire. */
export interface FacebookGrant {
  /** The app-scoped Meta user id (what Meta's data deletion callback names). */
  userId: string;
  scopes: string[];
  pages: GrantedPage[];
}

/** What a completed Instagram Login yields: a long-lived (60-day) token. */
export interface InstagramGrant {
  /** The Instagram professional account id (`user_id`): the account the API acts on. */
  userId: string;
  /** The app-scoped id (`id`): what Meta's data deletion callback names. */
  appScopedId: string;
  username: string;
  token: string;
  expiresAt: Date;
  scopes: string[];
}

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().optional() });
const meSchema = z.object({ id: z.string() });
const debugSchema = z.object({ data: z.object({ scopes: z.array(z.string()).default([]) }) });
const pagesSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      access_token: z.string().min(1),
      instagram_business_account: z.object({ id: z.string(), username: z.string().optional() }).optional(),
    }),
  ),
});
const igFlatSchema = z.object({
  access_token: z.string().min(1),
  user_id: z.union([z.string(), z.number()]).transform(String),
  permissions: z.union([z.string(), z.array(z.string())]).optional(),
});
/** The doc shows `{data:[…]}`, working clients read it flat: both are accepted (reference D.2, H.3). */
const igExchangeSchema = z.union([igFlatSchema, z.object({ data: z.array(igFlatSchema).min(1) })]);
const igMeSchema = z.object({
  id: z.string(),
  user_id: z.union([z.string(), z.number()]).transform(String),
  username: z.string(),
});

/**
 * Facebook Login and Instagram Login for connecting accounts: the authorize URLs, and the code exchanges that end
 * in long-lived tokens. Secrets travel in query or form parameters as the endpoints require and never appear in
 * errors (PlatformHttp leaves URLs out of its errors; Graph errors are scrubbed of the secrets sent).
 */
export class MetaLogin {
  private readonly facebookHttp: PlatformHttp;
  private readonly instagramHttp: PlatformHttp;
  private readonly instagramApi: PlatformHttp;
  private readonly facebookGraph: GraphClient;
  private readonly instagramGraph: GraphClient;
  private readonly now: () => Date;

  constructor(private readonly options: MetaLoginOptions) {
    this.now = options.now ?? (() => new Date());
    this.facebookHttp = new PlatformHttp({ platform: 'facebook', baseUrl: options.graphUrl });
    this.instagramHttp = new PlatformHttp({ platform: 'instagram', baseUrl: options.instagramGraphUrl });
    this.instagramApi = new PlatformHttp({ platform: 'instagram', baseUrl: options.instagramApiUrl });
    this.facebookGraph = new GraphClient({ platform: 'facebook', baseUrl: options.graphUrl, version: options.version });
    this.instagramGraph = new GraphClient({
      platform: 'instagram',
      baseUrl: options.instagramGraphUrl,
      version: options.version,
    });
  }

  /**
   * The Facebook Login dialog, asking for `FACEBOOK_LOGIN_SCOPES`; with Facebook Login for Business
   * (`loginConfigId`), for the configuration's permissions instead (`config_id` replaces `scope`).
   */
  facebookDialogUrl(redirectUri: string, state: string): string {
    const url = new URL(
      `${loginBase(this.options.facebookLoginUrl ?? 'https://www.facebook.com')}/${this.options.version}/dialog/oauth`,
    );
    const { loginConfigId } = this.options;
    url.search = new URLSearchParams({
      client_id: this.options.appId,
      redirect_uri: redirectUri,
      state,
      response_type: 'code',
      ...(loginConfigId ? { config_id: loginConfigId } : { scope: FACEBOOK_LOGIN_SCOPES.join(',') }),
    }).toString();
    return url.toString();
  }

  /** Whether Instagram Login is configured (its own app id and secret). */
  get instagramLoginEnabled(): boolean {
    return Boolean(this.options.instagramAppId && this.options.instagramAppSecret);
  }

  /** Instagram's authorize page (Business Login for Instagram), asking for `INSTAGRAM_LOGIN_SCOPES`. */
  instagramAuthorizeUrl(redirectUri: string, state: string): string {
    const { appId } = this.instagramApp();
    const url = new URL(`${loginBase(this.options.instagramLoginUrl ?? 'https://www.instagram.com')}/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: appId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: INSTAGRAM_LOGIN_SCOPES.join(','),
      state,
    }).toString();
    return url.toString();
  }

  /** Code → short-lived user token → long-lived user token → the Pages it reaches, with Page tokens. */
  async completeFacebookLogin(code: string, redirectUri: string): Promise<FacebookGrant> {
    const { appId, appSecret } = this.options;
    const secrets = [code, appSecret];
    const short = await this.graphGet('facebook', tokenSchema, 'oauth/access_token', secrets, {
      client_id: appId,
      redirect_uri: redirectUri,
      client_secret: appSecret,
      code,
    });
    const long = await this.graphGet('facebook', tokenSchema, 'oauth/access_token', [...secrets, short.access_token], {
      grant_type: 'fb_exchange_token',
      client_id: appId,
      client_secret: appSecret,
      fb_exchange_token: short.access_token,
    });
    const userToken = long.access_token;
    const me = await this.facebookGraph.get('me', meSchema, { token: userToken, params: { fields: 'id' } });
    const debug = await this.facebookGraph.get('debug_token', debugSchema, {
      token: `${appId}|${appSecret}`,
      params: { input_token: userToken },
    });
    const pages = await this.facebookGraph.get('me/accounts', pagesSchema, {
      token: userToken,
      params: { fields: 'id,name,access_token,instagram_business_account{id,username}', limit: 100 },
    });
    return {
      userId: me.id,
      scopes: debug.data.scopes,
      pages: pages.data.map((page) => ({
        id: page.id,
        name: page.name,
        token: page.access_token,
        ...(page.instagram_business_account
          ? {
              instagram: {
                id: page.instagram_business_account.id,
                username: page.instagram_business_account.username ?? page.instagram_business_account.id,
              },
            }
          : {}),
      })),
    };
  }

  /** Code → short-lived Instagram token → long-lived (60-day) token → the account's id and @username. */
  async completeInstagramLogin(code: string, redirectUri: string): Promise<InstagramGrant> {
    const { appId, appSecret } = this.instagramApp();
    const response = await this.instagramApi.send({
      method: 'POST',
      path: '/oauth/access_token',
      body: {
        form: {
          client_id: appId,
          client_secret: appSecret,
          grant_type: 'authorization_code',
          redirect_uri: redirectUri,
          code,
        },
      },
    });
    if (response.status >= 400) throw instagramOAuthError(response);
    const exchanged = this.instagramApi.parse(igExchangeSchema, response.body, 'Instagram code exchange');
    const short = 'data' in exchanged ? (exchanged.data[0] as z.infer<typeof igFlatSchema>) : exchanged;
    const long = await this.graphGet('instagram', tokenSchema, 'access_token', [code, appSecret, short.access_token], {
      grant_type: 'ig_exchange_token',
      client_secret: appSecret,
      access_token: short.access_token,
    });
    const me = await this.instagramGraph.get('me', igMeSchema, {
      token: long.access_token,
      params: { fields: 'id,user_id,username' },
    });
    const permissions = short.permissions;
    return {
      userId: me.user_id,
      appScopedId: me.id,
      username: me.username,
      token: long.access_token,
      expiresAt: new Date(this.now().getTime() + (long.expires_in ?? 5_184_000) * 1000),
      scopes: Array.isArray(permissions) ? permissions : (permissions ?? '').split(',').filter(Boolean),
    };
  }

  /** The Instagram app's credentials; Instagram Login is off without them. */
  private instagramApp(): { appId: string; appSecret: string } {
    const { instagramAppId: appId, instagramAppSecret: appSecret } = this.options;
    if (!appId || !appSecret) {
      throw new PlatformError({
        kind: 'permanent',
        platform: 'instagram',
        code: 'instagram_login_not_configured',
        message: 'instagram: Instagram Login needs INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET',
        userMessage:
          'Instagram Login is switched off: the operator must set INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET.',
      });
    }
    return { appId, appSecret };
  }

  async close(): Promise<void> {
    await Promise.all([
      this.facebookHttp.close(),
      this.instagramHttp.close(),
      this.instagramApi.close(),
      this.facebookGraph.close(),
      this.instagramGraph.close(),
    ]);
  }

  /** A token endpoint: parameters in the query (as documented), Graph errors mapped and scrubbed of `secrets`. */
  private async graphGet<T extends z.ZodType>(
    host: 'facebook' | 'instagram',
    schema: T,
    path: string,
    secrets: string[],
    query: Record<string, string>,
  ): Promise<z.infer<T>> {
    const http = host === 'facebook' ? this.facebookHttp : this.instagramHttp;
    const fullPath = host === 'facebook' ? `/${this.options.version}/${path}` : `/${path}`;
    const response = await http.send({ method: 'GET', path: fullPath, query });
    const platform: PlatformName = host;
    if (response.status >= 400 || graphErrorEnvelopeSchema.safeParse(response.body).success) {
      throw graphErrorToPlatformError({
        platform,
        where: `GET ${fullPath}`,
        status: response.status,
        body: response.body,
        headers: response.headers,
        secrets,
        now: this.now().getTime(),
      });
    }
    return http.parse(schema, response.body, `GET ${fullPath}`);
  }
}

/** api.instagram.com answers OAuth failures as `{error_type, code, error_message}`: a refused code is permanent. */
function instagramOAuthError(response: PlatformResponse): PlatformError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as Record<
    string,
    unknown
  >;
  return new PlatformError({
    kind: response.status >= 500 ? 'transient' : 'permanent',
    platform: 'instagram',
    code: typeof body.error_type === 'string' ? body.error_type : `http_${response.status}`,
    message: `instagram: code exchange refused (HTTP ${response.status})`,
    userMessage: 'Instagram refused the login (the link may have been used already or expired). Try connecting again.',
    status: response.status,
  });
}

/** A login host setting without its trailing slashes. */
function loginBase(url: string): string {
  return url.replace(/\/+$/, '');
}
