import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

/**
 * A web server on 127.0.0.1 that serves files over https, as the sites people link large videos from do. Its
 * certificate is made for the run (openssl) and trusted by this process's `fetch` only while the server runs.
 */
export class HttpsMediaServer {
  private server: Server | undefined;
  private previous: Dispatcher | undefined;
  private readonly files = new Map<string, { bytes: Uint8Array; type: string }>();
  url = '';

  serve(path: string, bytes: Uint8Array, type: string): string {
    this.files.set(path, { bytes, type });
    return `${this.url}${path}`;
  }

  async start(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'wone-https-'));
    try {
      execFileSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]);
      const key = readFileSync(join(dir, 'key.pem'));
      const cert = readFileSync(join(dir, 'cert.pem'));
      this.server = createServer({ key, cert }, (req, res) => {
        const file = this.files.get(new URL(req.url ?? '/', 'https://127.0.0.1').pathname);
        if (!file) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': file.type, 'content-length': String(file.bytes.length) });
        res.end(file.bytes);
      });
      await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
      this.previous = getGlobalDispatcher();
      setGlobalDispatcher(new Agent({ connect: { ca: cert } }));
      this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
      return this.url;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async stop(): Promise<void> {
    if (this.previous) setGlobalDispatcher(this.previous);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
