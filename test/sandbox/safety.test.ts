import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  claimDataDir,
  isSandboxDatabaseUrl,
  refuseRealSettings,
  SandboxRefusedError,
  sandboxMarker,
} from '../../src/sandbox/safety.ts';
import { startSandbox } from '../../src/sandbox/sandbox.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wone-sandbox-safety-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the sandbox never runs beside real settings', () => {
  it('refuses real Slack and platform credentials, naming them without their values', () => {
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-real-secret-token',
      META_APP_SECRET: 'real-meta-secret',
      TIKTOK_CLIENT_SECRET: 'real-tiktok-secret',
      PORT: '3000',
    };
    let error: unknown;
    try {
      refuseRealSettings(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SandboxRefusedError);
    const message = (error as Error).message;
    expect((error as SandboxRefusedError).problems).toHaveLength(3);
    expect(message).toContain('SLACK_BOT_TOKEN is set');
    expect(message).toContain('META_APP_SECRET is set');
    expect(message).toContain('TIKTOK_CLIENT_SECRET is set');
    expect(message).not.toMatch(/xoxb-real|real-meta|real-tiktok/);
  });

  it('refuses a MongoDB other than a sandbox database on this machine', () => {
    expect(() => refuseRealSettings({ MONGODB_URL: 'mongodb://db.internal:27017/wone' })).toThrow(/MONGODB_URL/);
    expect(() => refuseRealSettings({ MONGODB_URL: 'mongodb://127.0.0.1:27017/wone' })).toThrow(/MONGODB_URL/);
    expect(() => refuseRealSettings({ MONGODB_URL: 'mongodb+srv://x.mongodb.net/sandbox' })).toThrow(/MONGODB_URL/);
    expect(isSandboxDatabaseUrl('mongodb://127.0.0.1:27017/wone_sandbox')).toBe(true);
    expect(() => refuseRealSettings({ MONGODB_URL: 'mongodb://localhost:27017/sandbox', PORT: '3000' })).not.toThrow();
    expect(() => refuseRealSettings({ SLACK_BOT_TOKEN: '  ' })).not.toThrow();
  });

  it('does not start at all when a real token is set: no simulator, no database, no port', async () => {
    const dir = join(tempDir(), 'data');
    await expect(startSandbox({ SLACK_SIGNING_SECRET: 'real-signing-secret' }, { dataDir: dir })).rejects.toThrow(
      SandboxRefusedError,
    );
    expect(existsSync(dir)).toBe(false);
  });
});

describe('the sandbox keeps to its own data directory', () => {
  it('refuses a directory that holds other data, and leaves it untouched', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'ferretdb'));
    writeFileSync(join(dir, 'ferretdb', 'wone.sqlite'), 'production');
    expect(() => claimDataDir(dir)).toThrow(/already holds data that is not the sandbox's/);
    expect(readdirSync(join(dir, 'ferretdb'))).toEqual(['wone.sqlite']);
  });

  it('marks a new directory as its own and starts it empty each time', () => {
    const dir = join(tempDir(), 'sandbox');
    claimDataDir(dir);
    expect(readdirSync(dir)).toEqual([sandboxMarker]);
    mkdirSync(join(dir, 'ferretdb'));
    writeFileSync(join(dir, 'ferretdb', 'old.sqlite'), 'last run');
    claimDataDir(dir);
    expect(readdirSync(dir)).toEqual([sandboxMarker]);
  });
});
