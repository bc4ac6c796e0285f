import type { Db, IndexDescription } from 'mongodb';
import { accountIndexes } from '../services/accounts.ts';
import { auditIndexes } from '../services/audit.ts';
import { commentIndexes } from '../services/comment-docs.ts';
import { insightSnapshotIndexes } from '../services/insights.ts';
import { savedReportIndexes } from '../services/insights-publisher.ts';
import { claimIndexes } from './guarded-update.ts';

/** A collection's indexes, declared by the service that owns the collection. */
export interface CollectionIndexes {
  collection: string;
  indexes: IndexDescription[];
}

/** Every collection's indexes, created at startup. */
const allIndexes: CollectionIndexes[] = [
  claimIndexes,
  auditIndexes,
  accountIndexes,
  insightSnapshotIndexes,
  savedReportIndexes,
  commentIndexes,
];

/**
 * Creates every index, one per command: FerretDB 1.24 drops the connection when one `createIndexes` command names
 * several indexes that already exist, which is what every start after the first does.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const { collection, indexes } of allIndexes) {
    for (const index of indexes) await db.collection(collection).createIndexes([index]);
  }
}
