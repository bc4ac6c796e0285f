import { Agent, request, errors as undiciErrors } from 'undici';
import type { z } from 'zod';
import { platformRequest } from '../metrics/events.ts';
import { PlatformError, type PlatformName, UnexpectedResponseError } from './errors.ts';

export interface PlatformHttpOptions {
  platform: PlatformName;
  /** e.g. `https://graph.facebook.com`; paths are joined to it. */
  baseUrl: string;
  connectTimeoutMs?: number;
  /** Time allowed for the answer's headers and for each pause in its body. */
  responseTimeoutMs?: number;
}

export type RequestBody =
  | { json: unknown }
  | { form: Record<string, string> }
  | { bytes: Uint8Array; contentType: string };

export interface PlatformRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A path below the base URL, or an absolute URL the platform handed out (e.g. an upload URL). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: RequestBody;
}

export interface PlatformResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the answer is JSON, the text otherwise (empty string for no body). */
  body: unknown;
  /** The body as received, for values JSON numbers cannot hold exactly (TikTok's int64 post ids). */
  text: string;
}

/**
 * HTTP for one platform host: pooled keep-alive connections, connect and response timeouts, and network failures
 * turned into `PlatformError`s that say whether the request may have taken effect. It never logs, and its errors never
 * include URLs with query strings or headers, so tokens cannot leak through them.
 */
export class PlatformHttp {
  readonly platform: PlatformName;
  readonly baseUrl: string;
  private readonly agent: Agent;

  constructor(options: PlatformHttpOptions) {
    this.platform = options.platform;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const responseTimeout = options.responseTimeoutMs ?? 30_000;
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
      headersTimeout: responseTimeout,
      bodyTimeout: responseTimeout,
      keepAliveTimeout: 30_000,
      // Enough that a minute's posts all make their first call at once (each call mostly waits on the network).
      connections: 128,
    });
  }

  async send(req: PlatformRequest): Promise<PlatformResponse> {
    const url = new URL(/^https?:\/\//.test(req.path) ? req.path : `${this.baseUrl}${req.path}`);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    let body: string | Uint8Array | undefined;
    if (req.body && 'json' in req.body) {
      body = JSON.stringify(req.body.json);
      headers['content-type'] ??= 'application/json';
    } else if (req.body && 'form' in req.body) {
      body = new URLSearchParams(req.body.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (req.body) {
      body = req.body.bytes;
      headers['content-type'] = req.body.contentType;
    }
    const where = `${req.method} ${url.pathname}`;
    try {
      const res = await request(url, { method: req.method, headers, body, dispatcher: this.agent });
      platformRequest.report(() => ({ platform: this.platform, status: String(res.statusCode) }));
      const text = await res.body.text();
      const responseHeaders: Record<string, string> = {};
      for (const [key, value] of Object.entries(res.headers)) {
        if (value !== undefined) responseHeaders[key] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { status: res.statusCode, headers: responseHeaders, body: parseBody(text, responseHeaders), text };
    } catch (error) {
      platformRequest.report(() => ({ platform: this.platform, status: 'network_error' }));
      throw this.networkError(error, where);
    }
  }

  /** Parses a response body with a zod schema; a mismatch is an error naming the call, never a silent `undefined`. */
  parse<T extends z.ZodType>(schema: T, body: unknown, context: string): z.infer<T> {
    const result = schema.safeParse(body);
    if (!result.success) {
      const issues = result.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      throw new UnexpectedResponseError(this.platform, context, issues);
    }
    return result.data;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private networkError(error: unknown, where: string): PlatformError {
    const code = (error as { code?: string }).code ?? 'network_error';
    // Refused or timed-out connections never reached the platform; anything after the request left may have.
    const notSent =
      error instanceof undiciErrors.ConnectTimeoutError ||
      code === 'ECONNREFUSED' ||
      code === 'ENOTFOUND' ||
      code === 'EAI_AGAIN';
    return new PlatformError({
      kind: 'transient',
      platform: this.platform,
      code,
      message: `${this.platform}: ${where} failed: ${notSent ? 'could not connect' : 'no complete answer'} (${code})`,
      ambiguous: !notSent,
    });
  }
}

function parseBody(text: string, headers: Record<string, string>): unknown {
  if (text === '') return '';
  const type = headers['content-type'] ?? '';
  if (type.includes('json') || text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
