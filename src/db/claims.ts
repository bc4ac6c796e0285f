import { type Db, MongoServerError } from 'mongodb';
import type { CollectionIndexes } from './indexes.ts';

/**
 * Claims a key exactly once across every process: the first insert of `_id: key` wins, any other gets a duplicate
 * key error. Used where one actor must win a race (a single-use login state, a confirmation clicked twice).
 *
 * Why not only a guarded `findOneAndUpdate`: on MongoDB that is atomic, but the embedded FerretDB 1.24 (SQLite) reads
 * and then writes, so concurrent guarded updates can all match (measured: 3 concurrent guarded updates of one
 * document all reported a match). Unique `_id` inserts are enforced by SQLite and stay exclusive on both.
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

/**
 * Deletes one-off claims and version claims (`transitions`, see `guardedUpdate`) older than the retention. Nothing
 * can ask for them again: versions only move forward, and every one-off key names something that has long expired.
 */
export async function pruneClaims(db: Db, now = new Date()): Promise<number> {
  const before = { at: { $lt: new Date(now.getTime() - claimRetentionMs) } };
  const [claims, transitions] = await Promise.all([
    db.collection('claims').deleteMany(before),
    db.collection('transitions').deleteMany(before),
  ]);
  return claims.deletedCount + transitions.deletedCount;
}
