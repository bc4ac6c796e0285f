import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateTokenKey } from '../../src/cli/rotate-token-key.ts';
import { Accounts } from '../../src/services/accounts.ts';
import { TokenVault } from '../../src/services/token-vault.ts';
import { freshDatabaseUrl } from '../harness/test-app.ts';

const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');
const url = freshDatabaseUrl();
const client = new MongoClient(url);

const tokens = {
  page: 'EAAPageToken-old-key-0001',
  tiktok: 'act.tiktok-access-old-key',
  tiktokRefresh: 'rft.tiktok-refresh-old-key',
};

beforeAll(async () => {
  await client.connect();
  const accounts = new Accounts(client.db(), new TokenVault(oldKey));
  const common = { status: 'ok' as const, connectedBy: 'UADMIN', connectedAt: new Date() };
  await accounts.save({
    _id: 'facebook:101',
    platform: 'facebook',
    login: 'facebook',
    externalId: '101',
    name: 'Wone Shop',
    scopes: ['pages_manage_posts'],
    accessToken: tokens.page,
    ...common,
  });
  await accounts.save({
    _id: 'tiktok:open-1',
    platform: 'tiktok',
    login: 'tiktok',
    externalId: 'open-1',
    name: '@wone',
    scopes: ['video.publish'],
    accessToken: tokens.tiktok,
    refreshTokenValue: tokens.tiktokRefresh,
    ...common,
  });
  // A pending choice after a login holds sealed tokens inside an array.
  const pendingVault = new TokenVault(oldKey);
  await client
    .db()
    .collection('oauth_pending')
    .insertOne({
      _id: 'pending-1' as never,
      candidates: [{ externalId: '202', token: pendingVault.seal('EAAPending-202') }],
    });
});
afterAll(async () => client.close());

describe('npm run rotate-token-key', () => {
  it('refuses to start without the old key, changing nothing', async () => {
    const lines: string[] = [];
    const code = await rotateTokenKey({ MONGODB_URL: url, TOKEN_ENCRYPTION_KEY: newKey }, (line) => lines.push(line));
    expect(code).toBe(1);
    const raw = await client
      .db()
      .collection('accounts')
      .findOne({ _id: 'facebook:101' as never });
    expect(raw?.token.keyId).toBe(new TokenVault(oldKey).currentKeyId);
  });

  it('re-seals every token under the new key; afterwards the old key is no longer needed', async () => {
    const lines: string[] = [];
    const env = { MONGODB_URL: url, TOKEN_ENCRYPTION_KEY: newKey, TOKEN_ENCRYPTION_KEY_PREVIOUS: oldKey };
    expect(await rotateTokenKey(env, (line) => lines.push(line))).toBe(0);
    expect(lines.join('\n')).toContain('Re-sealed 3 document(s)');
    expect(lines.join('\n')).not.toContain(newKey);

    const newOnly = new TokenVault(newKey);
    const accounts = new Accounts(client.db(), newOnly);
    expect((await accounts.access('facebook:101')).accessToken).toBe(tokens.page);
    expect((await accounts.access('tiktok:open-1')).accessToken).toBe(tokens.tiktok);
    const raw = await client.db().collection('accounts').find({}).toArray();
    for (const doc of raw) {
      expect(doc.token.keyId).toBe(newOnly.currentKeyId);
      if (doc.refreshToken) expect(newOnly.open(doc.refreshToken)).toBe(tokens.tiktokRefresh);
    }
    const pending = await client.db().collection('oauth_pending').findOne({});
    expect(newOnly.open(pending?.candidates[0].token)).toBe('EAAPending-202');
    const everything = JSON.stringify([raw, pending]);
    for (const value of Object.values(tokens)) expect(everything).not.toContain(value);

    // Running it again finds everything current.
    lines.length = 0;
    expect(await rotateTokenKey(env, (line) => lines.push(line))).toBe(0);
    expect(lines.join('\n')).toContain('Re-sealed 0 document(s)');
  });

  it('names an invalid key setting without printing it', async () => {
    const lines: string[] = [];
    const code = await rotateTokenKey({ MONGODB_URL: url, TOKEN_ENCRYPTION_KEY: 'short-secret' }, (l) => lines.push(l));
    expect(code).toBe(2);
    expect(lines.join('\n')).toContain('TOKEN_ENCRYPTION_KEY');
    expect(lines.join('\n')).not.toContain('short-secret');
  });
});
