import type { Db, IndexDescription } from 'mongodb';
import { accountIndexes } from '../services/accounts.ts';
import { auditIndexes } from '../services/audit.ts';
import { mediaIndexes } from '../services/media-store.ts';
import { postIndexes } from '../services/posts.ts';
import { targetIndexes } from '../services/targets.ts';
import { transitionIndexes } from './guarded-update.ts';

/** A collection's indexes, declared by the service that owns the collection. */
export interface CollectionIndexes {
  collection: string;
  indexes: IndexDescription[];
}

/** Every collection's indexes, created at startup. */
const allIndexes: CollectionIndexes[] = [
  auditIndexes,
  accountIndexes,
  postIndexes,
  targetIndexes,
  mediaIndexes,
  transitionIndexes,
];

export async function ensureIndexes(db: Db): Promise<void> {
  for (const { collection, indexes } of allIndexes) {
    if (indexes.length > 0) await db.collection(collection).createIndexes(indexes);
  }
}
