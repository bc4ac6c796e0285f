import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { META_APP_SECRET, metaEnvironment } from '../harness/meta-webhook.ts';
import { startTestApp, type TestApp } from '../harness/test-app.ts';
import { databaseFingerprint, seededRandom } from './request-generator.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(metaEnvironment);
});
afterAll(async () => t?.stop());

interface Spoiled {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const hubSignature = (body: string, secret = META_APP_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** A Meta `signed_request` with a chosen secret and payload. */
function signedRequest(payload: unknown, secret = META_APP_SECRET): string {
  const body = b64url(JSON.stringify(payload));
  return `${b64url(createHmac('sha256', secret).update(body).digest())}.${body}`;
}

function noise(random: () => number, length: number): string {
  return Array.from({ length }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('');
}

const delivery = JSON.stringify({
  object: 'instagram',
  entry: [
    {
      id: '17841400000000001',
      time: 1_700_000_000,
      changes: [{ field: 'comments', value: { id: '1790', text: 'hi', media: { id: '1789' } } }],
    },
  ],
});

/** Each entry spoils one request to one endpoint; every one of them must be refused with a 4xx. */
const generators: ((random: () => number) => Spoiled)[] = [
  // Meta webhook: unsigned, badly signed, signed with another secret, changed after signing, malformed, wrong type
  () => ({ method: 'POST', path: '/webhooks/meta', headers: { 'content-type': 'application/json' }, body: delivery }),
  () => ({
    method: 'POST',
    path: '/webhooks/meta',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'ab'.repeat(32)}` },
    body: delivery,
  }),
  () => ({
    method: 'POST',
    path: '/webhooks/meta',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(delivery, 'not-the-secret') },
    body: delivery,
  }),
  (random) => ({
    method: 'POST',
    path: '/webhooks/meta',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(delivery) },
    body: delivery.replace('hi', noise(random, 3)),
  }),
  (random) => {
    const body = `{"object":"instagram","entry":${noise(random, 40)}`;
    return {
      method: 'POST',
      path: '/webhooks/meta',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(body) },
      body,
    };
  },
  () => {
    const body = JSON.stringify({ hello: 'world' });
    return {
      method: 'POST',
      path: '/webhooks/meta',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(body) },
      body,
    };
  },
  () => {
    const body = `{"object":"page","entry":[],"pad":"${'x'.repeat(5_000_000)}"}`;
    return {
      method: 'POST',
      path: '/webhooks/meta',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(body) },
      body,
    };
  },
  () => ({
    method: 'POST',
    path: '/webhooks/meta',
    headers: { 'content-type': 'text/plain', 'x-hub-signature-256': 'sha256=00' },
    body: delivery,
  }),
  // Meta webhook verification: wrong token, wrong mode, no challenge
  (random) => ({
    method: 'GET',
    path: `/webhooks/meta?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(noise(random, 12))}&hub.challenge=1`,
  }),
  () => ({ method: 'GET', path: '/webhooks/meta?hub.mode=unsubscribe&hub.verify_token=x&hub.challenge=1' }),
  () => ({
    method: 'GET',
    path: `/webhooks/meta?hub.mode=subscribe&hub.verify_token=${metaEnvironment.META_WEBHOOK_VERIFY_TOKEN}`,
  }),
  // OAuth: start and callbacks with missing, forged or garbled state and code
  () => ({ method: 'GET', path: '/oauth/start' }),
  (random) => ({ method: 'GET', path: `/oauth/start?state=${encodeURIComponent(noise(random, 30))}` }),
  ...['meta', 'instagram', 'tiktok'].flatMap((flow) => [
    (): Spoiled => ({ method: 'GET', path: `/oauth/${flow}/callback` }),
    (random: () => number): Spoiled => ({
      method: 'GET',
      path: `/oauth/${flow}/callback?code=${randomBytes(8).toString('hex')}&state=${encodeURIComponent(noise(random, 40))}`,
      headers: { cookie: `wone_oauth_${flow}=${encodeURIComponent(noise(random, 20))}` },
    }),
    (): Spoiled => ({
      method: 'GET',
      path: `/oauth/${flow}/callback?error=access_denied&error_description=${encodeURIComponent('<script>x</script>')}`,
    }),
  ]),
  // The data deletion callback: unsigned, badly signed, malformed, wrong content type, oversized
  () => ({
    method: 'POST',
    path: '/meta/data-deletion',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'user_id=123',
  }),
  () => ({
    method: 'POST',
    path: '/meta/data-deletion',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `signed_request=${encodeURIComponent(signedRequest({ algorithm: 'HMAC-SHA256', user_id: '123' }, 'wrong'))}`,
  }),
  (random) => ({
    method: 'POST',
    path: '/meta/data-deletion',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `signed_request=${encodeURIComponent(noise(random, 60))}`,
  }),
  () => ({
    method: 'POST',
    path: '/meta/data-deletion',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `signed_request=${encodeURIComponent(signedRequest({ algorithm: 'HMAC-SHA1', user_id: '123' }))}`,
  }),
  () => ({
    method: 'POST',
    path: '/meta/data-deletion',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ signed_request: signedRequest({ algorithm: 'HMAC-SHA256', user_id: '123' }) }),
  }),
  () => ({
    method: 'POST',
    path: '/meta/data-deletion',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `signed_request=${'a'.repeat(3_000_000)}`,
  }),
  // Deletion status: malformed and unknown codes
  (random) => ({ method: 'GET', path: `/data-deletion/status?code=${encodeURIComponent(noise(random, 10))}` }),
  () => ({ method: 'GET', path: `/data-deletion/status?code=${randomBytes(6).toString('hex').toUpperCase()}` }),
  () => ({ method: 'GET', path: '/data-deletion/status' }),
  // Media links: unknown, forged, expired, malformed
  () => ({
    method: 'GET',
    path: `/media/${randomBytes(12).toString('hex')}?e=${Date.now() + 60_000}&s=${'0'.repeat(64)}`,
  }),
  () => ({ method: 'GET', path: `/media/${randomBytes(12).toString('hex')}?e=1&s=abc` }),
  (random) => ({ method: 'GET', path: `/media/${encodeURIComponent(noise(random, 16))}` }),
  () => ({ method: 'GET', path: '/media/../../etc/passwd' }),
];

describe('every HTTP endpoint under abuse', () => {
  it('answers thousands of spoiled requests with 4xx only and changes nothing', async () => {
    const random = seededRandom(20261130);
    const before = await databaseFingerprint(t.app.services.db);
    const slackCallsBefore = t.slack.calls.length;
    const statuses = new Map<string, number>();
    const total = 2_000;
    const requests = Array.from({ length: total }, (_, i) => {
      const generate = generators[i % generators.length] as (random: () => number) => Spoiled;
      return generate(random);
    });
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let request = requests.pop(); request; request = requests.pop()) {
          const response = await fetch(`${t.url}${request.path}`, {
            method: request.method,
            headers: request.headers ?? {},
            ...(request.body !== undefined ? { body: request.body } : {}),
            redirect: 'manual',
          }).catch((error: Error) => ({ status: 0, arrayBuffer: async () => error }));
          await response.arrayBuffer();
          const key = `${response.status} ${request.method} ${request.path.split('?')[0]?.replace(/\/media\/.*/, '/media/…')}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
      }),
    );
    const refused = [...statuses.keys()].filter((key) => {
      const status = Number(key.split(' ')[0]);
      return status < 400 || status >= 500;
    });
    expect(refused, JSON.stringify(Object.fromEntries(statuses), null, 1)).toEqual([]);
    expect(await databaseFingerprint(t.app.services.db)).toEqual(before);
    expect(t.slack.calls.length).toBe(slackCallsBefore);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
