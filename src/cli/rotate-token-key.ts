import 'dotenv/config';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { configSchema } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { resealAllTokens } from '../services/token-rotation.ts';
import { TokenVault } from '../services/token-vault.ts';

/**
 * `npm run rotate-token-key`: re-seals every stored platform token under `TOKEN_ENCRYPTION_KEY`.
 *
 * 1. Generate a new key (`openssl rand -base64 32`).
 * 2. Set `TOKEN_ENCRYPTION_KEY_PREVIOUS` to the old key and `TOKEN_ENCRYPTION_KEY` to the new one; restart the app
 *    (it reads tokens under either key and seals new ones under the new key).
 * 3. Run this command. When it reports nothing skipped, remove `TOKEN_ENCRYPTION_KEY_PREVIOUS` and restart.
 */
const rotationSchema = configSchema.pick({
  MONGODB_URL: true,
  DATA_DIR: true,
  TOKEN_ENCRYPTION_KEY: true,
  TOKEN_ENCRYPTION_KEY_PREVIOUS: true,
});

/** Runs the rotation with settings from `env`; returns the process exit code. */
export async function rotateTokenKey(env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<number> {
  const parsed = rotationSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) print(`${String(issue.path[0])} is invalid or missing: ${issue.message}`);
    return 2;
  }
  const settings: z.infer<typeof rotationSchema> = parsed.data;
  const vault = new TokenVault(settings.TOKEN_ENCRYPTION_KEY, settings.TOKEN_ENCRYPTION_KEY_PREVIOUS);
  const database = await openDatabase(settings);
  try {
    const report = await resealAllTokens(database.db, vault);
    if (report.unknownKeyIds.length > 0) {
      print(
        `Nothing changed: some tokens are sealed under key id(s) ${report.unknownKeyIds.join(', ')}, which are not ` +
          'configured. Put the old key in TOKEN_ENCRYPTION_KEY_PREVIOUS and run again.',
      );
      return 1;
    }
    print(
      `Re-sealed ${report.resealed} document(s) under key ${vault.currentKeyId}; ${report.current} already current; ` +
        `${report.skipped} changed meanwhile${report.skipped > 0 ? ' (run the command again)' : ''}.`,
    );
    return report.skipped > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  rotateTokenKey(process.env, (line) => console.log(line)).then(
    (code) => process.exit(code),
    (error: Error) => {
      // The vault's errors name key ids only, never key material or tokens.
      console.error(`Key rotation failed: ${error.message}`);
      process.exit(1);
    },
  );
}
