import { createHmac } from 'node:crypto';

export const META_APP_ID = '100200300';
export const META_APP_SECRET = 'meta-app-secret-0123456789';
export const META_VERIFY_TOKEN = 'meta-verify-token-123';

/** The environment that switches Meta on for a test app. */
export const metaEnvironment = {
  META_APP_ID,
  META_APP_SECRET,
  META_WEBHOOK_VERIFY_TOKEN: META_VERIFY_TOKEN,
};

export interface WebhookResponse {
  status: number;
  body: string;
}

/**
 * Delivers a webhook to the app the way Meta does: JSON (with non-ASCII escaped, as Meta sends it) and
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`.
 */
export async function deliverMetaWebhook(
  baseUrl: string,
  payload: unknown,
  options: { secret?: string; signature?: string | null; rawBody?: string } = {},
): Promise<WebhookResponse> {
  const body = options.rawBody ?? escapeUnicode(JSON.stringify(payload));
  const signature =
    options.signature === undefined
      ? `sha256=${createHmac('sha256', options.secret ?? META_APP_SECRET)
          .update(body)
          .digest('hex')}`
      : options.signature;
  const response = await fetch(`${baseUrl}/webhooks/meta`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
  });
  return { status: response.status, body: await response.text() };
}

function escapeUnicode(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An Instagram `comments` change as Meta delivers it (Facebook Login flavour). */
export function instagramCommentDelivery(input: {
  igUserId: string;
  mediaId: string;
  commentId: string;
  text: string;
  from?: { id: string; username: string };
  parentId?: string;
}) {
  return {
    object: 'instagram',
    entry: [
      {
        id: input.igUserId,
        time: Math.floor(Date.now() / 1000),
        changes: [
          {
            field: 'comments',
            value: {
              from: input.from ?? { id: '17841499999', username: 'happy.customer' },
              comment_id: input.commentId,
              ...(input.parentId ? { parent_id: input.parentId } : {}),
              text: input.text,
              media: { id: input.mediaId, media_product_type: 'FEED' },
            },
          },
        ],
      },
    ],
  };
}

/** A Page `feed` comment change (verb `add`, `edited` or `remove`). */
export function pageCommentDelivery(input: {
  pageId: string;
  postId: string;
  commentId: string;
  verb: 'add' | 'edited' | 'remove';
  message?: string;
  from?: { id: string; name: string };
}) {
  const created = Math.floor(Date.now() / 1000);
  return {
    object: 'page',
    entry: [
      {
        id: input.pageId,
        time: created,
        changes: [
          {
            field: 'feed',
            value: {
              from: input.from ?? { id: '5550001', name: 'Fiona Fan' },
              post: {
                status_type: 'added_photos',
                is_published: true,
                updated_time: new Date().toISOString(),
                id: input.postId,
              },
              ...(input.message === undefined ? {} : { message: input.message }),
              post_id: input.postId,
              comment_id: input.commentId,
              created_time: created,
              item: 'comment',
              parent_id: input.postId,
              verb: input.verb,
            },
          },
        ],
      },
    ],
  };
}
