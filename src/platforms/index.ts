import type { Config } from '../config.ts';
import type { PlatformClient, PlatformName } from './types.ts';

/** The client for each platform switched on in this installation. */
export type PlatformClients = Partial<Record<PlatformName, PlatformClient>>;

/** Builds the platform clients the configuration switches on (Meta: Instagram and Facebook; TikTok). */
export function createPlatformClients(_config: Config): PlatformClients {
  return {};
}

export const platformLabels: Record<PlatformName, string> = {
  instagram: 'Instagram',
  facebook: 'Facebook',
  tiktok: 'TikTok',
};
