import type { Collection, Db, Document, Filter, UpdateFilter, WithId } from 'mongodb';
import type { CollectionIndexes } from './indexes.ts';

/**
 * Claims used to make guarded updates atomic on every server we run on.
 *
 * MongoDB applies `findOneAndUpdate({state: 'queued'}, …)` atomically, but the embedded FerretDB 1.24 does not: it
 * reads the matching document, then writes it back by `_id` in a separate step, so two racing writers can both match
 * and both win (measured: 48 of 50 races had two winners). Inserts into a unique `_id` are atomic on both. So each
 * guarded update first inserts a claim named after the document's revision; only the writer whose insert succeeds
 * applies its update, and the update moves the revision on.
 */
export const claimIndexes: CollectionIndexes = { collection: 'claims', indexes: [{ key: { at: 1 } }] };

interface Claim {
  _id: string;
  at: Date;
}

/** A document that can be changed by guarded updates: `rev` counts its changes. */
export interface Revised {
  rev?: number;
}

const duplicateKey = (error: unknown) => (error as { code?: number }).code === 11000;

/** A claim older than this whose revision never moved on belongs to a writer that died mid-update. */
const abandonedAfterMs = 60_000;

/**
 * Updates the one document that matches `filter`, if any, exactly once among racing writers: like
 * `findOneAndUpdate(filter, update, { returnDocument: 'after' })` on MongoDB. Returns the updated document, or `null`
 * when nothing matched or another writer changed it first. Every write to a collection updated this way must use it.
 */
export async function guardedUpdate<T extends Document & Revised>(
  collection: Collection<T>,
  filter: Filter<T>,
  update: UpdateFilter<T>,
): Promise<WithId<T> | null> {
  const claims = collection.db.collection<Claim>('claims');
  for (let attempt = 0; attempt < 2; attempt++) {
    const current = await collection.findOne(filter);
    if (!current) return null;
    const rev = current.rev ?? 0;
    const claimId = `${collection.collectionName}/${String(current._id)}/${rev}`;
    try {
      await claims.insertOne({ _id: claimId, at: new Date() });
    } catch (error) {
      if (!duplicateKey(error)) throw error;
      if (!(await takeOverAbandoned(claims, claimId))) return null;
    }
    const set = { ...((update.$set as object | undefined) ?? {}), rev: rev + 1 };
    const revFilter = current.rev === undefined ? { rev: { $exists: false } } : { rev };
    const result = await collection.findOneAndUpdate(
      { _id: current._id, ...revFilter } as Filter<T>,
      { ...update, $set: set } as UpdateFilter<T>,
      { returnDocument: 'after' },
    );
    if (result) return result;
  }
  return null;
}

/** Takes over a claim whose writer died before updating (the claim is old and its revision never moved on). */
async function takeOverAbandoned(claims: Collection<Claim>, claimId: string): Promise<boolean> {
  const claim = await claims.findOne({ _id: claimId });
  if (!claim || Date.now() - claim.at.getTime() < abandonedAfterMs) return false;
  const removed = await claims.deleteOne({ _id: claimId, at: claim.at });
  if (removed.deletedCount !== 1) return false;
  try {
    await claims.insertOne({ _id: claimId, at: new Date() });
    return true;
  } catch (error) {
    if (duplicateKey(error)) return false;
    throw error;
  }
}

/** Removes claims too old to matter (their documents have long moved on). */
export async function pruneClaims(db: Db, olderThanMs = 24 * 60 * 60 * 1000): Promise<number> {
  const result = await db.collection<Claim>('claims').deleteMany({ at: { $lt: new Date(Date.now() - olderThanMs) } });
  return result.deletedCount;
}
