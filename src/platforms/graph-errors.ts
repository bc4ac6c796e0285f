import { z } from 'zod';
import { PlatformError, type PlatformErrorKind, type PlatformName } from './errors.ts';

/** The Graph API error envelope: `{"error":{"message","type","code","error_subcode",...}}`. */
export const graphErrorEnvelopeSchema = z.object({
  error: z.object({
    message: z.string().default(''),
    type: z.string().optional(),
    code: z.coerce.number().int(),
    error_subcode: z.coerce.number().int().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    is_transient: z.boolean().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

export type GraphErrorBody = z.infer<typeof graphErrorEnvelopeSchema>['error'];

/** Graph code for "the media is not ready for publishing" (subcode 2207027): poll the container, then publish. */
export const MEDIA_NOT_READY_CODE = 9007;
/** Subcode for the Instagram daily publishing cap (code 9). */
export const PUBLISHING_QUOTA_SUBCODE = 2207042;

/** How loaded the app and the business objects are, as the last response's usage headers said. */
export interface GraphUsage {
  /** Highest percentage (0–100+) found in `X-App-Usage` / `X-Business-Use-Case-Usage`; 100 means throttled. */
  percent: number;
  /** `estimated_time_to_regain_access` (minutes in the header), in milliseconds, when the platform gave one. */
  regainAccessMs?: number;
  /** When the headers were read (ms since epoch). */
  at: number;
}

const appUsageSchema = z.record(z.string(), z.unknown());
const bucUsageSchema = z.record(
  z.string(),
  z.array(
    z
      .object({
        type: z.string().optional(),
        call_count: z.number().optional(),
        total_cputime: z.number().optional(),
        total_time: z.number().optional(),
        estimated_time_to_regain_access: z.number().optional(),
      })
      .loose(),
  ),
);

/**
 * Reads `X-App-Usage` and `X-Business-Use-Case-Usage` (header names are lower-cased by the HTTP layer). Returns
 * `undefined` when neither header is present or readable; a malformed header is ignored rather than failing a call.
 */
export function readUsageHeaders(headers: Record<string, string>, now = Date.now()): GraphUsage | undefined {
  let percent: number | undefined;
  let regainMinutes: number | undefined;
  const bump = (value: unknown) => {
    if (typeof value === 'number' && Number.isFinite(value)) percent = Math.max(percent ?? 0, value);
  };
  const app = safeJson(headers['x-app-usage'], appUsageSchema);
  if (app) {
    bump(app.call_count);
    bump(app.total_time);
    bump(app.total_cputime);
  }
  const buc = safeJson(headers['x-business-use-case-usage'], bucUsageSchema);
  if (buc) {
    for (const entries of Object.values(buc)) {
      for (const entry of entries) {
        bump(entry.call_count);
        bump(entry.total_time);
        bump(entry.total_cputime);
        const minutes = entry.estimated_time_to_regain_access;
        if (typeof minutes === 'number' && minutes > 0) regainMinutes = Math.max(regainMinutes ?? 0, minutes);
      }
    }
  }
  if (percent === undefined && regainMinutes === undefined) return undefined;
  return {
    percent: percent ?? 0,
    ...(regainMinutes === undefined ? {} : { regainAccessMs: regainMinutes * 60_000 }),
    at: now,
  };
}

function safeJson<T extends z.ZodType>(text: string | undefined, schema: T): z.infer<T> | undefined {
  if (!text) return undefined;
  try {
    const result = schema.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

const THROTTLE_CODES = new Set([4, 17, 32, 341, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014]);
/** Instagram publishing subcodes the error-code table says to simply retry. */
const RETRY_SUBCODES = new Set([2207001, 2207003, 2207008, 2207032]);
/** Subcodes under a throttle code that are policy blocks, not load: waiting does not help. */
const POLICY_SUBCODES = new Set([2207051]);

/** Default waits when a throttle comes without `estimated_time_to_regain_access`. */
const DEFAULT_THROTTLE_WAIT_MS = 5 * 60_000;
const DEFAULT_QUOTA_WAIT_MS = 60 * 60_000;

/** Plain words for auth failures, safe to show in Slack. */
const AUTH_WORDS: Record<number, string> = {
  458: 'The app was removed from the account. Reconnect it.',
  459: 'The account owner must log in to Facebook to confirm their identity, then reconnect.',
  460: 'The account password was changed. Reconnect the account.',
  463: 'The access token expired. Reconnect the account.',
  464: 'The account owner must confirm their Facebook account, then reconnect.',
  467: 'The access token is no longer valid. Reconnect the account.',
  492: 'The connecting person no longer has a role on this Page. Reconnect with a Page admin.',
};

/** Decides the kind of a Graph error from its code, subcode and `is_transient`. */
export function classifyGraphError(
  error: Pick<GraphErrorBody, 'code' | 'error_subcode' | 'is_transient'>,
): PlatformErrorKind {
  const { code, error_subcode: subcode } = error;
  if (code === 190 || code === 102) return 'auth';
  if (code === 10 || (code >= 200 && code <= 299)) return 'auth';
  if (code === 9 && subcode === PUBLISHING_QUOTA_SUBCODE) return 'rate_limited';
  if (THROTTLE_CODES.has(code))
    return subcode !== undefined && POLICY_SUBCODES.has(subcode) ? 'permanent' : 'rate_limited';
  if (code === MEDIA_NOT_READY_CODE) return 'transient';
  if (subcode !== undefined && RETRY_SUBCODES.has(subcode)) return 'transient';
  if (code === 1 || code === 2 || error.is_transient === true) return 'transient';
  return 'permanent';
}

export interface GraphFailure {
  platform: PlatformName;
  /** `METHOD /path` without host or query string. */
  where: string;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** Strings that must never appear in the error (the access token). */
  secrets?: string[];
  /**
   * The request asked for a change (a POST). Then only an answer that says the request had no effect (a refusal: bad
   * parameters, auth, throttling, media not ready) is unambiguous; a generic failure (Graph codes 1 and 2,
   * `is_transient`, a server error) may come after the change was made.
   */
  write?: boolean;
  now?: number;
}

/**
 * Turns a failed Graph answer (HTTP status ≥ 400 or an error envelope) into a `PlatformError` with its kind. The
 * message names the call and the Graph code but never a token or a URL with its query string.
 */
export function graphErrorToPlatformError(failure: GraphFailure): PlatformError {
  const { platform, where, status, headers } = failure;
  const scrub = (text: string) => redact(text, failure.secrets ?? []);
  const usage = readUsageHeaders(headers, failure.now);
  const parsed = graphErrorEnvelopeSchema.safeParse(failure.body);
  if (!parsed.success) {
    // No Graph envelope: a proxy or load balancer answered.
    const kind: PlatformErrorKind = status === 429 ? 'rate_limited' : status >= 500 ? 'transient' : 'permanent';
    return new PlatformError({
      kind,
      platform,
      code: `http_${status}`,
      message: `${platform}: ${where} failed with HTTP ${status}`,
      status,
      ...(kind === 'rate_limited' ? { retryAfterMs: usage?.regainAccessMs ?? DEFAULT_THROTTLE_WAIT_MS } : {}),
      // A 5xx may come after the platform acted on the request.
      ambiguous: status >= 500,
    });
  }
  const error = parsed.data.error;
  const kind = classifyGraphError(error);
  const code = error.error_subcode === undefined ? String(error.code) : `${error.code}/${error.error_subcode}`;
  const platformText = scrub(error.message);
  let retryAfterMs: number | undefined;
  if (kind === 'rate_limited') {
    const fallback = error.code === 9 ? DEFAULT_QUOTA_WAIT_MS : DEFAULT_THROTTLE_WAIT_MS;
    retryAfterMs = usage?.regainAccessMs ?? fallback;
  }
  let userMessage = error.error_user_msg === undefined ? undefined : scrub(error.error_user_msg);
  if (kind === 'auth' && userMessage === undefined) {
    userMessage =
      error.code === 190
        ? (AUTH_WORDS[error.error_subcode ?? 0] ?? 'The access token is not valid. Reconnect the account.')
        : 'A permission this app needs was not granted. Reconnect the account and grant every permission asked for.';
  }
  if (kind === 'permanent' && userMessage === undefined && platformText) userMessage = platformText;
  return new PlatformError({
    kind,
    platform,
    code,
    message: `${platform}: ${where} failed: (#${code}) ${platformText}`.trim(),
    ...(userMessage === undefined ? {} : { userMessage }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    status,
    // A refusal says nothing happened; a generic failure of a write does not (measured: Facebook's feed answering
    // code 2 after creating the post).
    ambiguous:
      kind === 'transient' && (status >= 500 || (failure.write === true && error.code !== MEDIA_NOT_READY_CODE)),
  });
}

/** Removes secrets and query strings of URLs from platform text before it goes into an error. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(/(https?:\/\/[^\s?#"']+)\?[^\s"']*/g, '$1');
}
