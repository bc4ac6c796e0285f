import type { Db, IndexDescription } from 'mongodb';
import { pendingConnectionIndexes } from '../services/account-connect.ts';
import { accountIndexes } from '../services/accounts.ts';
import { auditIndexes } from '../services/audit.ts';
import { oauthStateIndexes } from '../services/oauth-states.ts';

/** A collection's indexes, declared by the service that owns the collection. */
export interface CollectionIndexes {
  collection: string;
  indexes: IndexDescription[];
}

/** Every collection's indexes, created at startup. */
const allIndexes: CollectionIndexes[] = [auditIndexes, accountIndexes, oauthStateIndexes, pendingConnectionIndexes];

/**
 * Creates every declared index. One index per command: FerretDB 1.24 drops the connection when a `createIndexes`
 * naming several indexes finds them all present already, which would stop the app from starting a second time.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const { collection, indexes } of allIndexes) {
    for (const index of indexes) await db.collection(collection).createIndexes([index]);
  }
}
