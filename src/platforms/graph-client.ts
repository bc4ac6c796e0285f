import { z } from 'zod';
import { PlatformError, type PlatformName, UnexpectedResponseError } from './errors.ts';
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
  /**
   * Whether the host serves batch requests. Meta documents them for graph.facebook.com only; on graph.instagram.com
   * (`false`) `batch()` makes the reads one by one, answering the same way.
   */
  batching?: boolean;
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

/** "Batch requests are limited to 50 requests per batch" (Graph API batch requests guide). */
export const GRAPH_BATCH_LIMIT = 50;

/** One read inside a batch request: a path below the version (e.g. `{media-id}/insights`) and its parameters. */
export interface GraphBatchRead {
  path: string;
  params?: GraphParams;
}

/**
 * A batch answers each operation with `{code, headers, body}` (`body` the JSON text a direct call would get), or with
 * `null` for an operation that did not finish in time.
 */
const batchAnswerSchema = z.array(
  z
    .object({
      code: z.number().int(),
      headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
      body: z.string().optional(),
    })
    .nullable(),
);

/** One operation's answer in a batch: read it as a direct call's answer, or get the error a direct call would throw. */
export class GraphBatchAnswer {
  constructor(
    private readonly http: PlatformHttp,
    /** `GET /{version}/{path}`, without the query string. */
    readonly where: string,
    private readonly outcome: { body: unknown } | { error: PlatformError },
  ) {}

  /** The operation's error, if it failed; the other operations of the batch are not affected. */
  get error(): PlatformError | undefined {
    return 'error' in this.outcome ? this.outcome.error : undefined;
  }

  /** The answer parsed with `schema`; throws the operation's `PlatformError` when it failed. */
  read<T extends z.ZodType>(schema: T): z.infer<T> {
    if ('error' in this.outcome) throw this.outcome.error;
    return this.http.parse(schema, this.outcome.body, this.where);
  }
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
  private readonly batching: boolean;
  private usage: GraphUsage | undefined;

  constructor(options: GraphClientOptions) {
    this.platform = options.platform;
    this.version = options.version;
    this.now = options.now ?? Date.now;
    this.batching = options.batching ?? true;
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

  /** `DELETE /{version}/{path}` with `params` in the query string. */
  delete<T extends z.ZodType>(path: string, schema: T, call: GraphCall): Promise<z.infer<T>> {
    return this.call('DELETE', path, schema, call);
  }

  /**
   * Many reads in as few HTTP calls as Graph allows: batch requests (`POST /{version}/` with `batch=[…]`) of at most
   * 50 operations each, answered in order. Each answer stands alone: an operation Graph refuses (a metric that does
   * not exist for one media, #100) is an error for that operation only. A failure of the whole batch (token refused,
   * throttled) throws as a direct call would. Graph counts every operation against its rate limits; only the HTTP
   * round trips are fewer.
   */
  async batch(reads: GraphBatchRead[], call: Pick<GraphCall, 'token'>): Promise<GraphBatchAnswer[]> {
    const answers: GraphBatchAnswer[] = [];
    if (!this.batching) {
      for (const read of reads) {
        const where = `GET /${this.version}/${read.path.replace(/^\/+/, '')}`;
        try {
          const body = await this.get(read.path, z.unknown(), {
            token: call.token,
            ...(read.params ? { params: read.params } : {}),
          });
          answers.push(new GraphBatchAnswer(this.http, where, { body }));
        } catch (error) {
          if (!(error instanceof PlatformError)) throw error;
          answers.push(new GraphBatchAnswer(this.http, where, { error }));
        }
      }
      return answers;
    }
    for (let start = 0; start < reads.length; start += GRAPH_BATCH_LIMIT) {
      answers.push(...(await this.batchOf(reads.slice(start, start + GRAPH_BATCH_LIMIT), call.token)));
    }
    return answers;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private async batchOf(reads: GraphBatchRead[], token: string): Promise<GraphBatchAnswer[]> {
    const path = `/${this.version}/`;
    const where = `POST ${path} (batch of ${reads.length})`;
    const operations = reads.map((read) => {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(read.params ?? {})) {
        if (value !== undefined) query.set(key, String(value));
      }
      const relative = read.path.replace(/^\/+/, '');
      return { method: 'GET', relative_url: query.size > 0 ? `${relative}?${query}` : relative };
    });
    const response = await this.http.send({
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${token}` },
      body: { form: { batch: JSON.stringify(operations) } },
    });
    const usage = readUsageHeaders(response.headers, this.now());
    if (usage) this.usage = usage;
    if (response.status >= 400 || graphErrorEnvelopeSchema.safeParse(response.body).success) {
      throw graphErrorToPlatformError({
        platform: this.platform,
        where,
        status: response.status,
        body: response.body,
        headers: response.headers,
        secrets: [token],
        now: this.now(),
      });
    }
    const items = this.http.parse(batchAnswerSchema, response.body, where);
    if (items.length !== reads.length) {
      throw new UnexpectedResponseError(this.platform, where, `${items.length} answers for ${reads.length} operations`);
    }
    return items.map((item, index) => {
      const operation = `GET /${this.version}/${reads[index]?.path.replace(/^\/+/, '') ?? ''}`;
      return new GraphBatchAnswer(this.http, operation, this.batchOutcome(item, operation, token));
    });
  }

  private batchOutcome(
    item: z.infer<typeof batchAnswerSchema>[number],
    where: string,
    token: string,
  ): { body: unknown } | { error: PlatformError } {
    if (item === null) {
      // Graph gave up on this operation; it only read, so asking again is safe.
      return {
        error: new PlatformError({
          kind: 'transient',
          platform: this.platform,
          code: 'batch_operation_timeout',
          message: `${this.platform}: ${where} did not finish within its batch`,
        }),
      };
    }
    const headers: Record<string, string> = {};
    for (const header of item.headers ?? []) headers[header.name.toLowerCase()] = header.value;
    const body = parseJsonText(item.body ?? '');
    if (item.code >= 400 || graphErrorEnvelopeSchema.safeParse(body).success) {
      return {
        error: graphErrorToPlatformError({
          platform: this.platform,
          where,
          status: item.code,
          body,
          headers,
          secrets: [token],
          now: this.now(),
        }),
      };
    }
    return { body };
  }

  private async call<T extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
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
      query: { ...(method === 'POST' ? {} : params), ...(call.tokenInQuery ? { access_token: call.token } : {}) },
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
        write: method === 'POST',
      });
    }
    try {
      return this.http.parse(schema, response.body, where);
    } catch (error) {
      // A POST answered with success but a body we cannot read (HTML from a proxy, `{"success":true}` where an id was
      // due) may have made its change: the caller must find out, never send it again.
      if (method === 'POST' && error instanceof UnexpectedResponseError) {
        throw new UnexpectedResponseError(this.platform, where, error.issues, { ambiguous: true });
      }
      throw error;
    }
  }
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
