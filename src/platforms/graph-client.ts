import type { z } from 'zod';
import type { PlatformName } from './errors.ts';
import {
  type GraphUsage,
  graphErrorEnvelopeSchema,
  graphErrorToPlatformError,
  readUsageHeaders,
} from './graph-errors.ts';
import { PlatformHttp, type PlatformHttpOptions } from './http.ts';

export type GraphParams = Record<string, string | number | boolean | undefined>;

export interface GraphClientOptions {
  platform: PlatformName;
  /** `META_GRAPH_URL` (Facebook Login) or `INSTAGRAM_GRAPH_URL` (Instagram Login). */
  baseUrl: string;
  /** `META_GRAPH_VERSION`, e.g. `v25.0`. */
  version: string;
  connectTimeoutMs?: PlatformHttpOptions['connectTimeoutMs'];
  responseTimeoutMs?: PlatformHttpOptions['responseTimeoutMs'];
  now?: () => number;
}

export interface GraphCall {
  /** The token the call acts with; sent as `Authorization: Bearer`, never in the URL. */
  token: string;
  params?: GraphParams;
  /** Call the path without the version prefix (e.g. `refresh_access_token`, which is documented unversioned). */
  unversioned?: boolean;
  /** Send the token as the `access_token` query parameter, for the few endpoints documented only that way. */
  tokenInQuery?: boolean;
}

/**
 * One Graph API host (graph.facebook.com or graph.instagram.com) with the version prefix. Every answer is parsed with
 * a zod schema; Graph errors become `PlatformError`s with their kind (see `graph-errors.ts`). Tokens travel in the
 * `Authorization` header, so no URL carries one, and error messages are scrubbed of the token.
 */
export class GraphClient {
  readonly platform: PlatformName;
  readonly version: string;
  private readonly http: PlatformHttp;
  private readonly now: () => number;
  private usage: GraphUsage | undefined;

  constructor(options: GraphClientOptions) {
    this.platform = options.platform;
    this.version = options.version;
    this.now = options.now ?? Date.now;
    this.http = new PlatformHttp({
      platform: options.platform,
      baseUrl: options.baseUrl,
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.responseTimeoutMs === undefined ? {} : { responseTimeoutMs: options.responseTimeoutMs }),
    });
  }

  /** The usage the platform reported on the last answer that carried usage headers, so callers can slow down. */
  get lastUsage(): GraphUsage | undefined {
    return this.usage;
  }

  /** `GET /{version}/{path}` with `params` in the query string. */
  get<T extends z.ZodType>(path: string, schema: T, call: GraphCall): Promise<z.infer<T>> {
    return this.call('GET', path, schema, call);
  }

  /** `POST /{version}/{path}` with `params` form-encoded in the body. */
  post<T extends z.ZodType>(path: string, schema: T, call: GraphCall): Promise<z.infer<T>> {
    return this.call('POST', path, schema, call);
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private async call<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: T,
    call: GraphCall,
  ): Promise<z.infer<T>> {
    const fullPath = call.unversioned ? `/${path.replace(/^\/+/, '')}` : `/${this.version}/${path.replace(/^\/+/, '')}`;
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(call.params ?? {})) {
      if (value !== undefined) params[key] = String(value);
    }
    const where = `${method} ${fullPath}`;
    const response = await this.http.send({
      method,
      path: fullPath,
      headers: call.tokenInQuery ? {} : { authorization: `Bearer ${call.token}` },
      query: { ...(method === 'GET' ? params : {}), ...(call.tokenInQuery ? { access_token: call.token } : {}) },
      ...(method === 'POST' ? { body: { form: params } } : {}),
    });
    const usage = readUsageHeaders(response.headers, this.now());
    if (usage) this.usage = usage;
    const isError = response.status >= 400 || graphErrorEnvelopeSchema.safeParse(response.body).success;
    if (isError) {
      throw graphErrorToPlatformError({
        platform: this.platform,
        where,
        status: response.status,
        body: response.body,
        headers: response.headers,
        secrets: [call.token],
        now: this.now(),
      });
    }
    return this.http.parse(schema, response.body, where);
  }
}
