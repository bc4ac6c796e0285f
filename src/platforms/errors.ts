import { rateLimitWait } from '../metrics/events.ts';

/**
 * The four kinds every platform failure maps to. Retry policy reads the kind, never the message.
 * - `transient`: try again later (5xx, network trouble before the request was sent, platform "try again").
 * - `rate_limited`: try again after `retryAfterMs`.
 * - `auth`: the token is invalid, expired, revoked or lacks a scope: the account needs reconnecting.
 * - `permanent`: the request itself is wrong; `userMessage` says why in the platform's words.
 */
export type PlatformErrorKind = 'transient' | 'rate_limited' | 'auth' | 'permanent';

export type PlatformName = 'instagram' | 'facebook' | 'tiktok';

export interface PlatformErrorOptions {
  kind: PlatformErrorKind;
  platform: PlatformName;
  /** The platform's own code, e.g. `190`, `9007`, `access_token_invalid`. */
  code: string;
  /** Safe, token-free description of what failed, for logs. */
  message: string;
  /** The platform's user-facing message (`error_user_msg`), safe to show in Slack. */
  userMessage?: string;
  /** How long to wait before trying again, when the platform says. */
  retryAfterMs?: number;
  /** HTTP status the platform answered with, when there was an answer. */
  status?: number;
  /** The request may have reached the platform and taken effect (timeout or reset after sending). */
  ambiguous?: boolean;
  cause?: unknown;
}

/** A failure reported by (or while talking to) a platform API. */
export class PlatformError extends Error {
  readonly kind: PlatformErrorKind;
  readonly platform: PlatformName;
  readonly code: string;
  readonly userMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  readonly ambiguous: boolean;

  constructor(options: PlatformErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PlatformError';
    this.kind = options.kind;
    this.platform = options.platform;
    this.code = options.code;
    this.userMessage = options.userMessage;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
    this.ambiguous = options.ambiguous ?? false;
    // Every "slow down" from a platform becomes this error once: the one place that sees them all.
    if (this.kind === 'rate_limited') {
      rateLimitWait.report(() => ({ platform: this.platform, waitSeconds: (this.retryAfterMs ?? 0) / 1000 }));
    }
  }
}

/**
 * A platform answered with a body that does not match its documented shape. After a request that asked for a change,
 * the change may have been made all the same (`ambiguous`): an answer that cannot be read is not a refusal.
 */
export class UnexpectedResponseError extends PlatformError {
  constructor(
    platform: PlatformName,
    context: string,
    readonly issues: string,
    options: { ambiguous?: boolean } = {},
  ) {
    super({
      kind: 'transient',
      platform,
      code: 'unexpected_response',
      message: `${platform}: unexpected response from ${context}: ${issues}`,
      ambiguous: options.ambiguous ?? false,
    });
    this.name = 'UnexpectedResponseError';
  }
}
