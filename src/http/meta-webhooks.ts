import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CustomRoute } from '@slack/bolt';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { CommentEvent, Comments } from '../services/comments.ts';
import { HttpError, readBody, route, sendJson } from './route.ts';

/** Meta batches up to 1000 changes per delivery; this leaves room for that and refuses anything far larger. */
const bodyLimit = 4 * 1024 * 1024;

const envelopeSchema = z.object({
  object: z.string(),
  entry: z
    .array(
      z.object({
        id: z.string(),
        time: z.number(),
        changes: z.array(z.object({ field: z.string(), value: z.unknown() })).optional(),
      }),
    )
    .max(1000),
});

export type MetaWebhookEnvelope = z.infer<typeof envelopeSchema>;

/**
 * Instagram `comments` change; Instagram Login deliveries name the comment `id`, Facebook Login ones `comment_id`.
 * Comments on carousels ("albums") come without the media id: it is looked up from the comment.
 */
const instagramCommentSchema = z
  .object({
    id: z.string().optional(),
    comment_id: z.string().optional(),
    parent_id: z.string().optional(),
    text: z.string().default(''),
    from: z.object({ id: z.string(), username: z.string().optional() }),
    media: z.object({ id: z.string().optional() }).default({}),
    timestamp: z.union([z.string(), z.number()]).optional(),
  })
  .refine((value) => Boolean(value.id ?? value.comment_id), 'a comment id');

/** Page `feed` change; only `item: comment` matters here. */
const pageFeedSchema = z.object({
  item: z.string(),
  verb: z.string(),
  comment_id: z.string().optional(),
  post_id: z.string().optional(),
  parent_id: z.string().optional(),
  message: z.string().optional(),
  from: z.object({ id: z.string(), name: z.string().optional() }).optional(),
  created_time: z.union([z.number(), z.string()]).optional(),
  is_hidden: z.boolean().optional(),
});

/** The comment events in one delivery; changes of other kinds, or not matching their documented shape, are skipped. */
export function commentEventsFrom(envelope: MetaWebhookEnvelope, logger?: Logger): CommentEvent[] {
  const events: CommentEvent[] = [];
  for (const entry of envelope.entry) {
    for (const change of entry.changes ?? []) {
      if (envelope.object === 'instagram' && change.field === 'comments') {
        const parsed = instagramCommentSchema.safeParse(change.value);
        if (!parsed.success) {
          logger?.warn({ field: change.field }, 'Instagram comment change of an unknown shape skipped');
          continue;
        }
        const value = parsed.data;
        const id = value.id ?? value.comment_id ?? '';
        events.push({
          kind: 'added',
          comment: {
            platform: 'instagram',
            accountId: `instagram:${entry.id}`,
            id,
            // Empty until looked up (a comment on a carousel): see `processEvents`.
            itemId: value.media.id ?? '',
            ...(value.parent_id ? { parentId: value.parent_id } : {}),
            authorId: value.from.id,
            authorName: value.from.username ?? 'Instagram user',
            text: value.text,
            createdAt: timeOf(value.timestamp, entry.time),
            fromOwner: value.from.id === entry.id,
          },
        });
      } else if (envelope.object === 'page' && change.field === 'feed') {
        const parsed = pageFeedSchema.safeParse(change.value);
        if (!parsed.success) {
          logger?.warn({ field: change.field }, 'Page feed change of an unknown shape skipped');
          continue;
        }
        const value = parsed.data;
        if (value.item !== 'comment' || !value.comment_id || !value.post_id) continue;
        if (value.verb === 'remove') {
          events.push({ kind: 'removed', platform: 'facebook', commentId: value.comment_id });
          continue;
        }
        if (value.verb !== 'add' && value.verb !== 'edited') continue;
        events.push({
          kind: value.verb === 'add' ? 'added' : 'edited',
          comment: {
            platform: 'facebook',
            accountId: `facebook:${entry.id}`,
            id: value.comment_id,
            itemId: value.post_id,
            ...(value.parent_id && value.parent_id !== value.post_id ? { parentId: value.parent_id } : {}),
            ...(value.from ? { authorId: value.from.id } : {}),
            authorName: value.from?.name ?? 'Facebook user',
            text: value.message ?? '',
            createdAt: timeOf(value.created_time, entry.time),
            ...(value.is_hidden === undefined ? {} : { hidden: value.is_hidden }),
            fromOwner: value.from?.id === entry.id,
          },
        });
      }
    }
  }
  return events;
}

/** Whether `header` (`sha256=<hex>`) is the HMAC-SHA256 of the raw body under the app secret; constant-time. */
export function validSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? '');
  if (!match?.[1]) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}

/**
 * `GET /webhooks/meta`: Meta's subscription check (echoes `hub.challenge` when `hub.verify_token` matches).
 * `POST /webhooks/meta`: deliveries, refused with 401 unless `X-Hub-Signature-256` signs the raw body with the app
 * secret (Instagram Login deliveries: with the Instagram app's secret, and only `instagram` ones); acknowledged with
 * 200 at once and processed after (the comment poll is the safety net if processing fails).
 */
export function metaWebhookRoutes(
  config: Pick<Config, 'META_WEBHOOK_VERIFY_TOKEN' | 'META_APP_SECRET' | 'INSTAGRAM_APP_SECRET'>,
  comments: Pick<Comments, 'ingest'>,
  logger: Logger,
  commentMedia?: CommentMediaLookup,
): CustomRoute[] {
  const log = logger.child({ component: 'meta-webhooks' });
  return [
    route(
      'GET',
      '/webhooks/meta',
      async (req, res) => {
        const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
        const expected = config.META_WEBHOOK_VERIFY_TOKEN;
        const given = query.get('hub.verify_token') ?? '';
        const challenge = query.get('hub.challenge') ?? '';
        if (!expected || query.get('hub.mode') !== 'subscribe' || !sameText(given, expected) || !challenge) {
          throw new HttpError(403, 'verification refused');
        }
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end(challenge);
      },
      log,
    ),
    route(
      'POST',
      '/webhooks/meta',
      async (req, res) => {
        const secret = config.META_APP_SECRET;
        if (!secret) throw new HttpError(404, 'Meta is not configured');
        const raw = await readBody(req, bodyLimit);
        const header = req.headers['x-hub-signature-256'];
        const signature = Array.isArray(header) ? header[0] : header;
        const byMetaApp = validSignature(raw, signature, secret);
        const instagramSecret = config.INSTAGRAM_APP_SECRET;
        const byInstagramApp =
          !byMetaApp && Boolean(instagramSecret) && validSignature(raw, signature, instagramSecret ?? '');
        if (!byMetaApp && !byInstagramApp) {
          log.warn('Meta webhook with a bad or missing signature refused');
          throw new HttpError(401, 'invalid signature');
        }
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HttpError(400, 'body is not JSON');
        }
        const parsed = envelopeSchema.safeParse(json);
        if (!parsed.success) throw new HttpError(400, 'not a webhook delivery');
        // The Instagram app's secret signs Instagram Login deliveries only: it says nothing about Pages.
        if (byInstagramApp && parsed.data.object !== 'instagram') throw new HttpError(401, 'invalid signature');
        sendJson(res, 200, { received: true });
        const events = commentEventsFrom(parsed.data, log);
        void processEvents(events, comments, log, commentMedia);
      },
      log,
    ),
  ];
}

/** The media an Instagram comment is on (`GET /{comment-id}?fields=media`), as the account that received it. */
export type CommentMediaLookup = (accountId: string, commentId: string) => Promise<string | undefined>;

async function processEvents(
  events: CommentEvent[],
  comments: Pick<Comments, 'ingest'>,
  log: Logger,
  commentMedia?: CommentMediaLookup,
): Promise<void> {
  for (const event of events) {
    try {
      if (event.kind !== 'removed' && !event.comment.itemId) {
        const itemId = await commentMedia?.(event.comment.accountId, event.comment.id);
        if (!itemId) {
          log.warn({ accountId: event.comment.accountId }, 'Instagram comment without its media skipped');
          continue;
        }
        event.comment.itemId = itemId;
      }
      await comments.ingest(event, 'webhook');
    } catch (error) {
      log.error({ err: error, kind: event.kind }, 'Meta webhook comment not processed; the next poll will pick it up');
    }
  }
}

function timeOf(value: string | number | undefined, fallbackSeconds: number): Date {
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string') {
    const parsed = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value.replace(/\+0000$/, 'Z'));
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return new Date(fallbackSeconds * 1000);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
