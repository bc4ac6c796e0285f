import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphFake } from '../../src/sandbox/graph-fake.ts';
import type { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import {
  choiceFor,
  connectLinks,
  connectTikTokByConsent,
  followStart,
  PUBLIC_BASE,
  pressConnect,
  returnToApp,
  startConnectApp,
} from '../harness/connect-harness.ts';
import { deliverMetaWebhook, pageCommentDelivery } from '../harness/meta-webhook.ts';
import { answersTo, click, commandAnswer, textOf } from '../harness/slack-answers.ts';
import { ADMIN, type TestApp } from '../harness/test-app.ts';

const ADMIN2 = 'UADMINTWO';
let t: TestApp;
let graph: GraphFake;
let tiktok: TikTokFake;
let stop: () => Promise<void>;
/** Every secret the platforms handed out during the run, to look for in the database and the logs. */
const secrets: string[] = [];

beforeAll(async () => {
  ({ t, graph, tiktok, stop } = await startConnectApp({ ADMIN_USER_IDS: `${ADMIN},${ADMIN2}` }));
  t.slack.addUser({ id: ADMIN2, name: 'ade' });
});
afterAll(async () => stop?.());

const accountsCollection = () => t.app.services.db.collection('accounts');
const pendingCount = () => t.app.services.db.collection('oauth_pending').countDocuments();

async function tokenOf(accountId: string): Promise<string> {
  const token = (await t.app.services.accounts.access(accountId)).accessToken;
  secrets.push(token);
  return token;
}

function codeOf(redirect: string): string {
  const code = new URL(redirect).searchParams.get('code') ?? '';
  secrets.push(code);
  return code;
}

describe('Facebook Login: Pages and their Instagram accounts', () => {
  it('end to end, connecting only the chosen subset of the Pages the login reached', async () => {
    const ig = graph.seedInstagramAccount({ username: 'wone.shop' });
    const shop = graph.seedPage({ name: 'Wone Shop', instagramAccountId: ig.id });
    const outlet = graph.seedPage({ name: 'Wone Outlet' });
    const notGranted = graph.seedPage({ name: 'Wone Private' });
    const person = graph.seedMetaUser({ pageIds: [shop.id, outlet.id, notGranted.id] });

    const links = await connectLinks(t, ADMIN);
    expect(Object.keys(links).sort()).toEqual(['facebook', 'instagram', 'tiktok', 'tiktok_business']);
    const start = await followStart(t, links.facebook ?? '');
    expect(start.status).toBe(302);
    const dialog = new URL(start.location);
    expect(dialog.searchParams.get('scope')?.split(',')).toEqual(
      expect.arrayContaining(['pages_manage_posts', 'instagram_content_publish', 'pages_show_list']),
    );
    // Videos need publish_video; Pages and Instagram accounts of a business portfolio need business_management.
    expect(dialog.searchParams.get('scope')?.split(',')).toEqual(
      expect.arrayContaining(['publish_video', 'business_management', 'pages_manage_metadata']),
    );
    expect(dialog.searchParams.get('redirect_uri')).toBe('https://wone.example.com/oauth/meta/callback');

    // In the dialog the person grants two of their three Pages.
    const redirect = graph.consentFacebook(start.location, { userId: person.id, pageIds: [shop.id, outlet.id] });
    codeOf(redirect);
    const page = await returnToApp(t, redirect, start.cookie);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Almost done');
    // Nothing is connected before the choice.
    expect(await accountsCollection().countDocuments()).toBe(0);

    const choice = await choiceFor(t, ADMIN);
    expect(choice.offered.sort()).toEqual(
      [`facebook:${outlet.id}`, `facebook:${shop.id}`, `instagram:${ig.id}`].sort(),
    );
    const done = await pressConnect(t, ADMIN, choice.pendingId, [`facebook:${shop.id}`, `instagram:${ig.id}`]);
    expect(textOf(done)).toContain('Connected *Wone Shop*, *wone.shop*');

    const stored = await accountsCollection().find({}).toArray();
    expect(stored.map((a) => a._id).sort()).toEqual([`facebook:${shop.id}`, `instagram:${ig.id}`].sort());
    expect(await pendingCount()).toBe(0);
    const pageToken = await tokenOf(`facebook:${shop.id}`);
    expect(graph.tokenRecord(pageToken)?.kind).toBe('page');
    // A Page token from a long-lived user token does not expire.
    expect(graph.tokenRecord(pageToken)?.expiresAt).toBeUndefined();
    expect(stored.every((a) => a.metaUserId === person.id && a.connectedBy === ADMIN && a.status === 'ok')).toBe(true);
    expect(stored.find((a) => a.platform === 'instagram')).toMatchObject({ login: 'facebook', name: 'wone.shop' });
    expect(stored.find((a) => a.platform === 'facebook')?.scopes).toContain('pages_manage_posts');
    // The token works with the platform client the publishing code uses.
    const health = await t.app.services.platforms.facebook?.checkToken(
      await t.app.services.accounts.access(`facebook:${shop.id}`),
    );
    expect(health?.valid).toBe(true);
    await tokenOf(`instagram:${ig.id}`);

    const audit = await t.app.services.audit.recent(10);
    expect(audit.filter((e) => e.action === 'connect' && e.actor === ADMIN)).toHaveLength(2);
  });

  it('a replayed redirect is refused and stores nothing', async () => {
    const p = graph.seedPage({ name: 'Wone Replay' });
    const person = graph.seedMetaUser({ pageIds: [p.id] });
    const start = await followStart(t, (await connectLinks(t, ADMIN)).facebook ?? '');
    const redirect = graph.consentFacebook(start.location, { userId: person.id });
    codeOf(redirect);
    expect((await returnToApp(t, redirect, start.cookie)).status).toBe(200);
    const pendingBefore = await pendingCount();
    const replay = await returnToApp(t, redirect, start.cookie);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain('already been used');
    expect(await pendingCount()).toBe(pendingBefore);
    // The start link cannot be followed again either.
    const again = await fetch(`${t.url}/oauth/start?state=${new URL(redirect).searchParams.get('state')}`, {
      redirect: 'manual',
    });
    expect(again.status).toBe(400);
  });

  it('the same redirect arriving twice at once is served once; a double click on Connect connects once', async () => {
    const p = graph.seedPage({ name: 'Wone Race' });
    const person = graph.seedMetaUser({ pageIds: [p.id] });
    const before = t.slack.callsOf('chat.postMessage').length;
    const start = await followStart(t, (await connectLinks(t, ADMIN)).facebook ?? '');
    const redirect = graph.consentFacebook(start.location, { userId: person.id });
    codeOf(redirect);
    const pages = await Promise.all([1, 2, 3].map(() => returnToApp(t, redirect, start.cookie)));
    expect(pages.filter((page) => page.status === 200)).toHaveLength(1);
    expect(pages.filter((page) => page.html.includes('already been used'))).toHaveLength(2);
    const choice = await choiceFor(t, ADMIN, before);
    const answers = await Promise.all([1, 2].map(() => pressConnect(t, ADMIN, choice.pendingId, [`facebook:${p.id}`])));
    expect(answers.filter((answer) => textOf(answer).includes('Connected'))).toHaveLength(1);
    const audit = await t.app.services.audit.recent(20);
    expect(audit.filter((e) => e.action === 'connect' && e.subject === `account:facebook:${p.id}`)).toHaveLength(1);
    await tokenOf(`facebook:${p.id}`);
  });

  it('an expired state is refused (at the start link and at the callback) and stores nothing', async () => {
    const p = graph.seedPage({ name: 'Wone Late' });
    const person = graph.seedMetaUser({ pageIds: [p.id] });
    const links = await connectLinks(t, ADMIN);
    const start = await followStart(t, links.facebook ?? '');
    const redirect = graph.consentFacebook(start.location, { userId: person.id });
    // Eleven minutes pass: the states made for this command expire.
    await t.app.services.db
      .collection('oauth_states')
      .updateMany({ usedAt: { $exists: false } }, { $set: { expiresAt: new Date(Date.now() - 60_000) } });
    const late = await returnToApp(t, redirect, start.cookie);
    expect(late.status).toBe(400);
    expect(late.html).toContain('expired');
    const lateStart = await followStart(t, links.tiktok ?? '');
    expect(lateStart.status).toBe(400);
    expect(await accountsCollection().countDocuments({ _id: `facebook:${p.id}` as never })).toBe(0);
    expect(
      graph.facebook.callsTo('GET', /oauth\/access_token/).filter((c) => c.query.code === codeOf(redirect)),
    ).toHaveLength(0);
  });

  it('a state used from another browser, or a choice made by another admin, is refused and stores nothing', async () => {
    const p = graph.seedPage({ name: 'Wone Elsewhere' });
    const person = graph.seedMetaUser({ pageIds: [p.id] });
    const mine = await followStart(t, (await connectLinks(t, ADMIN)).facebook ?? '');
    const theirs = await followStart(t, (await connectLinks(t, ADMIN2)).facebook ?? '');
    const redirect = graph.consentFacebook(mine.location, { userId: person.id });
    const noCookie = await returnToApp(t, redirect);
    expect(noCookie.status).toBe(400);
    expect(noCookie.html).toContain('started by someone else');
    const mine2 = await followStart(t, (await connectLinks(t, ADMIN)).facebook ?? '');
    const redirect2 = graph.consentFacebook(mine2.location, { userId: person.id });
    // The browser carries a start cookie, but for another admin's login.
    const wrongCookie = await returnToApp(t, redirect2, theirs.cookie);
    expect(wrongCookie.status).toBe(400);
    expect(await pendingCount()).toBe(1); // only the replay test's unchosen login waits

    // A login that worked, but another admin presses Connect on its choice.
    const before = t.slack.callsOf('chat.postMessage').length;
    const mine3 = await followStart(t, (await connectLinks(t, ADMIN)).facebook ?? '');
    const redirect3 = graph.consentFacebook(mine3.location, { userId: person.id });
    expect((await returnToApp(t, redirect3, mine3.cookie)).status).toBe(200);
    const choice = await choiceFor(t, ADMIN, before);
    const refused = await pressConnect(t, ADMIN2, choice.pendingId, [`facebook:${p.id}`]);
    expect(textOf(refused)).toContain('Only the admin who logged in');
    // An editor cannot either.
    const editorClick = await pressConnect(t, 'UEDITOR', choice.pendingId, [`facebook:${p.id}`]);
    expect(textOf(editorClick)).toContain('Only admins can do that');
    expect(await accountsCollection().countDocuments({ _id: `facebook:${p.id}` as never })).toBe(0);
    // The rightful admin still can.
    expect(textOf(await pressConnect(t, ADMIN, choice.pendingId, [`facebook:${p.id}`]))).toContain('Connected');
    expect(textOf(await pressConnect(t, ADMIN, choice.pendingId, [`facebook:${p.id}`]))).toContain('already made');
    await tokenOf(`facebook:${p.id}`);
  });

  it('declined consent is explained and stores nothing', async () => {
    const start = await followStart(t, (await connectLinks(t, ADMIN)).facebook ?? '');
    const count = await accountsCollection().countDocuments();
    const page = await returnToApp(t, graph.consentFacebook(start.location, { userId: 'x', deny: true }), start.cookie);
    expect(page.status).toBe(200);
    expect(page.html).toContain('You declined');
    expect(await accountsCollection().countDocuments()).toBe(count);
  });
});

describe('Instagram Login', () => {
  it('end to end: a long-lived token for the professional account', async () => {
    const ig = graph.seedInstagramAccount({ username: 'wone.studio' });
    const start = await followStart(t, (await connectLinks(t, ADMIN)).instagram ?? '');
    const authorize = new URL(start.location);
    expect(authorize.origin).toBe('https://www.instagram.com');
    // Instagram Login has its own app: the Instagram app id, not the Meta app's.
    expect(authorize.searchParams.get('client_id')).toBe(graph.instagramAppId);
    expect(authorize.searchParams.get('scope')).toBe(
      'instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments,instagram_business_manage_insights',
    );
    const before = t.slack.callsOf('chat.postMessage').length;
    const redirect = graph.consentInstagram(start.location, { igUserId: ig.id });
    codeOf(redirect);
    expect((await returnToApp(t, redirect, start.cookie)).status).toBe(200);
    const choice = await choiceFor(t, ADMIN, before);
    expect(choice.offered).toEqual([`instagram:${ig.id}`]);
    await pressConnect(t, ADMIN, choice.pendingId, choice.offered);
    const stored = await accountsCollection().findOne({ _id: `instagram:${ig.id}` as never });
    // Meta's data deletion callback names the app-scoped id, which is kept; the account is the professional id.
    expect(stored).toMatchObject({ login: 'instagram', name: 'wone.studio', metaUserId: ig.appScopedId });
    const days = (stored?.tokenExpiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(59);
    const token = await tokenOf(`instagram:${ig.id}`);
    expect(graph.tokenRecord(token)).toMatchObject({ kind: 'instagram_user', host: 'instagram' });
  });
});

describe('TikTok', () => {
  it('end to end: Login Kit connects for publishing only, and disconnect revokes at TikTok', async () => {
    tiktok.seedAccount({ openId: 'open-wone', username: 'wone_tt', nickname: 'Wone TT' });
    const start = await followStart(t, (await connectLinks(t, ADMIN)).tiktok ?? '');
    expect(new URL(start.location).searchParams.get('scope')).toBe(
      'user.info.basic,video.publish,video.upload,video.list',
    );
    const before = t.slack.callsOf('chat.postMessage').length;
    const redirect = tiktok.consent(start.location, { openId: 'open-wone' });
    codeOf(redirect);
    expect((await returnToApp(t, redirect, start.cookie)).status).toBe(200);
    const choice = await choiceFor(t, ADMIN, before);
    await pressConnect(t, ADMIN, choice.pendingId, ['tiktok:open-wone']);
    // Only the Login Kit APIs were asked: the API for Business does not take Login Kit tokens.
    expect(tiktok.server.calls.filter((call) => call.path.startsWith('/open_api/'))).toEqual([]);
    const stored = await accountsCollection().findOne({ _id: 'tiktok:open-wone' as never });
    expect(stored).toMatchObject({ platform: 'tiktok', login: 'tiktok', name: '@wone_tt' });
    expect(stored).not.toHaveProperty('business');
    expect(stored?.tokenExpiresAt).toBeInstanceOf(Date);
    expect(stored?.refreshExpiresAt).toBeInstanceOf(Date);
    expect(stored?.refreshToken?.keyId).toBe(t.app.services.vault.currentKeyId);
    const refresh = t.app.services.vault.open(stored?.refreshToken);
    secrets.push(refresh);
    const access = await tokenOf('tiktok:open-wone');
    expect(tiktok.isTokenUsable(access)).toBe(true);
    expect(textOf(await commandAnswer(t, ADMIN, 'accounts'))).toContain('Comments and insights:* not connected');

    await commandAnswer(t, ADMIN, 'disconnect tiktok:open-wone');
    const { responseUrl } = await click(t, ADMIN, 'disconnect_account', 'tiktok:open-wone');
    expect(textOf(await t.slack.waitFor(() => answersTo(t, responseUrl)[0]))).toContain('TikTok revoked its access');
    expect(tiktok.server.callsTo('POST', '/v2/oauth/revoke/')).toHaveLength(1);
    expect(tiktok.hasLiveGrant('open-wone')).toBe(false);
    const after = await accountsCollection().findOne({ _id: 'tiktok:open-wone' as never });
    expect(after).not.toHaveProperty('token');
    expect(after).not.toHaveProperty('refreshToken');
    expect(JSON.stringify(after)).not.toContain(access);
  });

  it('the API for Business is a connection of its own: Business authorization, own tokens and id, disconnect revokes it', async () => {
    tiktok.seedAccount({ openId: 'open-biz', username: 'wone_biz', accountType: 'business' });
    await connectTikTokByConsent(t, tiktok, ADMIN, 'open-biz');
    const business = await followStart(t, (await connectLinks(t, ADMIN)).tiktok_business ?? '');
    const authorize = new URL(business.location);
    expect(authorize.searchParams.get('client_key')).toBe(tiktok.businessAppId);
    expect(authorize.searchParams.get('scope')?.split(',')).toEqual(
      expect.arrayContaining(['comment.list', 'comment.list.manage', 'video.insights', 'user.insights']),
    );
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${PUBLIC_BASE}/oauth/tiktok-business/callback`);
    const before = t.slack.callsOf('chat.postMessage').length;
    await returnToApp(t, tiktok.businessConsent(business.location, { openId: 'open-biz' }), business.cookie);
    const choice = await choiceFor(t, ADMIN, before);
    expect(choice.offered).toEqual(['tiktok:open-biz']);
    await pressConnect(t, ADMIN, choice.pendingId, ['tiktok:open-biz']);
    expect(tiktok.server.callsTo('POST', '/open_api/v1.3/tt_user/oauth2/token/')).toHaveLength(1);

    const stored = await accountsCollection().findOne({ _id: 'tiktok:open-biz' as never });
    expect(stored?.business).toMatchObject({ status: 'ok', businessId: tiktok.businessIdOf('open-biz') });
    expect(stored?.business.businessId).not.toBe('open-biz');
    expect(stored?.businessRefreshToken?.keyId).toBe(t.app.services.vault.currentKeyId);
    const access = await t.app.services.accounts.access('tiktok:open-biz');
    secrets.push(access.business?.accessToken ?? 'missing');
    // The Login Kit token is refused by the API for Business, the Business token is not a Login Kit token.
    expect(access.business?.accessToken).not.toBe(access.accessToken);
    expect(tiktok.isTokenUsable(access.business?.accessToken ?? '')).toBe(false);
    expect(textOf(await commandAnswer(t, ADMIN, 'accounts'))).toContain('Comments and insights:* connected');

    const { responseUrl } = await click(t, ADMIN, 'disconnect_business', 'tiktok:open-biz');
    expect(textOf(await t.slack.waitFor(() => answersTo(t, responseUrl)[0]))).toContain('TikTok revoked that access');
    expect(tiktok.hasLiveBusinessGrant('open-biz')).toBe(false);
    expect(tiktok.hasLiveGrant('open-biz')).toBe(true);
    const after = await accountsCollection().findOne({ _id: 'tiktok:open-biz' as never });
    expect(after).toMatchObject({ status: 'ok' });
    expect(after).not.toHaveProperty('business');
    expect(after).not.toHaveProperty('businessToken');
  });

  it('a Business login of an account that is not connected, or a personal account, connects nothing', async () => {
    tiktok.seedAccount({ openId: 'open-stranger', username: 'stranger', accountType: 'business' });
    tiktok.seedAccount({ openId: 'open-personal', username: 'personal' });
    const first = await followStart(t, (await connectLinks(t, ADMIN)).tiktok_business ?? '');
    const refused = await returnToApp(
      t,
      tiktok.businessConsent(first.location, { openId: 'open-stranger' }),
      first.cookie,
    );
    expect(refused.html).toContain('@stranger, which is not connected');
    const second = await followStart(t, (await connectLinks(t, ADMIN)).tiktok_business ?? '');
    const declined = await returnToApp(
      t,
      tiktok.businessConsent(second.location, { openId: 'open-personal' }),
      second.cookie,
    );
    expect(declined.html).toContain('You declined');
    expect(
      await accountsCollection().countDocuments({
        business: { $exists: true },
        externalId: { $in: ['open-stranger', 'open-personal'] },
      } as never),
    ).toBe(0);
  });

  it('denied consent at TikTok is explained and stores nothing', async () => {
    const start = await followStart(t, (await connectLinks(t, ADMIN)).tiktok ?? '');
    const page = await returnToApp(
      t,
      tiktok.consent(start.location, { openId: 'open-wone', deny: true }),
      start.cookie,
    );
    expect(page.html).toContain('You declined');
  });
});

describe('secrets at rest and in logs', () => {
  it('a raw read of the accounts collection finds no token, and the whole run logged none', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    const raw = JSON.stringify(await t.app.services.db.collection('accounts').find({}).toArray());
    const pending = JSON.stringify(await t.app.services.db.collection('oauth_pending').find({}).toArray());
    const states = JSON.stringify(await t.app.services.db.collection('oauth_states').find({}).toArray());
    const audit = JSON.stringify(await t.app.services.db.collection('audit').find({}).toArray());
    const slack = JSON.stringify([t.slack.calls, t.slack.responses]);
    const logs = t.logs();
    for (const secret of secrets) {
      for (const place of [raw, pending, states, audit, slack, logs]) expect(place).not.toContain(secret);
    }
    for (const pattern of [/EAAB[0-9a-z]{8,}/, /IGAA[0-9a-z]{8,}/, /act\.[0-9a-f]{24}/, /rft\.[0-9a-f]{24}/]) {
      expect(raw).not.toMatch(pattern);
      expect(pending).not.toMatch(pattern);
      expect(logs).not.toMatch(pattern);
    }
    expect(logs.length).toBeGreaterThan(0);
  });
});

describe('Meta as a real app meets it', () => {
  it('the Facebook token from consent can post a Page video (publish_video) and reaches business-owned Pages', async () => {
    const owned = graph.seedPage({ name: 'Wone Portfolio', businessOwned: true });
    const person = graph.seedMetaUser({ pageIds: [owned.id] });
    const before = t.slack.callsOf('chat.postMessage').length;
    const start = await followStart(t, (await connectLinks(t, ADMIN)).facebook ?? '');
    const redirect = graph.consentFacebook(start.location, { userId: person.id });
    codeOf(redirect);
    expect((await returnToApp(t, redirect, start.cookie)).status).toBe(200);
    const choice = await choiceFor(t, ADMIN, before);
    expect(choice.offered).toEqual([`facebook:${owned.id}`]);
    await pressConnect(t, ADMIN, choice.pendingId, choice.offered);
    const token = await tokenOf(`facebook:${owned.id}`);
    const video = await fetch(`${graph.facebook.url}/v25.0/${owned.id}/videos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ file_url: 'https://media.wone.example/v.mp4', description: 'Hello' }),
    });
    expect(video.status).toBe(200);
  });

  it('connecting subscribes the Page (and the Page behind its Instagram account) to webhooks; comments then arrive live', async () => {
    const ig = graph.seedInstagramAccount({ username: 'wone.live' });
    const shop = graph.seedPage({ name: 'Wone Live', instagramAccountId: ig.id });
    const person = graph.seedMetaUser({ pageIds: [shop.id] });
    expect(graph.subscribedFields('facebook', shop.id)).toEqual([]);
    const before = t.slack.callsOf('chat.postMessage').length;
    const start = await followStart(t, (await connectLinks(t, ADMIN)).facebook ?? '');
    const redirect = graph.consentFacebook(start.location, { userId: person.id });
    codeOf(redirect);
    await returnToApp(t, redirect, start.cookie);
    const choice = await choiceFor(t, ADMIN, before);
    await pressConnect(t, ADMIN, choice.pendingId, [`instagram:${ig.id}`]);
    // Only the Instagram account was chosen: its Page is subscribed all the same, for the account's comments.
    expect(graph.subscribedFields('facebook', shop.id)).toEqual(['feed']);
    const stored = await accountsCollection().findOne({ _id: `instagram:${ig.id}` as never });
    expect(stored).toMatchObject({ liveComments: true, linkedPageId: shop.id });
    // `/wone accounts` says what the real login's permissions allow, in words, by the account's handle.
    const list = JSON.stringify((await commandAnswer(t, ADMIN, 'accounts')).blocks);
    const ours = list.slice(list.indexOf(`@${ig.username}`));
    expect(ours).toContain('Instagram, through its Facebook Page');
    expect(ours).toContain('Publishes posts');
    expect(ours).toContain('Comments arrive live');
    expect(ours).toContain('Insights are read for reports');
    expect(list).not.toContain('instagram_content_publish');
    await tokenOf(`instagram:${ig.id}`);
  });

  it('Instagram Login subscribes the account on graph.instagram.com; its webhooks are signed with the Instagram app secret', async () => {
    const ig = graph.seedInstagramAccount({ username: 'wone.iglive' });
    const before = t.slack.callsOf('chat.postMessage').length;
    const start = await followStart(t, (await connectLinks(t, ADMIN)).instagram ?? '');
    const redirect = graph.consentInstagram(start.location, { igUserId: ig.id });
    codeOf(redirect);
    await returnToApp(t, redirect, start.cookie);
    const choice = await choiceFor(t, ADMIN, before);
    const subscribeCalls = graph.instagram.callsTo('POST', /\/me\/subscribed_apps$/).length;
    await pressConnect(t, ADMIN, choice.pendingId, choice.offered);
    expect(graph.subscribedFields('instagram', ig.id)).toEqual(['comments']);
    expect(graph.instagram.callsTo('POST', /\/me\/subscribed_apps$/)).toHaveLength(subscribeCalls + 1);
    const token = await tokenOf(`instagram:${ig.id}`);

    // A published image gets a comment: Meta signs the delivery with the Instagram app's secret, and the app takes it.
    const form = (body: Record<string, string>) => ({
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });
    const container = (await (
      await fetch(`${graph.instagram.url}/v25.0/${ig.id}/media`, form({ image_url: 'https://m.wone.example/a.jpg' }))
    ).json()) as { id: string };
    const media = (await (
      await fetch(`${graph.instagram.url}/v25.0/${ig.id}/media_publish`, form({ creation_id: container.id }))
    ).json()) as { id: string };
    const { delivered } = await graph.commentAndNotify({ itemId: media.id, text: 'Lovely' });
    expect(delivered).toBe(true);
    expect(graph.deliveries.at(-1)).toMatchObject({ object: 'instagram', secret: 'instagram', status: 200 });
    // The Instagram app's secret vouches for Instagram deliveries only, never for a Page's.
    const forged = await deliverMetaWebhook(
      t.url,
      pageCommentDelivery({ pageId: '1', postId: '1_2', commentId: '2_3', verb: 'add', message: 'x' }),
      { secret: graph.instagramAppSecret },
    );
    expect(forged.status).toBe(401);
  });

  it('disconnecting drops the subscription and, for the last account of a Facebook login, revokes the login at Meta', async () => {
    const a = graph.seedPage({ name: 'Wone Leave A' });
    const b = graph.seedPage({ name: 'Wone Leave B' });
    const person = graph.seedMetaUser({ pageIds: [a.id, b.id] });
    const before = t.slack.callsOf('chat.postMessage').length;
    const start = await followStart(t, (await connectLinks(t, ADMIN)).facebook ?? '');
    const redirect = graph.consentFacebook(start.location, { userId: person.id });
    codeOf(redirect);
    await returnToApp(t, redirect, start.cookie);
    const choice = await choiceFor(t, ADMIN, before);
    await pressConnect(t, ADMIN, choice.pendingId, [`facebook:${a.id}`, `facebook:${b.id}`]);
    const tokenB = await tokenOf(`facebook:${b.id}`);

    const first = await t.app.services.disconnect.disconnect(`facebook:${a.id}`, ADMIN);
    expect(first?.revoked).toBe('not_supported');
    expect(graph.subscribedFields('facebook', a.id)).toEqual([]);
    expect(graph.subscribedFields('facebook', b.id)).toEqual(['feed']);
    // The other Page of the same login still works.
    expect(graph.tokenRecord(tokenB)?.status).toBe('valid');

    const last = await t.app.services.disconnect.disconnect(`facebook:${b.id}`, ADMIN);
    expect(last?.revoked).toBe('revoked');
    expect(graph.subscribedFields('facebook', b.id)).toEqual([]);
    expect(graph.facebook.callsTo('DELETE', new RegExp(`/${person.id}/permissions$`))).toHaveLength(1);
    expect(graph.tokenRecord(tokenB)?.status).toBe('app_removed');
  });
});

describe('Meta data deletion for an Instagram Login user', () => {
  it('the callback signed with the Instagram app secret names the app-scoped id, and deletes that account', async () => {
    const ig = graph.seedInstagramAccount({ username: 'wone.forget' });
    const before = t.slack.callsOf('chat.postMessage').length;
    const start = await followStart(t, (await connectLinks(t, ADMIN)).instagram ?? '');
    const redirect = graph.consentInstagram(start.location, { igUserId: ig.id });
    codeOf(redirect);
    await returnToApp(t, redirect, start.cookie);
    const choice = await choiceFor(t, ADMIN, before);
    await pressConnect(t, ADMIN, choice.pendingId, choice.offered);
    await tokenOf(`instagram:${ig.id}`);

    const payload = Buffer.from(
      JSON.stringify({ user_id: ig.appScopedId, algorithm: 'HMAC-SHA256', issued_at: 1_291_836_800 }),
    ).toString('base64url');
    const signature = createHmac('sha256', graph.instagramAppSecret).update(payload).digest('base64url');
    const response = await fetch(`${t.url}/meta/data-deletion`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ signed_request: `${signature}.${payload}` }).toString(),
    });
    expect(response.status).toBe(200);
    const { confirmation_code: code } = (await response.json()) as { confirmation_code: string };
    const request = await t.app.services.deletion.status(code);
    expect(request?.accounts.map((a) => a.id)).toEqual([`instagram:${ig.id}`]);
    expect(await accountsCollection().countDocuments({ _id: `instagram:${ig.id}` as never })).toBe(0);
    // Its webhook subscription went with it.
    expect(graph.subscribedFields('instagram', ig.id)).toEqual([]);
  });

  it('a callback naming the professional account id instead deletes that Instagram Login account too', async () => {
    const ig = graph.seedInstagramAccount({ username: 'wone.forget2' });
    const before = t.slack.callsOf('chat.postMessage').length;
    const start = await followStart(t, (await connectLinks(t, ADMIN)).instagram ?? '');
    const redirect = graph.consentInstagram(start.location, { igUserId: ig.id });
    await returnToApp(t, redirect, start.cookie);
    const choice = await choiceFor(t, ADMIN, before);
    await pressConnect(t, ADMIN, choice.pendingId, choice.offered);
    await tokenOf(`instagram:${ig.id}`);
    const payload = Buffer.from(
      JSON.stringify({ user_id: ig.id, algorithm: 'HMAC-SHA256', issued_at: 1_291_836_800 }),
    ).toString('base64url');
    const signature = createHmac('sha256', graph.instagramAppSecret).update(payload).digest('base64url');
    const response = await fetch(`${t.url}/meta/data-deletion`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ signed_request: `${signature}.${payload}` }).toString(),
    });
    expect(response.status).toBe(200);
    const { confirmation_code: code } = (await response.json()) as { confirmation_code: string };
    expect((await t.app.services.deletion.status(code))?.accounts.map((a) => a.id)).toEqual([`instagram:${ig.id}`]);
  });
});

describe('logins switched on by configuration', () => {
  it('without INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET, Instagram Login is off and /wone connect says so', async () => {
    const other = await startConnectApp({ INSTAGRAM_APP_ID: '', INSTAGRAM_APP_SECRET: '' });
    try {
      const links = await connectLinks(other.t, ADMIN);
      expect(Object.keys(links).sort()).toEqual(['facebook', 'tiktok', 'tiktok_business']);
      const answer = await commandAnswer(other.t, ADMIN, 'connect');
      expect(JSON.stringify(answer.blocks)).toContain('Instagram Login is off');
    } finally {
      await other.stop();
    }
  });

  it('without TIKTOK_BUSINESS_APP_ID and TIKTOK_BUSINESS_APP_SECRET, TikTok comments and insights are off and /wone connect says so', async () => {
    const other = await startConnectApp({ TIKTOK_BUSINESS_APP_ID: '', TIKTOK_BUSINESS_APP_SECRET: '' });
    try {
      const links = await connectLinks(other.t, ADMIN);
      expect(Object.keys(links)).not.toContain('tiktok_business');
      expect(Object.keys(links)).toContain('tiktok');
      const answer = await commandAnswer(other.t, ADMIN, 'connect');
      expect(JSON.stringify(answer.blocks)).toContain('TikTok comments and insights are off');
    } finally {
      await other.stop();
    }
  });

  it('with META_LOGIN_CONFIG_ID the dialog asks for the Facebook Login for Business configuration', async () => {
    const probe = await startConnectApp();
    const configId = probe.graph.registerLoginConfiguration([
      'pages_show_list',
      'pages_read_engagement',
      'pages_manage_posts',
      'pages_manage_metadata',
      'publish_video',
    ]);
    await probe.stop();
    const other = await startConnectApp({ META_LOGIN_CONFIG_ID: configId });
    try {
      const start = await followStart(other.t, (await connectLinks(other.t, ADMIN)).facebook ?? '');
      const dialog = new URL(start.location);
      expect(dialog.searchParams.get('config_id')).toBe(configId);
      expect(dialog.searchParams.has('scope')).toBe(false);
    } finally {
      await other.stop();
    }
  });
});
