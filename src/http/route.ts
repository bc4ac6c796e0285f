import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { ParamsIncomingMessage } from '@slack/bolt/dist/receivers/ParamsIncomingMessage.js';
import type { Logger } from '../logger.ts';

/** An HTTP answer other than success, with a message safe to show the caller. */
export class HttpError extends Error {
  readonly code = 'http_error';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type RouteHandler = (req: ParamsIncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * A route on the app's HTTP port. An `HttpError` becomes its status with a JSON `{error}`; anything else is logged
 * and answered 500 without details, so a failure never crashes the process or leaks internals.
 */
export function route(method: string | string[], path: string, handler: RouteHandler, logger: Logger): CustomRoute {
  return {
    method,
    path,
    handler: (req, res) => {
      handler(req, res).catch((error: unknown) => {
        if (error instanceof HttpError) {
          if (!res.headersSent) sendJson(res, error.status, { error: error.message });
          else res.end();
          return;
        }
        logger.error({ err: error, path }, 'HTTP route failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.end();
      });
    },
  };
}

/** Reads the raw body, refusing more than `limit` bytes with 413. */
export async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(html);
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
