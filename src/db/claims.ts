import { type Db, MongoServerError } from 'mongodb';

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
