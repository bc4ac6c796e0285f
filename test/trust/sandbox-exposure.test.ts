import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { refuseRealSettings, SandboxRefusedError } from '../../src/sandbox/safety.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  const mongoUrl = `${inject('mongoUrl').replace(/\/[^/]*$/, '')}/sandbox_${randomBytes(5).toString('hex')}`;
  sandbox = await startSandbox({}, { mongoUrl, logLevel: 'error' });
});
afterAll(async () => sandbox?.stop());

/** Whether a TCP connection to `host:port` is accepted. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('the sandbox stays on this machine', () => {
  it('listens on loopback only', async () => {
    const port = Number(new URL(sandbox.url).port);
    expect(await reachable('127.0.0.1', port)).toBe(true);
    const outside = Object.values(networkInterfaces())
      .flat()
      .filter((entry) => entry && !entry.internal && entry.family === 'IPv4')
      .map((entry) => entry?.address as string);
    for (const address of outside) expect(await reachable(address, port), address).toBe(false);
  });

  it('never downloads a media link', async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests++;
      response.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(
        sandbox.app.services.media.storeUrl(`http://127.0.0.1:${port}/photo.jpg`, 'aaaaaaaaaaaaaaaaaaaaaaaa'),
      ).rejects.toThrow('attach the file instead');
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  it('refuses to start beside INSTAGRAM_API_URL or MEDIA_FETCH_ALLOW, and points Instagram Login at its simulator', () => {
    expect(() => refuseRealSettings({ INSTAGRAM_API_URL: 'https://api.instagram.com' })).toThrow(SandboxRefusedError);
    expect(() => refuseRealSettings({ MEDIA_FETCH_ALLOW: 'media.internal:443' })).toThrow(SandboxRefusedError);
    expect(new URL(sandbox.app.config.INSTAGRAM_API_URL).hostname).toBe('127.0.0.1');
  });
});
