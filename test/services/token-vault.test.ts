import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, TokenVault, TokenVaultError } from '../../src/services/token-vault.ts';

const key = () => randomBytes(32).toString('base64');
const token = 'EAAGm0PX4ZCpsBAKZCZCx-very-secret-page-token';

describe('token vault', () => {
  it('stores no plaintext: the sealed form holds neither the token nor any of its fragments', () => {
    const vault = new TokenVault(key());
    const sealed = vault.seal(token);
    const stored = JSON.stringify(sealed);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(token.slice(0, 12));
    expect(stored).not.toContain(Buffer.from(token).toString('base64').slice(0, 16));
    expect(vault.open(sealed)).toBe(token);
  });

  it('seals the same token differently each time (fresh nonce)', () => {
    const vault = new TokenVault(key());
    const [a, b] = [vault.seal(token), vault.seal(token)];
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
  });

  it('detects tampering with the ciphertext, the tag, the nonce or the key id', () => {
    const current = key();
    const vault = new TokenVault(current, [key()]);
    const sealed = vault.seal(token);
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    const other = [...new TokenVault(current, [key()]).seal('x').keyId].reverse().join('');
    for (const altered of [
      { ...sealed, data: flip(sealed.data) },
      { ...sealed, tag: flip(sealed.tag) },
      { ...sealed, iv: flip(sealed.iv) },
    ]) {
      expect(() => vault.open(altered)).toThrowError(expect.objectContaining({ code: 'tampered' }));
    }
    expect(() => vault.open({ ...sealed, keyId: other })).toThrowError(
      expect.objectContaining({ code: 'unknown_key' }),
    );
  });

  it('refuses to open a token sealed under a key it was not given, without naming the key', () => {
    const sealed = new TokenVault(key()).seal(token);
    const stranger = key();
    try {
      new TokenVault(stranger).open(sealed);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TokenVaultError);
      expect((error as Error).message).not.toContain(stranger);
      expect((error as Error).message).not.toContain(token);
    }
  });

  it('rotation: a vault with the old key as previous opens old tokens and seals new ones under the new key', () => {
    const oldKey = key();
    const newKey = key();
    const old = new TokenVault(oldKey).seal(token);
    const rotated = new TokenVault(newKey, [oldKey]);
    expect(rotated.open(old)).toBe(token);
    const resealed = rotated.seal(rotated.open(old));
    expect(resealed.keyId).toBe(keyIdOf(Buffer.from(newKey, 'base64')));
    expect(resealed.keyId).not.toBe(old.keyId);
    expect(new TokenVault(newKey).open(resealed)).toBe(token);
    expect(() => new TokenVault(newKey).open(old)).toThrowError(TokenVaultError);
  });
});
