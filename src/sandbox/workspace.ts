import { randomBytes } from 'node:crypto';
import { blockIdOf } from './block-kit-html.ts';
import type { FakeSlack, SlackMessage } from './fake-slack.ts';
import {
  actionOf,
  appHomeOpened,
  channelMessageEvent,
  findElement,
  inputActionOf,
  messageBlockActions,
  messageStateValues,
  type RawState,
  type SlackIdentity,
  type SlackPerson,
  type StoredView,
  slashCommandFields,
  viewBlockActions,
  viewClosed,
  viewStateValues,
  viewSubmission,
} from './slack-payloads.ts';
import { SlackSigner } from './slack-signer.ts';

type Json = Record<string, unknown>;

export interface SandboxChannel {
  id: string;
  name: string;
  purpose: string;
}

/** A message only one person sees: an ephemeral message, a `response_url` answer, or a command's own answer. */
export interface PrivateMessage {
  id: string;
  person: string;
  channel: string;
  threadTs?: string;
  text: string;
  blocks?: unknown[];
  order: number;
}

/** A file the app shared in a channel or thread (`files.completeUploadExternal`), as its message shows it. */
export interface SharedFile {
  id: string;
  name: string;
  title: string;
}

/** A public message in a channel, with the order the page first saw it in (Slack's order). */
export interface ChannelMessage extends SlackMessage {
  order: number;
  /** The files the message shares (a file upload completed into the channel). */
  files?: SharedFile[];
}

/** Where a click happened. */
export type ClickOrigin =
  | { kind: 'message'; channel: string; ts: string }
  | { kind: 'private'; id: string }
  | { kind: 'view'; viewId: string };

/** What the acting person sees after a submission. */
export type SubmitOutcome =
  | { outcome: 'closed' }
  | { outcome: 'errors'; errors: Record<string, string> }
  | { outcome: 'updated' | 'pushed' | 'cleared' }
  | { outcome: 'failed'; status: number };

type ResponseOrigin =
  | { person: string; channel: string; kind: 'command' }
  | { person: string; channel: string; kind: 'message'; ts: string }
  | { person: string; channel: string; kind: 'private'; id: string };

/** Refused because the request names something that is not there (or not the person's). */
export class SandboxRequestError extends Error {
  readonly code = 'sandbox_request';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxRequestError';
  }
}

/**
 * The Slack client the sandbox page plays: it knows who is acting, turns clicks and submissions into the payloads
 * Slack would send, signs them with the app's signing secret, and keeps what Slack keeps per person (the modal stack,
 * private messages). Everything public (channels, messages, views, home tabs) lives in the simulated Slack Web API.
 */
export class SandboxWorkspace {
  private readonly signer: SlackSigner;
  private readonly triggers = new Map<string, string>();
  private readonly responseOrigins = new Map<string, ResponseOrigin>();
  private readonly stacks = new Map<string, string[]>();
  private readonly errors = new Map<string, Record<string, string>>();
  private readonly privateMessages: PrivateMessage[] = [];
  private readonly messageOrder = new Map<string, number>();
  private readonly files = new Map<string, Json>();
  private seenViews = 0;
  private seenEphemerals = 0;
  private seenResponses = 0;
  private order = 0;
  private sequence = 0;

  constructor(
    readonly slack: FakeSlack,
    readonly identity: SlackIdentity,
    readonly people: SlackPerson[],
    readonly channels: SandboxChannel[],
    appUrl: string,
    signingSecret: string,
  ) {
    this.signer = new SlackSigner(appUrl, signingSecret);
  }

  person(id: string): SlackPerson {
    const person = this.people.find((candidate) => candidate.id === id);
    if (!person) throw new SandboxRequestError(404, 'no such person');
    return person;
  }

  channel(id: string): SandboxChannel {
    const channel = this.channels.find((candidate) => candidate.id === id);
    if (!channel) throw new SandboxRequestError(404, 'no such channel');
    return channel;
  }

  /** A channel, or the person's own direct messages with the app (named `directmessage`, as Slack names it). */
  private conversation(person: string, id: string): SandboxChannel {
    if (id === person || id === dmChannelOf(person)) return { id, name: 'directmessage', purpose: '' };
    return this.channel(id);
  }

  // ---------------------------------------------------------------- what the page shows

  /**
   * Public messages of a channel, top-level first then each thread's replies, in Slack's order, with the files the app
   * shared there: Slack shows a completed upload as a message of its own (in the thread when it names one).
   */
  messages(channel: string): ChannelMessage[] {
    this.sync();
    const shared = this.sharedFiles().filter((message) => message.channel === channel);
    return [
      ...this.slack.messages
        .filter((message) => message.channel === channel)
        .map((message) => ({ ...message, order: this.messageOrder.get(keyOf(message)) ?? 0 })),
      ...shared,
    ].sort((a, b) => a.order - b.order);
  }

  /**
   * The app's direct messages to `person` (the Messages tab of the app): `chat.postMessage` to the person's user id,
   * or to their DM channel.
   */
  directMessages(person: string): ChannelMessage[] {
    this.person(person);
    return [...this.messages(person), ...this.messages(dmChannelOf(person))].sort((a, b) => a.order - b.order);
  }

  /** The bytes of a file the app uploaded, and its type as its first bytes tell it. */
  uploadedFile(id: string): { bytes: Uint8Array; type: string; name: string } | undefined {
    const upload = this.slack.uploads.find((candidate) => candidate.id === id && candidate.channel_id);
    if (!upload || upload.bytes.length === 0) return undefined;
    return { bytes: upload.bytes, type: sniffImage(upload.bytes), name: upload.filename };
  }

  /** What only `person` sees in `channel`. */
  privateFor(person: string, channel: string): PrivateMessage[] {
    this.sync();
    return this.privateMessages.filter((message) => message.person === person && message.channel === channel);
  }

  /** The modal stack of `person`, bottom first. */
  modalStack(person: string): StoredView[] {
    this.sync();
    return (this.stacks.get(person) ?? []).flatMap((id) => {
      const view = this.storedView(id);
      return view ? [view] : [];
    });
  }

  errorsOf(viewId: string): Record<string, string> {
    return this.errors.get(viewId) ?? {};
  }

  /** The App Home tab the app published for `person`, if any. */
  homeOf(person: string): StoredView | undefined {
    const definition = this.slack.published.get(person);
    if (!definition) return undefined;
    const id = `VHOME${person}`;
    return { id, hash: String(this.slack.callsOf('views.publish').length), rootViewId: id, definition };
  }

  // ---------------------------------------------------------------- what people do

  /** Types `/wone …` in a channel. The command's own answer (if any) is shown to that person only. */
  async command(personId: string, channelId: string, text: string): Promise<{ status: number }> {
    const person = this.person(personId);
    const channel = this.channel(channelId);
    if (!/^\/\S+/.test(text.trim())) throw new SandboxRequestError(400, 'a slash command starts with /');
    const responseUrl = this.responseUrl({ person: person.id, channel: channel.id, kind: 'command' });
    const fields = slashCommandFields({
      identity: this.identity,
      person,
      channel,
      text,
      responseUrl,
      triggerId: this.trigger(person.id),
    });
    const answer = await this.signer.command(fields);
    if (answer.status === 200 && answer.body.trim() !== '') {
      const body = parseJson(answer.body);
      const message = isObject(body) ? body : { text: answer.body };
      this.addPrivate(person.id, channel.id, message);
    }
    if (answer.status === 404) {
      this.addPrivate(person.id, channel.id, { text: `\`${fields.command}\` failed with the error "dispatch_failed"` });
    }
    return { status: answer.status };
  }

  /** A click on a button (or a choice in a select) in a message, a private message, a modal or the Home tab. */
  async click(
    personId: string,
    origin: ClickOrigin,
    blockId: string,
    actionId: string,
    options: { selected?: string; state?: RawState } = {},
  ): Promise<{ status: number }> {
    const person = this.person(personId);
    const actionTs = (Date.now() / 1000).toFixed(6);
    if (origin.kind === 'view') {
      const view = this.viewOf(person.id, origin.viewId);
      const element = findElement(view.definition.blocks, blockId, actionId);
      const input = inputBlockOf(view.definition.blocks, blockId);
      // Slack sends an input's changes to the app only when its block asks (`dispatch_action: true`).
      if (input && input.dispatch_action !== true) throw new SandboxRequestError(400, 'this input does not dispatch');
      const action =
        element &&
        (input
          ? inputActionOf(element, blockId, actionTs, options.state?.[blockId]?.[actionId] ?? null, {
              timezone: person.timezone,
              file: (id) => this.files.get(id),
            })
          : actionOf(element, blockId, actionTs, options.selected));
      if (!action) throw new SandboxRequestError(404, 'no such element');
      const payload = viewBlockActions({
        identity: this.identity,
        person,
        view,
        values: this.values(view, person, options.state ?? {}),
        action,
        triggerId: this.trigger(person.id),
      });
      return { status: (await this.signer.interaction(payload)).status };
    }
    const { channel, message, ephemeral, responseOrigin } = this.clickedMessage(person.id, origin);
    const element = findElement(message.blocks, blockId, actionId);
    const context = { timezone: person.timezone, file: (id: string) => this.files.get(id) };
    // Ticking a checkbox (or a radio button) in a message is an action too, with the group's choices as they are now.
    const choice = element && (element.type === 'checkboxes' || element.type === 'radio_buttons');
    const action =
      element &&
      (choice
        ? inputActionOf(element, blockId, actionTs, options.state?.[blockId]?.[actionId] ?? null, context)
        : actionOf(element, blockId, actionTs, options.selected));
    if (!action) throw new SandboxRequestError(404, 'no such element');
    const payload = messageBlockActions({
      identity: this.identity,
      person,
      channel: { id: channel.id, name: channel.name },
      message,
      ephemeral,
      action,
      values: messageStateValues(message.blocks, options.state ?? {}, {
        timezone: person.timezone,
        file: (id) => this.files.get(id),
      }),
      responseUrl: this.responseUrl(responseOrigin),
      triggerId: this.trigger(person.id),
    });
    return { status: (await this.signer.interaction(payload)).status };
  }

  /** Submits the top modal of the person's stack and does what the app's answer says. */
  async submit(personId: string, viewId: string, state: RawState): Promise<SubmitOutcome> {
    const person = this.person(personId);
    const stack = this.stacks.get(person.id) ?? [];
    if (stack.at(-1) !== viewId) throw new SandboxRequestError(409, 'only the top modal can be submitted');
    const view = this.viewOf(person.id, viewId);
    const payload = viewSubmission({
      identity: this.identity,
      person,
      view,
      values: this.values(view, person, state),
      triggerId: this.trigger(person.id),
    });
    const answer = await this.signer.interaction(payload);
    if (answer.status !== 200) return { outcome: 'failed', status: answer.status };
    const body = answer.body.trim() === '' ? {} : parseJson(answer.body);
    const response = isObject(body) ? body : {};
    switch (response.response_action) {
      case 'errors': {
        const errors = isObject(response.errors)
          ? Object.fromEntries(Object.entries(response.errors).map(([key, value]) => [key, String(value)]))
          : {};
        this.errors.set(viewId, errors);
        return { outcome: 'errors', errors };
      }
      case 'update': {
        this.replaceView(viewId, response.view);
        return { outcome: 'updated' };
      }
      case 'push': {
        this.pushView(person.id, response.view);
        return { outcome: 'pushed' };
      }
      case 'clear':
        this.stacks.set(person.id, []);
        return { outcome: 'cleared' };
      default:
        this.errors.delete(viewId);
        this.stacks.set(person.id, stack.slice(0, -1));
        return { outcome: 'closed' };
    }
  }

  /** Closes the top modal (Cancel or ×); the app hears of it only when the view asked (`notify_on_close`). */
  async close(personId: string, viewId: string, state: RawState = {}): Promise<void> {
    const person = this.person(personId);
    const stack = this.stacks.get(person.id) ?? [];
    if (stack.at(-1) !== viewId) throw new SandboxRequestError(409, 'only the top modal can be closed');
    const view = this.viewOf(person.id, viewId);
    const clear = view.definition.clear_on_close === true;
    this.stacks.set(person.id, clear ? [] : stack.slice(0, -1));
    this.errors.delete(viewId);
    if (view.definition.notify_on_close === true) {
      const payload = viewClosed({
        identity: this.identity,
        person,
        view,
        values: this.values(view, person, state),
        isCleared: clear,
      });
      await this.signer.interaction(payload);
    }
  }

  /** Opens the app's Home tab: Slack sends `app_home_opened`, and the app publishes the view. */
  async openHome(personId: string): Promise<{ status: number }> {
    const person = this.person(personId);
    const home = this.homeOf(person.id);
    const envelope = appHomeOpened({
      identity: this.identity,
      person,
      channel: dmChannelOf(person.id),
      ...(home ? { view: { id: home.id, type: 'home', ...home.definition } } : {}),
      eventId: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    });
    return { status: (await this.signer.event(envelope)).status };
  }

  /** Writes a message in a channel or a thread there; the app hears of it if it is in the channel. */
  async say(personId: string, channelId: string, text: string, threadTs?: string): Promise<{ status?: number }> {
    const person = this.person(personId);
    this.channel(channelId);
    const { message, delivered } = this.slack.postAsPerson(person.id, channelId, text, threadTs);
    if (!delivered) return {};
    const envelope = channelMessageEvent({
      identity: this.identity,
      person,
      channel: channelId,
      text,
      ts: message.ts,
      ...(threadTs ? { threadTs } : {}),
      eventId: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    });
    return { status: (await this.signer.event(envelope)).status };
  }

  /** A file the person picked in a file input, uploaded to Slack; the submission refers to it by id. */
  addFile(name: string, mimetype: string, bytes: Uint8Array): Json {
    const id = `F${Date.now().toString(36).toUpperCase()}${++this.sequence}`;
    const file: Json = { ...this.slack.addFile(id, name, mimetype, bytes), created: Math.floor(Date.now() / 1000) };
    this.files.set(id, file);
    return file;
  }

  // ---------------------------------------------------------------- bookkeeping

  /** Completed uploads shared in a channel, each as the message Slack shows for it. */
  private sharedFiles(): ChannelMessage[] {
    return this.slack.uploads.flatMap((upload) => {
      const order = this.messageOrder.get(`file:${upload.id}`);
      if (!upload.channel_id || order === undefined) return [];
      return [
        {
          channel: upload.channel_id,
          ts: `file-${upload.id}`,
          text: upload.initial_comment ?? '',
          updates: 0,
          ...(upload.thread_ts ? { thread_ts: upload.thread_ts } : {}),
          files: [{ id: upload.id, name: upload.filename, title: upload.title ?? upload.filename }],
          order,
        },
      ];
    });
  }

  /** Takes in what the app did through the Web API since last time: new views, ephemerals, response_url answers. */
  private sync(): void {
    for (const message of this.slack.messages) {
      const key = keyOf(message);
      if (!this.messageOrder.has(key)) this.messageOrder.set(key, ++this.order);
    }
    for (const upload of this.slack.uploads) {
      const key = `file:${upload.id}`;
      if (upload.channel_id && !this.messageOrder.has(key)) this.messageOrder.set(key, ++this.order);
    }
    for (const view of this.slack.views.slice(this.seenViews)) {
      const person = view.trigger_id ? this.triggers.get(view.trigger_id) : undefined;
      if (!person) continue;
      const stack = this.stacks.get(person) ?? [];
      this.stacks.set(person, view.root_view_id === view.id ? [view.id] : [...stack, view.id]);
    }
    this.seenViews = this.slack.views.length;
    for (const ephemeral of this.slack.ephemerals.slice(this.seenEphemerals)) {
      this.addPrivate(ephemeral.user, ephemeral.channel, ephemeral, ephemeral.thread_ts);
    }
    this.seenEphemerals = this.slack.ephemerals.length;
    for (const response of this.slack.responses.slice(this.seenResponses)) {
      const origin = this.responseOrigins.get(response.id);
      if (origin) this.applyResponse(origin, response.body);
    }
    this.seenResponses = this.slack.responses.length;
  }

  /**
   * A `response_url` answer: it replaces or deletes the message it came from when it says so, otherwise it is a new
   * message, shown to the person only unless `response_type` is `in_channel`.
   */
  private applyResponse(origin: ResponseOrigin, body: Json): void {
    const replace = body.replace_original === true;
    const remove = body.delete_original === true;
    if (origin.kind === 'message' && (replace || remove)) {
      const index = this.slack.messages.findIndex((m) => m.channel === origin.channel && m.ts === origin.ts);
      const message = this.slack.messages[index];
      if (message && remove) this.slack.messages.splice(index, 1);
      else if (message) {
        message.text = String(body.text ?? '');
        if (Array.isArray(body.blocks)) message.blocks = body.blocks;
        else delete message.blocks;
        message.updates += 1;
      }
      return;
    }
    if (origin.kind === 'private' && body.replace_original !== false && !(body.response_type === 'in_channel')) {
      const index = this.privateMessages.findIndex((m) => m.id === origin.id);
      const existing = this.privateMessages[index];
      if (existing && remove) this.privateMessages.splice(index, 1);
      else if (existing) {
        existing.text = String(body.text ?? '');
        if (Array.isArray(body.blocks)) existing.blocks = body.blocks;
        else delete existing.blocks;
      }
      if (existing) return;
    }
    if (remove) return;
    if (body.response_type === 'in_channel') {
      this.slack.messages.push({
        channel: origin.channel,
        ts: `${Math.floor(Date.now() / 1000)}.${String(++this.sequence).padStart(6, '0')}`,
        text: String(body.text ?? ''),
        updates: 0,
        ...(Array.isArray(body.blocks) ? { blocks: body.blocks } : {}),
      });
      return;
    }
    this.addPrivate(origin.person, origin.channel, body);
  }

  private addPrivate(person: string, channel: string, message: Json, threadTs?: string): void {
    this.privateMessages.push({
      id: `P${++this.sequence}`,
      person,
      channel,
      text: String(message.text ?? ''),
      ...(Array.isArray(message.blocks) ? { blocks: message.blocks } : {}),
      ...(threadTs ? { threadTs } : {}),
      order: ++this.order,
    });
  }

  private clickedMessage(person: string, origin: Exclude<ClickOrigin, { kind: 'view' }>) {
    this.sync();
    if (origin.kind === 'message') {
      const channel = this.conversation(person, origin.channel);
      const message = this.slack.messages.find((m) => m.channel === origin.channel && m.ts === origin.ts);
      if (!message) throw new SandboxRequestError(404, 'no such message');
      return {
        channel,
        ephemeral: false,
        message: {
          ts: message.ts,
          text: message.text,
          blocks: message.blocks ?? [],
          ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
        },
        responseOrigin: { person, channel: channel.id, kind: 'message', ts: message.ts } as ResponseOrigin,
      };
    }
    const message = this.privateMessages.find((m) => m.id === origin.id && m.person === person);
    if (!message) throw new SandboxRequestError(404, 'no such message');
    const channel = this.channel(message.channel);
    return {
      channel,
      ephemeral: true,
      message: {
        ts: `${Math.floor(Date.now() / 1000)}.${String(message.order).padStart(6, '0')}`,
        text: message.text,
        blocks: message.blocks ?? [],
      },
      responseOrigin: { person, channel: channel.id, kind: 'private', id: message.id } as ResponseOrigin,
    };
  }

  /** A view the person has open (a modal in their stack, or their Home tab). */
  private viewOf(person: string, viewId: string): StoredView {
    this.sync();
    const home = this.homeOf(person);
    if (home && home.id === viewId) return home;
    if (!(this.stacks.get(person) ?? []).includes(viewId)) throw new SandboxRequestError(404, 'no such open view');
    const view = this.storedView(viewId);
    if (!view) throw new SandboxRequestError(404, 'no such open view');
    return view;
  }

  private storedView(id: string): StoredView | undefined {
    const view = this.slack.views.find((candidate) => candidate.id === id);
    if (!view) return undefined;
    const stack = [...this.stacks.values()].find((ids) => ids.includes(id)) ?? [];
    const previous = stack[stack.indexOf(id) - 1];
    return {
      id: view.id,
      hash: view.hash,
      rootViewId: view.root_view_id,
      ...(previous ? { previousViewId: previous } : {}),
      definition: view.view,
    };
  }

  /** `response_action: update`: the same view (same id) with new content and a new hash. */
  private replaceView(viewId: string, definition: unknown): void {
    const view = this.slack.views.find((candidate) => candidate.id === viewId);
    if (!view || !isObject(definition)) return;
    view.view = definition;
    view.hash = `${Date.now()}.${++this.sequence}`;
    this.errors.delete(viewId);
  }

  /** `response_action: push`: a new view on top of the person's stack. */
  private pushView(person: string, definition: unknown): void {
    if (!isObject(definition)) return;
    const stack = this.stacks.get(person) ?? [];
    const root = stack[0];
    const id = `VSBX${++this.sequence}`;
    this.slack.views.push({
      id,
      hash: `${Date.now()}.${this.sequence}`,
      view: definition,
      root_view_id: root ? (this.slack.views.find((v) => v.id === root)?.root_view_id ?? root) : id,
      user: person,
    });
    this.seenViews = Math.max(this.seenViews, this.slack.views.length);
    this.stacks.set(person, [...stack, id]);
  }

  private values(view: StoredView, person: SlackPerson, state: RawState) {
    return viewStateValues(view.definition.blocks, state, {
      timezone: person.timezone,
      file: (id) => this.files.get(id),
    });
  }

  private trigger(person: string): string {
    const trigger = `${Date.now()}.${++this.sequence}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(trigger, person);
    return trigger;
  }

  private responseUrl(origin: ResponseOrigin): string {
    const url = this.slack.responseUrl();
    this.responseOrigins.set(url.split('/').pop() ?? '', origin);
    return url;
  }
}

/** Block ids of a message, in order (for tests and the page). */
export function blockIdsOf(blocks: unknown[] | undefined): string[] {
  return (blocks ?? []).map((block, index) => blockIdOf(block, index));
}

/** The input block with `blockId` in a view's blocks, if that block is an input. */
function inputBlockOf(blocks: unknown, blockId: string): Json | undefined {
  if (!Array.isArray(blocks)) return undefined;
  const index = blocks.findIndex((block, at) => blockIdOf(block, at) === blockId);
  const block = blocks[index];
  return isObject(block) && block.type === 'input' ? block : undefined;
}

/** The id of a person's direct-message channel with the app. */
export function dmChannelOf(person: string): string {
  return `D${person.slice(1)}`;
}

/** PNG, JPEG or GIF by their first bytes; anything else is served as bytes, never as markup. */
function sniffImage(bytes: Uint8Array): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return 'image/gif';
  return 'application/octet-stream';
}

function keyOf(message: SlackMessage): string {
  return `${message.channel}/${message.ts}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
