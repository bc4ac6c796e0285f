import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a fake saw it, with its body decoded the way the content type says. */
export interface FakeRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  rawBody: Buffer;
  /** JSON body, form fields, or `undefined` for other content (see `rawBody`). */
  body: unknown;
  at: number;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  bytes?: Uint8Array;
  /** Wait before answering (simulates a slow platform). */
  delayMs?: number;
  /** Close the connection without an answer, after the handler's side effects: a lost response. */
  drop?: boolean;
}

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: FakeHandler;
}

interface Injection {
  match: (req: FakeRequest) => boolean;
  reply: FakeReply;
  /** `before`: answer instead of the handler; `after`: run the handler (its side effects happen), then answer so. */
  when: 'before' | 'after';
  remaining: number;
}

/**
 * A small HTTP server on loopback for fake external APIs: routes with `:params`, every request recorded, and failures
 * injected on demand. Each fake (Slack, Graph, TikTok) registers the routes of its documented contract on one of these.
 */
export class FakeHttpServer {
  readonly calls: FakeRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly injections: Injection[] = [];
  private server: Server | undefined;
  url = '';
  /** Added to the wait of every answer: a platform that takes this long to answer (benchmarks). */
  latencyMs = 0;
  /**
   * Watches every request: `received` after its side effects, just before the answer is sent; `answered` once it is
   * sent. Crash tests kill the app from here, before or after it gets its answer.
   */
  observer: ((req: FakeRequest, phase: 'received' | 'answered') => void | Promise<void>) | undefined;

  route(method: string, path: string, handler: FakeHandler): this {
    const keys: string[] = [];
    const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  /** The next `times` requests that `match` get `reply` instead of (or, with `when: 'after'`, after) the real handling. */
  inject(
    match: (req: FakeRequest) => boolean,
    reply: FakeReply,
    options: { when?: 'before' | 'after'; times?: number } = {},
  ) {
    this.injections.push({ match, reply, when: options.when ?? 'before', remaining: options.times ?? 1 });
  }

  callsTo(method: string, path: string | RegExp): FakeRequest[] {
    return this.calls.filter(
      (call) => call.method === method && (typeof path === 'string' ? call.path === path : path.test(call.path)),
    );
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`fake server error: ${String(error)}`);
        }
      });
    });
    this.server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      params: {},
      query: Object.fromEntries(url.searchParams),
      headers,
      rawBody,
      body: decodeBody(rawBody, headers['content-type'] ?? ''),
      at: Date.now(),
    };
    this.calls.push(request);

    const injection = this.injections.find((candidate) => candidate.remaining > 0 && candidate.match(request));
    if (injection) injection.remaining -= 1;
    if (injection?.when === 'before') return this.answer(res, request, injection.reply);

    const route = this.routes.find(
      (candidate) => candidate.method === request.method && candidate.pattern.test(url.pathname),
    );
    if (!route) {
      return this.answer(res, request, {
        status: 404,
        json: { error: `no fake route for ${request.method} ${url.pathname}` },
      });
    }
    const match = route.pattern.exec(url.pathname);
    route.keys.forEach((key, index) => {
      request.params[key] = decodeURIComponent(match?.[index + 1] ?? '');
    });
    const reply = await route.handler(request);
    return this.answer(res, request, injection ? injection.reply : reply);
  }

  private async answer(res: ServerResponse, request: FakeRequest, reply: FakeReply): Promise<void> {
    await this.observer?.(request, 'received');
    const delayMs = (reply.delayMs ?? 0) + this.latencyMs;
    await send(res, delayMs ? { ...reply, delayMs } : reply);
    await this.observer?.(request, 'answered');
  }
}

function decodeBody(raw: Buffer, contentType: string): unknown {
  if (raw.length === 0) return undefined;
  if (contentType.startsWith('application/json')) {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  }
  return undefined;
}

async function send(res: ServerResponse, reply: FakeReply): Promise<void> {
  if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  if (reply.drop) {
    res.socket?.destroy();
    return;
  }
  const headers = { ...reply.headers };
  let payload: string | Uint8Array = '';
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json';
  } else if (reply.bytes) {
    payload = reply.bytes;
  } else if (reply.text !== undefined) {
    payload = reply.text;
    headers['content-type'] ??= 'text/plain';
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(payload);
}
