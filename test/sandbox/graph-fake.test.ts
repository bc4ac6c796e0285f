import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FACEBOOK_LOGIN_PERMISSIONS, GraphFake, INSTAGRAM_LOGIN_PERMISSIONS } from '../../src/sandbox/graph-fake.ts';

/** The fake must refuse what Graph refuses, with the documented codes; these talk to it over raw HTTP. */
let fake: GraphFake;
let urls: { facebookUrl: string; instagramUrl: string };
let igId: string;
let token: string;

beforeEach(async () => {
  fake = new GraphFake();
  urls = await fake.start();
  igId = fake.seedInstagramAccount().id;
  token = fake.issueToken({ kind: 'instagram_user', subjects: [igId], scopes: INSTAGRAM_LOGIN_PERMISSIONS });
});
afterEach(async () => fake.stop());

async function call(
  method: string,
  path: string,
  init: { query?: Record<string, string>; form?: Record<string, string>; json?: unknown; bearer?: string } = {},
) {
  const url = new URL(`${urls.instagramUrl}${path}`);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  let body: string | undefined;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  return {
    status: res.status,
    body: (await res.json()) as { id?: string; error?: { code: number; error_subcode?: number } },
  };
}

const image = 'https://media.wone.example/a.jpg';

describe('Graph fake contract', () => {
  it('takes the token as a parameter or a Bearer header, any version prefix or none, and query, form or JSON params', async () => {
    expect(
      (await call('POST', `/v25.0/${igId}/media`, { query: { access_token: token, image_url: image } })).status,
    ).toBe(200);
    expect(
      (await call('POST', `/v21.0/${igId}/media`, { form: { access_token: token, image_url: image } })).status,
    ).toBe(200);
    expect((await call('POST', `/${igId}/media`, { json: { image_url: image }, bearer: token })).status).toBe(200);
  });

  it('refuses missing, unknown and expired tokens with 190 and its subcode', async () => {
    expect((await call('GET', `/v25.0/${igId}`)).body.error?.code).toBe(104);
    expect((await call('GET', `/v25.0/${igId}`, { bearer: 'IGAAnope' })).body.error).toMatchObject({ code: 190 });
    fake.setTokenStatus(token, 'expired');
    expect((await call('GET', `/v25.0/${igId}`, { bearer: token })).body.error).toMatchObject({
      code: 190,
      error_subcode: 463,
    });
  });

  it('refuses bad containers with the documented codes', async () => {
    const create = (params: Record<string, unknown>) =>
      call('POST', `/v25.0/${igId}/media`, { json: params, bearer: token });
    expect((await create({})).body.error).toMatchObject({ code: 100 });
    expect((await create({ media_type: 'IMAGE', image_url: image })).body.error).toMatchObject({
      code: 100,
      error_subcode: 2207023,
    });
    expect((await create({ media_type: 'VIDEO', video_url: 'https://m.example/v.mp4' })).body.error).toMatchObject({
      error_subcode: 2207023,
    });
    expect((await create({ image_url: image, caption: 'x'.repeat(2201) })).body.error).toMatchObject({
      code: 36004,
      error_subcode: 2207010,
    });
    const tags = Array.from({ length: 21 }, (_, i) => `@u${i}`).join(' ');
    expect((await create({ image_url: image, caption: tags })).body.error).toMatchObject({
      code: 100,
      error_subcode: 2207040,
    });
    const children: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      children.push((await create({ image_url: image, is_carousel_item: true })).body.id as string);
    }
    expect((await create({ media_type: 'CAROUSEL', children: children.join(',') })).body.error).toMatchObject({
      error_subcode: 2207028,
    });
    expect((await create({ media_type: 'CAROUSEL', children: children.slice(0, 10).join(',') })).status).toBe(200);
  });

  it('moves a video container IN_PROGRESS → FINISHED → PUBLISHED, refusing to publish early with 9007', async () => {
    const { id } = (
      await call('POST', `/v25.0/${igId}/media`, {
        json: { media_type: 'REELS', video_url: 'https://m.example/v.mp4' },
        bearer: token,
      })
    ).body;
    const status = async () =>
      (await call('GET', `/v25.0/${id}`, { query: { fields: 'status_code' }, bearer: token })).body;
    expect(await status()).toMatchObject({ status_code: 'IN_PROGRESS' });
    const early = await call('POST', `/v25.0/${igId}/media_publish`, {
      form: { creation_id: id as string },
      bearer: token,
    });
    expect(early.body.error).toMatchObject({ code: 9007, error_subcode: 2207027 });
    fake.advance(30_000);
    expect(await status()).toMatchObject({ status_code: 'FINISHED' });
    expect(
      (await call('POST', `/v25.0/${igId}/media_publish`, { form: { creation_id: id as string }, bearer: token }))
        .status,
    ).toBe(200);
    expect(await status()).toMatchObject({ status_code: 'PUBLISHED' });
    expect(fake.published(igId)).toHaveLength(1);
  });

  it('expires an unpublished container after 24 hours and enforces the daily quota with 9/2207042', async () => {
    fake.quotaTotal = 1;
    const make = async () =>
      (await call('POST', `/v25.0/${igId}/media`, { json: { image_url: image }, bearer: token })).body.id as string;
    const stale = await make();
    fake.advance(24 * 3_600_000);
    expect(
      (await call('GET', `/v25.0/${stale}`, { query: { fields: 'status_code' }, bearer: token })).body,
    ).toMatchObject({ status_code: 'EXPIRED' });
    const publish = async (id: string) =>
      call('POST', `/v25.0/${igId}/media_publish`, { form: { creation_id: id }, bearer: token });
    expect((await publish(await make())).status).toBe(200);
    expect((await publish(await make())).body.error).toMatchObject({ code: 9, error_subcode: 2207042 });
  });

  it('serves a story and its metrics for 24 hours, then lists it no more and answers its insights with an empty set', async () => {
    const { id: container } = (
      await call('POST', `/v25.0/${igId}/media`, { json: { media_type: 'STORIES', image_url: image }, bearer: token })
    ).body;
    const published = await call('POST', `/v25.0/${igId}/media_publish`, {
      form: { creation_id: container as string },
      bearer: token,
    });
    const storyId = published.body.id as string;
    fake.setInsights(storyId, { views: 300, reach: 250 });
    const insights = async () =>
      (await call('GET', `/v25.0/${storyId}/insights`, { query: { metric: 'views,reach' }, bearer: token })).body as {
        data?: { name: string; values: { value: number }[] }[];
      };
    const stories = async () =>
      ((await call('GET', `/v25.0/${igId}/stories`, { bearer: token })).body as { data?: { id: string }[] }).data;
    fake.advance(24 * 3_600_000 - 60_000);
    expect((await insights()).data?.map((m) => [m.name, m.values[0]?.value])).toEqual([
      ['views', 300],
      ['reach', 250],
    ]);
    expect((await stories())?.map((s) => s.id)).toEqual([storyId]);
    fake.advance(60_000);
    expect(await insights()).toEqual({ data: [] });
    expect(await stories()).toEqual([]);
  });
});

describe('Graph fake: batch requests', () => {
  type BatchItem = { code: number; headers?: { name: string; value: string }[]; body: string } | null;
  const batch = async (
    base: string,
    operations: unknown[],
    init: { bearer?: string; extra?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${base}/v25.0/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(init.bearer ? { authorization: `Bearer ${init.bearer}` } : {}),
      },
      body: new URLSearchParams({ batch: JSON.stringify(operations), ...init.extra }).toString(),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const get = (relative_url: string) => ({ method: 'GET', relative_url });
  /** Batches are a graph.facebook.com feature: the Instagram account is read through its Page's token. */
  let fbToken: string;
  beforeEach(() => {
    const page = fake.seedPage({ instagramAccountId: igId });
    fbToken = fake.issueToken({ kind: 'page', subjects: [page.id, igId], scopes: FACEBOOK_LOGIN_PERMISSIONS });
  });

  it('graph.instagram.com serves no batch requests', async () => {
    const { status, body } = await batch(urls.instagramUrl, [get(`${igId}?fields=username`)], { bearer: token });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 100 } });
    expect(fake.batched.instagram).toHaveLength(0);
  });

  it('answers each operation in order as {code, headers, body} with the direct answer as JSON text, in one call', async () => {
    const before = fake.facebook.calls.length;
    const { status, body } = await batch(
      urls.facebookUrl,
      [get(`${igId}?fields=username`), get('17000000000000000?fields=id'), get(`${igId}?fields=followers_count`)],
      { bearer: fbToken },
    );
    expect(status).toBe(200);
    const items = body as BatchItem[];
    expect(items).toHaveLength(3);
    expect(items[0]?.code).toBe(200);
    expect(items[0]?.headers).toContainEqual({ name: 'Content-Type', value: 'text/javascript; charset=UTF-8' });
    expect(JSON.parse(items[0]?.body ?? '')).toEqual({ username: 'wone.commerce', id: igId });
    // An operation that fails fails alone, with the error a direct call gets.
    expect(items[1]?.code).toBe(400);
    expect(JSON.parse(items[1]?.body ?? '')).toMatchObject({ error: { code: 100, error_subcode: 33 } });
    expect(JSON.parse(items[2]?.body ?? '')).toEqual({ followers_count: 1520, id: igId });
    // One HTTP call; the three operations are recorded apart.
    expect(fake.facebook.calls.length - before).toBe(1);
    expect(fake.batched.facebook.map((op) => op.path)).toEqual([`/${igId}`, '/17000000000000000', `/${igId}`]);
  });

  it('checks each operation’s token like a direct call, and needs the batch’s own token', async () => {
    const page = fake.seedPage();
    const pageToken = fake.issueToken({ kind: 'page', subjects: [page.id], scopes: FACEBOOK_LOGIN_PERMISSIONS });
    const res = await batch(
      urls.facebookUrl,
      [get(`${page.id}?fields=name`), get(`${page.id}?fields=name&access_token=EAABnope`)],
      { bearer: pageToken },
    );
    const items = res.body as BatchItem[];
    expect(JSON.parse(items[0]?.body ?? '')).toEqual({ name: 'Wone Commerce', id: page.id });
    expect(JSON.parse(items[1]?.body ?? '')).toMatchObject({ error: { code: 190 } });
    // An Instagram token on graph.facebook.com, and no token at all, refuse the whole batch.
    expect((await batch(urls.facebookUrl, [get(page.id)], { bearer: token })).body).toMatchObject({
      error: { code: 190 },
    });
    expect((await batch(urls.facebookUrl, [get(page.id)])).body).toMatchObject({ error: { code: 104 } });
  });

  it('takes at most 50 operations, and leaves headers out on include_headers=false', async () => {
    const fifty = Array.from({ length: 50 }, () => get(`${igId}?fields=id`));
    const ok = await batch(urls.facebookUrl, fifty, { bearer: fbToken, extra: { include_headers: 'false' } });
    expect(ok.status).toBe(200);
    expect((ok.body as BatchItem[]).every((item) => item?.code === 200 && item.headers === undefined)).toBe(true);
    const over = await batch(urls.facebookUrl, [...fifty, get(igId)], { bearer: fbToken });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({
      error: { message: 'Too many requests in batch message. Maximum batch size is 50', type: 'GraphBatchException' },
    });
  });

  it('answers null for an operation that did not finish in time', async () => {
    fake.timeOutInBatch('facebook', (op) => op.query.fields === 'username');
    const { body } = await batch(urls.facebookUrl, [get(`${igId}?fields=username`), get(`${igId}?fields=id`)], {
      bearer: fbToken,
    });
    const items = body as BatchItem[];
    expect(items[0]).toBeNull();
    expect(items[1]?.code).toBe(200);
  });

  type OnlineAnswer = {
    data: { values: { value: Record<string, number>; end_time: string }[] }[];
    error: { code: number };
  };
  it('serves online_followers with period lifetime only, per day from 07:00 UTC, over at most 30 days', async () => {
    const until = Math.floor(fake.now() / 1000);
    const since = until - 7 * 86_400;
    const ask = (query: Record<string, string>) =>
      fetch(
        `${urls.instagramUrl}/v25.0/${igId}/insights?${new URLSearchParams({ access_token: token, ...query })}`,
      ).then(async (res) => ({ status: res.status, body: (await res.json()) as OnlineAnswer }));
    const answer = await ask({ metric: 'online_followers', period: 'lifetime', since: `${since}`, until: `${until}` });
    expect(answer.status).toBe(200);
    const values = answer.body.data[0]?.values ?? [];
    expect(values.length).toBeGreaterThanOrEqual(6);
    expect(values.every((v) => v.end_time.endsWith('T07:00:00+0000'))).toBe(true);
    expect(Object.keys(values[0]?.value ?? {})).toHaveLength(24);
    expect((await ask({ metric: 'online_followers', period: 'day' })).body.error.code).toBe(100);
    expect((await ask({ metric: 'online_followers,reach', period: 'lifetime' })).body.error.code).toBe(100);
    const tooLong = {
      metric: 'online_followers',
      period: 'lifetime',
      since: `${until - 31 * 86_400}`,
      until: `${until}`,
    };
    expect((await ask(tooLong)).body.error.code).toBe(100);
    // Under 100 followers Instagram reports none: an empty data set, not zeros.
    const small = fake.seedInstagramAccount({ followersCount: 99 }).id;
    const smallToken = fake.issueToken({
      kind: 'instagram_user',
      subjects: [small],
      scopes: ['instagram_business_basic', 'instagram_business_manage_insights'],
    });
    const none = await fetch(
      `${urls.instagramUrl}/v25.0/${small}/insights?${new URLSearchParams({ access_token: smallToken, metric: 'online_followers', period: 'lifetime' })}`,
    ).then((res) => res.json());
    expect(none).toEqual({ data: [] });
  });
});
