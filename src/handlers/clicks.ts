import { randomUUID } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { decisionText } from '../../views/approval-message.ts';
import { ApprovalStepError, OwnPostError, StaleRevisionError } from '../services/approvals.ts';
import type { Services } from '../services/index.ts';
import { PostStateError } from '../services/posts.ts';
import { PermissionDeniedError, permissions } from '../services/roles.ts';
import type { Listeners } from './router.ts';

/** The parts of a `block_actions` payload the buttons use. */
export const clickSchema = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  actions: z
    .array(z.object({ action_id: z.string(), block_id: z.string().optional(), value: z.string().optional() }))
    .min(1),
  channel: z.object({ id: z.string() }).optional(),
  container: z.looseObject({ type: z.string(), is_ephemeral: z.boolean().optional() }).optional(),
  response_url: z.string().optional(),
});
export type Click = z.infer<typeof clickSchema>;

/** A button value `<postId>:<revision>`. */
export function postValue(value: string | undefined): { postId: string; revision: number } | undefined {
  const match = /^([0-9a-f]{24}):(\d+)$/.exec(value ?? '');
  return match ? { postId: match[1] as string, revision: Number(match[2]) } : undefined;
}

export interface PostButton {
  target: { postId: string; revision: number };
  click: Click;
  client: WebClient;
  respond: RespondFn | undefined;
}

/**
 * Registers a button on a post (value `<postId>:<revision>`): acknowledges at once, checks the payload, runs `act`,
 * and explains any refusal to the clicker alone. A payload that does not fit (forged, or from an old message) is
 * logged and changes nothing.
 */
export function onPostButton(
  app: Listeners,
  services: Services,
  actionId: string,
  act: (button: PostButton) => Promise<unknown>,
): void {
  app.action(actionId, async ({ ack, body, client, respond }) => {
    await ack();
    const click = clickSchema.safeParse(body);
    const target = click.success ? postValue(click.data.actions[0]?.value) : undefined;
    if (!click.success || !target) {
      services.logger.warn({ actionId }, 'ignored a button click whose payload does not fit');
      return;
    }
    try {
      await act({ target, click: click.data, client, respond });
    } catch (error) {
      await explainFailure(error, { services, click: click.data, respond, client, subject: `post:${target.postId}` });
    }
  });
}

const wanted: Record<string, string> = {
  approve: 'approve or reject posts',
  reschedule: 'reschedule posts',
  cancel: 'cancel posts',
  retry_publish: 'retry publishing',
  draft: 'edit this post',
};

/** Tells only the person who clicked (ephemeral), by the click's response URL, or in the channel, or by DM. */
export async function tellClicker(click: Click, respond: RespondFn | undefined, client: WebClient, text: string) {
  if (respond && click.response_url) {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  }
  if (click.channel) {
    await client.chat.postEphemeral({ channel: click.channel.id, user: click.user.id, text });
    return;
  }
  await client.chat.postMessage({ channel: click.user.id, text });
}

/**
 * Turns a refused or failed button action into a short explanation for the person who clicked. Role refusals are
 * audited as `role_denied`; nothing was changed in any case.
 */
export async function explainFailure(
  error: unknown,
  context: { services: Services; click: Click; respond?: RespondFn; client: WebClient; subject: string },
): Promise<void> {
  const { services, click } = context;
  let text: string;
  if (error instanceof PermissionDeniedError) {
    await services.audit.record({
      actor: click.user.id,
      action: 'role_denied',
      subject: context.subject,
      details: { permission: error.permission },
    });
    const needed = error.permission === 'draft' ? 'the requester or an admin' : `${permissions[error.permission]}s`;
    text = `Only ${needed} can ${wanted[error.permission] ?? 'do that'}. Nothing was changed.`;
  } else if (error instanceof OwnPostError) {
    await services.audit.record({
      actor: click.user.id,
      action: 'role_denied',
      subject: context.subject,
      details: { reason: 'own_post' },
    });
    text = `${error.message} Nothing was changed.`;
  } else if (error instanceof ApprovalStepError) {
    if (error.reason === 'not_this_step') {
      await services.audit.record({
        actor: click.user.id,
        action: 'role_denied',
        subject: context.subject,
        details: { reason: 'not_this_step' },
      });
    }
    text = `${error.message} Nothing was changed.`;
  } else if (error instanceof StaleRevisionError) {
    text = error.message;
  } else if (error instanceof PostStateError) {
    const post =
      error.lastDecision || !/^[0-9a-f]{24}$/.test(error.postId) ? null : await services.posts.get(error.postId);
    const last = error.lastDecision ?? post?.decisions.at(-1);
    text = last ? `Too late: ${decisionText(last.action, last.by)}. Nothing was changed.` : error.message;
  } else {
    const reference = randomUUID().slice(0, 8);
    services.logger.error({ err: error, reference, subject: context.subject }, 'button action failed');
    text = `Something went wrong. Nothing was changed. (Reference ${reference})`;
  }
  await tellClicker(click, context.respond, context.client, text).catch((failure) =>
    services.logger.error({ err: failure }, 'could not tell the user'),
  );
}
