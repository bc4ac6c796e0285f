import type { Config } from '../config.ts';
import { FACEBOOK_LIMITS, FacebookClient } from './facebook.ts';
import { GraphClient } from './graph-client.ts';
import { INSTAGRAM_LIMITS, InstagramClient } from './instagram.ts';
import { MAX_PHOTO_DESCRIPTION, MAX_VIDEO_TITLE, TikTokClient } from './tiktok.ts';
import type { PlatformClient, PlatformName } from './types.ts';

/** The platform clients of the platforms switched on in the configuration. */
export interface PlatformClients {
  instagram?: InstagramClient;
  facebook?: FacebookClient;
  tiktok?: TikTokClient;
}

export class PlatformDisabledError extends Error {
  readonly code = 'platform_disabled';
  constructor(readonly platform: PlatformName) {
    super(
      platform === 'tiktok'
        ? 'TikTok is switched off: set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET to use it.'
        : `${platform === 'instagram' ? 'Instagram' : 'Facebook'} is switched off: set META_APP_ID and META_APP_SECRET to use it.`,
    );
    this.name = 'PlatformDisabledError';
  }
}

/** Builds one client per enabled platform; a platform without credentials has none (and says so when used). */
export function createPlatformClients(config: Config): PlatformClients {
  const clients: PlatformClients = {};
  if (config.platforms.meta) {
    // Batch requests are documented for graph.facebook.com only.
    const graph = (platform: PlatformName, baseUrl: string, batching = true) =>
      new GraphClient({ platform, baseUrl, version: config.META_GRAPH_VERSION, batching });
    const meta = { appId: config.META_APP_ID, appSecret: config.META_APP_SECRET };
    clients.instagram = new InstagramClient({
      facebookGraph: graph('instagram', config.META_GRAPH_URL),
      instagramGraph: graph('instagram', config.INSTAGRAM_GRAPH_URL, false),
      ...meta,
    });
    clients.facebook = new FacebookClient({ facebookGraph: graph('facebook', config.META_GRAPH_URL), ...meta });
  }
  if (config.platforms.tiktok && config.TIKTOK_CLIENT_KEY && config.TIKTOK_CLIENT_SECRET) {
    clients.tiktok = new TikTokClient({
      apiUrl: config.TIKTOK_API_URL,
      loginUrl: config.TIKTOK_LOGIN_URL,
      businessApiUrl: config.TIKTOK_BUSINESS_API_URL,
      clientKey: config.TIKTOK_CLIENT_KEY,
      clientSecret: config.TIKTOK_CLIENT_SECRET,
      ...(config.TIKTOK_BUSINESS_APP_ID && config.TIKTOK_BUSINESS_APP_SECRET
        ? { businessAppId: config.TIKTOK_BUSINESS_APP_ID, businessAppSecret: config.TIKTOK_BUSINESS_APP_SECRET }
        : {}),
    });
  }
  return clients;
}

/** The client for a platform, or `PlatformDisabledError` when that platform is switched off. */
export function clientFor(clients: PlatformClients, platform: PlatformName): PlatformClient {
  const client = clients[platform];
  if (!client) throw new PlatformDisabledError(platform);
  return client;
}

/** Platform names as people read them. */
export const platformLabels: Record<PlatformName, string> = {
  instagram: 'Instagram',
  facebook: 'Facebook',
  tiktok: 'TikTok',
};

/** How long a caption each network takes (each client's `validate` enforces its own), for hints in forms. */
export const CAPTION_LIMITS = {
  instagram: INSTAGRAM_LIMITS.captionChars,
  instagramHashtags: INSTAGRAM_LIMITS.hashtags,
  facebook: FACEBOOK_LIMITS.messageChars,
  tiktokVideo: MAX_VIDEO_TITLE,
  tiktokPhoto: MAX_PHOTO_DESCRIPTION,
} as const;
