import { PlatformError, type PlatformErrorKind } from './errors.ts';

/**
 * TikTok speaks three error dialects, each mapped here to a `PlatformError`:
 * - Open API v2 (`open.tiktokapis.com/v2/...`): `{data, error{code, message, log_id}}` with real HTTP statuses, except
 *   `creator_info/query`, which answers posting restrictions with HTTP 200 on purpose.
 * - Login Kit OAuth (`/v2/oauth/token/`, `/v2/oauth/revoke/`): flat `{error, error_description, log_id}`, sometimes
 *   with HTTP 200, so the `error` field decides, not the status.
 * - API for Business (`/open_api/v1.3/...`): `{code, message, request_id, data}`, errors as HTTP 200 with `code != 0`.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** TikTok's per-token limits are per minute; without a Retry-After, one minute is the soonest a retry can succeed. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = MINUTE;

/**
 * The daily caps are rolling 24-hour windows whose start we cannot see: a slot frees when the oldest post of the window
 * ages out, which may be in minutes or in most of a day. An hourly retry finds it without hammering the API, and a
 * person is not needed: waiting is the fix, so these are `rate_limited`, not `permanent`.
 */
export const DAILY_CAP_WAIT_MS = HOUR;

interface CodeRule {
  kind: PlatformErrorKind;
  userMessage: string;
  retryAfterMs?: number;
}

const RECONNECT = 'Reconnect the TikTok account in Wone Social.';

/** Open API v2 codes (error handling page, Content Posting API reference). */
const V2_CODES: Record<string, CodeRule> = {
  access_token_invalid: { kind: 'auth', userMessage: `TikTok no longer accepts this account's login. ${RECONNECT}` },
  scope_not_authorized: {
    kind: 'auth',
    userMessage: `The TikTok account did not grant a permission Wone Social needs. ${RECONNECT}`,
  },
  scope_permission_missed: {
    kind: 'auth',
    userMessage: `The TikTok account did not grant a permission Wone Social needs. ${RECONNECT}`,
  },
  rate_limit_exceeded: {
    kind: 'rate_limited',
    userMessage: 'TikTok is limiting how often we can call it. Wone Social will try again shortly.',
    retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS,
  },
  internal_error: { kind: 'transient', userMessage: 'TikTok had an internal error. Wone Social will try again.' },
  spam_risk_too_many_posts: {
    kind: 'rate_limited',
    userMessage:
      "This TikTok account reached TikTok's daily limit of posts made through apps. It will be retried later.",
    retryAfterMs: DAILY_CAP_WAIT_MS,
  },
  // The app may only serve a limited number of posting creators per day (5 until the app passes TikTok's audit).
  reached_active_user_cap: {
    kind: 'rate_limited',
    userMessage: 'Wone Social reached the number of TikTok accounts it may post for today. It will be retried later.',
    retryAfterMs: DAILY_CAP_WAIT_MS,
  },
  spam_risk_too_many_pending_share: {
    kind: 'rate_limited',
    userMessage:
      'This TikTok account has too many drafts waiting in its inbox (at most 5 a day). It will be retried later.',
    retryAfterMs: DAILY_CAP_WAIT_MS,
  },
  spam_risk_user_banned_from_posting: {
    kind: 'permanent',
    userMessage: 'TikTok has banned this account from posting through apps.',
  },
  privacy_level_option_mismatch: {
    kind: 'permanent',
    userMessage: 'The chosen TikTok visibility is not one this account offers. Pick one of its options and try again.',
  },
  invalid_param: { kind: 'permanent', userMessage: 'TikTok rejected the post as invalid.' },
  invalid_params: { kind: 'permanent', userMessage: 'TikTok rejected the post as invalid.' },
  invalid_file_upload: { kind: 'permanent', userMessage: 'TikTok rejected the uploaded file.' },
  url_ownership_unverified: {
    kind: 'permanent',
    userMessage: "TikTok will only fetch media from a domain verified in the app's TikTok developer settings.",
  },
  unaudited_client_can_only_post_to_private_accounts: {
    kind: 'permanent',
    userMessage:
      'Until TikTok audits Wone Social, it can only post to private accounts with "Only me" visibility. Choose "Only me" or wait for the audit.',
  },
  app_version_check_failed: {
    kind: 'permanent',
    userMessage: 'The TikTok app on this account is too old for photo posts. Update TikTok and try again.',
  },
  invalid_publish_id: { kind: 'permanent', userMessage: 'TikTok does not know this publish request.' },
  token_not_authorized_for_specified_publish_id: {
    kind: 'permanent',
    userMessage: 'This publish request belongs to another TikTok account.',
  },
};

/** `fail_reason` of a FAILED publish (Get Post Status). */
const FAIL_REASONS: Record<string, string> = {
  file_format_check_failed: 'TikTok does not accept the format of this file.',
  duration_check_failed: 'The video is longer or shorter than TikTok allows for this account.',
  frame_rate_check_failed: 'TikTok accepts videos of 23 to 60 frames per second only.',
  picture_size_check_failed: 'A photo or video has a size TikTok does not accept.',
  video_pull_failed: 'TikTok could not download the video from our link.',
  photo_pull_failed: 'TikTok could not download a photo from our link.',
  publish_cancelled: 'The post was cancelled.',
  auth_removed: `The TikTok account removed Wone Social's access. ${RECONNECT}`,
  spam_risk_too_many_posts: "This TikTok account reached TikTok's daily limit of posts made through apps.",
  spam_risk_user_banned_from_posting: 'TikTok has banned this account from posting through apps.',
  spam_risk_text: 'TikTok flagged the text of the post as spam.',
  spam_risk: 'TikTok flagged the post as spam.',
};

/** Login Kit OAuth `error` values (OAuth error handling page). */
const OAUTH_CODES: Record<string, CodeRule> = {
  invalid_grant: { kind: 'auth', userMessage: `TikTok no longer accepts this account's login. ${RECONNECT}` },
  access_denied: { kind: 'auth', userMessage: `The TikTok account refused access. ${RECONNECT}` },
  invalid_scope: { kind: 'auth', userMessage: `TikTok refused a permission Wone Social asked for. ${RECONNECT}` },
  invalid_client: {
    kind: 'permanent',
    userMessage: "TikTok does not accept Wone Social's client key or secret. An admin must check the TikTok settings.",
  },
  unauthorized_client: {
    kind: 'permanent',
    userMessage: 'TikTok does not allow Wone Social to do this. An admin must check the TikTok app settings.',
  },
  invalid_request: { kind: 'permanent', userMessage: 'TikTok rejected the login request as invalid.' },
  unsupported_grant_type: { kind: 'permanent', userMessage: 'TikTok rejected the login request as invalid.' },
  unsupported_response_type: { kind: 'permanent', userMessage: 'TikTok rejected the login request as invalid.' },
  server_error: { kind: 'transient', userMessage: 'TikTok had an internal error. Wone Social will try again.' },
  temporarily_unavailable: {
    kind: 'transient',
    userMessage: 'TikTok login is temporarily unavailable. Wone Social will try again.',
  },
};

/**
 * API for Business codes. The official portal pages could not be read; these come from working clients (python-tiktok,
 * the official Business API SDK) and are the ones we rely on: 40100 throttling, 4010x token problems, 40001 no
 * permission (the account is not a Business account or the app lacks the Business scopes), 5000x server errors.
 */
const BUSINESS_CODES: Record<number, CodeRule & { code?: string }> = {
  40001: {
    kind: 'permanent',
    code: 'business_api_unavailable',
    userMessage:
      'This TikTok account cannot be used with the TikTok API for Business (it must be a Business account that granted comment and insight access). Comments and insights are unavailable for it.',
  },
  40100: {
    kind: 'rate_limited',
    userMessage: 'TikTok is limiting how often we can call it. Wone Social will try again shortly.',
    retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS,
  },
  40102: { kind: 'auth', userMessage: `TikTok no longer accepts this account's login. ${RECONNECT}` },
  40104: { kind: 'auth', userMessage: `TikTok no longer accepts this account's login. ${RECONNECT}` },
  40105: { kind: 'auth', userMessage: `TikTok no longer accepts this account's login. ${RECONNECT}` },
  50000: { kind: 'transient', userMessage: 'TikTok had an internal error. Wone Social will try again.' },
  50002: { kind: 'transient', userMessage: 'TikTok had an internal error. Wone Social will try again.' },
};

/** The code used when an account has no TikTok API for Business access at all. */
export const BUSINESS_API_UNAVAILABLE = 'business_api_unavailable';

/** What a Business API call fails with when the account (or the app configuration) cannot use it. */
export function businessApiUnavailable(reason: string): PlatformError {
  return new PlatformError({
    kind: 'permanent',
    platform: 'tiktok',
    code: BUSINESS_API_UNAVAILABLE,
    message: `tiktok: API for Business unavailable: ${reason}`,
    userMessage: BUSINESS_CODES[40001]?.userMessage,
  });
}

/** The code of a refused API for Business token: only the comments and insights connection must be made again. */
export const BUSINESS_RECONNECT_NEEDED = 'business_reconnect_needed';

/**
 * A Business API call refused the Business token (40102/40104/40105). Publishing uses the Login Kit token and is not
 * affected, so this is not an `auth` error of the account: it names the connection to make again.
 */
export function businessReconnectNeeded(cause: PlatformError): PlatformError {
  return new PlatformError({
    kind: 'permanent',
    platform: 'tiktok',
    code: BUSINESS_RECONNECT_NEEDED,
    message: `tiktok: API for Business token refused (${cause.code})`,
    userMessage:
      'TikTok no longer accepts the comments and insights connection of this account. An admin must connect it again with `/wone connect`.',
  });
}

/** Reads `Retry-After` (seconds or an HTTP date), if the answer carries one. */
export function retryAfterMs(headers: Record<string, string>, now: number = Date.now()): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function fromStatus(status: number): PlatformErrorKind {
  if (status === 401) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'transient';
  return 'permanent';
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The error in an Open API v2 answer, or `undefined` when the answer is a success (`error.code == "ok"` and 2xx).
 * A 5xx without TikTok's envelope came from a gateway that may have passed the request on, so it is `ambiguous`.
 */
export function tiktokApiError(
  response: { status: number; headers: Record<string, string>; body: unknown },
  context: string,
): PlatformError | undefined {
  const error = asRecord(asRecord(response.body)?.error);
  const code = str(error?.code);
  if (code === 'ok' && response.status < 300) return undefined;
  if (code === undefined && response.status < 300) return undefined;
  const platformMessage = str(error?.message) ?? '';
  const logId = str(error?.log_id);
  const effectiveCode = code && code !== 'ok' ? code : `http_${response.status}`;
  const rule = V2_CODES[effectiveCode];
  const kind = rule?.kind ?? fromStatus(response.status);
  const wait =
    kind === 'rate_limited'
      ? (retryAfterMs(response.headers) ?? rule?.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS)
      : undefined;
  const detail = platformMessage ? `: ${platformMessage}` : '';
  return new PlatformError({
    kind,
    platform: 'tiktok',
    code: effectiveCode,
    message: `tiktok: ${context} failed with ${effectiveCode} (HTTP ${response.status})${detail}${logId ? ` [log_id ${logId}]` : ''}`,
    userMessage: permanentMessage(rule, kind, platformMessage),
    retryAfterMs: wait,
    status: response.status,
    ambiguous: code === undefined && response.status >= 500,
  });
}

function permanentMessage(rule: CodeRule | undefined, kind: PlatformErrorKind, platformMessage: string): string {
  if (rule) {
    // Parameter errors are only useful with TikTok's own explanation of which parameter.
    const withDetail = rule.userMessage.endsWith('invalid.') && platformMessage;
    return withDetail ? `${rule.userMessage.slice(0, -1)}: ${platformMessage}` : rule.userMessage;
  }
  if (kind === 'auth') return V2_CODES.access_token_invalid?.userMessage ?? RECONNECT;
  if (kind === 'transient') return 'TikTok is having trouble. Wone Social will try again.';
  if (kind === 'rate_limited') return V2_CODES.rate_limit_exceeded?.userMessage ?? '';
  return platformMessage ? `TikTok rejected the request: ${platformMessage}` : 'TikTok rejected the request.';
}

/** The error in a Login Kit OAuth answer (flat `{error, error_description}`), checked whatever the HTTP status. */
export function tiktokOAuthError(
  response: { status: number; headers: Record<string, string>; body: unknown },
  context: string,
): PlatformError | undefined {
  const body = asRecord(response.body);
  const code = str(body?.error);
  if ((code === undefined || code === '') && response.status < 300) return undefined;
  // A few OAuth endpoints answer in the v2 envelope instead; let that mapping speak.
  if (asRecord(body?.error)) return tiktokApiError(response, context);
  const effectiveCode = code || `http_${response.status}`;
  const rule = OAUTH_CODES[effectiveCode];
  const kind = rule?.kind ?? fromStatus(response.status);
  const description = str(body?.error_description);
  return new PlatformError({
    kind,
    platform: 'tiktok',
    code: effectiveCode,
    message: `tiktok: ${context} failed with ${effectiveCode} (HTTP ${response.status})${description ? `: ${description}` : ''}`,
    userMessage: rule?.userMessage ?? permanentMessage(undefined, kind, description ?? ''),
    retryAfterMs: kind === 'rate_limited' ? (retryAfterMs(response.headers) ?? DEFAULT_RATE_LIMIT_WAIT_MS) : undefined,
    status: response.status,
  });
}

/** The error in an API for Business answer: any non-zero `code` (usually with HTTP 200), or a failed HTTP status. */
export function tiktokBusinessError(
  response: { status: number; headers: Record<string, string>; body: unknown },
  context: string,
): PlatformError | undefined {
  const body = asRecord(response.body);
  const code = typeof body?.code === 'number' ? body.code : undefined;
  if (code === 0 && response.status < 300) return undefined;
  const platformMessage = str(body?.message) ?? '';
  const requestId = str(body?.request_id);
  const rule = code === undefined ? undefined : BUSINESS_CODES[code];
  const kind = rule?.kind ?? (code === undefined || response.status >= 300 ? fromStatus(response.status) : 'permanent');
  const effectiveCode = rule?.code ?? (code === undefined ? `http_${response.status}` : String(code));
  return new PlatformError({
    kind,
    platform: 'tiktok',
    code: effectiveCode,
    message: `tiktok: ${context} failed with ${code ?? 'no code'} (HTTP ${response.status})${platformMessage ? `: ${platformMessage}` : ''}${requestId ? ` [request_id ${requestId}]` : ''}`,
    userMessage: rule?.userMessage ?? permanentMessage(undefined, kind, platformMessage),
    retryAfterMs: kind === 'rate_limited' ? (retryAfterMs(response.headers) ?? DEFAULT_RATE_LIMIT_WAIT_MS) : undefined,
    status: response.status,
  });
}

/**
 * A publish that ended FAILED. `internal` is TikTok's own trouble and worth a new attempt; every other reason is about
 * the post or the account and would fail again the same way.
 */
export function tiktokPublishFailed(failReason: string, publishId: string): PlatformError {
  const internal = failReason === 'internal';
  const kind: PlatformErrorKind = internal ? 'transient' : failReason === 'auth_removed' ? 'auth' : 'permanent';
  return new PlatformError({
    kind,
    platform: 'tiktok',
    code: failReason || 'publish_failed',
    message: `tiktok: publish ${publishId} failed: ${failReason || 'no reason given'}`,
    userMessage: internal
      ? 'TikTok failed to process the post on its side. Wone Social will try again.'
      : (FAIL_REASONS[failReason] ?? `TikTok could not publish the post (${failReason || 'no reason given'}).`),
  });
}
