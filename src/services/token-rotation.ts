import type { Db, Document } from 'mongodb';
import { isSealedSecret, type SealedSecret, type TokenVault } from './token-vault.ts';

/** Collections that hold sealed tokens: connected accounts, and account choices waiting after a login. */
export const sealedCollections = ['accounts', 'oauth_pending'] as const;

export interface RotationReport {
  /** Documents whose secrets were re-sealed under the current key. */
  resealed: number;
  /** Documents already entirely under the current key. */
  current: number;
  /** Documents changed by someone else while being re-sealed (run the command again). */
  skipped: number;
  /** Key ids found on stored tokens that the vault does not hold: nothing is changed while any is missing. */
  unknownKeyIds: string[];
}

/**
 * Re-seals every stored token under the vault's current key. The vault must also hold the old keys (as
 * `TOKEN_ENCRYPTION_KEY_PREVIOUS`); if a stored token is under a key it lacks, nothing at all is changed. Each document is rewritten by one update guarded by the ciphertexts it read, so a
 * token refreshed meanwhile is never overwritten with an older one. Safe to run again: current secrets are left alone.
 */
export async function resealAllTokens(db: Db, vault: TokenVault): Promise<RotationReport> {
  const report: RotationReport = { resealed: 0, current: 0, skipped: 0, unknownKeyIds: [] };
  const unknown = new Set<string>();
  for (const name of sealedCollections) {
    for await (const doc of db.collection<Document>(name).find({})) {
      for (const { secret } of sealedPaths(doc)) if (!vault.knows(secret.keyId)) unknown.add(secret.keyId);
    }
  }
  if (unknown.size > 0) return { ...report, unknownKeyIds: [...unknown] };
  for (const name of sealedCollections) {
    const collection = db.collection<Document>(name);
    for await (const doc of collection.find({})) {
      const found = sealedPaths(doc);
      const stale = found.filter(({ secret }) => secret.keyId !== vault.currentKeyId);
      if (stale.length === 0) {
        report.current += 1;
        continue;
      }
      const guard: Document = { _id: doc._id };
      const set: Document = {};
      for (const { path, secret } of stale) {
        guard[`${path}.data`] = secret.data;
        set[path] = vault.seal(vault.open(secret));
      }
      const result = await collection.updateOne(guard, { $set: set });
      if (result.modifiedCount === 1) report.resealed += 1;
      else report.skipped += 1;
    }
  }
  return report;
}

/** Every sealed secret inside a document, with its dotted path (array positions included). */
export function sealedPaths(value: unknown, path = ''): { path: string; secret: SealedSecret }[] {
  if (isSealedSecret(value)) return [{ path, secret: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => sealedPaths(item, join(path, String(index))));
  if (typeof value === 'object' && value !== null && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return Object.entries(value).flatMap(([key, item]) => (key === '_id' ? [] : sealedPaths(item, join(path, key))));
  }
  return [];
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
