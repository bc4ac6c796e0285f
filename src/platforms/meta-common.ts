import { z } from 'zod';
import { PlatformError, type PlatformName } from './errors.ts';
import type { GraphBatchAnswer, GraphClient } from './graph-client.ts';
import type {
  InsightSet,
  PlatformUsage,
  PublishContext,
  PublishOutcome,
  PublishProgress,
  PublishRequest,
  TokenHealth,
} from './types.ts';

/** What the Instagram and Facebook clients share: the two Graph hosts, the app credentials, time. */
export interface MetaClientOptions {
  /** graph.facebook.com: Facebook Login tokens (Pages, Instagram via a Page), `debug_token`. */
  facebookGraph: GraphClient;
  /** graph.instagram.com: Instagram Login tokens. */
  instagramGraph: GraphClient;
  /** `META_APP_ID` / `META_APP_SECRET`, for `debug_token`'s app token. */
  appId?: string;
  appSecret?: string;
  /** Waits between status reads; tests pass one that moves a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Pauses between container status reads; their count bounds the wait. */
  statusPollDelaysMs?: number[];
}

/**
 * The container guide asks for about one status read a minute for at most five minutes; images are usually ready in
 * seconds, so the first reads come sooner. The total stays near five minutes.
 */
export const DEFAULT_STATUS_POLL_DELAYS_MS = [3_000, 5_000, 10_000, 15_000, 30_000, 60_000, 60_000, 60_000, 60_000];

export const idSchema = z.object({ id: z.string().min(1) });
export const successSchema = z.object({ success: z.union([z.boolean(), z.literal('true')]) });

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A progress store that always hands out the latest state and saves each change before the next step. */
export class ProgressTracker {
  private state: PublishProgress;

  constructor(private readonly context: PublishContext) {
    this.state = { ...context.progress };
  }

  get current(): PublishProgress {
    return this.state;
  }

  async save(patch: Partial<PublishProgress>): Promise<PublishProgress> {
    const next: PublishProgress = { ...this.state, ...patch };
    for (const key of Object.keys(next) as (keyof PublishProgress)[]) {
      if (next[key] === undefined) delete next[key];
    }
    await this.context.save(next);
    this.state = next;
    return next;
  }
}

/** `debug_token` answer (reference D.1). `expires_at` 0 means the token does not expire. */
const debugTokenSchema = z.object({
  data: z.object({
    is_valid: z.boolean(),
    expires_at: z.number().optional(),
    scopes: z.array(z.string()).optional(),
    error: z
      .object({ message: z.string().optional(), code: z.number().optional(), subcode: z.number().optional() })
      .optional(),
  }),
});

/**
 * Checks a Facebook Login token with `GET /debug_token` and the app token `app_id|app_secret`, and names any missing
 * permission from `required`.
 */
export async function debugToken(
  options: Pick<MetaClientOptions, 'facebookGraph' | 'appId' | 'appSecret'>,
  platform: PlatformName,
  token: string,
  required: string[],
): Promise<TokenHealth> {
  if (!options.appId || !options.appSecret) {
    throw new PlatformError({
      kind: 'permanent',
      platform,
      code: 'meta_app_not_configured',
      message: `${platform}: META_APP_ID and META_APP_SECRET are needed to check tokens`,
    });
  }
  const appToken = `${options.appId}|${options.appSecret}`;
  const { data } = await options.facebookGraph.get('debug_token', debugTokenSchema, {
    token: appToken,
    params: { input_token: token },
  });
  const expiresAt = data.expires_at ? new Date(data.expires_at * 1000) : undefined;
  const scopes = data.scopes ?? [];
  if (!data.is_valid) {
    return {
      valid: false,
      ...(expiresAt ? { expiresAt } : {}),
      scopes,
      problem: tokenProblemWords(data.error?.subcode),
    };
  }
  const missing = required.filter((scope) => !scopes.includes(scope));
  return {
    valid: true,
    ...(expiresAt ? { expiresAt } : {}),
    scopes,
    ...(missing.length > 0
      ? { problem: `Missing permission(s): ${missing.join(', ')}. Reconnect and grant them.` }
      : {}),
  };
}

/** Safe words for an invalid token, by `190` subcode. */
export function tokenProblemWords(subcode: number | undefined): string {
  switch (subcode) {
    case 458:
      return 'The app was removed from the account.';
    case 460:
      return 'The password was changed, which ended the session.';
    case 463:
      return 'The token expired.';
    case 492:
      return 'The person who connected the account no longer has a role on it.';
    default:
      return 'The token is no longer valid.';
  }
}

/** One insight metric as Graph returns it: `values[0].value` or `total_value.value`; numbers or `{type: n}` maps. */
export const insightEntrySchema = z.object({
  name: z.string(),
  period: z.string().optional(),
  values: z
    .array(
      z.object({ value: z.union([z.number(), z.record(z.string(), z.number())]), end_time: z.string().optional() }),
    )
    .optional(),
  total_value: z.object({ value: z.number() }).optional(),
});
export const insightsSchema = z.object({ data: z.array(insightEntrySchema) });
export type InsightEntry = z.infer<typeof insightEntrySchema>;

/** A metric's single number: a plain value, or the sum of a by-type map (e.g. reactions by type). */
export function insightNumber(entry: InsightEntry): number | undefined {
  if (entry.total_value) return entry.total_value.value;
  const value = entry.values?.[0]?.value;
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : Object.values(value).reduce((sum, n) => sum + n, 0);
}

/** Adds the numbers of `entries` to `set` under their Graph names, or under `names[entry.name]` when given. */
export function takeInsights(set: InsightSet, entries: InsightEntry[], names?: Record<string, string>): void {
  for (const entry of entries) {
    const value = insightNumber(entry);
    const name = names ? names[entry.name] : entry.name;
    if (value !== undefined && name) set.metrics[name] = value;
  }
}

/** Notes every metric in `metrics` as skipped for one item, with the same reason. */
export function skipAll(set: InsightSet, metrics: readonly string[], reason: string): void {
  for (const metric of metrics) set.skipped.push({ metric, reason });
}

/**
 * A batch operation's failure that concerns one item only (a refused metric, a deleted post, an operation that did not
 * finish in time) lets the other items through. A refused token or a throttle would fail every item alike, so it
 * stops the whole read as a direct call's error would.
 */
export function stopUnlessItemOnly(error: PlatformError): void {
  if (error.kind === 'auth' || error.kind === 'rate_limited') throw error;
}

/** The reason a skipped metric is noted with: the platform's words when it gave any. */
export function skipReason(error: PlatformError): string {
  if (error.userMessage) return error.userMessage;
  return error.kind === 'transient' ? 'no answer in time' : error.message;
}

/** A batch answer that must be there (the batch answers every operation in order). */
export function answerOf(answer: GraphBatchAnswer | undefined): GraphBatchAnswer {
  if (!answer) throw new Error('a batch answer is missing');
  return answer;
}

/** Comment listing cursor: the newest comment time seen and the ids seen at that time (same-second comments). */
export interface CommentCursor {
  at: number;
  ids: string[];
}

export function encodeCursor(cursor: CommentCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const cursorSchema = z.object({ at: z.number(), ids: z.array(z.string()) });

/** Reads a cursor from `encodeCursor`; an unreadable one counts as none (everything is returned again). */
export function decodeCursor(cursor: string | undefined): CommentCursor | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps comments newer than the cursor and moves the cursor to the newest one. */
export function afterCursor<T extends { id: string; createdAt: Date }>(
  comments: T[],
  cursor: string | undefined,
): { comments: T[]; cursor?: string } {
  const since = decodeCursor(cursor);
  const fresh = since
    ? comments.filter(
        (c) => c.createdAt.getTime() > since.at || (c.createdAt.getTime() === since.at && !since.ids.includes(c.id)),
      )
    : comments;
  fresh.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const newest = fresh.at(-1);
  if (!newest) return { comments: fresh, ...(cursor ? { cursor } : {}) };
  const at = newest.createdAt.getTime();
  const ids = fresh.filter((c) => c.createdAt.getTime() === at).map((c) => c.id);
  if (since?.at === at) ids.push(...since.ids);
  return { comments: fresh, cursor: encodeCursor({ at, ids }) };
}

/** The usage a Graph host reported during a read (its usage headers), for callers that pace themselves by it. */
export function usageSince(
  graph: Pick<GraphClient, 'lastUsage'>,
  before: GraphClient['lastUsage'],
): { usage?: PlatformUsage } {
  const usage = graph.lastUsage;
  if (!usage || usage === before) return {};
  return {
    usage: {
      percent: usage.percent,
      ...(usage.regainAccessMs === undefined ? {} : { regainAccessMs: usage.regainAccessMs }),
    },
  };
}

/** Graph timestamps look like `2026-11-20T10:00:00+0000`. */
export function parseGraphTime(value: string): Date {
  return new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** Counts hashtags and @mentions the way Instagram's caption limits do. */
export function captionCounts(caption: string): { chars: number; hashtags: number; mentions: number } {
  return {
    chars: [...caption].length,
    hashtags: caption.match(/#[\p{L}\p{N}_]+/gu)?.length ?? 0,
    mentions: caption.match(/@[\w.]+/g)?.length ?? 0,
  };
}

/** The error to throw when `validate` found broken rules: permanent, with every rule in the user message. */
export function invalidRequestError(platform: PlatformName, messages: string[]): PlatformError {
  return new PlatformError({
    kind: 'permanent',
    platform,
    code: 'invalid_request',
    message: `${platform}: the post breaks platform rules: ${messages.join(' ')}`,
    userMessage: messages.join(' '),
  });
}

/**
 * The post is live: reads its permalink (unless already known) and posts the first comment once. Neither failure
 * undoes the post: a missing permalink is left out, a refused first comment is reported beside the success.
 */
export async function finishLivePost(options: {
  graph: GraphClient;
  token: string;
  request: PublishRequest;
  progress: ProgressTracker;
  permalink?: string;
  readPermalink: (remoteId: string) => Promise<string | undefined>;
}): Promise<PublishOutcome> {
  const { graph, token, request, progress } = options;
  const remoteId = progress.current.remoteId as string;
  let permalink = options.permalink;
  if (!permalink) {
    try {
      permalink = await options.readPermalink(remoteId);
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
    }
  }
  let firstCommentError: string | undefined;
  if (request.firstComment && !progress.current.firstCommentId) {
    try {
      const { id } = await graph.post(`${remoteId}/comments`, idSchema, {
        token,
        params: { message: request.firstComment },
      });
      await progress.save({ firstCommentId: id });
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      firstCommentError = error.userMessage ?? error.message;
    }
  }
  return {
    status: 'published',
    remoteId,
    ...(permalink ? { permalink } : {}),
    ...(firstCommentError ? { firstCommentError } : {}),
  };
}
