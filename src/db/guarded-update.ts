import { type Collection, type Db, type Filter, MongoServerError, type UpdateFilter } from 'mongodb';
import siftModule from 'sift';
import { filtersOnlyById } from './backend.ts';
import type { CollectionIndexes } from './indexes.ts';

/** A document changed only through `guardedUpdate`: `version` counts its changes. */
export interface Versioned {
  _id: string;
  version: number;
}

interface TransitionClaim {
  _id: string;
  at: Date;
}

/** A claim left by a worker that died between claiming and updating is taken over after this long, by default. */
const defaultStaleClaimMs = 2 * 60 * 1000;

/** sift is CommonJS: Node gives its `module.exports` as the default export, whose `default` is the query tester. */
const sift = siftModule.default;

export const transitionIndexes: CollectionIndexes = { collection: 'transitions', indexes: [{ key: { at: 1 } }] };

/**
 * Changes one document only if it matches `guard` now, and lets exactly one of any number of concurrent callers do
 * so. MongoDB's `findOneAndUpdate` alone would do, but FerretDB (the embedded database) reads and writes in two steps,
 * so two callers can both pass the guard. Here each caller first claims the document's current version by inserting
 * `<collection>:<id>@<version>` into `transitions`; `_id` uniqueness lets one insert win, and only the winner updates
 * (and increments `version`). Returns the document after the change, or `null` when it did not match or another caller
 * won.
 */
export async function guardedUpdate<T extends Versioned>(
  db: Db,
  collection: Collection<T>,
  id: string,
  guard: Filter<T>,
  update: UpdateFilter<T>,
  /** How old a claim must be before it counts as left by a dead worker (see `defaultStaleClaimMs`). */
  staleClaimMs = defaultStaleClaimMs,
): Promise<T | null> {
  // Read by `_id` alone and test the guard here: on FerretDB any other filter decodes the whole collection.
  const current = (await collection.findOne({ _id: id } as Filter<T>)) as T | null;
  if (!current || !sift(guard as Record<string, unknown>)(current)) return null;
  const version = current.version ?? 0;
  const claims = db.collection<TransitionClaim>('transitions');
  const claimId = `${collection.collectionName}:${id}@${version}`;
  const claimed = await claim(claims, claimId, staleClaimMs);
  if (!claimed) return null;
  const inc = { ...((update.$inc as Record<string, number> | undefined) ?? {}), version: 1 };
  const versionFilter = current.version === undefined ? { version: { $exists: false } } : { version };
  try {
    // FerretDB reads and then writes even with a version in the filter (and reads the whole collection for it), so
    // there the claim alone makes this write the only one; a claim taken over from a stalled writer is checked against
    // the stored version first.
    const byIdOnly = await filtersOnlyById(db);
    if (byIdOnly && claimed === 'taken_over') {
      const now = (await collection.findOne({ _id: id } as Filter<T>)) as T | null;
      if ((now?.version ?? 0) !== version) return null;
    }
    return (await collection.findOneAndUpdate(
      (byIdOnly ? { _id: id } : { _id: id, ...versionFilter }) as Filter<T>,
      { ...update, $inc: inc } as unknown as UpdateFilter<T>,
      { returnDocument: 'after' },
    )) as T | null;
  } catch (error) {
    // The write failed (e.g. the database was busy): the version did not change, so free it for the next attempt
    // instead of leaving it blocked until the claim goes stale.
    await claims.deleteOne({ _id: claimId }).catch(() => undefined);
    throw error;
  }
}

async function claim(
  claims: Collection<TransitionClaim>,
  claimId: string,
  staleClaimMs: number,
): Promise<'claimed' | 'taken_over' | false> {
  try {
    await claims.insertOne({ _id: claimId, at: new Date() });
    return 'claimed';
  } catch (error) {
    if (!(error instanceof MongoServerError) || error.code !== 11000) throw error;
  }
  // Someone holds this version. If they died before updating, their claim is old: take it over once.
  const held = await claims.findOne({ _id: claimId });
  if (!held || held.at.getTime() >= Date.now() - staleClaimMs) return false;
  const stale = await claims.deleteOne({ _id: claimId, at: held.at });
  if (stale.deletedCount !== 1) return false;
  try {
    await claims.insertOne({ _id: claimId, at: new Date() });
    return 'taken_over';
  } catch {
    return false;
  }
}

/**
 * Applies `update` to the document `id` if it matches `guard`, without a version claim: for changes that only matter
 * while a state holds (saving progress) and race with nothing that must see them. On FerretDB the guard is tested on
 * the document read by `_id` (see `filtersOnlyById`); on MongoDB it is part of the one atomic update.
 */
export async function updateIfMatches<T extends Versioned>(
  collection: Collection<T>,
  id: string,
  guard: Filter<T>,
  update: UpdateFilter<T>,
): Promise<T | null> {
  if (await filtersOnlyById(collection.db)) {
    const current = (await collection.findOne({ _id: id } as Filter<T>)) as T | null;
    if (!current || !sift(guard as Record<string, unknown>)(current)) return null;
    return (await collection.findOneAndUpdate({ _id: id } as Filter<T>, update, {
      returnDocument: 'after',
    })) as T | null;
  }
  return (await collection.findOneAndUpdate({ ...guard, _id: id } as Filter<T>, update, {
    returnDocument: 'after',
  })) as T | null;
}
