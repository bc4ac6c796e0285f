import { messageProblems, viewProblems } from './block-kit-rules.ts';
import { FakeHttpServer, type FakeReply, type FakeRequest } from './fake-http-server.ts';

export interface SlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  user?: string;
  updates: number;
}

export interface SlackView {
  id: string;
  hash: string;
  trigger_id?: string;
  user?: string;
  view: Record<string, unknown>;
  /** views.push stacks on a root view. */
  root_view_id: string;
}

export interface SlackUser {
  id: string;
  name: string;
  real_name?: string;
  tz: string;
  team_id: string;
  is_bot?: boolean;
}

/** A method call as the Web API client made it, with `blocks`/`view`/`files` decoded. */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
}

const jsonFields = ['blocks', 'view', 'attachments', 'files', 'metadata'];

/**
 * The Slack Web API on loopback, reached by the real @slack/web-api client through `SLACK_API_URL`. It checks the bot
 * token, records every call, answers like Slack for the methods the app uses, refuses Block Kit that breaks Slack's
 * limits, serves `response_url` posts and `url_private` downloads, and fails on demand.
 */
export class FakeSlack {
  readonly http = new FakeHttpServer();
  readonly calls: SlackCall[] = [];
  readonly messages: SlackMessage[] = [];
  readonly ephemerals: { channel: string; user: string; text: string; blocks?: unknown[]; thread_ts?: string }[] = [];
  readonly responses: { id: string; body: Record<string, unknown> }[] = [];
  readonly views: SlackView[] = [];
  readonly published: Map<string, Record<string, unknown>> = new Map();
  readonly users = new Map<string, SlackUser>();
  readonly usergroups = new Map<string, string[]>();
  readonly files = new Map<string, { bytes: Uint8Array; mimetype: string; name: string }>();
  readonly uploads: {
    id: string;
    filename: string;
    title?: string;
    bytes: Uint8Array;
    channel_id?: string;
    thread_ts?: string;
    initial_comment?: string;
  }[] = [];
  /** Channels the bot was invited to: only their messages reach the app as `message.channels` events. */
  readonly botChannels = new Set<string>();
  /** Channels the bot was taken out of: it cannot post there. */
  private readonly botRemovedFrom = new Set<string>();
  /** Trigger ids already used: Slack's are single-use. */
  private readonly usedTriggers = new Set<string>();
  private clock = 1_700_000_000;
  private sequence = 0;

  constructor(
    readonly botToken = 'xoxb-test-token',
    readonly teamId = 'T0WONE',
  ) {
    this.http.route('POST', '/api/:method', (req) => this.api(req));
    this.http.route('POST', '/response/:id', (req) => this.responseUrl(req));
    this.http.route('GET', '/files/:id/:name', (req) => this.download(req));
    this.http.route('POST', '/upload/:id', (req) => this.upload(req));
  }

  get url(): string {
    return this.http.url;
  }

  /** `SLACK_API_URL` for the app. */
  get apiUrl(): string {
    return `${this.http.url}/api/`;
  }

  start(): Promise<string> {
    return this.http.start();
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  /** A fresh `response_url` for a command or action payload. */
  responseUrl(): string;
  responseUrl(req: FakeRequest): FakeReply;
  responseUrl(req?: FakeRequest): string | FakeReply {
    if (!req) return `${this.http.url}/response/${++this.sequence}`;
    if (req.headers['content-type']?.split(';')[0] !== 'application/json')
      return { status: 400, text: 'invalid_payload' };
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || messageProblems(body).length > 0) return { status: 400, text: 'invalid_blocks' };
    this.responses.push({ id: req.params.id ?? '', body });
    return { status: 200, text: 'ok' };
  }

  addUser(user: Partial<SlackUser> & { id: string }): SlackUser {
    const full: SlackUser = { name: user.id.toLowerCase(), tz: 'UTC', team_id: this.teamId, ...user };
    this.users.set(full.id, full);
    return full;
  }

  /** Adds the bot to a channel, as `/invite @wone` does. */
  inviteBot(channel: string): void {
    this.botChannels.add(channel);
    this.botRemovedFrom.delete(channel);
  }

  /**
   * Takes the bot out of a channel (someone removed it, or it was never invited and the app has no
   * `chat:write.public`): Slack then refuses its `chat.postMessage` there with `not_in_channel`.
   */
  removeBot(channel: string): void {
    this.botChannels.delete(channel);
    this.botRemovedFrom.add(channel);
  }

  /**
   * A person writes in a channel (or in a thread there). Returns the stored message, and whether Slack would send it
   * to the app as a `message.channels` event (only for public channels the bot is in).
   */
  postAsPerson(
    user: string,
    channel: string,
    text: string,
    threadTs?: string,
  ): { message: SlackMessage; delivered: boolean } {
    if (!this.users.has(user)) throw new Error(`no such user ${user}`);
    if (threadTs !== undefined && !this.messages.some((m) => m.channel === channel && m.ts === threadTs)) {
      throw new Error('thread_not_found');
    }
    const message: SlackMessage = {
      channel,
      ts: this.nextTs(),
      text,
      user,
      updates: 0,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    };
    this.messages.push(message);
    return { message, delivered: channel.startsWith('C') && this.botChannels.has(channel) };
  }

  /** Puts a file where a `file_input` upload would be, downloadable with the bot token. */
  addFile(id: string, name: string, mimetype: string, bytes: Uint8Array) {
    this.files.set(id, { bytes, mimetype, name });
    const url = `${this.http.url}/files/${id}/${encodeURIComponent(name)}`;
    return {
      id,
      name,
      title: name,
      mimetype,
      filetype: name.split('.').pop() ?? '',
      size: bytes.length,
      url_private: url,
      url_private_download: url,
    };
  }

  /** Calls of one method, in order. */
  callsOf(method: string): Record<string, unknown>[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  /** Makes the next `times` calls of `method` fail: `{ok:false,error}`, 429 with `Retry-After`, or an HTTP status. */
  failNext(method: string, failure: { error: string } | { rateLimited: number } | { status: number }, times = 1): void {
    const reply: FakeReply =
      'error' in failure
        ? { json: { ok: false, error: failure.error } }
        : 'rateLimited' in failure
          ? {
              status: 429,
              headers: { 'retry-after': String(failure.rateLimited) },
              json: { ok: false, error: 'ratelimited' },
            }
          : { status: failure.status, text: 'server error' };
    this.http.inject((req) => req.path === `/api/${method}`, reply, { times });
  }

  /** Resolves once `predicate` holds for the recorded calls (the app answers Slack before its work is done). */
  async waitFor<T>(probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error('timed out waiting for Slack traffic');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private nextTs(): string {
    this.clock += 1;
    return `${this.clock}.${String(++this.sequence).padStart(6, '0')}`;
  }

  private api(req: FakeRequest): FakeReply {
    const method = req.params.method ?? '';
    const auth = req.headers.authorization;
    const form = (req.body ?? {}) as Record<string, string>;
    if (!auth && !form.token) return ok(false, { error: 'not_authed' });
    if (auth !== `Bearer ${this.botToken}` && form.token !== this.botToken) return ok(false, { error: 'invalid_auth' });
    const args: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(form)) {
      args[key] = jsonFields.includes(key) && typeof value === 'string' ? safeJson(value) : value;
    }
    this.calls.push({ method, args });
    const handler = this.methods[method];
    if (!handler) return ok(false, { error: 'unknown_method' });
    return handler(args);
  }

  private readonly methods: Record<string, (args: Record<string, unknown>) => FakeReply> = {
    'auth.test': () =>
      ok(true, {
        url: 'https://wone.slack.com/',
        team: 'Wone',
        user: 'wone',
        team_id: this.teamId,
        user_id: 'UBOT',
        bot_id: 'BBOT',
      }),
    'chat.postMessage': (args) => {
      const channel = String(args.channel ?? '');
      if (!channel) return ok(false, { error: 'channel_not_found' });
      if (this.botRemovedFrom.has(channel)) return ok(false, { error: 'not_in_channel' });
      const problems = messageProblems(args);
      if (problems.length > 0) return ok(false, { error: 'invalid_blocks', errors: problems });
      if (
        args.thread_ts !== undefined &&
        !this.messages.some((m) => m.channel === channel && m.ts === args.thread_ts)
      ) {
        return ok(false, { error: 'thread_not_found' });
      }
      const message: SlackMessage = {
        channel,
        ts: this.nextTs(),
        text: String(args.text),
        updates: 0,
        ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
        ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
      };
      this.messages.push(message);
      return ok(true, {
        channel,
        ts: message.ts,
        message: { text: message.text, blocks: message.blocks, ts: message.ts },
      });
    },
    'chat.update': (args) => {
      const message = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
      if (!message) return ok(false, { error: 'message_not_found' });
      const problems = messageProblems({ text: args.text ?? message.text, blocks: args.blocks });
      if (problems.length > 0) return ok(false, { error: 'invalid_blocks', errors: problems });
      if (args.text !== undefined) message.text = String(args.text);
      if (Array.isArray(args.blocks)) message.blocks = args.blocks;
      message.updates += 1;
      return ok(true, { channel: message.channel, ts: message.ts, text: message.text });
    },
    'chat.postEphemeral': (args) => {
      const problems = messageProblems(args);
      if (problems.length > 0) return ok(false, { error: 'invalid_blocks', errors: problems });
      if (!this.users.has(String(args.user))) return ok(false, { error: 'user_not_in_channel' });
      this.ephemerals.push({
        channel: String(args.channel),
        user: String(args.user),
        text: String(args.text),
        ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
        ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
      });
      return ok(true, { message_ts: this.nextTs() });
    },
    // As Slack documents it: a thread reply's link names its thread and conversation.
    'chat.getPermalink': (args) => {
      const channel = String(args.channel ?? '');
      if (!/^[CGDU][A-Z0-9]+$/.test(channel)) return ok(false, { error: 'channel_not_found' });
      const message = this.messages.find((m) => m.channel === channel && m.ts === args.message_ts);
      if (!message) return ok(false, { error: 'message_not_found' });
      const link = `https://wone.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`;
      const thread = message.thread_ts ? `?thread_ts=${message.thread_ts}&cid=${message.channel}` : '';
      return ok(true, { channel: message.channel, permalink: `${link}${thread}` });
    },
    'views.open': (args) => this.openView(args, false),
    'views.push': (args) => this.openView(args, true),
    'views.update': (args) => {
      const existing = this.views.find(
        (v) => v.id === args.view_id || (args.external_id && v.view.external_id === args.external_id),
      );
      if (!existing) return ok(false, { error: 'not_found' });
      if (args.hash !== undefined && args.hash !== existing.hash) return ok(false, { error: 'hash_conflict' });
      const problems = viewProblems(args.view);
      if (problems.length > 0)
        return ok(false, { error: 'invalid_arguments', response_metadata: { messages: problems } });
      existing.view = args.view as Record<string, unknown>;
      existing.hash = `${Date.now()}.${++this.sequence}`;
      return ok(true, { view: this.viewBody(existing) });
    },
    'views.publish': (args) => {
      const problems = viewProblems(args.view);
      if (problems.length > 0)
        return ok(false, { error: 'invalid_arguments', response_metadata: { messages: problems } });
      if (!this.users.has(String(args.user_id))) return ok(false, { error: 'user_not_found' });
      this.published.set(String(args.user_id), args.view as Record<string, unknown>);
      return ok(true, { view: { id: `VHOME${args.user_id}`, ...(args.view as object) } });
    },
    'users.info': (args) => {
      const user = this.users.get(String(args.user));
      if (!user) return ok(false, { error: 'user_not_found' });
      return ok(true, {
        user: { ...user, profile: { real_name: user.real_name ?? user.name, display_name: user.name } },
      });
    },
    'usergroups.users.list': (args) => {
      const users = this.usergroups.get(String(args.usergroup));
      if (!users) return ok(false, { error: 'no_such_subteam' });
      return ok(true, { users });
    },
    'conversations.info': (args) => {
      const id = String(args.channel ?? '');
      if (!/^[CG]/.test(id)) return ok(false, { error: 'channel_not_found' });
      return ok(true, { channel: { id, name: id.toLowerCase(), is_channel: true, is_member: true } });
    },
    'files.getUploadURLExternal': (args) => {
      const length = Number(args.length);
      if (!args.filename || !Number.isInteger(length) || length <= 0) return ok(false, { error: 'invalid_arguments' });
      const id = `F${++this.sequence}`;
      this.uploads.push({ id, filename: String(args.filename), bytes: new Uint8Array() });
      return ok(true, { upload_url: `${this.http.url}/upload/${id}`, file_id: id });
    },
    'files.completeUploadExternal': (args) => {
      const files = args.files as { id: string; title?: string }[] | undefined;
      if (!Array.isArray(files) || files.length === 0) return ok(false, { error: 'invalid_arguments' });
      for (const file of files) {
        const upload = this.uploads.find((u) => u.id === file.id);
        if (!upload || upload.bytes.length === 0) return ok(false, { error: 'file_not_found' });
        if (file.title) upload.title = String(file.title);
        if (args.channel_id) upload.channel_id = String(args.channel_id);
        if (args.thread_ts) upload.thread_ts = String(args.thread_ts);
        if (args.initial_comment) upload.initial_comment = String(args.initial_comment);
      }
      return ok(true, { files: files.map((f) => ({ id: f.id, title: f.title ?? '' })) });
    },
  };

  private openView(args: Record<string, unknown>, push: boolean): FakeReply {
    const trigger = String(args.trigger_id ?? '');
    if (!trigger) return ok(false, { error: 'invalid_trigger_id' });
    if (this.usedTriggers.has(trigger)) return ok(false, { error: 'exchanged_trigger_id' });
    const problems = viewProblems(args.view);
    if (problems.length > 0)
      return ok(false, { error: 'invalid_arguments', response_metadata: { messages: problems } });
    this.usedTriggers.add(trigger);
    const id = `V${++this.sequence}`;
    const root = push ? (this.views.at(-1)?.root_view_id ?? id) : id;
    if (push && this.views.filter((v) => v.root_view_id === root).length >= 3)
      return ok(false, { error: 'push_limit_reached' });
    const view: SlackView = {
      id,
      hash: `${Date.now()}.${this.sequence}`,
      trigger_id: trigger,
      view: args.view as Record<string, unknown>,
      root_view_id: root,
    };
    this.views.push(view);
    return ok(true, { view: this.viewBody(view) });
  }

  private viewBody(view: SlackView) {
    return {
      id: view.id,
      hash: view.hash,
      root_view_id: view.root_view_id,
      team_id: this.teamId,
      state: { values: {} },
      ...view.view,
    };
  }

  private download(req: FakeRequest): FakeReply {
    if (req.headers.authorization !== `Bearer ${this.botToken}`) {
      // Slack answers an unauthenticated file request with its HTML sign-in page, not an error status.
      return {
        status: 200,
        headers: { 'content-type': 'text/html' },
        text: '<!DOCTYPE html><html><body>Sign in to Slack</body></html>',
      };
    }
    const file = this.files.get(req.params.id ?? '');
    if (!file) return { status: 404, text: 'not found' };
    return { status: 200, headers: { 'content-type': file.mimetype }, bytes: file.bytes };
  }

  /**
   * The upload URL: the client POSTs the file as multipart/form-data (field `body`) or as the raw body; the file's
   * own bytes are kept either way, so a test can check exactly what was uploaded.
   */
  private async upload(req: FakeRequest): Promise<FakeReply> {
    const upload = this.uploads.find((u) => u.id === req.params.id);
    if (!upload) return { status: 404, text: 'not found' };
    const contentType = req.headers['content-type'] ?? '';
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(req.rawBody), { headers: { 'content-type': contentType } })
        .formData()
        .catch(() => undefined);
      const file = [...(form?.values() ?? [])].find((value): value is File => typeof value !== 'string');
      if (!file) return { status: 400, text: 'no file part' };
      upload.bytes = new Uint8Array(await file.arrayBuffer());
    } else {
      upload.bytes = new Uint8Array(req.rawBody);
    }
    return { status: 200, text: `OK - ${upload.bytes.length}` };
  }
}

function ok(value: boolean, body: Record<string, unknown>): FakeReply {
  return { status: 200, json: { ok: value, ...body } };
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
