import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';
import type { Logger } from '../logger.ts';

/** Slack refuses requests signed more than this long ago; so do we, and the same ahead of our clock. */
const maxSkewSeconds = 5 * 60;

const id = z.string().min(1).max(255);
const text = z.string().max(40_000);
const httpUrl = z.url({ protocol: /^https?$/ });

/** The fields of a slash command the app reads (form-encoded, flat). */
const commandSchema = z.looseObject({
  command: z.string().regex(/^\/[\w-]{1,31}$/),
  text: z.string().max(4_000),
  user_id: id,
  team_id: id,
  channel_id: id,
  trigger_id: id,
  response_url: httpUrl,
});

const user = z.looseObject({ id, team_id: id.optional() });
const team = z.looseObject({ id }).nullable().optional();

const blockActionsSchema = z.looseObject({
  type: z.literal('block_actions'),
  user,
  team,
  trigger_id: id.optional(),
  actions: z
    .array(
      z.looseObject({
        action_id: id,
        block_id: id.optional(),
        type: id,
        value: text.optional(),
      }),
    )
    .min(1)
    .max(25),
  channel: z.looseObject({ id }).optional(),
  container: z.looseObject({ type: id }).optional(),
  response_url: httpUrl.optional(),
  view: z.looseObject({ id }).optional(),
});

const option = z.looseObject({ value: z.string().max(2_000) });

/** One input's state, as Slack gives it for each element type the app's modals use. */
const elementState = z.looseObject({
  type: id,
  value: z.string().max(40_000).nullish(),
  selected_date: z.string().max(20).nullish(),
  selected_time: z.string().max(20).nullish(),
  selected_option: option.nullish(),
  selected_options: z.array(option).max(100).optional(),
  files: z.array(z.looseObject({ id })).max(20).optional(),
});

const viewSchema = z.looseObject({
  id,
  callback_id: z.string().max(255),
  private_metadata: z.string().max(3_000),
  state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), elementState)) }),
});

const viewSubmissionSchema = z.looseObject({ type: z.literal('view_submission'), user, team, view: viewSchema });
const viewClosedSchema = z.looseObject({ type: z.literal('view_closed'), user, team, view: z.looseObject({ id }) });

const interactionSchema = z.discriminatedUnion('type', [blockActionsSchema, viewSubmissionSchema, viewClosedSchema]);

const appHomeOpened = z.looseObject({ type: z.literal('app_home_opened'), user: id, tab: id.optional() });

const eventEnvelopeSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('event_callback'),
    team_id: id,
    api_app_id: id.optional(),
    event_id: id.optional(),
    event: z.union([appHomeOpened, z.looseObject({ type: id.refine((type) => type !== 'app_home_opened') })]),
  }),
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string().min(1).max(500) }),
  z.looseObject({ type: z.literal('app_rate_limited') }),
]);

/** Why a request was refused at the door; the log line says which, never the body. */
type Refusal = { status: 400 | 401 | 413; reason: string; fields?: string[] };

/**
 * The Slack request door in front of Bolt: checks the signature and its age both ways (a timestamp more than five
 * minutes ahead is refused like a stale one), then parses every payload the app handles with zod. A request that does
 * not pass gets a 4xx and one log line; only a request that passes reaches Bolt and the handlers.
 */
export function slackDoor(
  next: RequestListener,
  options: { signingSecret: string; bodyLimit: number; logger: Logger; path?: string; now?: () => number },
): RequestListener {
  const path = options.path ?? '/slack/events';
  return (req, res) => {
    const pathname = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || pathname !== path) {
      next(req, res);
      return;
    }
    read(req, options.bodyLimit).then(
      (raw) => {
        const refusal = raw ? check(req, raw, options) : { status: 413 as const, reason: 'body too large' };
        if (refusal) {
          options.logger.warn(
            { status: refusal.status, fields: refusal.fields },
            `Slack request refused: ${refusal.reason}`,
          );
          refuse(res, refusal.status);
          return;
        }
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw as Buffer;
        next(req, res);
      },
      () => refuse(res, 400),
    );
  };
}

function refuse(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  res.end(status === 413 ? 'Too large' : status === 401 ? 'Unauthorized' : 'Bad request');
}

/** The whole body, or `undefined` when it is larger than `limit` (reading stops there). */
async function read(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function check(
  req: IncomingMessage,
  raw: Buffer,
  options: { signingSecret: string; now?: () => number },
): Refusal | undefined {
  const body = raw.toString('utf8');
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim();
  if (type === 'application/x-www-form-urlencoded' && parseQuery(body).ssl_check === '1') return undefined;
  const timestamp = String(req.headers['x-slack-request-timestamp'] ?? '');
  const signature = String(req.headers['x-slack-signature'] ?? '');
  const now = Math.floor((options.now?.() ?? Date.now()) / 1000);
  if (!/^\d{1,12}$/.test(timestamp)) return { status: 401, reason: 'no valid timestamp' };
  if (Math.abs(now - Number(timestamp)) > maxSkewSeconds) return { status: 401, reason: 'timestamp out of range' };
  const expected = `v0=${createHmac('sha256', options.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
    return { status: 401, reason: 'bad signature' };
  }
  let parsed: z.ZodSafeParseResult<unknown>;
  if (type === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { status: 400, reason: 'body is not JSON' };
    }
    parsed = eventEnvelopeSchema.safeParse(json);
  } else if (type === 'application/x-www-form-urlencoded') {
    const form = parseQuery(body);
    if (typeof form.payload === 'string') {
      let json: unknown;
      try {
        json = JSON.parse(form.payload);
      } catch {
        return { status: 400, reason: 'payload is not JSON' };
      }
      parsed = interactionSchema.safeParse(json);
    } else parsed = commandSchema.safeParse(form);
  } else return { status: 400, reason: 'unexpected content type' };
  if (parsed.success) return undefined;
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(body)'))].slice(0, 10);
  return { status: 400, reason: 'payload does not fit', fields };
}
