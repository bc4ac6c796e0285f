import { ConnectionString } from 'mongodb-connection-string-url';
import { describe, expect, it } from 'vitest';
import { databaseNameOf, defaultDatabaseName, openDatabase } from '../../src/db/database.ts';

// MONGODB_URL takes every standard MongoDB connection string: several hosts (a replica set), `mongodb+srv`, options.
const strings: [string, string][] = [
  ['mongodb://h1:27017,h2:27017/wone?replicaSet=rs0', 'wone'],
  ['mongodb://user:p%40ss@h1:27017,h2:27018,h3:27019/social?replicaSet=rs0&authSource=admin', 'social'],
  ['mongodb+srv://user:secret@cluster0.example.net/prod?retryWrites=true&w=majority', 'prod'],
  ['mongodb://127.0.0.1:27017', defaultDatabaseName],
  ['mongodb://h1,h2/?replicaSet=rs0', defaultDatabaseName],
];

describe('MONGODB_URL', () => {
  it.each(strings)('reads %s with the driver’s parser', (url, database) => {
    expect(databaseNameOf(new ConnectionString(url))).toBe(database);
  });

  it('opens a multi-host replica-set string: the driver looks for the hosts instead of the app refusing the URL', async () => {
    // Nothing listens on these ports: the driver's server selection gives up, which is the failure a real replica set
    // that is down would give; before, the app failed at once with "Invalid URL".
    const url = 'mongodb://127.0.0.1:9,127.0.0.1:10/wone?replicaSet=rs0&serverSelectionTimeoutMS=300';
    await expect(openDatabase({ MONGODB_URL: url, DATA_DIR: '/nonexistent' })).rejects.toMatchObject({
      name: 'MongoServerSelectionError',
    });
  });
});
