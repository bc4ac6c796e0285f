import { type Db, MongoServerError } from 'mongodb';
import type { CollectionIndexes } from './indexes.ts';

/**
 * Claims a one-time key exactly once across every process: the first insert of `_id: key` wins, any other gets a
 * duplicate key error. Only for keys that name something that happens once (a single-use login state, a button's one
 * effect); a change of a document's state is an atomic update of that document guarded by the state it leaves.
 */
export async function claimOnce(db: Db, key: string): Promise<boolean> {
  try {
    await db.collection<{ _id: string; at: Date }>('claims').insertOne({ _id: key, at: new Date() });
    return true;
  } catch (error) {
    if (error instanceof MongoServerError && error.code === 11000) return false;
    throw error;
  }
}

/** Gives a claim back, so the same key can be claimed again (after the claimed work failed without effect). */
export async function releaseClaim(db: Db, key: string): Promise<void> {
  await db.collection<{ _id: string; at: Date }>('claims').deleteOne({ _id: key });
}

export const claimIndexes: CollectionIndexes = { collection: 'claims', indexes: [{ key: { at: 1 } }] };

/** Claims are kept this long: far past any lease, login state or retry that could still look for them. */
export const claimRetentionMs = 7 * 24 * 60 * 60 * 1000;

/** Deletes claims older than the retention: every one-time key names something that has long expired. */
export async function pruneClaims(db: Db, now = new Date()): Promise<number> {
  const before = { at: { $lt: new Date(now.getTime() - claimRetentionMs) } };
  const claims = await db.collection('claims').deleteMany(before);
  return claims.deletedCount;
}
