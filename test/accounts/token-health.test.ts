import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_TOKEN_HEALTH } from '../../src/jobs/check-token-health.ts';
import { FACEBOOK_LOGIN_SCOPES } from '../../src/platforms/meta-login.ts';
import type { GraphFake } from '../../src/sandbox/graph-fake.ts';
import type { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import { seedAccount, seedQueuedPost } from '../harness/account-fixtures.ts';
import { startConnectApp } from '../harness/connect-harness.ts';
import { instagramTokenByConsent, pageTokenByConsent } from '../harness/meta-consent.ts';
import { ADMIN, type TestApp } from '../harness/test-app.ts';
import { attachBusinessByConsent } from '../harness/tiktok-business.ts';

const DAY = 86_400_000;
let t: TestApp;
let graph: GraphFake;
let tiktok: TikTokFake;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ t, graph, tiktok, stop } = await startConnectApp());
});
afterAll(async () => stop?.());

const dmsToAdmin = () => t.slack.callsOf('chat.postMessage').filter((m) => m.channel === ADMIN);
const raw = (id: string) => t.app.services.db.collection('accounts').findOne({ _id: id as never });

describe('the daily token health job', () => {
  it('is scheduled once a day', async () => {
    const job = await t.app.services.db.collection('jobs').findOne({ name: CHECK_TOKEN_HEALTH });
    expect(job?.repeatInterval).toBe('0 6 * * *');
  });

  it('refreshes TikTok before expiry and keeps the rotated refresh token', async () => {
    tiktok.seedAccount({ openId: 'open-health' });
    const issued = tiktok.issueTokens('open-health');
    await seedAccount(t.app.services, {
      _id: 'tiktok:open-health',
      accessToken: issued.accessToken,
      refreshTokenValue: issued.refreshToken,
      tokenExpiresAt: new Date(Date.now() + DAY),
      refreshExpiresAt: new Date(Date.now() + 300 * DAY),
    });
    const outcomes = await t.app.services.tokenHealth.checkAll();
    expect(outcomes.find((o) => o.accountId === 'tiktok:open-health')?.result).toBe('refreshed');
    const after = await raw('tiktok:open-health');
    const newAccess = t.app.services.vault.open(after?.token);
    const newRefresh = t.app.services.vault.open(after?.refreshToken);
    expect(newAccess).not.toBe(issued.accessToken);
    expect(newRefresh).not.toBe(issued.refreshToken);
    expect(tiktok.isTokenUsable(newAccess)).toBe(true);
    expect(after?.lastHealthCheckAt).toBeInstanceOf(Date);
    // The old refresh token no longer works at TikTok: keeping it would have lost the account.
    const reuse = await fetch(`${tiktok.url}/v2/oauth/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_key: tiktok.clientKey,
        client_secret: tiktok.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: issued.refreshToken,
      }),
    });
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
    expect(t.logs()).not.toContain(newRefresh);
  });

  it('renews the API for Business token with its own refresh token; a refusal stops only comments and insights', async () => {
    tiktok.seedAccount({ openId: 'open-biz-health', username: 'biz_health', accountType: 'business' });
    const issued = tiktok.issueTokens('open-biz-health');
    await seedAccount(t.app.services, {
      _id: 'tiktok:open-biz-health',
      name: '@biz_health',
      accessToken: issued.accessToken,
      refreshTokenValue: issued.refreshToken,
      tokenExpiresAt: new Date(Date.now() + 30 * DAY),
      refreshExpiresAt: new Date(Date.now() + 300 * DAY),
    });
    const grant = await attachBusinessByConsent(t.app.services, tiktok, 'tiktok:open-biz-health', 'open-biz-health');
    await t.app.services.tokenHealth.checkAll();
    const after = await raw('tiktok:open-biz-health');
    const renewed = t.app.services.vault.open(after?.businessToken);
    expect(renewed).not.toBe(grant.accessToken);
    expect(t.app.services.vault.open(after?.businessRefreshToken)).not.toBe(grant.refreshToken);
    expect(after?.business).toMatchObject({ status: 'ok' });
    expect((await t.app.services.accounts.access('tiktok:open-biz-health')).business?.accessToken).toBe(renewed);

    // TikTok withdraws the Business grant: the next renewal is refused.
    const client = t.app.services.platforms.tiktok;
    await client?.revokeBusinessToken(renewed);
    const before = dmsToAdmin().length;
    await t.app.services.tokenHealth.checkAll();
    const refused = await raw('tiktok:open-biz-health');
    expect(refused?.business).toMatchObject({ status: 'reconnect_needed' });
    expect(refused?.status).toBe('ok');
    expect(
      dmsToAdmin()
        .slice(before)
        .map((m) => m.text)
        .join('\n'),
    ).toContain('comments and insights of *@biz_health* (TikTok) stopped');
    expect((await t.app.services.accounts.access('tiktok:open-biz-health')).business).toBeUndefined();
  });

  it('refreshes a token once when two instances refresh it at the same moment, and the account stays connected', async () => {
    tiktok.seedAccount({ openId: 'open-twice' });
    const issued = tiktok.issueTokens('open-twice');
    await seedAccount(t.app.services, {
      _id: 'tiktok:open-twice',
      accessToken: issued.accessToken,
      refreshTokenValue: issued.refreshToken,
      tokenExpiresAt: new Date(Date.now() + DAY),
      refreshExpiresAt: new Date(Date.now() + 300 * DAY),
    });
    const client = t.app.services.platforms.tiktok;
    if (!client) throw new Error('TikTok is configured in this test app');
    const refreshesBefore = tiktok.server.callsTo('POST', '/v2/oauth/token/').length;
    // Both read the same refresh token before either stores the rotated one, as two health jobs at once would.
    const refresh = () =>
      t.app.services.accounts.refreshWith('tiktok:open-twice', (access, token) =>
        client.refreshToken(access, token ?? ''),
      );
    const results = await Promise.all([refresh(), refresh()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(tiktok.server.callsTo('POST', '/v2/oauth/token/').length - refreshesBefore).toBe(1);
    const after = await raw('tiktok:open-twice');
    expect(after?.status).toBe('ok');
    expect(tiktok.isTokenUsable(t.app.services.vault.open(after?.token))).toBe(true);
  });

  it('gives the refresh back when TikTok fails for a moment, so the next check refreshes at once', async () => {
    tiktok.seedAccount({ openId: 'open-blip' });
    const issued = tiktok.issueTokens('open-blip');
    await seedAccount(t.app.services, {
      _id: 'tiktok:open-blip',
      accessToken: issued.accessToken,
      refreshTokenValue: issued.refreshToken,
      tokenExpiresAt: new Date(Date.now() + DAY),
      refreshExpiresAt: new Date(Date.now() + 300 * DAY),
    });
    const client = t.app.services.platforms.tiktok;
    if (!client) throw new Error('TikTok is configured in this test app');
    const refresh = () =>
      t.app.services.accounts.refreshWith('tiktok:open-blip', (access, token) =>
        client.refreshToken(access, token ?? ''),
      );
    tiktok.server.inject((req) => req.method === 'POST' && req.path === '/v2/oauth/token/', {
      status: 503,
      text: 'upstream unavailable',
    });
    await expect(refresh()).rejects.toMatchObject({ kind: 'transient' });
    // Not blocked for a week: the same token is refreshed on the next try.
    expect(await refresh()).toBe(true);
    const after = await raw('tiktok:open-blip');
    expect(after?.status).toBe('ok');
    expect(tiktok.isTokenUsable(t.app.services.vault.open(after?.token))).toBe(true);
  });

  it('gives the Business renewal back when TikTok fails for a moment, so the next try renews at once', async () => {
    tiktok.seedAccount({ openId: 'open-biz-blip', username: 'biz_blip', accountType: 'business' });
    const issued = tiktok.issueTokens('open-biz-blip');
    await seedAccount(t.app.services, {
      _id: 'tiktok:open-biz-blip',
      name: '@biz_blip',
      accessToken: issued.accessToken,
      refreshTokenValue: issued.refreshToken,
      tokenExpiresAt: new Date(Date.now() + 30 * DAY),
      refreshExpiresAt: new Date(Date.now() + 300 * DAY),
    });
    const grant = await attachBusinessByConsent(t.app.services, tiktok, 'tiktok:open-biz-blip', 'open-biz-blip');
    const client = t.app.services.platforms.tiktok;
    if (!client) throw new Error('TikTok is configured in this test app');
    const renew = () =>
      t.app.services.accounts.refreshBusinessWith('tiktok:open-biz-blip', (token) =>
        client.refreshBusinessToken(token),
      );
    tiktok.server.inject((req) => req.method === 'POST' && req.path.endsWith('/tt_user/oauth2/refresh_token/'), {
      status: 503,
      text: 'upstream unavailable',
    });
    await expect(renew()).rejects.toMatchObject({ kind: 'transient' });
    expect((await raw('tiktok:open-biz-blip'))?.businessRefreshingUntil).toBeUndefined();
    // Not blocked until the claim would lapse: the same refresh token renews on the next try.
    expect(await renew()).toBe(true);
    const after = await raw('tiktok:open-biz-blip');
    expect(t.app.services.vault.open(after?.businessToken)).not.toBe(grant.accessToken);
    expect(after?.business).toMatchObject({ status: 'ok' });
  });

  it('refreshes an Instagram Login token once fewer than 30 days remain', async () => {
    const ig = graph.seedInstagramAccount({ username: 'wone.health' });
    const token = await instagramTokenByConsent(graph, ig.id);
    graph.advance(2 * DAY); // the token must be at least a day old to be refreshed
    await seedAccount(t.app.services, {
      _id: `instagram:${ig.id}`,
      login: 'instagram',
      accessToken: token,
      tokenExpiresAt: new Date(Date.now() + 18 * DAY),
    });
    await t.app.services.tokenHealth.checkAll();
    const after = await raw(`instagram:${ig.id}`);
    expect(t.app.services.vault.open(after?.token)).not.toBe(token);
    expect(after?.tokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * DAY);
    expect(after?.status).toBe('ok');
  });

  it('checks Facebook tokens with debug_token and warns the admins once, a week before an expiry', async () => {
    const page = graph.seedPage({ name: 'Wone Expiring' });
    // A Page token from a short-lived user token expires with it: made directly, with the login's permissions.
    const token = graph.issueToken({
      kind: 'page',
      subjects: [page.id],
      scopes: FACEBOOK_LOGIN_SCOPES,
      expiresInSec: 5 * 86_400,
    });
    await seedAccount(t.app.services, { _id: `facebook:${page.id}`, name: 'Wone Expiring', accessToken: token });
    const before = dmsToAdmin().length;
    await t.app.services.tokenHealth.checkAll();
    const after = await raw(`facebook:${page.id}`);
    expect(after?.status).toBe('ok');
    expect(Math.round((after?.tokenExpiresAt.getTime() - graph.now()) / DAY)).toBe(5);
    const warnings = dmsToAdmin()
      .slice(before)
      .filter((m) => String(m.text).includes('Wone Expiring'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.text)).toContain('expires in');
    await t.app.services.tokenHealth.checkAll();
    expect(
      dmsToAdmin()
        .slice(before)
        .filter((m) => String(m.text).includes('Wone Expiring')),
    ).toHaveLength(1);
    expect(graph.facebook.callsTo('GET', /debug_token/).length).toBeGreaterThan(0);
  });

  it('a token the platform no longer accepts: reconnect needed, posts held, admins told at once (once)', async () => {
    const page = graph.seedPage({ name: 'Wone Removed' });
    const token = await pageTokenByConsent(graph, page.id);
    await seedAccount(t.app.services, { _id: `facebook:${page.id}`, name: 'Wone Removed', accessToken: token });
    await seedQueuedPost(t.app.services, `facebook:${page.id}`, 'post-health', 'UEDITOR');
    graph.setTokenStatus(token, 'app_removed');
    const before = dmsToAdmin().length;
    await t.app.services.tokenHealth.checkAll();
    expect((await raw(`facebook:${page.id}`))?.status).toBe('reconnect_needed');
    const target = await t.app.services.db
      .collection('targets')
      .findOne({ _id: `post-health:facebook:${page.id}` as never });
    expect(target?.state).toBe('held');
    const told = dmsToAdmin()
      .slice(before)
      .filter((m) => String(m.text).includes('Wone Removed'));
    expect(told.some((m) => String(m.text).includes('needs reconnecting'))).toBe(true);
    // A publishing call failing the same way afterwards does not tell them again.
    expect(await t.app.services.tokenHealth.reportAuthFailure(`facebook:${page.id}`)).toBe(false);
    expect(
      dmsToAdmin()
        .slice(before)
        .filter((m) => String(m.text).includes('needs reconnecting')),
    ).toHaveLength(1);
  });

  it('reportAuthFailure, for the publishing code, marks the account, holds posts and tells admins once', async () => {
    await seedAccount(t.app.services, { _id: 'facebook:4242', name: 'Wone Publisher' });
    const before = dmsToAdmin().length;
    expect(await t.app.services.tokenHealth.reportAuthFailure('facebook:4242', 'The token expired.')).toBe(true);
    expect(await t.app.services.tokenHealth.reportAuthFailure('facebook:4242', 'The token expired.')).toBe(false);
    expect(dmsToAdmin().slice(before)).toHaveLength(1);
    await expect(t.app.services.accounts.access('facebook:4242')).rejects.toMatchObject({
      code: 'account_not_connected',
    });
    const audit = await t.app.services.audit.recent(5);
    expect(audit.find((e) => e.action === 'reconnect_needed')?.subject).toBe('account:facebook:4242');
  });
});
