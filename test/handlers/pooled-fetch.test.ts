import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPooledFetch } from '../../src/handlers/pooled-fetch.ts';

const received: { method?: string; headers: IncomingHttpHeaders; body: string }[] = [];
let connections = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
    if (req.url === '/gone') {
      res.writeHead(404, { 'content-type': 'text/plain', 'x-reason': 'expired' });
      res.end('no_such_response_url');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
});
// As Slack's simulator does: a short keep-alive, announced in each answer.
server.keepAliveTimeout = 1_000;
server.on('connection', () => {
  connections += 1;
});
let base = '';
const pooled = createPooledFetch();

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await pooled.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the fetch behind respond()', () => {
  it('posts the answer as given and returns status, headers and body, over reused connections', async () => {
    const before = connections;
    for (let i = 0; i < 5; i += 1) {
      const response = await pooled.fetch(`${base}/response/${i}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: `answer ${i}` }),
      });
      expect(response.ok).toBe(true);
      expect(await response.text()).toBe('ok');
    }
    expect(received.slice(-5).map((r) => [r.method, r.headers['content-type'], r.body])).toEqual(
      [0, 1, 2, 3, 4].map((i) => ['POST', 'application/json', `{"text":"answer ${i}"}`]),
    );
    // One after the other: a second connection may open while the first is being released, but no more.
    expect(connections - before).toBeLessThanOrEqual(2);

    const gone = await pooled.fetch(`${base}/gone`, { method: 'POST', body: '{}' });
    expect(gone.ok).toBe(false);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('x-reason')).toBe('expired');
    expect(await gone.text()).toBe('no_such_response_url');
  });

  it('leaves other requests to the global fetch, which honours what only it handles', async () => {
    const form = new FormData();
    form.append('field', 'value');
    const multipart = await pooled.fetch(`${base}/upload`, { method: 'POST', body: form });
    expect(multipart.status).toBe(200);
    expect(received.at(-1)?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(received.at(-1)?.body).toContain('value');

    const aborted = new AbortController();
    aborted.abort();
    await expect(
      pooled.fetch(`${base}/response/x`, { method: 'POST', body: '{}', signal: aborted.signal }),
    ).rejects.toThrow();
  });
});
