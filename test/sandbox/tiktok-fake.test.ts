import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';

/** The fake must refuse what TikTok refuses; the client never sends these, so they are checked here directly. */

const MB = 1024 * 1024;
const JSON_UTF8 = 'application/json; charset=UTF-8';

let fake: TikTokFake;
let token: string;

beforeEach(async () => {
  fake = new TikTokFake();
  await fake.start();
  fake.seedAccount({ openId: 'open-1', privacyLevelOptions: ['SELF_ONLY'] });
  token = fake.issueTokens('open-1').accessToken;
});

afterEach(async () => {
  await fake.stop();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': JSON_UTF8, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { data: Record<string, unknown>; error: { code: string } } };
}

const videoInit = (
  sourceInfo: Record<string, unknown>,
  postInfo: Record<string, unknown> = { privacy_level: 'SELF_ONLY' },
) => post('/v2/post/publish/video/init/', { post_info: postInfo, source_info: sourceInfo });

const fileSource = (size: number, chunk: number, count: number) => ({
  source: 'FILE_UPLOAD',
  video_size: size,
  chunk_size: chunk,
  total_chunk_count: count,
});

describe('TikTok fake: Open API refusals', () => {
  it('refuses a missing, unknown or expired token with 401 access_token_invalid', async () => {
    expect(await post('/v2/post/publish/creator_info/query/', {}, { authorization: '' })).toMatchObject({
      status: 401,
      body: { error: { code: 'access_token_invalid' } },
    });
    fake.advance(86_401_000);
    expect((await post('/v2/post/publish/creator_info/query/', {})).status).toBe(401);
  });

  it('refuses a body that is not application/json; charset=UTF-8', async () => {
    const res = await post('/v2/post/publish/creator_info/query/', {}, { 'content-type': 'text/plain' });
    expect(res.status).toBe(400);
  });

  it('refuses an unoffered privacy level (403), a long title and missing fields (400)', async () => {
    const pull = { source: 'PULL_FROM_URL', video_url: 'https://media.wone.example/a.mp4' };
    expect((await videoInit(pull, { privacy_level: 'PUBLIC_TO_EVERYONE' })).body.error.code).toBe(
      'privacy_level_option_mismatch',
    );
    expect(await videoInit(pull, { privacy_level: 'SELF_ONLY', title: 'x'.repeat(2201) })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_param' } },
    });
    expect((await videoInit(pull, {})).status).toBe(400);
    expect((await post('/v2/post/publish/video/init/', { source_info: pull })).status).toBe(400);
  });

  it('refuses chunk math that breaks the documented rules', async () => {
    expect((await videoInit(fileSource(20 * MB, 10 * MB, 3))).status).toBe(400);
    expect((await videoInit(fileSource(100 * MB, 100 * MB, 1))).status).toBe(400);
    expect((await videoInit(fileSource(4 * MB, 2 * MB, 2))).status).toBe(400);
    expect((await videoInit(fileSource(20 * MB, 10 * MB, 2))).status).toBe(200);
  });

  it('allows 6 inits per minute per token, then 429 rate_limit_exceeded', async () => {
    const pull = { source: 'PULL_FROM_URL', video_url: 'https://media.wone.example/a.mp4' };
    for (let i = 0; i < 6; i += 1) expect((await videoInit(pull)).status).toBe(200);
    expect(await videoInit(pull)).toMatchObject({ status: 429, body: { error: { code: 'rate_limit_exceeded' } } });
    fake.rateLimits = false;
    expect((await videoInit(pull)).status).toBe(200);
  });

  it('only lets an unaudited app post privately', async () => {
    fake.unaudited = true;
    fake.account('open-1').privacyLevelOptions = ['PUBLIC_TO_EVERYONE', 'SELF_ONLY'];
    const pull = { source: 'PULL_FROM_URL', video_url: 'https://media.wone.example/a.mp4' };
    expect((await videoInit(pull, { privacy_level: 'PUBLIC_TO_EVERYONE' })).body.error.code).toBe(
      'unaudited_client_can_only_post_to_private_accounts',
    );
    expect((await videoInit(pull, { privacy_level: 'SELF_ONLY' })).status).toBe(200);
  });
});

describe('TikTok fake: upload URL', () => {
  async function start(size: number, chunk: number, count: number) {
    const res = await videoInit(fileSource(size, chunk, count));
    return { uploadUrl: res.body.data.upload_url as string, publishId: res.body.data.publish_id as string };
  }

  const put = (url: string, bytes: Uint8Array, range: string | undefined, type = 'video/mp4') =>
    fetch(url, {
      method: 'PUT',
      headers: { 'content-type': type, ...(range ? { 'content-range': range } : {}) },
      body: bytes,
    });

  it('answers 206 with the received range, then 201, and completes the post', async () => {
    const { uploadUrl, publishId } = await start(11 * MB, 5 * MB, 2);
    const first = await put(uploadUrl, new Uint8Array(5 * MB), `bytes 0-${5 * MB - 1}/${11 * MB}`);
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-${5 * MB - 1}/${11 * MB}`);
    const last = await put(uploadUrl, new Uint8Array(6 * MB), `bytes ${5 * MB}-${11 * MB - 1}/${11 * MB}`);
    expect(last.status).toBe(201);
    const status = await fetch(`${fake.url}/v2/post/publish/status/fetch/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': JSON_UTF8 },
      body: JSON.stringify({ publish_id: publishId }),
    });
    expect(await status.json()).toMatchObject({ data: { status: 'PROCESSING_UPLOAD', uploaded_bytes: 11 * MB } });
    expect(fake.postsOf('open-1')).toHaveLength(1);
  });

  it('refuses missing headers (400), a wrong range (416) and an expired URL (403)', async () => {
    const { uploadUrl } = await start(11 * MB, 5 * MB, 2);
    expect((await put(uploadUrl, new Uint8Array(5 * MB), undefined)).status).toBe(400);
    expect((await put(uploadUrl, new Uint8Array(5 * MB), `bytes 0-${5 * MB - 1}/${11 * MB}`, 'video/avi')).status).toBe(
      400,
    );
    expect((await put(uploadUrl, new Uint8Array(MB), `bytes ${5 * MB}-${6 * MB - 1}/${11 * MB}`)).status).toBe(416);
    expect((await put(uploadUrl, new Uint8Array(4 * MB), `bytes 0-${4 * MB - 1}/${11 * MB}`)).status).toBe(416);
    fake.advance(61 * 60_000);
    expect((await put(uploadUrl, new Uint8Array(5 * MB), `bytes 0-${5 * MB - 1}/${11 * MB}`)).status).toBe(403);
  });
});

describe('TikTok fake: status and OAuth', () => {
  it('sends int64 post ids as JSON numbers, after the configured lag', async () => {
    fake.account('open-1').privacyLevelOptions = ['PUBLIC_TO_EVERYONE'];
    fake.account('open-1').outcome = { result: 'complete', processingPolls: 1, postIdLagPolls: 1 };
    const init = await videoInit(
      { source: 'PULL_FROM_URL', video_url: 'https://media.wone.example/a.mp4' },
      { privacy_level: 'PUBLIC_TO_EVERYONE' },
    );
    const fetchStatus = async () => {
      const res = await fetch(`${fake.url}/v2/post/publish/status/fetch/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': JSON_UTF8 },
        body: JSON.stringify({ publish_id: init.body.data.publish_id }),
      });
      return res.text();
    };
    expect(await fetchStatus()).toContain('"status":"PROCESSING_DOWNLOAD"');
    expect(await fetchStatus()).toContain('"publicaly_available_post_id":[]');
    const postId = fake.postsOf('open-1')[0]?.postId;
    expect(await fetchStatus()).toContain(`"publicaly_available_post_id":[${postId}]`);
  });

  it('rotates refresh tokens and answers OAuth errors flat', async () => {
    const { refreshToken } = fake.issueTokens('open-1');
    const refresh = (value: string) =>
      fetch(`${fake.url}/v2/oauth/token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_key: fake.clientKey,
          client_secret: fake.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: value,
        }),
      });
    const first = await refresh(refreshToken);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ open_id: 'open-1', expires_in: 86_400, token_type: 'Bearer' });
    const reused = await refresh(refreshToken);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers Business API errors with HTTP 200 and a non-zero code', async () => {
    const res = await fetch(`${fake.url}/open_api/v1.3/business/get/?business_id=open-1&fields=["username"]`, {
      headers: { 'access-token': 'act.wrong' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ code: 40105 });
  });

  it('refuses a Login Kit token on the API for Business with 40105, even for a Business account', async () => {
    fake.account('open-1').accountType = 'business';
    for (const businessId of ['open-1', fake.businessIdOf('open-1')]) {
      const res = await fetch(
        `${fake.url}/open_api/v1.3/business/get/?business_id=${businessId}&fields=${encodeURIComponent('["username"]')}`,
        { headers: { 'access-token': token } },
      );
      expect(await res.json()).toMatchObject({
        code: 40105,
        message: 'Access token is incorrect or has been revoked.',
      });
    }
  });

  it('issues Business tokens only through the Business authorization of a Business account, for its business_id', async () => {
    const redirect = 'https://wone.example.com/oauth/tiktok-business/callback';
    const authorize = (openId: string) =>
      new URL(
        fake.businessConsent(
          `https://www.tiktok.com/v2/auth/authorize/?${new URLSearchParams({
            client_key: fake.businessAppId,
            scope: 'user.info.basic,comment.list',
            response_type: 'code',
            redirect_uri: redirect,
            state: 's',
          })}`,
          { openId },
        ),
      );
    expect(authorize('open-1').searchParams.get('error')).toBe('access_denied');
    fake.account('open-1').accountType = 'business';
    const code = authorize('open-1').searchParams.get('code') ?? '';
    const exchange = (body: Record<string, string>) =>
      fetch(`${fake.url}/open_api/v1.3/tt_user/oauth2/token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((res) => res.json() as Promise<{ code: number; data: Record<string, string> }>);
    const app = { client_id: fake.businessAppId, client_secret: fake.businessAppSecret };
    // A Login Kit code, or the Login Kit app, is not accepted here.
    const loginKitCode = fake.issueAuthCode('open-1', redirect);
    expect(
      await exchange({ ...app, grant_type: 'authorization_code', auth_code: loginKitCode, redirect_uri: redirect }),
    ).toMatchObject({ code: 40002 });
    expect(
      await exchange({
        client_id: fake.clientKey,
        client_secret: fake.clientSecret,
        grant_type: 'authorization_code',
        auth_code: code,
        redirect_uri: redirect,
      }),
    ).toMatchObject({ code: 40001 });
    const granted = await exchange({
      ...app,
      grant_type: 'authorization_code',
      auth_code: code,
      redirect_uri: redirect,
    });
    expect(granted.code).toBe(0);
    expect(granted.data.open_id).toBe(fake.businessIdOf('open-1'));
    expect(granted.data.open_id).not.toBe('open-1');
    const read = (businessId: string) =>
      fetch(
        `${fake.url}/open_api/v1.3/business/get/?business_id=${businessId}&fields=${encodeURIComponent('["username"]')}`,
        {
          headers: { 'access-token': granted.data.access_token ?? '' },
        },
      ).then((res) => res.json());
    expect(await read(fake.businessIdOf('open-1'))).toMatchObject({ code: 0, data: { username: 'wone_open-1' } });
    expect(await read('open-1')).toMatchObject({ code: 40002 });
    // The Business token is no Login Kit token either.
    const creator = await post(
      '/v2/post/publish/creator_info/query/',
      {},
      {
        authorization: `Bearer ${granted.data.access_token}`,
      },
    );
    expect(creator.status).toBe(401);
  });

  it('refuses pull-from-URL for a prefix that is not verified, and http unless switched off for the sandbox', async () => {
    fake.verifiedUrlPrefixes = ['https://media.wone.example/'];
    const pull = (url: string) => videoInit({ source: 'PULL_FROM_URL', video_url: url });
    expect((await pull('https://elsewhere.example/v.mp4')).body.error.code).toBe('url_ownership_unverified');
    expect((await pull('https://media.wone.example/v.mp4')).status).toBe(200);
    fake.verifiedUrlPrefixes = ['http://localhost:3000/media/'];
    expect((await pull('http://localhost:3000/media/v.mp4')).body.error.code).toBe('invalid_param');
    fake.requireHttps = false;
    expect((await pull('http://localhost:3000/media/v.mp4')).status).toBe(200);
  });
});
