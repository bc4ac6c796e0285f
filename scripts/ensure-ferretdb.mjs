#!/usr/bin/env node
// Builds the embedded database (FerretDB 1.24.2: the MongoDB wire protocol over SQLite) into .tools/bin, once.
// Skipped when MONGODB_URL points at a real MongoDB.
//
// `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a binary that panics at start: the module as
// published lacks build/version/version.txt (it is generated in FerretDB's own release pipeline). So the same module
// is fetched with `go mod download`, copied, given that file, and built from its own cmd/ferretdb.
//
// Three small changes are made before the build (PATCHES below, each explained where it is listed). Together they
// give the app what MongoDB promises and what the app relies on: every single-document write is atomic (a guarded
// `findOneAndUpdate` has one winner, `$inc` loses no increment), and a filter anchored on `_id` is answered by the
// `_id` index. Nothing else changes: the stored data and the wire protocol are those of 1.24.2.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = 'v1.24.2';
/** Source changes applied before the build: [file, the text as published, its replacement, {count: times it occurs}]. */
const PATCHES = [
  // 1. The `_id` index is used. The SQLite backend creates each collection's unique `_id` index on the expression
  // `_ferretdb_sjson->"_id"` but looks documents up by `_ferretdb_sjson->'$._id'`, which SQLite does not match to that
  // index, so every read, update and delete by `_id` scanned the whole table (measured: an update by `_id` took
  // 2.5 ms with 100 documents and 39 ms with 5,000). Written as `->'_id'`, the same path, the lookups use the index.
  [
    'internal/backends/sqlite/metadata/metadata.go',
    `IDColumn = DefaultColumn + "->'$._id'"`,
    `IDColumn = DefaultColumn + "->'_id'"`,
  ],
  // 2. Single-document writes are atomic. FerretDB 1.24 runs insert, update, delete and findAndModify as "read the
  // matching documents, change them in Go, write them back" with no lock between the read and the write, so two
  // connections racing on one document both see the old state: measured with three connections, a guarded
  // `findOneAndUpdate({_id, state: 'queued'})` had two winners in 50 rounds of 50, and 60 concurrent `$inc` left
  // n = 9. One process-wide mutex around those four commands in the command dispatch restores MongoDB's promise
  // (0 of 50, n = 60). It costs nothing: SQLite lets one writer in at a time anyway, and waiting on a mutex is faster
  // than retrying a locked database (the same probe ran faster with it). Reads are not serialized.
  ['internal/clientconn/conn.go', '\t"sync/atomic"\n', '\t"sync"\n\t"sync/atomic"\n'],
  [
    'internal/clientconn/conn.go',
    '// handleOpMsg processes OP_MSG requests.\n',
    [
      "// writeMu serializes the write commands of every connection (a change made in Wone Social's build): each",
      '// handler reads the matching documents, changes them in Go and writes them back, and without this lock two',
      '// connections could both read a document before either wrote it, so a filter guarding a state could match',
      '// twice and an $inc could be lost. SQLite admits one writer at a time anyway.',
      'var writeMu sync.Mutex',
      '',
      '// serializedCommands are the commands that write documents.',
      'var serializedCommands = map[string]bool{',
      '\t"insert": true, "update": true, "delete": true, "findAndModify": true, "findandmodify": true,',
      '}',
      '',
      '// handleOpMsg processes OP_MSG requests.',
      '',
    ].join('\n'),
  ],
  [
    'internal/clientconn/conn.go',
    'func (c *conn) handleOpMsg(connCtx context.Context, msg *wire.OpMsg, command string) (*wire.OpMsg, error) {\n',
    [
      'func (c *conn) handleOpMsg(connCtx context.Context, msg *wire.OpMsg, command string) (*wire.OpMsg, error) {',
      '\tif serializedCommands[command] {',
      '\t\twriteMu.Lock()',
      '\t\tdefer writeMu.Unlock()',
      '\t}',
      '',
    ].join('\n'),
  ],
  // 3. A filter that has an `_id` equality is answered by the `_id` index, not only a filter whose sole key is `_id`:
  // a guarded update such as `{_id, state: 'queued'}` scanned the whole collection (25 ms with 5,000 documents of
  // 1 KB, 1.7 ms with this change). Safe because every handler (find, findAndModify, update, delete) re-tests the
  // whole filter in Go on what the backend returns (`common.FilterIterator`, `common.FilterDocument`), so the narrower
  // query only skips documents that could not match; the switch below the test still pushes down only string and
  // ObjectID values. Both the query and its explain are changed, so `explain` reports what runs.
  [
    'internal/backends/sqlite/collection.go',
    '\tif params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get("_id")',
    [
      "\t// Changed in Wone Social's build: an `_id` equality is pushed down whatever else the filter holds; the",
      '\t// handlers re-test the whole filter on every returned document, so this only narrows the scan. An',
      '\t// aggregation without $match has no filter at all (a nil document, whose Has would panic).',
      '\tif params.Filter.Len() > 0 && params.Filter.Has("_id") {',
      '\t\tv, _ := params.Filter.Get("_id")',
    ].join('\n'),
    { count: 2 },
  ],
];
/** Written beside the binary, so a binary built before a change of PATCHES is rebuilt. */
const BUILD_ID = `${VERSION}+${PATCHES.length}-id-index-serial-writes-id-pushdown-nil-filter`;
const MODULE = 'github.com/FerretDB/FerretDB';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.tools');
const target = join(tools, 'bin', 'ferretdb');

if (process.env.MONGODB_URL) process.exit(0);
const buildIdFile = join(tools, 'bin', 'ferretdb.build');
if (existsSync(target) && installedVersion() === VERSION && readBuildId() === BUILD_ID) process.exit(0);

console.error(`Building FerretDB ${VERSION} into .tools/bin (once; takes a few minutes)...`);
try {
  const go = (args, cwd) =>
    execFileSync('go', args, { cwd, encoding: 'utf8', env: { ...process.env, CGO_ENABLED: '0' } });
  const { Dir } = JSON.parse(go(['mod', 'download', '-json', `${MODULE}@${VERSION}`], ensureToolsDir()));
  const source = join(tools, 'src', `ferretdb-${VERSION}`);
  rmSync(source, { recursive: true, force: true });
  cpSync(Dir, source, { recursive: true });
  makeWritable(source);
  writeFileSync(join(source, 'build', 'version', 'version.txt'), `${VERSION}\n`);
  for (const [file, published, replacement, { count = 1 } = {}] of PATCHES) {
    const path = join(source, file);
    const text = readFileSync(path, 'utf8');
    const found = text.split(published).length - 1;
    if (found !== count) throw new Error(`${file} contains the text to change ${found} times, not ${count}`);
    writeFileSync(path, text.replaceAll(published, replacement));
  }
  mkdirSync(join(tools, 'bin'), { recursive: true });
  go(['build', '-trimpath', '-o', target, './cmd/ferretdb'], source);
  writeFileSync(buildIdFile, `${BUILD_ID}\n`);
  rmSync(source, { recursive: true, force: true });
} catch (error) {
  console.error(`Could not build FerretDB: ${error.message}`);
  console.error('Go 1.24 or newer is needed (https://go.dev/dl/), or set MONGODB_URL to use a MongoDB server.');
  process.exit(1);
}
if (installedVersion() !== VERSION) {
  console.error('FerretDB was built but does not report the expected version.');
  process.exit(1);
}
console.error(`FerretDB ${VERSION} ready at .tools/bin/ferretdb`);

function ensureToolsDir() {
  mkdirSync(tools, { recursive: true });
  return tools;
}

function readBuildId() {
  try {
    return readFileSync(buildIdFile, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function installedVersion() {
  try {
    const out = execFileSync(target, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /version:\s*(v\S+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

function makeWritable(dir) {
  execFileSync('chmod', ['-R', 'u+w', dir]);
  chmodSync(dir, 0o755);
}
