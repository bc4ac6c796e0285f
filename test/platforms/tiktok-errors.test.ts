import { describe, expect, it } from 'vitest';
import {
  DAILY_CAP_WAIT_MS,
  DEFAULT_RATE_LIMIT_WAIT_MS,
  tiktokApiError,
  tiktokBusinessError,
  tiktokOAuthError,
  tiktokPublishFailed,
} from '../../src/platforms/tiktok-errors.ts';

const v2 = (status: number, code: string, message = 'detail from TikTok', headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: { data: {}, error: { code, message, log_id: '202610112248442CB9319E1FB30C1073F3' } },
});

describe('TikTok Open API v2 errors', () => {
  it('passes a success through', () => {
    expect(tiktokApiError(v2(200, 'ok', ''), 'init')).toBeUndefined();
  });

  it.each([
    [401, 'access_token_invalid', 'auth'],
    [401, 'scope_not_authorized', 'auth'],
    [401, 'scope_permission_missed', 'auth'],
    [429, 'rate_limit_exceeded', 'rate_limited'],
    [500, 'internal_error', 'transient'],
    [403, 'spam_risk_too_many_posts', 'rate_limited'],
    [403, 'reached_active_user_cap', 'rate_limited'],
    [403, 'spam_risk_too_many_pending_share', 'rate_limited'],
    [403, 'spam_risk_user_banned_from_posting', 'permanent'],
    [403, 'privacy_level_option_mismatch', 'permanent'],
    [400, 'invalid_param', 'permanent'],
    [400, 'invalid_params', 'permanent'],
    [403, 'url_ownership_unverified', 'permanent'],
    [403, 'unaudited_client_can_only_post_to_private_accounts', 'permanent'],
    [400, 'invalid_publish_id', 'permanent'],
  ])('HTTP %i %s is %s, with a message a person can act on', (status, code, kind) => {
    const error = tiktokApiError(v2(status, code), 'publish init');
    expect(error?.kind).toBe(kind);
    expect(error?.code).toBe(code);
    expect(error?.status).toBe(status);
    expect(error?.userMessage).toMatch(/\w{4,}/);
    expect(error?.ambiguous).toBe(false);
    expect(error?.message).toContain('202610112248442CB9319E1FB30C1073F3');
  });

  it('tells the user what to do for the posting refusals', () => {
    expect(tiktokApiError(v2(403, 'privacy_level_option_mismatch'), 'init')?.userMessage).toMatch(/visibility/);
    expect(tiktokApiError(v2(403, 'url_ownership_unverified'), 'init')?.userMessage).toMatch(/verified/);
    expect(tiktokApiError(v2(403, 'unaudited_client_can_only_post_to_private_accounts'), 'init')?.userMessage).toMatch(
      /Only me/,
    );
    expect(tiktokApiError(v2(403, 'spam_risk_user_banned_from_posting'), 'init')?.userMessage).toMatch(/banned/);
    expect(tiktokApiError(v2(400, 'invalid_param', 'title exceeds 2200'), 'init')?.userMessage).toContain(
      'title exceeds 2200',
    );
  });

  it('waits as long as Retry-After says, else a minute; daily caps wait an hour', () => {
    expect(tiktokApiError(v2(429, 'rate_limit_exceeded', '', { 'retry-after': '7' }), 'x')?.retryAfterMs).toBe(7000);
    expect(tiktokApiError(v2(429, 'rate_limit_exceeded'), 'x')?.retryAfterMs).toBe(DEFAULT_RATE_LIMIT_WAIT_MS);
    expect(tiktokApiError(v2(403, 'spam_risk_too_many_posts'), 'x')?.retryAfterMs).toBe(DAILY_CAP_WAIT_MS);
    expect(tiktokApiError(v2(403, 'privacy_level_option_mismatch'), 'x')?.retryAfterMs).toBeUndefined();
  });

  it("reads creator_info's intentional HTTP 200 errors as errors", () => {
    expect(tiktokApiError(v2(200, 'spam_risk_too_many_posts'), 'creator info')?.kind).toBe('rate_limited');
    expect(tiktokApiError(v2(200, 'spam_risk_user_banned_from_posting'), 'creator info')?.kind).toBe('permanent');
    expect(tiktokApiError(v2(200, 'reached_active_user_cap'), 'creator info')?.kind).toBe('rate_limited');
  });

  it('falls back on the HTTP status for unknown codes and bodies without the envelope', () => {
    expect(tiktokApiError(v2(401, 'some_new_token_problem'), 'x')?.kind).toBe('auth');
    expect(tiktokApiError(v2(503, 'some_new_outage'), 'x')?.kind).toBe('transient');
    expect(tiktokApiError(v2(400, 'some_new_rule'), 'x')?.kind).toBe('permanent');
    const gateway = tiktokApiError({ status: 502, headers: {}, body: '<html>Bad gateway</html>' }, 'init');
    expect(gateway).toMatchObject({ kind: 'transient', code: 'http_502', ambiguous: true });
  });
});

describe('TikTok Login Kit OAuth errors', () => {
  const flat = (status: number, error: string) => ({
    status,
    headers: {},
    body: { error, error_description: 'why', log_id: 'L1' },
  });

  it.each([
    ['invalid_grant', 'auth'],
    ['access_denied', 'auth'],
    ['invalid_scope', 'auth'],
    ['invalid_client', 'permanent'],
    ['invalid_request', 'permanent'],
    ['unsupported_grant_type', 'permanent'],
    ['server_error', 'transient'],
    ['temporarily_unavailable', 'transient'],
  ])('%s is %s', (code, kind) => {
    expect(tiktokOAuthError(flat(400, code), 'refresh')).toMatchObject({ kind, code });
  });

  it('finds an error even when it comes with HTTP 200', () => {
    expect(tiktokOAuthError(flat(200, 'invalid_grant'), 'refresh')?.kind).toBe('auth');
  });

  it('passes tokens and an empty revoke answer through', () => {
    expect(tiktokOAuthError({ status: 200, headers: {}, body: { access_token: 'act.1' } }, 'x')).toBeUndefined();
    expect(tiktokOAuthError({ status: 200, headers: {}, body: '' }, 'x')).toBeUndefined();
  });
});

describe('TikTok API for Business errors', () => {
  const biz = (code: number, status = 200) => ({
    status,
    headers: {},
    body: { code, message: 'msg', request_id: 'R1', data: {} },
  });

  it('treats a non-zero code with HTTP 200 as the error it is', () => {
    expect(tiktokBusinessError(biz(0), 'x')).toBeUndefined();
    expect(tiktokBusinessError(biz(40105), 'x')?.kind).toBe('auth');
    expect(tiktokBusinessError(biz(40100), 'x')).toMatchObject({ kind: 'rate_limited', retryAfterMs: 60_000 });
    expect(tiktokBusinessError(biz(50000), 'x')?.kind).toBe('transient');
    expect(tiktokBusinessError(biz(40002), 'x')).toMatchObject({ kind: 'permanent', code: '40002' });
  });

  it('says clearly when the account cannot use the API for Business', () => {
    const error = tiktokBusinessError(biz(40001), 'comment list');
    expect(error).toMatchObject({ kind: 'permanent', code: 'business_api_unavailable' });
    expect(error?.userMessage).toMatch(/Business account/);
  });

  it('maps HTTP failures without the envelope by status', () => {
    expect(tiktokBusinessError({ status: 503, headers: {}, body: 'down' }, 'x')?.kind).toBe('transient');
  });
});

describe('TikTok publish failures', () => {
  it('retries only internal failures', () => {
    expect(tiktokPublishFailed('internal', 'v_pub_url~v2.1').kind).toBe('transient');
    const format = tiktokPublishFailed('file_format_check_failed', 'v_pub_url~v2.1');
    expect(format.kind).toBe('permanent');
    expect(format.userMessage).toMatch(/format/);
    expect(tiktokPublishFailed('video_pull_failed', 'p').userMessage).toMatch(/download/);
    expect(tiktokPublishFailed('auth_removed', 'p').kind).toBe('auth');
    expect(tiktokPublishFailed('something_new', 'p')).toMatchObject({ kind: 'permanent', code: 'something_new' });
  });
});
