import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount, seedQueuedPost } from '../harness/account-fixtures.ts';
import { startTestApp, type TestApp } from '../harness/test-app.ts';

const APP_SECRET = 'meta-app-secret-for-tests';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ META_APP_ID: '1234567890', META_APP_SECRET: APP_SECRET });
});
afterAll(async () => t?.stop());

/** A `signed_request` exactly as Meta builds it (base64url without padding). */
function signedRequest(payload: unknown, secret = APP_SECRET, mangle?: (encoded: string) => string): string {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac('sha256', secret).update(encoded).digest('base64url');
  return `${signature}.${mangle ? mangle(encoded) : encoded}`;
}

const callback = (body: string, contentType = 'application/x-www-form-urlencoded') =>
  fetch(`${t.url}/meta/data-deletion`, { method: 'POST', body, headers: { 'content-type': contentType } });

describe('GET /privacy and /data-deletion', () => {
  it('serves the policy from the repository as readable HTML', async () => {
    const response = await fetch(`${t.url}/privacy`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('<h1>Wone Social — Privacy Policy</h1>');
    expect(html).toContain('<h2>Data retention and deletion</h2>');
    expect(html).toContain('<li>the ability to publish posts, stories and videos on our behalf;</li>');
    expect(html).toContain('mailto:hello@wonecommerce.com');
    expect(html).toContain('href="/data-deletion"');
  });

  it('explains how to request deletion', async () => {
    const html = await (await fetch(`${t.url}/data-deletion`)).text();
    expect(html).toContain('Requesting deletion of your data');
    expect(html).toContain('hello@wonecommerce.com');
  });
});

describe("POST /meta/data-deletion (Meta's data deletion callback)", () => {
  it('with a valid signature deletes that Meta user’s accounts and data and answers url + confirmation_code', async () => {
    const services = t.app.services;
    const mine = await seedAccount(services, { _id: 'facebook:9001', name: 'Wone Cafe', metaUserId: '218471' });
    const mineToo = await seedAccount(services, { _id: 'instagram:9002', name: 'wone.cafe', metaUserId: '218471' });
    const someoneElse = await seedAccount(services, { _id: 'facebook:9003', name: 'Wone Other', metaUserId: '999' });
    await seedQueuedPost(services, mine._id, 'post-m', 'UADMIN');
    await services.db.collection('insights').insertOne({ accountId: mineToo._id, reach: 10 });
    await services.db.collection('oauth_pending').insertOne({ metaUserId: '218471', candidates: [] });

    const body = new URLSearchParams({
      signed_request: signedRequest({
        user_id: '218471',
        algorithm: 'HMAC-SHA256',
        issued_at: 1291836800,
        expires: 1291840400,
      }),
    }).toString();
    const response = await callback(body);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { url: string; confirmation_code: string };
    expect(answer.confirmation_code).toMatch(/^[A-Z0-9]{20}$/);
    expect(answer.url).toBe(`https://wone.example.com/data-deletion/status?code=${answer.confirmation_code}`);

    const db = services.db;
    expect(await db.collection('accounts').countDocuments({ metaUserId: '218471' })).toBe(0);
    expect(await db.collection('insights').countDocuments({ accountId: mineToo._id })).toBe(0);
    expect(await db.collection('oauth_pending').countDocuments({ metaUserId: '218471' })).toBe(0);
    expect((await db.collection('targets').findOne({ _id: 'post-m:facebook:9001' as never }))?.state).toBe('held');
    expect((await services.accounts.access(someoneElse._id)).accessToken).toBe(someoneElse.accessToken);

    const status = await fetch(`${t.url}/data-deletion/status?code=${answer.confirmation_code}`);
    const html = await status.text();
    expect(status.status).toBe(200);
    expect(html).toContain('completed');
    expect(html).toContain('Wone Cafe');
    expect(html).toContain('wone.cafe');
    expect(html).not.toContain('218471');
    const everything = t.logs() + JSON.stringify(await services.audit.recent(50));
    expect(everything).not.toContain(mine.accessToken);
    expect(everything).not.toContain(mineToo.accessToken);
  });

  it('answers a user with nothing connected with a code too', async () => {
    const body = new URLSearchParams({ signed_request: signedRequest({ user_id: 42, algorithm: 'HMAC-SHA256' }) });
    const response = await callback(body.toString());
    expect(response.status).toBe(200);
    const { confirmation_code } = (await response.json()) as { confirmation_code: string };
    const html = await (await fetch(`${t.url}/data-deletion/status?code=${confirmation_code}`)).text();
    expect(html).toContain('nothing to delete');
  });

  it('refuses a bad signature, a wrong algorithm or a malformed body with 400 and deletes nothing', async () => {
    const services = t.app.services;
    const kept = await seedAccount(services, { _id: 'facebook:9100', name: 'Wone Kept', metaUserId: '555' });
    const payload = { user_id: '555', algorithm: 'HMAC-SHA256' };
    const bad = [
      new URLSearchParams({ signed_request: signedRequest(payload, 'not-the-app-secret') }).toString(),
      new URLSearchParams({
        signed_request: signedRequest(payload, APP_SECRET, () =>
          Buffer.from(JSON.stringify({ ...payload, user_id: '556' })).toString('base64url'),
        ),
      }).toString(),
      new URLSearchParams({ signed_request: signedRequest({ ...payload, algorithm: 'hmac-sha1' }) }).toString(),
      new URLSearchParams({ signed_request: signedRequest({ algorithm: 'HMAC-SHA256' }) }).toString(),
      new URLSearchParams({ signed_request: 'no-dot-here' }).toString(),
      new URLSearchParams({ other: 'x' }).toString(),
      '',
    ];
    for (const body of bad) {
      const response = await callback(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBeTruthy();
    }
    const signedJson = JSON.stringify({ signed_request: signedRequest(payload) });
    expect((await callback(signedJson, 'application/json')).status).toBe(400);
    expect((await services.accounts.access(kept._id)).accessToken).toBe(kept.accessToken);
    expect(
      await services.db.collection('deletion_requests').countDocuments({ accounts: { $elemMatch: { id: kept._id } } }),
    ).toBe(0);
  });

  it('answers an unknown or malformed status code plainly', async () => {
    expect((await fetch(`${t.url}/data-deletion/status?code=ABCDEFGHIJ`)).status).toBe(404);
    expect((await fetch(`${t.url}/data-deletion/status?code=%3Cscript%3E`)).status).toBe(400);
    expect((await fetch(`${t.url}/data-deletion/status`)).status).toBe(400);
  });
});
