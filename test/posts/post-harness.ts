import { DateTime } from 'luxon';
import type { SlackMessage } from '../../src/sandbox/fake-slack.ts';
import { GraphFake } from '../../src/sandbox/graph-fake.ts';
import { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import type { DraftContent, PostDoc } from '../../src/services/posts.ts';
import { instagramTokenByConsent, pageTokenByConsent } from '../harness/meta-consent.ts';
import {
  APPROVAL_CHANNEL,
  APPROVER,
  EDITOR,
  startTestApp,
  TEAM_ID,
  type TestApp,
  woneCommand,
} from '../harness/test-app.ts';

export const IG_ID = '17841400000000001';
export const PAGE_ID = '100200300400500';
export const TIKTOK_OPEN_ID = 'tt-open-1';
export const IG = `instagram:${IG_ID}`;
export const FB = `facebook:${PAGE_ID}`;
export const TT = `tiktok:${TIKTOK_OPEN_ID}`;

export interface PostApp extends TestApp {
  graph: GraphFake;
  tiktok: TikTokFake;
}

/**
 * The app as production runs it, with the fake Slack, the Graph fake (Instagram, Facebook) and the TikTok fake, and
 * one connected account on each platform (stored as the account-connection flow would store them).
 */
export async function startPostApp(
  overrides: Record<string, string | undefined> = {},
  options: Parameters<typeof startTestApp>[1] = {},
): Promise<PostApp> {
  const graph = new GraphFake({ startAt: Date.now() });
  const { facebookUrl, instagramUrl } = await graph.start();
  const tiktok = new TikTokFake();
  await tiktok.start();
  tiktok.verifiedUrlPrefixes = ['https://wone.example.com/media/'];
  const t = await startTestApp(
    {
      META_APP_ID: graph.appId,
      META_APP_SECRET: graph.appSecret,
      META_GRAPH_URL: facebookUrl,
      INSTAGRAM_GRAPH_URL: instagramUrl,
      TIKTOK_CLIENT_KEY: tiktok.clientKey,
      TIKTOK_CLIENT_SECRET: tiktok.clientSecret,
      TIKTOK_API_URL: tiktok.url,
      TIKTOK_BUSINESS_API_URL: tiktok.url,
      ...overrides,
    },
    options,
  );
  const app: PostApp = {
    ...t,
    graph,
    tiktok,
    stop: async () => {
      await t.stop();
      await graph.stop();
      await tiktok.stop();
    },
  };
  if (!overrides.MONGODB_URL) await seedAccounts(app);
  return app;
}

/** One Instagram account (Instagram login), one Facebook Page and one TikTok account, connected. */
export async function seedAccounts(t: PostApp): Promise<void> {
  t.graph.seedInstagramAccount({ id: IG_ID, username: 'wone.commerce' });
  t.graph.seedPage({ id: PAGE_ID, name: 'Wone Commerce' });
  t.tiktok.seedAccount({
    openId: TIKTOK_OPEN_ID,
    username: 'wonecommerce',
    outcome: { result: 'complete', processingPolls: 0, postIdLagPolls: 0 },
  });
  const common = { status: 'ok' as const, connectedBy: 'UADMIN', connectedAt: new Date() };
  await t.app.services.accounts.save({
    _id: IG,
    platform: 'instagram',
    login: 'instagram',
    externalId: IG_ID,
    name: '@wone.commerce',
    scopes: [],
    accessToken: await instagramTokenByConsent(t.graph, IG_ID),
    ...common,
  });
  await t.app.services.accounts.save({
    _id: FB,
    platform: 'facebook',
    login: 'facebook',
    externalId: PAGE_ID,
    name: 'Wone Commerce',
    scopes: [],
    accessToken: await pageTokenByConsent(t.graph, PAGE_ID),
    ...common,
  });
  await t.app.services.accounts.save({
    _id: TT,
    platform: 'tiktok',
    login: 'tiktok',
    externalId: TIKTOK_OPEN_ID,
    name: '@wonecommerce',
    scopes: [],
    accessToken: t.tiktok.issueTokens(TIKTOK_OPEN_ID).accessToken,
    ...common,
  });
}

/** Runs `/wone schedule` as `user` and returns the modal once it is open (and, with TikTok, filled in). */
export async function openDraft(t: TestApp, user: string) {
  const before = t.slack.views.length;
  const fields = woneCommand(t.slack, user, 'schedule');
  const response = await t.signer.command(fields);
  if (response.status !== 200) throw new Error(`command answered ${response.status}`);
  const opened = await t.slack.waitFor(() =>
    t.slack.views.slice(before).find((v) => v.trigger_id === fields.trigger_id),
  );
  return opened;
}

type StateValue = Record<string, unknown> & { type: string };

/** Builds `view.state.values` the way Slack does: block id → `value` → the element's state. */
export const input = {
  multi: (values: string[]): StateValue => ({
    type: 'multi_static_select',
    selected_options: values.map((value) => ({ text: { type: 'plain_text', text: value }, value })),
  }),
  select: (value: string | undefined): StateValue => ({
    type: 'static_select',
    selected_option: value ? { text: { type: 'plain_text', text: value }, value } : null,
  }),
  radio: (value: string): StateValue => ({
    type: 'radio_buttons',
    selected_option: { text: { type: 'plain_text', text: value }, value },
  }),
  text: (value: string | null): StateValue => ({ type: 'plain_text_input', value }),
  url: (value: string | null): StateValue => ({ type: 'url_text_input', value }),
  date: (value: string | null): StateValue => ({ type: 'datepicker', selected_date: value }),
  time: (value: string | null): StateValue => ({ type: 'timepicker', selected_time: value }),
  checks: (values: string[]): StateValue => ({
    type: 'checkboxes',
    selected_options: values.map((value) => ({ text: { type: 'plain_text', text: value }, value })),
  }),
  files: (files: unknown[]): StateValue => ({ type: 'file_input', files }),
};

/** Submits a modal as `user` with these block values; returns the HTTP answer (errors come back in it). */
export async function submitView(
  t: TestApp,
  view: { id: string; view: Record<string, unknown> },
  user: string,
  values: Record<string, StateValue>,
) {
  const state = Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { value }]));
  const response = await t.signer.interaction({
    type: 'view_submission',
    team: { id: TEAM_ID, domain: 'wone' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0WONE',
    token: 'deprecated',
    trigger_id: `${Date.now()}.${Math.random()}.v`,
    view: {
      ...view.view,
      id: view.id,
      team_id: TEAM_ID,
      state: { values: state },
      hash: 'h',
      app_id: 'A0WONE',
      bot_id: 'BBOT',
      root_view_id: view.id,
      previous_view_id: null,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  });
  return { status: response.status, body: response.body ? (response.json() as Record<string, unknown>) : {} };
}

/**
 * A change in a dispatching input of a modal, as Slack sends it (`block_actions` with the view, its hash and state);
 * waits for the app's `views.update` and returns the view as the user then sees it.
 */
export async function changeView(
  t: TestApp,
  view: { id: string; hash: string; view: Record<string, unknown> },
  user: string,
  blockId: string,
  values: Record<string, StateValue>,
) {
  const hash = view.hash;
  const state = Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { value }]));
  const response = await t.signer.interaction({
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'wone' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0WONE',
    token: 'deprecated',
    trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e9)}.change`,
    container: { type: 'view', view_id: view.id },
    view: { ...view.view, id: view.id, hash, state: { values: state }, team_id: TEAM_ID, app_id: 'A0WONE' },
    actions: [
      { action_id: 'value', block_id: blockId, type: values[blockId]?.type ?? 'static_select', action_ts: '1' },
    ],
  });
  if (response.status !== 200) throw new Error(`block_actions answered ${response.status}`);
  return until(async () => {
    const current = currentView(t, view.id);
    return current.hash !== hash ? current : undefined;
  });
}

/** Opens the draft modal as `user` and waits until TikTok's creator settings are loaded into it. */
export async function openLoadedDraft(t: TestApp, user: string) {
  const modal = await openDraft(t, user);
  return until(async () => {
    const view = currentView(t, modal.id);
    const metadata = JSON.parse(String(view.view.private_metadata)) as { creators: Record<string, unknown> };
    return metadata.creators[TT] ? view : undefined;
  });
}

/** The current view (after any `views.update`) as the user sees it. */
export function currentView(t: TestApp, id: string) {
  const view = t.slack.views.find((v) => v.id === id);
  if (!view) throw new Error(`no view ${id}`);
  return view;
}

/** Clicks a button as `user` on a channel message (or on the Home tab when `message` is omitted). */
export async function click(
  t: TestApp,
  user: string,
  actionId: string,
  value: string,
  message?: SlackMessage,
  team = TEAM_ID,
) {
  const trigger = `${Date.now()}.${Math.floor(Math.random() * 1e9)}.click`;
  const responseUrl = t.slack.responseUrl();
  const response = await t.signer.interaction({
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'wone' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
    api_app_id: 'A0WONE',
    token: 'deprecated',
    trigger_id: trigger,
    ...(message
      ? {
          container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
          channel: { id: message.channel, name: 'social' },
          message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
          response_url: responseUrl,
        }
      : { container: { type: 'view', view_id: 'VHOME' }, view: { id: 'VHOME', type: 'home' } }),
    actions: [{ action_id: actionId, block_id: 'b', type: 'button', value, action_ts: `${Date.now() / 1000}` }],
  });
  return { status: response.status, trigger, responseId: responseUrl.split('/').pop() ?? '' };
}

/** The preview message of a post in the approval channel. */
export function previewOf(t: TestApp, ts: string): SlackMessage {
  const message = t.slack.messages.find((m) => m.channel === APPROVAL_CHANNEL && m.ts === ts && !m.thread_ts);
  if (!message) throw new Error('no preview');
  return message;
}

/** Messages in a preview's thread, as text. */
export function threadOf(t: TestApp, ts: string): string[] {
  return t.slack.messages.filter((m) => m.thread_ts === ts).map((m) => m.text);
}

/** Every button (action id and value) on a message. */
export function buttonsOf(message: SlackMessage): { action_id: string; value: string; text: string }[] {
  return (message.blocks ?? []).flatMap((block) => {
    const b = block as {
      type: string;
      elements?: { type: string; action_id: string; value: string; text: { text: string } }[];
    };
    return b.type === 'actions'
      ? (b.elements ?? []).map((e) => ({ action_id: e.action_id, value: e.value, text: e.text.text }))
      : [];
  });
}

/**
 * Brings a post's time to `at` (now by default), as a reschedule would without its one-minute rule: the post, its
 * queued targets and its Agenda job (moved through Agenda's API, never by writing the job) all say `at`.
 */
export async function bringDue(t: TestApp, postId: string, at = new Date()): Promise<Date> {
  await t.app.services.posts.collection.updateOne({ _id: postId }, { $set: { dueAt: at } });
  await t.app.services.targets.reschedule(postId, at);
  await t.app.services.scheduling.plan(postId, at);
  return at;
}

/** Polls until `probe` returns something truthy (the app answers Slack before its work is done). */
export async function until<T>(probe: () => Promise<T | undefined | false | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** TikTok choices left as the modal starts them: no audience chosen, interactions off, no disclosure. */
export const tiktokUntouched: DraftContent['tiktok'] = {
  privacy: {},
  allowComment: false,
  allowDuet: false,
  allowStitch: false,
  brandOrganic: false,
  brandContent: false,
};

/** A draft as a submitted modal gives it: nothing chosen but `fields`, published as soon as approved. */
export function draftWith(fields: Partial<DraftContent>): DraftContent {
  return {
    accountIds: [],
    postTypes: {},
    tiktokMode: 'direct',
    caption: '',
    mediaUrls: [],
    schedule: { kind: 'asap' },
    tiktok: tiktokUntouched,
    ...fields,
  };
}

/** An approved Facebook text post due in `days` days (through the services, as the buttons do). */
export async function scheduledPost(t: PostApp, caption: string, days = 2): Promise<PostDoc> {
  const date = DateTime.now().setZone('Europe/Berlin').plus({ days }).toFormat('yyyy-MM-dd');
  const id = await t.app.services.drafts.save({
    draft: draftWith({
      accountIds: [FB],
      postTypes: { facebook: 'facebook_text' },
      caption,
      schedule: { kind: 'at', date, time: '09:00', timezone: 'Europe/Berlin' },
    }),
    files: [],
    timezone: 'Europe/Berlin',
    by: EDITOR,
  });
  const pending = await t.app.services.drafts.prepare(id);
  if (!pending) throw new Error('not prepared');
  return t.app.services.approvals.approve(id, pending.revision, APPROVER);
}
