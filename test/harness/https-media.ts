import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

/**
 * A web server on 127.0.0.1 that serves files over https, as the sites people link large videos from do. Its
 * certificate is made for the run (openssl). While it runs, this test process does not verify TLS certificates
 * (`NODE_TLS_REJECT_UNAUTHORIZED=0`, restored on stop): the app's media fetcher uses its own connection pools, which
 * cannot be given the run's certificate. Only servers of the test itself are reached meanwhile.
 */
export class HttpsMediaServer {
  private server: Server | undefined;
  private previous: Dispatcher | undefined;
  private previousTls: string | undefined;
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
      this.previousTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      this.previous = getGlobalDispatcher();
      setGlobalDispatcher(new Agent({ connect: { ca: cert } }));
      this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
      return this.url;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** `host:port` of the server, for `MEDIA_FETCH_ALLOW` (the app refuses loopback links otherwise). */
  get hostPort(): string {
    return new URL(this.url).host;
  }

  async stop(): Promise<void> {
    if (this.previous) setGlobalDispatcher(this.previous);
    if (this.previousTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = this.previousTls;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
