import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PlatformError } from '../../src/platforms/errors.ts';
import { GraphClient } from '../../src/platforms/graph-client.ts';
import { graphErrorToPlatformError, readUsageHeaders, redact } from '../../src/platforms/graph-errors.ts';
import { FakeHttpServer } from '../../src/sandbox/fake-http-server.ts';

const envelope = (code: number, extra: Record<string, unknown> = {}) => ({
  error: { message: `(#${code}) something`, type: 'OAuthException', code, fbtrace_id: 'AbC', ...extra },
});

const map = (body: unknown, headers: Record<string, string> = {}, status = 400) =>
  graphErrorToPlatformError({ platform: 'instagram', where: 'POST /v25.0/1/media', status, body, headers, now: 0 });

describe('Graph error codes to kinds', () => {
  it.each([
    [190, undefined],
    [190, 458],
    [190, 459],
    [190, 460],
    [190, 463],
    [190, 464],
    [190, 467],
    [190, 492],
    [102, undefined],
    [10, undefined],
    [200, undefined],
    [230, undefined],
    [299, undefined],
  ])('code %s subcode %s is auth', (code, subcode) => {
    const error = map(envelope(code, subcode === undefined ? {} : { error_subcode: subcode }));
    expect(error.kind).toBe('auth');
    expect(error.code).toBe(subcode === undefined ? String(code) : `${code}/${subcode}`);
    expect(error.userMessage).toMatch(/Reconnect|reconnect/);
  });

  it.each([4, 17, 32, 341, 613, 80001, 80002, 80004, 80005, 80006])(
    'throttle code %s is rate_limited with a wait',
    (code) => {
      const error = map(envelope(code));
      expect(error.kind).toBe('rate_limited');
      expect(error.retryAfterMs).toBe(5 * 60_000);
    },
  );

  it('daily publishing cap 9/2207042 is rate_limited for an hour by default', () => {
    const error = map(envelope(9, { error_subcode: 2207042, error_user_msg: 'You reached maximum number of posts…' }));
    expect(error).toMatchObject({ kind: 'rate_limited', code: '9/2207042', retryAfterMs: 3_600_000 });
  });

  it('spam suspicion under code 4 (2207051) is a policy block, not a wait', () => {
    expect(map(envelope(4, { error_subcode: 2207051 })).kind).toBe('permanent');
  });

  it.each([
    [envelope(1), 'transient'],
    [envelope(2, { is_transient: true }), 'transient'],
    [envelope(36000, { error_subcode: 2207004, is_transient: true }), 'transient'],
    [envelope(9007, { error_subcode: 2207027 }), 'transient'],
    [envelope(-1, { error_subcode: 2207001 }), 'transient'],
    [envelope(-2, { error_subcode: 2207003 }), 'transient'],
    [envelope(24, { error_subcode: 2207008 }), 'transient'],
  ])('%j is transient', (body, kind) => {
    expect(map(body).kind).toBe(kind);
  });

  it.each([
    [100, 2207028],
    [36004, 2207010],
    [36001, 2207005],
    [-2, 2207020],
    [368, undefined],
    [506, undefined],
    [1609005, undefined],
  ])('code %s/%s is permanent with the platform user message', (code, subcode) => {
    const error = map(
      envelope(code, {
        ...(subcode ? { error_subcode: subcode } : {}),
        error_user_msg: 'The caption is too long.',
        is_transient: false,
      }),
    );
    expect(error.kind).toBe('permanent');
    expect(error.userMessage).toBe('The caption is too long.');
    expect(error.ambiguous).toBe(false);
  });

  it('uses the Graph message when there is no user message', () => {
    expect(map(envelope(100)).userMessage).toBe('(#100) something');
  });

  it('a 5xx without a Graph envelope is transient and may have taken effect', () => {
    expect(map('<html>Bad gateway</html>', {}, 502)).toMatchObject({
      kind: 'transient',
      code: 'http_502',
      ambiguous: true,
    });
    expect(map(envelope(2, { is_transient: true }), {}, 500)).toMatchObject({ kind: 'transient', ambiguous: true });
    expect(map('', {}, 429)).toMatchObject({ kind: 'rate_limited' });
  });
});

describe('usage headers', () => {
  it('reads the highest percentage and estimated_time_to_regain_access', () => {
    const usage = readUsageHeaders(
      {
        'x-app-usage': '{"call_count":28,"total_time":25,"total_cputime":25}',
        'x-business-use-case-usage':
          '{"1784":[{"type":"instagram","call_count":100,"total_cputime":25,"total_time":25,"estimated_time_to_regain_access":19}]}',
      },
      1_000,
    );
    expect(usage).toEqual({ percent: 100, regainAccessMs: 19 * 60_000, at: 1_000 });
    expect(readUsageHeaders({ 'x-app-usage': '{"call_count":61,"total_time":3,"total_cputime":2}' }, 5)).toEqual({
      percent: 61,
      at: 5,
    });
    expect(readUsageHeaders({ 'x-app-usage': 'not json' })).toBeUndefined();
    expect(readUsageHeaders({})).toBeUndefined();
  });

  it('a throttle takes its wait from X-Business-Use-Case-Usage', () => {
    const headers = {
      'x-business-use-case-usage': '{"1":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":7}]}',
    };
    expect(map(envelope(80001), headers)).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7 * 60_000 });
  });
});

describe('secrets stay out of errors', () => {
  it('redacts tokens and query strings of URLs', () => {
    expect(
      redact('token EAABsecret123 at https://graph.facebook.com/v25.0/me?access_token=EAABsecret123 end', [
        'EAABsecret123',
      ]),
    ).toBe('token [redacted] at https://graph.facebook.com/v25.0/me end');
  });

  let server: FakeHttpServer;
  let graph: GraphClient;
  beforeEach(async () => {
    server = new FakeHttpServer();
    graph = new GraphClient({ platform: 'facebook', baseUrl: await server.start(), version: 'v25.0' });
  });
  afterEach(async () => {
    await graph.close();
    await server.stop();
  });

  it('a Graph error echoing the token and a signed URL does not carry them into the PlatformError', async () => {
    const token = 'EAABtopsecrettoken42';
    server.route('GET', '/v25.0/:id', () => ({
      status: 400,
      json: envelope(100, {
        message: `Bad url https://media.example/x.jpg?sig=abc for token ${token}`,
        error_user_msg: `Could not fetch https://media.example/x.jpg?sig=abc (${token})`,
      }),
    }));
    const error = await graph.get('123', z.object({ id: z.string() }), { token }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    const text = `${(error as PlatformError).message} ${(error as PlatformError).userMessage}`;
    expect(text).not.toContain(token);
    expect(text).not.toContain('sig=abc');
    expect(server.calls[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(server.calls[0]?.query).toEqual({});
  });

  it('a dropped connection names only the method and path', async () => {
    server.route('POST', '/v25.0/:id/feed', () => ({ drop: true }));
    const token = 'EAABtopsecrettoken42';
    const error = (await graph
      .post('9/feed', z.object({ id: z.string() }), { token, params: { message: 'hi' } })
      .catch((e) => e)) as PlatformError;
    expect(error).toMatchObject({ kind: 'transient', ambiguous: true });
    expect(error.message).toContain('POST /v25.0/9/feed');
    expect(error.message).not.toContain(token);
  });

  it('keeps the last usage seen so callers can slow down', async () => {
    server.route('GET', '/v25.0/:id', () => ({
      json: { id: '1' },
      headers: { 'x-app-usage': '{"call_count":83,"total_time":10,"total_cputime":5}' },
    }));
    expect(graph.lastUsage).toBeUndefined();
    await graph.get('1', z.object({ id: z.string() }), { token: 't0k3n' });
    expect(graph.lastUsage?.percent).toBe(83);
  });

  it('an answer that does not match its schema is an unexpected-response error', async () => {
    server.route('GET', '/v25.0/:id', () => ({ json: { name: 'no id' } }));
    const error = (await graph
      .get('1', z.object({ id: z.string() }), { token: 't0k3n' })
      .catch((e) => e)) as PlatformError;
    expect(error).toMatchObject({ kind: 'transient', code: 'unexpected_response' });
  });
});
