import type { Config } from '../config.ts';
import { TikTokClient } from '../platforms/tiktok.ts';
import type { CommentPlatformClients } from './comments.ts';

/**
 * The platform clients comments work with, built from configuration: one per switched-on platform. This is the seam
 * to the shared platform registry (`src/platforms/index.ts`): once it exists, its clients are passed in instead.
 */
export function commentClientsFor(config: Config): CommentPlatformClients {
  const clients: CommentPlatformClients = {};
  if (config.platforms.tiktok && config.TIKTOK_CLIENT_KEY && config.TIKTOK_CLIENT_SECRET) {
    clients.tiktok = new TikTokClient({
      apiUrl: config.TIKTOK_API_URL,
      businessApiUrl: config.TIKTOK_BUSINESS_API_URL,
      clientKey: config.TIKTOK_CLIENT_KEY,
      clientSecret: config.TIKTOK_CLIENT_SECRET,
    });
  }
  return clients;
}
