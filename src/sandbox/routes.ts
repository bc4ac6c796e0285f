import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CustomRoute } from '@slack/bolt';
import type { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import { z } from 'zod';
import { HttpError, readBody, route, sendJson } from '../http/route.ts';
import type { Logger } from '../logger.ts';
import { PostStateError } from '../services/posts.ts';
import { PermissionDeniedError } from '../services/roles.ts';
import { renderChannel, renderHome, renderModal, renderPlatforms } from './page-render.ts';
import { addComment, publishedPosts, runDueJobs, runJobNow, scheduledJobs } from './platform-world.ts';
import type { Simulators } from './simulators.ts';
import { rawStateSchema } from './slack-payloads.ts';
import { SandboxRequestError, type SandboxWorkspace } from './workspace.ts';

/** What the routes work with, available once the app is running. */
export interface SandboxContext {
  workspace: SandboxWorkspace;
  simulators: Simulators;
  db: Db;
  /** The app's scheduler: the clock control moves jobs through it. */
  scheduler: Agenda;
  appUrl: string;
  /** The app's `PUBLIC_BASE_URL`, where its media links point. */
  publicUrl: string;
  /** Each person's role, shown in the person switcher. */
  roles: Record<string, string>;
  /** The app's own "publish now" of a scheduled post, as `by` (the scheduling service: roles and state checked). */
  publishNow: (postId: string, by: string) => Promise<unknown>;
}

const assetsDir = join(dirname(fileURLToPath(import.meta.url)), 'assets');
const assets: Record<string, { type: string; file: string }> = {
  'sandbox.js': { type: 'text/javascript; charset=utf-8', file: 'sandbox.js' },
  'sandbox.css': { type: 'text/css; charset=utf-8', file: 'sandbox.css' },
};

/**
 * The page may load its own script and style, images and videos from itself and the app's public URL (media links),
 * and talk to its own origin only.
 */
const contentSecurityPolicy = (publicUrl: string) =>
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: ${publicUrl}; media-src 'self' ${publicUrl}; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`;

const personField = z.string().regex(/^U[A-Z0-9]{2,}$/);
const originSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), channel: z.string().max(40), ts: z.string().max(40) }),
  z.object({ kind: z.literal('private'), id: z.string().max(40) }),
  z.object({ kind: z.literal('view'), viewId: z.string().max(40) }),
]);
const commandBody = z.object({ person: personField, channel: z.string().max(40), text: z.string().min(1).max(4000) });
const actionBody = z.object({
  person: personField,
  origin: originSchema,
  blockId: z.string().max(255),
  actionId: z.string().max(255),
  selected: z.string().max(3000).optional(),
  state: rawStateSchema.optional(),
});
const submitBody = z.object({ person: personField, viewId: z.string().max(40), state: rawStateSchema });
const closeBody = z.object({ person: personField, viewId: z.string().max(40), state: rawStateSchema.optional() });
const homeBody = z.object({ person: personField });
const commentBody = z.object({
  accountId: z.string().max(200),
  postId: z.string().max(200),
  author: z.string().trim().min(1).max(40),
  text: z.string().trim().min(1).max(500),
});
const runJobBody = z.object({ id: z.string().max(40) });
const publishNowBody = z.object({ person: personField, postId: z.string().regex(/^[0-9a-f]{24}$/) });
const tabSchema = z.union([
  z.literal('home'),
  z.literal('messages'),
  z.literal('platforms'),
  z.string().regex(/^channel:[CG][A-Z0-9]{2,}$/),
]);
const fileId = z.string().regex(/^F[A-Z0-9]{1,30}$/);

/** 10 MB: the file input's own limit. */
const fileLimit = 10 * 1024 * 1024;

/**
 * The sandbox page and its API, on the app's own port: `GET /sandbox` (the page), `GET /sandbox/assets/*`,
 * `GET /sandbox/api/state` (what the acting person sees, as HTML fragments), and one POST per thing a person can do.
 * Every body is checked; unknown people, views and messages are 4xx.
 */
export function sandboxRoutes(context: () => SandboxContext, logger: Logger): CustomRoute[] {
  const log = logger.child({ component: 'sandbox' });
  const post = (path: string, handler: (body: unknown, res: ServerResponse) => Promise<void>): CustomRoute =>
    route(
      'POST',
      path,
      async (req, res) => {
        const type = req.headers['content-type'] ?? '';
        if (!type.startsWith('application/json')) throw new HttpError(415, 'send JSON');
        let body: unknown;
        try {
          body = JSON.parse((await readBody(req, 1024 * 1024)).toString('utf8'));
        } catch (error) {
          if (error instanceof HttpError) throw error;
          throw new HttpError(400, 'body is not JSON');
        }
        await handler(body, res).catch(translate);
      },
      log,
    );

  return [
    route(
      'GET',
      '/sandbox',
      async (_req, res) => {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': contentSecurityPolicy(context().publicUrl),
        });
        res.end(readFileSync(join(assetsDir, 'sandbox.html')));
      },
      log,
    ),
    route(
      'GET',
      '/sandbox/assets/:name',
      async (req, res) => {
        const asset = assets[String(req.params?.name ?? '')];
        if (!asset) throw new HttpError(404, 'no such asset');
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' });
        res.end(readFileSync(join(assetsDir, asset.file)));
      },
      log,
    ),
    route(
      'GET',
      '/sandbox/files/:id',
      async (req, res) => {
        const id = fileId.safeParse(req.params?.id);
        const file = id.success ? context().workspace.uploadedFile(id.data) : undefined;
        if (!file) throw new HttpError(404, 'no such file');
        res.writeHead(200, {
          'content-type': file.type,
          'content-length': String(file.bytes.length),
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        });
        res.end(file.bytes);
      },
      log,
    ),
    route(
      'GET',
      '/sandbox/api/state',
      async (req, res) => {
        const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
        const person = personField.safeParse(query.get('person'));
        const tab = tabSchema.safeParse(query.get('tab') ?? '');
        if (!person.success || !tab.success) throw new HttpError(400, 'person and tab are required');
        sendJson(res, 200, await pageState(context(), person.data, tab.data).catch(translate));
      },
      log,
    ),
    post('/sandbox/api/command', async (raw, res) => {
      const body = parse(commandBody, raw);
      sendJson(res, 200, await context().workspace.command(body.person, body.channel, body.text));
    }),
    post('/sandbox/api/action', async (raw, res) => {
      const body = parse(actionBody, raw);
      const options = {
        ...(body.selected === undefined ? {} : { selected: body.selected }),
        ...(body.state === undefined ? {} : { state: body.state }),
      };
      sendJson(
        res,
        200,
        await context().workspace.click(body.person, body.origin, body.blockId, body.actionId, options),
      );
    }),
    post('/sandbox/api/submit', async (raw, res) => {
      const body = parse(submitBody, raw);
      sendJson(res, 200, await context().workspace.submit(body.person, body.viewId, body.state));
    }),
    post('/sandbox/api/close', async (raw, res) => {
      const body = parse(closeBody, raw);
      await context().workspace.close(body.person, body.viewId, body.state ?? {});
      sendJson(res, 200, { closed: true });
    }),
    post('/sandbox/api/home', async (raw, res) => {
      const body = parse(homeBody, raw);
      sendJson(res, 200, await context().workspace.openHome(body.person));
    }),
    post('/sandbox/api/comment', async (raw, res) => {
      const body = parse(commentBody, raw);
      const { simulators, scheduler, appUrl } = context();
      if (!simulators.accounts.some((account) => account.id === body.accountId))
        throw new HttpError(404, 'no such account');
      const result = await addComment({ simulators, scheduler, appUrl, ...body }).catch((error: unknown) => {
        throw new HttpError(404, error instanceof Error ? 'no such published post' : 'comment failed');
      });
      sendJson(res, 200, result);
    }),
    post('/sandbox/api/clock/run-due', async (_raw, res) => {
      sendJson(res, 200, { moved: await runDueJobs(context().scheduler) });
    }),
    post('/sandbox/api/clock/run-job', async (raw, res) => {
      const body = parse(runJobBody, raw);
      if (!(await runJobNow(context().scheduler, body.id))) throw new HttpError(404, 'no such job waiting');
      sendJson(res, 200, { moved: 1 });
    }),
    post('/sandbox/api/clock/publish-now', async (raw, res) => {
      const body = parse(publishNowBody, raw);
      await context()
        .publishNow(body.postId, body.person)
        .catch((error: unknown) => {
          if (error instanceof PermissionDeniedError) throw new HttpError(403, error.message);
          if (error instanceof PostStateError) throw new HttpError(409, 'this post is no longer waiting to go out');
          throw error;
        });
      sendJson(res, 200, { publishing: true });
    }),
    route(
      'POST',
      '/sandbox/api/files',
      async (req, res) => {
        const name = decodeURIComponent(String(req.headers['x-file-name'] ?? '')).trim();
        const type = String(req.headers['content-type'] ?? 'application/octet-stream').split(';')[0] ?? '';
        if (!name || name.length > 255 || /[/\\]/.test(name)) throw new HttpError(400, 'x-file-name is required');
        const bytes = await readBody(req, fileLimit);
        if (bytes.length === 0) throw new HttpError(400, 'the file is empty');
        const file = context().workspace.addFile(name, type, new Uint8Array(bytes));
        sendJson(res, 200, { id: file.id, name: file.name });
      },
      log,
    ),
  ];
}

/** Everything the page shows for one person and tab, as HTML fragments the page swaps in. */
async function pageState(context: SandboxContext, personId: string, tab: string) {
  const { workspace } = context;
  const person = workspace.person(personId);
  const directory = {
    users: Object.fromEntries(workspace.people.map((p) => [p.id, p.name])),
    channels: Object.fromEntries(workspace.channels.map((c) => [c.id, c.name])),
    timezone: person.timezone,
  };
  let title: string;
  let main: string;
  if (tab === 'home') {
    title = 'Wone Social · Home';
    main = renderHome(workspace.homeOf(person.id), directory);
  } else if (tab === 'messages') {
    title = 'Wone Social · Messages';
    main = renderChannel(
      workspace.directMessages(person.id),
      [],
      directory,
      'No messages from Wone Social yet. Decisions on your posts, account choices and token warnings arrive here.',
    );
  } else if (tab === 'platforms') {
    title = 'Platforms (simulated)';
    main = renderPlatforms(publishedPosts(context.simulators), await scheduledJobs(context.db));
  } else {
    const channel = workspace.channel(tab.slice('channel:'.length));
    title = `#${channel.name}`;
    main = renderChannel(
      workspace.messages(channel.id),
      workspace.privateFor(person.id, channel.id),
      directory,
      `Nothing in #${channel.name} yet. ${channel.purpose}`,
    );
  }
  const stack = workspace.modalStack(person.id);
  const top = stack.at(-1);
  return {
    people: workspace.people.map((p) => ({ id: p.id, name: p.name, role: context.roles[p.id] ?? 'editor' })),
    channels: workspace.channels.map((c) => ({ id: c.id, name: c.name })),
    title,
    main,
    modal: renderModal(stack, top ? workspace.errorsOf(top.id) : {}, directory),
  };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, `invalid request: ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
  return parsed.data;
}

function translate(error: unknown): never {
  if (error instanceof SandboxRequestError) throw new HttpError(error.status, error.message);
  throw error;
}
