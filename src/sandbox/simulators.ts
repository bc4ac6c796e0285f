import { FACEBOOK_LOGIN_SCOPES, INSTAGRAM_LOGIN_SCOPES } from '../platforms/meta-login.ts';
import type { AccountDoc } from '../services/accounts.ts';
import { ConsentPages } from './consent-pages.ts';
import { FakeSlack } from './fake-slack.ts';
import { GraphFake } from './graph-fake.ts';
import { BUSINESS_SCOPES, TikTokFake } from './tiktok-fake.ts';

/** A brand account on a simulated platform, with a token that platform's simulator accepts. */
export interface SimulatedAccount {
  /** The account's id in Wone Social (`<platform>:<externalId>`). */
  id: string;
  platform: AccountDoc['platform'];
  login: AccountDoc['login'];
  externalId: string;
  name: string;
  scopes: string[];
  accessToken: string;
  refreshToken?: string;
  tokenExpiresAt?: Date;
  /** TikTok: the account's API for Business connection (comments, insights), made for it in the simulator. */
  business?: { businessId: string; scopes: string[]; accessToken: string; refreshToken: string; tokenExpiresAt: Date };
}

/** The simulated outside world: Slack's Web API, Meta's Graph API (both hosts), and TikTok's APIs. */
export interface Simulators {
  slack: FakeSlack;
  graph: GraphFake;
  tiktok: TikTokFake;
  /** The platforms' login pages (Facebook Login, Instagram's and TikTok's authorize pages). */
  consent: ConsentPages;
  accounts: SimulatedAccount[];
  stop(): Promise<void>;
}

/**
 * Starts the three simulators on loopback and creates the brand accounts on them: an Instagram professional account
 * (Instagram Login), a Facebook Page, and a TikTok business account. The Graph simulator's clock follows real time,
 * so media processing and token lifetimes behave as they would.
 */
export async function startSimulators(options: { botToken: string; teamId: string }): Promise<Simulators> {
  const slack = new FakeSlack(options.botToken, options.teamId);
  const graph = new GraphFake({ startAt: Date.now(), videoProcessingMs: 5_000 });
  const tiktok = new TikTokFake();
  tiktok.rateLimits = false;

  const instagram = graph.seedInstagramAccount({ username: 'wone.commerce', followersCount: 1520 });
  const page = graph.seedPage({ name: 'Wone Commerce', followersCount: 3400 });
  // A second Page the admin manages but has not connected yet: connecting it through Facebook Login shows the flow.
  const outlet = graph.seedPage({ name: 'Wone Outlet', followersCount: 610 });
  const metaUser = graph.seedMetaUser({ name: 'Ada Admin', pageIds: [page.id, outlet.id] });
  const tiktokAccount = tiktok.seedAccount({
    openId: 'sandbox-tiktok-open-id',
    username: 'wonecommerce',
    nickname: 'Wone Commerce',
    followers: 980,
    accountType: 'business',
  });
  const consent = new ConsentPages(graph, tiktok, {
    facebook: {
      userId: metaUser.id,
      name: metaUser.name,
      pages: [
        { id: page.id, name: 'Wone Commerce' },
        { id: outlet.id, name: 'Wone Outlet' },
      ],
    },
    instagram: { igUserId: instagram.id, username: instagram.username },
    tiktok: { openId: tiktokAccount.openId, username: tiktokAccount.username },
  });
  await Promise.all([slack.start(), graph.start(), tiktok.start(), consent.start()]);
  const clock = setInterval(() => graph.advance(Math.max(0, Date.now() - graph.now())), 250);
  clock.unref();
  const businessTokens = tiktok.issueBusinessTokens(tiktokAccount.openId);
  const tiktokTokens = tiktok.issueTokens(tiktokAccount.openId, [
    'user.info.basic',
    'video.publish',
    'video.upload',
    'video.list',
  ]);
  // What the logins grant (the permissions Wone Social asks for), as if each account had been connected.
  const instagramScopes = [...INSTAGRAM_LOGIN_SCOPES];
  const pageScopes = [...FACEBOOK_LOGIN_SCOPES];
  const accounts: SimulatedAccount[] = [
    {
      id: `instagram:${instagram.id}`,
      platform: 'instagram',
      login: 'instagram',
      externalId: instagram.id,
      name: `@${instagram.username}`,
      scopes: instagramScopes,
      accessToken: graph.issueToken({
        kind: 'instagram_user',
        host: 'instagram',
        subjects: [instagram.id],
        scopes: instagramScopes,
        expiresInSec: 60 * 86_400,
      }),
      tokenExpiresAt: new Date(Date.now() + 60 * 86_400_000),
    },
    {
      id: `facebook:${page.id}`,
      platform: 'facebook',
      login: 'facebook',
      externalId: page.id,
      name: page.name,
      scopes: pageScopes,
      accessToken: graph.issueToken({ kind: 'page', host: 'facebook', subjects: [page.id], scopes: pageScopes }),
    },
    {
      id: `tiktok:${tiktokAccount.openId}`,
      platform: 'tiktok',
      login: 'tiktok',
      externalId: tiktokAccount.openId,
      name: `@${tiktokAccount.username}`,
      scopes: ['user.info.basic', 'video.publish', 'video.upload', 'video.list'],
      accessToken: tiktokTokens.accessToken,
      refreshToken: tiktokTokens.refreshToken,
      tokenExpiresAt: new Date(Date.now() + tiktok.accessTokenLifetimeSec * 1000),
      business: {
        businessId: businessTokens.businessId,
        scopes: BUSINESS_SCOPES,
        accessToken: businessTokens.accessToken,
        refreshToken: businessTokens.refreshToken,
        tokenExpiresAt: new Date(Date.now() + tiktok.accessTokenLifetimeSec * 1000),
      },
    },
  ];

  return {
    slack,
    graph,
    tiktok,
    consent,
    accounts,
    stop: async () => {
      clearInterval(clock);
      await Promise.all([slack.stop(), graph.stop(), tiktok.stop(), consent.stop()]);
    },
  };
}
