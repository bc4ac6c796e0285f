import type { Db } from 'mongodb';

const answers = new WeakMap<Db, Promise<boolean>>();

/**
 * Whether the database is FerretDB 1.x, which runs a query in SQL only when its filter is exactly `{ _id: <value> }`
 * and otherwise decodes and tests every document of the collection. Callers on hot paths then read by `_id` alone and
 * test the rest in the process. Asked once per `Db` (`buildInfo` names FerretDB's version).
 */
export function filtersOnlyById(db: Db): Promise<boolean> {
  let answer = answers.get(db);
  if (!answer) {
    answer = db
      .command({ buildInfo: 1 })
      .then((info) => typeof info.ferretdbVersion === 'string')
      .catch(() => false);
    answers.set(db, answer);
  }
  return answer;
}
