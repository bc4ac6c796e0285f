import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { projectRoot } from '../project-root.ts';

/** Where `scripts/ensure-ferretdb.mjs` puts the binary. */
export const ferretdbBinary = join(projectRoot, '.tools', 'bin', 'ferretdb');

export class EmbeddedDatabaseError extends Error {
  readonly code = 'embedded_database_failed';
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedDatabaseError';
  }
}

export interface EmbeddedDatabase {
  /** A `mongodb://` URL for the driver. */
  url: string;
  port: number;
  /** The database server's process id (for resource figures). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Where the embedded database reports its restarts. */
export interface EmbeddedDatabaseLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Starts FerretDB (SQLite backend) as a child process on loopback, with its data under `dataDir`, telemetry and the
 * debug listener off, and waits until it answers a ping. `port` 0 picks a free one.
 *
 * It is supervised: if the process exits on its own (killed, crashed), it is started again on the same port with the
 * same data, after a short wait that grows while restarts keep failing. Meanwhile the driver's operations fail (and
 * `/readyz` says the database does not answer); once it answers again the driver reconnects by itself.
 */
export async function startEmbeddedDatabase(options: {
  dataDir: string;
  port?: number;
  log?: EmbeddedDatabaseLog;
}): Promise<EmbeddedDatabase> {
  if (!existsSync(ferretdbBinary)) {
    throw new EmbeddedDatabaseError(
      'The embedded database is not built: run `node scripts/ensure-ferretdb.mjs` (npm start and npm test do), or set MONGODB_URL.',
    );
  }
  const dataDir = resolve(options.dataDir, 'ferretdb');
  mkdirSync(dataDir, { recursive: true });
  const port = options.port || (await freePort());
  const url = `mongodb://127.0.0.1:${port}/`;
  let child = await launch(dataDir, port, url);
  let stopping = false;
  /** A restart under way: stopping waits for it, so no process it starts outlives the app. */
  let restarting: Promise<void> | undefined;
  /** Ends the wait before the next restart attempt (when stopping). */
  let wake: (() => void) | undefined;
  const supervise = (current: ChildProcess) => {
    current.once('exit', (code, signal) => {
      if (stopping) return;
      options.log?.warn({ code, signal, pid: current.pid }, 'embedded database exited; restarting it');
      restarting = (async () => {
        for (let attempt = 0; !stopping; attempt++) {
          await new Promise<void>((resolveWait) => {
            wake = resolveWait;
            setTimeout(resolveWait, Math.min(5_000, 200 * 2 ** attempt));
          });
          if (stopping) return;
          try {
            child = await launch(dataDir, port, url);
            if (stopping) {
              await stopChild(child);
              return;
            }
            options.log?.warn({ pid: child.pid, attempt: attempt + 1 }, 'embedded database restarted');
            supervise(child);
            return;
          } catch (error) {
            options.log?.error({ err: error, attempt: attempt + 1 }, 'embedded database did not restart');
          }
        }
      })();
    });
  };
  supervise(child);
  return {
    url,
    port,
    get pid() {
      return child.pid;
    },
    stop: async () => {
      stopping = true;
      wake?.();
      await restarting;
      await stopChild(child);
    },
  };
}

/** Starts one FerretDB process and waits until it answers. */
async function launch(dataDir: string, port: number, url: string): Promise<ChildProcess> {
  const child = spawn(
    ferretdbBinary,
    [
      '--handler=sqlite',
      // A writer waits up to 30 s for SQLite's write lock (FerretDB's default is 10 s) before failing with "database is
      // locked": a burst of publishing writes queues for it.
      `--sqlite-url=file:${dataDir}/?_pragma=busy_timeout(30000)`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dataDir}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilAnswering(url, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new EmbeddedDatabaseError(`The embedded database did not start: ${(error as Error).message}\n${stderr}`);
  }
  return child;
}

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error('the process exited');
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
    try {
      await client.db('admin').command({ ping: 1 });
      return;
    } catch {
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    } finally {
      await client.close().catch(() => {});
    }
  }
  throw new Error('no answer within 20 s');
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
