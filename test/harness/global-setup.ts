import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDatabase } from '../../src/db/embedded-ferretdb.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `mongodb://` URL of the test run's database server; each test file uses a database of its own in it. */
    mongoUrl: string;
  }
}

/** One embedded FerretDB for the whole run (or the MongoDB in `MONGODB_URL`). */
export default async function setup(project: TestProject) {
  if (process.env.MONGODB_URL) {
    project.provide('mongoUrl', process.env.MONGODB_URL);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'wone-test-db-'));
  const database = await startEmbeddedDatabase({ dataDir });
  project.provide('mongoUrl', database.url);
  return async () => {
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
