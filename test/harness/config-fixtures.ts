import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config.ts';

/** The least environment `loadConfig` accepts: every required setting, each in its expected form. */
export const validEnv = {
  SLACK_SIGNING_SECRET: 'abcdef0123456789',
  SLACK_BOT_TOKEN: 'xoxb-1-2-secretvalue',
  SLACK_TEAM_ID: 'T0WONE',
  PUBLIC_BASE_URL: 'https://wone.example.com',
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  APPROVAL_CHANNEL_ID: 'C0APPROVAL',
  COMMENTS_CHANNEL_ID: 'C0COMMENTS',
  DIGEST_CHANNEL_ID: 'C0DIGEST',
};

/** The problems `loadConfig` reports for `env`, or none. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
