import { DateTime } from 'luxon';
import { z } from 'zod';
import { blockIdOf, withBlockIds } from './block-kit-html.ts';

type Json = Record<string, unknown>;

/** The simulated workspace and app, as they appear in every payload. */
export interface SlackIdentity {
  teamId: string;
  teamDomain: string;
  appId: string;
  botId: string;
  botUserId: string;
}

export interface SlackPerson {
  id: string;
  name: string;
  timezone: string;
}

/** What the page sends for an open modal: per block id and action id, the control's raw value. */
export const rawStateSchema = z.record(
  z.string().max(255),
  z.record(z.string().max(255), z.union([z.string().max(20_000), z.array(z.string().max(3000)).max(100), z.null()])),
);
export type RawState = z.infer<typeof rawStateSchema>;

/** A view as Slack stores it: the app's definition plus the ids and hash Slack gives it. */
export interface StoredView {
  id: string;
  hash: string;
  rootViewId: string;
  previousViewId?: string;
  definition: Json;
}

/**
 * `view.state.values` exactly as Slack builds it from what the person entered: `{[block_id]: {[action_id]: {type,
 * …value field}}}` for every input block, with options copied from the view's own definitions (never from the page).
 */
export function viewStateValues(
  blocks: unknown,
  raw: RawState,
  context: { timezone: string; file: (id: string) => Json | undefined },
): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  if (!Array.isArray(blocks)) return values;
  blocks.forEach((block, index) => {
    if (!isObject(block) || block.type !== 'input' || !isObject(block.element)) return;
    const blockId = blockIdOf(block, index);
    const element = block.element;
    const actionId = String(element.action_id ?? '');
    const given = raw[blockId]?.[actionId] ?? null;
    values[blockId] = { [actionId]: stateValue(element, given, context) };
  });
  return values;
}

/**
 * The `state.values` of a message's interactive elements outside input blocks (checkboxes in an actions block, as
 * Slack sends them with a click on a button of the same message), for those the page reported.
 */
export function messageStateValues(
  blocks: unknown,
  raw: RawState,
  context: { timezone: string; file: (id: string) => Json | undefined },
): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  if (!Array.isArray(blocks)) return values;
  blocks.forEach((block, index) => {
    if (!isObject(block) || block.type === 'input') return;
    const blockId = blockIdOf(block, index);
    const given = raw[blockId];
    if (!given) return;
    const elements = [
      ...(isObject(block.accessory) ? [block.accessory] : []),
      ...(Array.isArray(block.elements) ? block.elements : []),
    ].filter(isObject);
    for (const element of elements) {
      const actionId = String(element.action_id ?? '');
      if (!(actionId in given) || !['checkboxes', 'radio_buttons'].includes(String(element.type))) continue;
      values[blockId] = { ...values[blockId], [actionId]: stateValue(element, given[actionId] ?? null, context) };
    }
  });
  return values;
}

function stateValue(
  element: Json,
  given: string | string[] | null,
  context: { timezone: string; file: (id: string) => Json | undefined },
): Json {
  const type = String(element.type ?? '');
  const one = typeof given === 'string' && given !== '' ? given : Array.isArray(given) ? given[0] : undefined;
  const many = Array.isArray(given) ? given : typeof given === 'string' && given !== '' ? [given] : [];
  switch (type) {
    case 'static_select':
    case 'radio_buttons':
      return { type, selected_option: (one && findOption(element, one)) ?? null };
    case 'multi_static_select':
    case 'checkboxes':
      return { type, selected_options: many.map((value) => findOption(element, value)).filter(isObject) };
    case 'datepicker':
      return { type, selected_date: one ?? null };
    case 'timepicker':
      return {
        type,
        selected_time: one ?? null,
        ...(typeof element.timezone === 'string' ? { timezone: element.timezone } : {}),
      };
    case 'datetimepicker': {
      const at = one ? DateTime.fromISO(one, { zone: context.timezone }) : undefined;
      return { type, selected_date_time: at?.isValid ? Math.floor(at.toSeconds()) : null };
    }
    case 'file_input':
      return { type, files: many.map((id) => context.file(id)).filter(isObject) };
    default:
      return { type, value: one ?? null };
  }
}

/** An option of a select, radio or checkbox element by its value, as defined in the element. */
export function findOption(element: Json, value: string): Json | undefined {
  const groups = Array.isArray(element.option_groups) ? element.option_groups.filter(isObject) : [];
  const options = [
    ...(Array.isArray(element.options) ? element.options : []),
    ...groups.flatMap((group) => (Array.isArray(group.options) ? group.options : [])),
  ];
  return options.filter(isObject).find((option) => option.value === value);
}

/** The element a click came from: block by id (or position), element by action id. */
export function findElement(blocks: unknown, blockId: string, actionId: string): Json | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const [index, block] of blocks.entries()) {
    if (!isObject(block) || blockIdOf(block, index) !== blockId) continue;
    const candidates = [
      ...(isObject(block.accessory) ? [block.accessory] : []),
      ...(Array.isArray(block.elements) ? block.elements : []),
      ...(isObject(block.element) ? [block.element] : []),
    ];
    return candidates.filter(isObject).find((element) => String(element.action_id ?? '') === actionId);
  }
  return undefined;
}

/** The `actions[0]` entry of a `block_actions` payload for a click or choice on `element`. */
export function actionOf(element: Json, blockId: string, actionTs: string, selected?: string): Json | undefined {
  const base = { action_id: String(element.action_id ?? ''), block_id: blockId, action_ts: actionTs };
  switch (element.type) {
    case 'button':
      return {
        ...base,
        type: 'button',
        text: element.text,
        ...(typeof element.value === 'string' ? { value: element.value } : {}),
        ...(typeof element.style === 'string' ? { style: element.style } : {}),
      };
    case 'static_select':
    case 'overflow': {
      const option = selected ? findOption(element, selected) : undefined;
      if (!option) return undefined;
      return {
        ...base,
        type: element.type,
        selected_option: option,
        ...(element.type === 'static_select' && isObject(element.placeholder)
          ? { placeholder: element.placeholder }
          : {}),
      };
    }
    case 'datepicker':
      return selected ? { ...base, type: 'datepicker', selected_date: selected } : undefined;
    default:
      return undefined;
  }
}

/**
 * The `actions[0]` entry for a change in an input block with `dispatch_action: true`: the element's value as the view
 * state carries it (`selected_option`, `selected_options`, `value`, …), with the action's ids.
 */
export function inputActionOf(
  element: Json,
  blockId: string,
  actionTs: string,
  given: string | string[] | null,
  context: { timezone: string; file: (id: string) => Json | undefined },
): Json {
  return {
    ...stateValue(element, given, context),
    action_id: String(element.action_id ?? ''),
    block_id: blockId,
    action_ts: actionTs,
  };
}

/** The fields of a slash command POST (form-encoded, flat). */
export function slashCommandFields(input: {
  identity: SlackIdentity;
  person: SlackPerson;
  channel: { id: string; name: string };
  text: string;
  responseUrl: string;
  triggerId: string;
}): Record<string, string> {
  const [command = '', ...rest] = input.text.trim().split(/\s+/);
  return {
    token: 'sandbox-verification-token',
    team_id: input.identity.teamId,
    team_domain: input.identity.teamDomain,
    channel_id: input.channel.id,
    channel_name: input.channel.name,
    user_id: input.person.id,
    user_name: input.person.name,
    command,
    text: rest.join(' '),
    api_app_id: input.identity.appId,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  };
}

function userOf(identity: SlackIdentity, person: SlackPerson) {
  return { id: person.id, username: person.name, name: person.name, team_id: identity.teamId };
}

function envelope(identity: SlackIdentity) {
  return {
    team: { id: identity.teamId, domain: identity.teamDomain },
    api_app_id: identity.appId,
    token: 'sandbox-verification-token',
    enterprise: null,
    is_enterprise_install: false,
  };
}

/** A view as it appears inside payloads, with its current state. */
export function viewPayload(
  identity: SlackIdentity,
  view: StoredView,
  values: Record<string, Record<string, Json>>,
): Json {
  const definition = view.definition;
  return {
    id: view.id,
    team_id: identity.teamId,
    type: definition.type ?? 'modal',
    blocks: withBlockIds(Array.isArray(definition.blocks) ? definition.blocks : []),
    private_metadata: definition.private_metadata ?? '',
    callback_id: definition.callback_id ?? '',
    state: { values },
    hash: view.hash,
    title: definition.title ?? null,
    clear_on_close: definition.clear_on_close === true,
    notify_on_close: definition.notify_on_close === true,
    close: definition.close ?? null,
    submit: definition.submit ?? null,
    previous_view_id: view.previousViewId ?? null,
    root_view_id: view.rootViewId,
    app_id: identity.appId,
    external_id: definition.external_id ?? '',
    app_installed_team_id: identity.teamId,
    bot_id: identity.botId,
  };
}

/** `block_actions` for a click on a message in a channel (or on an ephemeral message). */
export function messageBlockActions(input: {
  identity: SlackIdentity;
  person: SlackPerson;
  channel: { id: string; name: string };
  message: { ts: string; text: string; blocks: unknown[]; threadTs?: string };
  ephemeral: boolean;
  action: Json;
  responseUrl: string;
  triggerId: string;
  /** The message's checkboxes and radio buttons as ticked when the button was clicked. */
  values?: Record<string, Record<string, Json>>;
}): Json {
  const { identity } = input;
  return {
    type: 'block_actions',
    user: userOf(identity, input.person),
    ...envelope(identity),
    container: {
      type: 'message',
      message_ts: input.message.ts,
      channel_id: input.channel.id,
      is_ephemeral: input.ephemeral,
      ...(input.message.threadTs ? { thread_ts: input.message.threadTs } : {}),
    },
    trigger_id: input.triggerId,
    channel: input.channel,
    message: {
      user: identity.botUserId,
      type: 'message',
      ts: input.message.ts,
      bot_id: identity.botId,
      app_id: identity.appId,
      text: input.message.text,
      team: identity.teamId,
      blocks: withBlockIds(input.message.blocks),
      ...(input.message.threadTs ? { thread_ts: input.message.threadTs } : {}),
    },
    state: { values: input.values ?? {} },
    response_url: input.responseUrl,
    actions: [input.action],
  };
}

/** `block_actions` for a click in a modal or on the App Home tab. */
export function viewBlockActions(input: {
  identity: SlackIdentity;
  person: SlackPerson;
  view: StoredView;
  values: Record<string, Record<string, Json>>;
  action: Json;
  triggerId: string;
}): Json {
  const { identity } = input;
  return {
    type: 'block_actions',
    user: userOf(identity, input.person),
    ...envelope(identity),
    container: { type: 'view', view_id: input.view.id },
    trigger_id: input.triggerId,
    view: viewPayload(identity, input.view, input.values),
    actions: [input.action],
  };
}

/** `view_submission` for the top modal of the stack. */
export function viewSubmission(input: {
  identity: SlackIdentity;
  person: SlackPerson;
  view: StoredView;
  values: Record<string, Record<string, Json>>;
  triggerId: string;
}): Json {
  return {
    type: 'view_submission',
    ...envelope(input.identity),
    user: userOf(input.identity, input.person),
    trigger_id: input.triggerId,
    view: viewPayload(input.identity, input.view, input.values),
    response_urls: [],
  };
}

/** `view_closed`, sent only for views with `notify_on_close`. */
export function viewClosed(input: {
  identity: SlackIdentity;
  person: SlackPerson;
  view: StoredView;
  values: Record<string, Record<string, Json>>;
  isCleared: boolean;
}): Json {
  return {
    type: 'view_closed',
    ...envelope(input.identity),
    user: userOf(input.identity, input.person),
    view: viewPayload(input.identity, input.view, input.values),
    is_cleared: input.isCleared,
  };
}

/** The Events API envelope of `app_home_opened` (the person opened the app's Home tab). */
export function appHomeOpened(input: {
  identity: SlackIdentity;
  person: SlackPerson;
  channel: string;
  view?: Json;
  eventId: string;
}): Json {
  const now = Date.now() / 1000;
  return {
    token: 'sandbox-verification-token',
    team_id: input.identity.teamId,
    api_app_id: input.identity.appId,
    event: {
      type: 'app_home_opened',
      user: input.person.id,
      channel: input.channel,
      tab: 'home',
      event_ts: now.toFixed(6),
      ...(input.view ? { view: input.view } : {}),
    },
    type: 'event_callback',
    event_id: input.eventId,
    event_time: Math.floor(now),
    authorizations: [
      {
        enterprise_id: null,
        team_id: input.identity.teamId,
        user_id: input.identity.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
  };
}

/**
 * The Events API envelope of a person's message in a public channel (`message.channels`): Slack sends it only for
 * channels the app is a member of, with the text as the person's client wrote it (mrkdwn, entities escaped).
 */
export function channelMessageEvent(input: {
  identity: SlackIdentity;
  person: { id: string };
  channel: string;
  text: string;
  ts: string;
  threadTs?: string;
  eventId: string;
}): Json {
  const now = Date.now() / 1000;
  return {
    token: 'sandbox-verification-token',
    team_id: input.identity.teamId,
    api_app_id: input.identity.appId,
    event: {
      type: 'message',
      channel: input.channel,
      user: input.person.id,
      text: input.text,
      ts: input.ts,
      ...(input.threadTs ? { thread_ts: input.threadTs, parent_user_id: input.identity.botUserId } : {}),
      team: input.identity.teamId,
      event_ts: input.ts,
      channel_type: 'channel',
    },
    type: 'event_callback',
    event_id: input.eventId,
    event_time: Math.floor(now),
    authorizations: [
      {
        enterprise_id: null,
        team_id: input.identity.teamId,
        user_id: input.identity.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
