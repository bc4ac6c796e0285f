import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Agenda owns its job documents: the app creates, moves and cancels jobs through Agenda's API (`create`, `schedule`,
// `save`, `every`, `cancel`) and may read the collection, but never writes a job's fields itself. A hand-written lock or
// run time makes a second scheduler beside Agenda's.

const root = join(import.meta.dirname, '..', '..');
const agendaFields = [
  'nextRunAt',
  'lockedAt',
  'lastRunAt',
  'lastFinishedAt',
  'failedAt',
  'failCount',
  'failReason',
  'lastModifiedBy',
  'disabled',
  'repeatInterval',
];
const writeMethods =
  'updateOne|updateMany|insertOne|insertMany|deleteOne|deleteMany|replaceOne|findOneAndUpdate|findOneAndDelete|findOneAndReplace|bulkWrite|drop';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Every way `source` writes Agenda's job documents by hand, as `line: text`. */
function handWrittenJobWrites(source: string): string[] {
  const found: string[] = [];
  const lines = source.split('\n');
  const report = (index: number) => found.push(`${index + 1}: ${lines[index]?.trim()}`);
  const lineOf = (offset: number) => source.slice(0, offset).split('\n').length - 1;
  const fields = agendaFields.join('|');
  // `job.attrs.nextRunAt = …` (Agenda's API is `job.schedule(at)`, `job.disable()`, …).
  for (const match of source.matchAll(new RegExp(`\\battrs\\s*\\.\\s*(${fields})\\s*=(?!=)`, 'g'))) {
    report(lineOf(match.index));
  }
  // An update operator that names one of Agenda's fields: `{ $set: { lockedAt: null } }`.
  for (const match of source.matchAll(
    new RegExp(`\\$(set|unset|setOnInsert|inc|min|max|currentDate|rename)\\s*:\\s*\\{[^}]*\\b(${fields})\\b`, 'g'),
  )) {
    report(lineOf(match.index));
  }
  // A write method called on the jobs collection, directly or through a name bound to it.
  const jobsCollection = String.raw`collection\s*(?:<[^>]*>)?\s*\(\s*['"\x60]jobs['"\x60]\s*\)`;
  for (const match of source.matchAll(new RegExp(`${jobsCollection}\\s*\\.\\s*(${writeMethods})\\b`, 'g'))) {
    report(lineOf(match.index));
  }
  const bound = [
    ...source.matchAll(new RegExp(`(?:const|let|var)\\s+(\\w+)\\s*=\\s*[^;]*?${jobsCollection}`, 'g')),
    ...source.matchAll(new RegExp(`get\\s+(\\w+)\\s*\\(\\s*\\)[^{]*\\{\\s*return[^;]*?${jobsCollection}`, 'g')),
  ].map((match) => match[1] as string);
  for (const name of bound) {
    for (const match of source.matchAll(new RegExp(`\\b${name}\\s*\\.\\s*(${writeMethods})\\b`, 'g'))) {
      report(lineOf(match.index));
    }
  }
  return found;
}

describe("the app never writes Agenda's job fields by hand", () => {
  it('finds no hand-written job write anywhere in src/', () => {
    const offenders = sourceFiles(join(root, 'src')).flatMap((file) =>
      handWrittenJobWrites(readFileSync(file, 'utf8')).map((line) => `${relative(root, file)}:${line}`),
    );
    expect(offenders).toEqual([]);
  });

  it('catches each way of writing them (so the check above can fail)', () => {
    const samples = [
      `job.attrs.nextRunAt = new Date();`,
      `await db.collection('jobs').updateOne({ _id }, { $set: { lockedAt: null } });`,
      `await jobs.updateMany({}, { $unset: { lastRunAt: '' } });`,
      `const jobs = this.db.collection<JobDoc>('jobs');\nawait jobs.deleteMany({ name });`,
      `private get jobs() {\n  return this.deps.db.collection<PublishJobDoc>('jobs');\n}\nawait this.jobs.insertOne(doc);`,
      `await db.collection("jobs").findOneAndUpdate({ name }, { $set: { data } });`,
    ];
    for (const sample of samples) expect(handWrittenJobWrites(sample), sample).not.toEqual([]);
    const reads = [
      `const due = await db.collection('jobs').find({ nextRunAt: { $lte: now } }).toArray();`,
      `if (job.attrs.nextRunAt === null) return;`,
      `await agenda.create('publish-post', { postId }).unique({ 'data.postId': postId }).schedule(at).save();`,
      `await scheduler.cancel({ name: 'publish-post', data: { postId } });`,
      `await posts.updateOne({ _id }, { $set: { dueAt: at } });`,
    ];
    for (const sample of reads) expect(handWrittenJobWrites(sample), sample).toEqual([]);
  });
});
