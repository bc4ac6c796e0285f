#!/usr/bin/env node
// Builds the embedded database (FerretDB 1.24.2: the MongoDB wire protocol over SQLite) into .tools/bin, once.
// Skipped when MONGODB_URL points at a real MongoDB.
//
// `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a binary that panics at start: the module as
// published lacks build/version/version.txt (it is generated in FerretDB's own release pipeline). So the same module
// is fetched with `go mod download`, copied, given that file, and built from its own cmd/ferretdb.
//
// One line of it is changed before the build (PATCHES below): the SQLite backend creates each collection's unique
// `_id` index on the expression `_ferretdb_sjson->"_id"` but looks documents up by `_ferretdb_sjson->'$._id'`, which
// SQLite does not match to that index, so every read, update and delete by `_id` scanned the whole table (measured:
// an update by `_id` took 2.5 ms with 100 documents and 39 ms with 5,000). Written as `->'_id'`, the same path, the
// lookups use the index. Nothing else changes: the stored data and the wire protocol are those of 1.24.2.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = 'v1.24.2';
/** Source changes applied before the build: [file, the text as published, its replacement]. */
const PATCHES = [
  [
    'internal/backends/sqlite/metadata/metadata.go',
    `IDColumn = DefaultColumn + "->'$._id'"`,
    `IDColumn = DefaultColumn + "->'_id'"`,
  ],
];
/** Written beside the binary, so a binary built before a change of PATCHES is rebuilt. */
const BUILD_ID = `${VERSION}+${PATCHES.length}-id-index`;
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
  for (const [file, published, replacement] of PATCHES) {
    const path = join(source, file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(published)) throw new Error(`${file} does not contain the line to change`);
    writeFileSync(path, text.replace(published, replacement));
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
