import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A secret as stored: AES-256-GCM ciphertext with its nonce, tag and the id of the key that sealed it. */
export interface SealedSecret {
  keyId: string;
  iv: string;
  tag: string;
  data: string;
}

export class TokenVaultError extends Error {
  readonly code: 'unknown_key' | 'tampered';
  constructor(code: 'unknown_key' | 'tampered', message: string) {
    super(message);
    this.name = 'TokenVaultError';
    this.code = code;
  }
}

/** The id of a key: a short hash, so the key itself is never stored or logged. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/**
 * Encrypts platform tokens at rest with AES-256-GCM under `TOKEN_ENCRYPTION_KEY`. Older keys may be given for reading
 * while tokens are re-sealed under the current one (key rotation).
 */
export class TokenVault {
  private readonly current: { id: string; key: Buffer };
  private readonly keys = new Map<string, Buffer>();

  constructor(currentKeyBase64: string, previousKeysBase64: string[] = []) {
    const key = Buffer.from(currentKeyBase64, 'base64');
    if (key.length !== 32) throw new TokenVaultError('unknown_key', 'TOKEN_ENCRYPTION_KEY must be 32 bytes');
    this.current = { id: keyIdOf(key), key };
    this.keys.set(this.current.id, key);
    for (const previous of previousKeysBase64) {
      const old = Buffer.from(previous, 'base64');
      this.keys.set(keyIdOf(old), old);
    }
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  /** Whether a secret sealed under `keyId` can be opened. */
  knows(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  seal(plaintext: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(this.current.id));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyId: this.current.id,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  open(secret: SealedSecret): string {
    const key = this.keys.get(secret.keyId);
    if (!key) throw new TokenVaultError('unknown_key', `no key with id ${secret.keyId} is configured`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(secret.iv, 'base64'));
      decipher.setAAD(Buffer.from(secret.keyId));
      decipher.setAuthTag(Buffer.from(secret.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(secret.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenVaultError('tampered', 'a stored token could not be decrypted (wrong key or altered data)');
    }
  }
}

/** Whether a stored value has the shape of a sealed secret. */
export function isSealedSecret(value: unknown): value is SealedSecret {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ['keyId', 'iv', 'tag', 'data'].every((key) => typeof candidate[key] === 'string');
}
