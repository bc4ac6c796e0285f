import type { Collection, Filter, UpdateFilter } from 'mongodb';

/** A document whose changes are counted: `version` goes up by one with each `guardedUpdate`. */
export interface Versioned {
  _id: string;
  version: number;
}

/**
 * Changes one document only if it matches `guard` now: one atomic `findOneAndUpdate` filtered by `_id` and the guard
 * (the state it leaves), so of any number of concurrent callers exactly one wins, on MongoDB and on the embedded
 * database alike. Counts the change in `version`. Returns the document after the change, or `null` when it did not
 * match (another caller won, or it is in another state).
 */
export function guardedUpdate<T extends Versioned>(
  collection: Collection<T>,
  id: string,
  guard: Filter<T>,
  update: UpdateFilter<T>,
): Promise<T | null> {
  const inc = { ...((update.$inc as Record<string, number> | undefined) ?? {}), version: 1 };
  return collection.findOneAndUpdate(
    { ...guard, _id: id } as Filter<T>,
    { ...update, $inc: inc } as unknown as UpdateFilter<T>,
    { returnDocument: 'after' },
  ) as Promise<T | null>;
}
