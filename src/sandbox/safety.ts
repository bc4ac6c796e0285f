import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Settings that reach a real Slack workspace, a real platform, or production data. */
export const realSettings = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_API_URL',
  'META_APP_ID',
  'META_APP_SECRET',
  'META_GRAPH_URL',
  'META_LOGIN_URL',
  'INSTAGRAM_GRAPH_URL',
  'INSTAGRAM_API_URL',
  'INSTAGRAM_LOGIN_URL',
  'MEDIA_FETCH_ALLOW',
  'META_WEBHOOK_VERIFY_TOKEN',
  'TIKTOK_CLIENT_KEY',
  'TIKTOK_CLIENT_SECRET',
  'TIKTOK_API_URL',
  'TIKTOK_BUSINESS_API_URL',
  'TIKTOK_LOGIN_URL',
  'TIKTOK_BUSINESS_APP_ID',
  'TIKTOK_BUSINESS_APP_SECRET',
  'TOKEN_ENCRYPTION_KEY',
] as const;

/** The sandbox would not start: real credentials are set, or its data directory holds other data. */
export class SandboxRefusedError extends Error {
  readonly code = 'sandbox_refused';
  constructor(readonly problems: string[]) {
    super(
      `The sandbox refuses to start, so that it can never reach anything real:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'SandboxRefusedError';
  }
}

/**
 * Refuses an environment with any real setting in it. The sandbox builds its whole configuration itself, pointing at
 * the simulators, so these would never be used; finding them means it was started where production runs, which is
 * refused rather than guessed about. Names only: values are never echoed.
 */
export function refuseRealSettings(env: NodeJS.ProcessEnv): void {
  const found = realSettings.filter((name) => (env[name] ?? '').trim() !== '');
  const problems = found.map(
    (name) => `${name} is set; unset it (the sandbox uses simulated Slack and platforms, and its own database)`,
  );
  const mongo = (env.MONGODB_URL ?? '').trim();
  if (mongo !== '' && !isSandboxDatabaseUrl(mongo)) {
    problems.push(
      'MONGODB_URL is set to a database other than a sandbox one; unset it (the sandbox then runs its own embedded ' +
        'database), or point it at a database on this machine whose name contains "sandbox"',
    );
  }
  if (problems.length > 0) throw new SandboxRefusedError(problems);
}

/** A MongoDB on this machine, in a database named for the sandbox: nothing else may be written by it. */
export function isSandboxDatabaseUrl(url: string): boolean {
  try {
    const parsed = new URL(url.replace(/^mongodb:/, 'http:'));
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    return url.startsWith('mongodb://') && loopback && /sandbox/i.test(parsed.pathname.slice(1));
  } catch {
    return false;
  }
}

/** Marks a directory as the sandbox's own, so no other data is ever opened by it. */
export const sandboxMarker = '.wone-sandbox';

/**
 * The sandbox's data directory, created and marked on first use, and emptied at each start: the simulators keep their
 * world in memory, so the sandbox starts from a clean slate with them. A directory that already holds files but no
 * marker belongs to something else (production data) and is refused, never emptied.
 */
export function claimDataDir(dataDir: string): string {
  const path = resolve(dataDir);
  if (existsSync(path) && readdirSync(path).length > 0 && !existsSync(join(path, sandboxMarker))) {
    throw new SandboxRefusedError([
      `DATA_DIR ${dataDir} already holds data that is not the sandbox's; choose an empty or new directory`,
    ]);
  }
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, sandboxMarker), 'Wone Social sandbox data: simulated accounts and posts only.\n');
  for (const entry of readdirSync(path)) {
    if (entry !== sandboxMarker) rmSync(join(path, entry), { recursive: true, force: true });
  }
  return path;
}
