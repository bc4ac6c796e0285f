import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { MongoClient, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { PlatformError } from '../src/platforms/errors.ts';
import { freshDatabaseUrl } from './harness/test-app.ts';

/** A logger writing into an array of parsed JSON lines. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines, text: () => JSON.stringify(lines) };
}

describe('logger', () => {
  it('keeps error codes: a platform error, a refused connection, a MongoDB duplicate key', async () => {
    const { logger, lines } = capture();
    const platform = new PlatformError({
      kind: 'rate_limited',
      platform: 'facebook',
      code: 'graph_4',
      message: 'facebook: application request limit reached',
    });
    logger.warn({ kind: platform.kind, code: platform.code }, platform.message);
    logger.error({ err: platform }, 'publishing failed');

    const refused = await new Promise<Error>((resolve) => connect(1, '127.0.0.1').once('error', resolve));
    expect((refused as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    logger.error({ err: refused }, 'could not reach the platform');

    const client = new MongoClient(freshDatabaseUrl());
    let duplicate: unknown;
    try {
      const things = client.db().collection<{ _id: string }>('things');
      await things.insertOne({ _id: 'one' });
      await things.insertOne({ _id: 'one' }).catch((error) => {
        duplicate = error;
      });
      await client.db().dropDatabase();
    } finally {
      await client.close();
    }
    expect(duplicate).toBeInstanceOf(MongoServerError);
    logger.error({ err: duplicate }, 'store failed');

    const errorCode = (line: number) => (lines[line]?.err as { code?: unknown } | undefined)?.code;
    expect(lines[0]?.code).toBe('graph_4');
    expect(errorCode(1)).toBe('graph_4');
    expect(errorCode(2)).toBe('ECONNREFUSED');
    expect(errorCode(3)).toBe(11000);
  });

  it('censors OAuth codes where they are carried, and secrets by name', () => {
    const { logger, text } = capture();
    logger.info({ query: { code: 'oauth-code-AAA', state: 'st' } }, 'login callback');
    logger.info({ request: { params: { code: 'oauth-code-BBB', redirect_uri: 'https://x' } } }, 'exchange');
    logger.info({ form: { grant_type: 'authorization_code', code: 'oauth-code-CCC' } }, 'exchange');
    logger.info({ account: { accessToken: 'token-DDD' }, client_secret: 'secret-EEE' }, 'secrets');
    const logged = text();
    for (const secret of ['oauth-code-AAA', 'oauth-code-BBB', 'oauth-code-CCC', 'token-DDD', 'secret-EEE']) {
      expect(logged).not.toContain(secret);
    }
    expect(logged).toContain('[redacted]');
    expect(logged).toContain('authorization_code');
  });
});
