import { type Db, MongoClient } from 'mongodb';
import { ConnectionString } from 'mongodb-connection-string-url';
import type { Config } from '../config.ts';
import { type EmbeddedDatabase, type EmbeddedDatabaseLog, startEmbeddedDatabase } from './embedded-ferretdb.ts';
import { ensureIndexes } from './indexes.ts';

export interface Database {
  db: Db;
  client: MongoClient;
  /** Whether the database answers now (for `/readyz`). */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Name of the database the app uses inside `MONGODB_URL` when the URL names none. */
export const defaultDatabaseName = 'wone';

/** Connections per instance, unless `MONGODB_URL` says otherwise. */
const defaultPoolSize = 20;

/**
 * Connects to `MONGODB_URL`, or starts the embedded FerretDB under `DATA_DIR` when it is unset, and creates indexes.
 */
export async function openDatabase(
  config: Pick<Config, 'MONGODB_URL' | 'DATA_DIR'>,
  /** Where the embedded database's restarts are reported. */
  log?: EmbeddedDatabaseLog,
): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.MONGODB_URL;
  if (!url) {
    embedded = await startEmbeddedDatabase({ dataDir: config.DATA_DIR, ...(log ? { log } : {}) });
    url = embedded.url;
  }
  // Read with the driver's own parser: a standard connection string may name several hosts (a replica set) or be a
  // `mongodb+srv` record, which a WHATWG URL cannot hold.
  const parsed = new ConnectionString(url);
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    // Unless the URL sets it: a burst of publishing queues here rather than in the database. The embedded FerretDB
    // serves at most 100 SQLite connections and was seen to stall for good when two instances (100 each, the driver's
    // default) flooded it; 20 per instance is plenty for this app on MongoDB too.
    ...(namesOption(parsed, 'maxPoolSize') ? {} : { maxPoolSize: defaultPoolSize }),
  });
  try {
    await client.connect();
    const db = client.db(databaseNameOf(parsed));
    await ensureIndexes(db);
    return {
      db,
      client,
      ping: async (timeoutMs = 1_000) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        });
        const answer = db
          .command({ ping: 1 })
          .then(() => true)
          .catch(() => false);
        const result = await Promise.race([answer, timeout]);
        clearTimeout(timer);
        return result;
      },
      close: async () => {
        // The embedded database is stopped even when closing the driver fails (it may have lost its connections).
        try {
          await client.close();
        } finally {
          await embedded?.stop();
        }
      },
    };
  } catch (error) {
    await client.close().catch(() => {});
    await embedded?.stop();
    throw error;
  }
}

/** The database a connection string names (its path), or the app's default when it names none. */
export function databaseNameOf(connection: ConnectionString): string {
  return decodeURIComponent(connection.pathname.replace(/^\//, '')) || defaultDatabaseName;
}

/** Whether a connection string sets an option (option names are case-insensitive). */
function namesOption(connection: ConnectionString, option: string): boolean {
  return [...connection.searchParams.keys()].some((key) => key.toLowerCase() === option.toLowerCase());
}
