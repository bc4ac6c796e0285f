import { expect } from 'vitest';
import { GraphFake, type GraphFakeOptions } from '../../src/sandbox/graph-fake.ts';
import { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import { answersTo, commandAnswer } from './slack-answers.ts';
import { startTestApp, type TestApp } from './test-app.ts';

export const PUBLIC_BASE = 'https://wone.example.com';
const WEBHOOK_VERIFY_TOKEN = 'connect-verify-token';

/** The app with Meta and TikTok switched on and pointed at their fakes. */
export async function startConnectApp(overrides: Record<string, string> = {}, graphOptions: GraphFakeOptions = {}) {
  const graph = new GraphFake({ startAt: Date.now(), ...graphOptions });
  const { facebookUrl, instagramUrl, instagramApiUrl } = await graph.start();
  const tiktok = new TikTokFake();
  await tiktok.start();
  const t = await startTestApp({
    META_APP_ID: graph.appId,
    META_APP_SECRET: graph.appSecret,
    INSTAGRAM_APP_ID: graph.instagramAppId,
    INSTAGRAM_APP_SECRET: graph.instagramAppSecret,
    META_GRAPH_URL: facebookUrl,
    INSTAGRAM_GRAPH_URL: instagramUrl,
    INSTAGRAM_API_URL: instagramApiUrl,
    META_WEBHOOK_VERIFY_TOKEN: WEBHOOK_VERIFY_TOKEN,
    TIKTOK_CLIENT_KEY: tiktok.clientKey,
    TIKTOK_CLIENT_SECRET: tiktok.clientSecret,
    TIKTOK_API_URL: tiktok.url,
    TIKTOK_BUSINESS_API_URL: tiktok.url,
    TIKTOK_BUSINESS_APP_ID: tiktok.businessAppId,
    TIKTOK_BUSINESS_APP_SECRET: tiktok.businessAppSecret,
    ...overrides,
  });
  // The operator's Webhooks product setup: Meta checks the callback before it keeps it.
  await graph.configureWebhooks(`${t.url}/webhooks/meta`, WEBHOOK_VERIFY_TOKEN);
  return {
    t,
    graph,
    tiktok,
    stop: async () => {
      await t.stop();
      await graph.stop();
      await tiktok.stop();
    },
  };
}

/** `/wone connect` as `user`: the start link of each login, by flow. */
export async function connectLinks(t: TestApp, user: string): Promise<Record<string, string>> {
  const answer = await commandAnswer(t, user, 'connect');
  const blocks = (answer.blocks ?? []) as { elements?: { action_id?: string; url?: string }[] }[];
  const links: Record<string, string> = {};
  for (const element of blocks.flatMap((block) => block.elements ?? [])) {
    const flow = element.action_id?.replace(/^open_authorize_/, '');
    if (flow && element.url) links[flow] = element.url;
  }
  return links;
}

/** Follows a start link as a browser would: our app sets a cookie and redirects to the platform. */
export async function followStart(
  t: TestApp,
  link: string,
): Promise<{ status: number; location: string; cookie: string }> {
  expect(link.startsWith(`${PUBLIC_BASE}/oauth/start?state=`)).toBe(true);
  const response = await fetch(link.replace(PUBLIC_BASE, t.url), { redirect: 'manual' });
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { status: response.status, location: response.headers.get('location') ?? '', cookie };
}

/** The platform's redirect back to our callback, in the same browser (with its cookie), or in another (without). */
export async function returnToApp(
  t: TestApp,
  redirect: string,
  cookie?: string,
): Promise<{ status: number; html: string }> {
  expect(redirect.startsWith(`${PUBLIC_BASE}/oauth/`)).toBe(true);
  const response = await fetch(redirect.replace(PUBLIC_BASE, t.url).replace(/#_$/, ''), {
    headers: cookie ? { cookie } : {},
    redirect: 'manual',
  });
  return { status: response.status, html: await response.text() };
}

/** The choice message the app sent `user` after their login: its pending id and the accounts offered. */
export async function choiceFor(
  t: TestApp,
  user: string,
  after = 0,
): Promise<{ pendingId: string; offered: string[] }> {
  const message = await t.slack.waitFor(() =>
    t.slack
      .callsOf('chat.postMessage')
      .slice(after)
      .find((m) => m.channel === user && JSON.stringify(m.blocks ?? []).includes('connect_chosen_accounts')),
  );
  const blocks = message.blocks as {
    elements?: { action_id?: string; value?: string; options?: { value: string }[] }[];
  }[];
  const elements = blocks.flatMap((block) => block.elements ?? []);
  const pendingId = elements.find((e) => e.action_id === 'connect_chosen_accounts')?.value ?? '';
  const offered = elements.flatMap((e) =>
    e.action_id === 'chosen_accounts' ? (e.options ?? []).map((o) => o.value) : [],
  );
  return { pendingId, offered };
}

/** Presses "Connect the ticked accounts" as `user`, with `ticked` checked; returns the answers. */
export async function pressConnect(t: TestApp, user: string, pendingId: string, ticked: string[]) {
  const responseUrl = t.slack.responseUrl();
  const response = await t.signer.interaction({
    type: 'block_actions',
    team: { id: 'T0WONE', domain: 'wone' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T0WONE' },
    api_app_id: 'A0WONE',
    token: 'deprecated',
    trigger_id: `${Date.now()}.2.abc`,
    response_url: responseUrl,
    container: { type: 'message', message_ts: '1.1', channel_id: 'D0ADMIN', is_ephemeral: false },
    channel: { id: 'D0ADMIN', name: 'directmessage' },
    state: {
      values: {
        choose_accounts_0: {
          chosen_accounts: {
            type: 'checkboxes',
            selected_options: ticked.map((value) => ({ text: { type: 'plain_text', text: value }, value })),
          },
        },
      },
    },
    actions: [
      {
        action_id: 'connect_chosen_accounts',
        block_id: 'choose_accounts_submit',
        type: 'button',
        value: pendingId,
        action_ts: '1.3',
      },
    ],
  });
  expect(response.status).toBe(200);
  return t.slack.waitFor(() => answersTo(t, responseUrl)[0]);
}

/**
 * Connects a TikTok account the way an admin does: `/wone connect` → TikTok (Login Kit) consent → the choice in
 * Slack; with `business`, then → "TikTok comments and insights" → the Business authorization → the choice.
 */
export async function connectTikTokByConsent(
  t: TestApp,
  tiktok: TikTokFake,
  admin: string,
  openId: string,
  options: { business?: boolean } = {},
): Promise<string> {
  const accountId = `tiktok:${openId}`;
  const start = await followStart(t, (await connectLinks(t, admin)).tiktok ?? '');
  let before = t.slack.callsOf('chat.postMessage').length;
  expect((await returnToApp(t, tiktok.consent(start.location, { openId }), start.cookie)).status).toBe(200);
  let choice = await choiceFor(t, admin, before);
  await pressConnect(t, admin, choice.pendingId, [accountId]);
  if (!options.business) return accountId;
  const business = await followStart(t, (await connectLinks(t, admin)).tiktok_business ?? '');
  before = t.slack.callsOf('chat.postMessage').length;
  const page = await returnToApp(t, tiktok.businessConsent(business.location, { openId }), business.cookie);
  expect(page.status).toBe(200);
  choice = await choiceFor(t, admin, before);
  expect(choice.offered).toEqual([accountId]);
  await pressConnect(t, admin, choice.pendingId, [accountId]);
  return accountId;
}
