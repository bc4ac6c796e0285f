import { randomUUID } from 'node:crypto';
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import {
  commentReplyCallbackId,
  commentReplyModal,
  commentReplyStatusModal,
  replyActionId,
  replyBlockId,
  replyLimits,
  replyModalMetadata,
} from '../../views/comment-reply-modal.ts';
import { CommentActionError } from '../services/comments.ts';
import type { Services } from '../services/index.ts';
import { type Permission, PermissionDeniedError } from '../services/roles.ts';
import { publishHome } from './queue.ts';
import type { Listeners } from './router.ts';

export const buttonSchema = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string().optional(),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ thread_ts: z.string().optional(), message_ts: z.string().optional() }).loose().optional(),
  actions: z.array(z.object({ value: z.string().min(1).max(300) })).min(1),
});

const submissionSchema = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({
    id: z.string(),
    private_metadata: z.string().min(1).max(300),
    state: z.object({
      values: z.object({
        [replyBlockId]: z.object({ [replyActionId]: z.object({ value: z.string().nullish() }) }),
      }),
    }),
  }),
});

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/** Reply, Hide/Unhide and Open on comment messages, and the reply modal. Roles are checked here and in the service. */
export function registerCommentHandlers(app: Listeners, services: Services): void {
  app.action('comment_reply', async (args) => {
    await args.ack();
    await openReplyModal(args as ButtonArgs, services);
  });
  app.action('comment_hide', async (args) => {
    await args.ack();
    await changeHidden(args as ButtonArgs, services, true);
  });
  app.action('comment_unhide', async (args) => {
    await args.ack();
    await changeHidden(args as ButtonArgs, services, false);
  });
  app.action('comment_assign', async (args) => {
    await args.ack();
    await changeOwnership(args as ButtonArgs, services, 'assign');
  });
  app.action('comment_done', async (args) => {
    await args.ack();
    await changeOwnership(args as ButtonArgs, services, 'done');
  });
  // Link buttons still send an action; acknowledging it is all there is to do.
  app.action(/^comment_open(_post)?$/, async ({ ack }) => {
    await ack();
  });

  app.view(commentReplyCallbackId, async ({ ack, body, client }) => {
    const parsed = submissionSchema.safeParse(body);
    if (!parsed.success) {
      await ack({
        response_action: 'errors',
        errors: { [replyBlockId]: 'This form could not be read. Open it again.' },
      });
      return;
    }
    const { user, view } = parsed.data;
    const { key, replaces } = replyModalMetadata(view.private_metadata);
    const text = view.state.values[replyBlockId]?.[replyActionId]?.value?.trim() ?? '';
    if (!(await services.roles.can(user.id, 'reply_comment'))) {
      const needed = services.roles.needed('reply_comment');
      await ack({ response_action: 'errors', errors: { [replyBlockId]: `Only ${needed}s can reply to comments.` } });
      await services.audit.record({ actor: user.id, action: 'role_denied', subject: `comment:${key}` });
      return;
    }
    const comment = await services.comments.get(key);
    const refusal = !comment
      ? 'This comment is no longer known to Wone Social.'
      : !text
        ? 'Write a reply first.'
        : [...text].length > replyLimits[comment.platform]
          ? `Replies on this platform are at most ${replyLimits[comment.platform]} characters.`
          : !(await services.roles.can(user.id, 'reply_comment'))
            ? `Only ${services.roles.needed('reply_comment')}s can reply to comments.`
            : undefined;
    if (refusal || !comment) {
      await ack({ response_action: 'errors', errors: { [replyBlockId]: refusal ?? 'Not found.' } });
      return;
    }
    await ack({
      response_action: 'update',
      view: commentReplyStatusModal(':hourglass_flowing_sand: Sending your reply…'),
    });
    try {
      const outcome = await services.replyDrafts.submit({
        key,
        userId: user.id,
        text,
        viewId: view.id,
        ...(replaces ? { replaces } : {}),
      });
      await client.views.update({
        view_id: view.id,
        view: commentReplyStatusModal(
          outcome.status === 'sent'
            ? ':white_check_mark: Reply sent. It shows in the comment’s thread.'
            : ':hourglass_flowing_sand: Your reply waits for an approver in the comment’s thread. It is posted once approved.',
        ),
      });
    } catch (error) {
      // Another submission of this same modal is handling it; leave the modal to that one.
      if (error instanceof CommentActionError && (error.code === 'already_sent' || error.code === 'busy')) {
        services.logger.info({ comment: key, view: view.id }, 'repeated reply submission ignored');
        return;
      }
      const message = await explain(error, services, user.id, 'reply_comment', `comment:${key}`);
      const account = await services.accounts.get(comment.accountId);
      await client.views
        .update({
          view_id: view.id,
          view: commentReplyModal({
            key,
            platform: comment.platform,
            accountName: account?.name ?? comment.accountId,
            authorName: comment.authorName,
            text: comment.text,
            error: message,
            draft: text,
            ...(replaces ? { replaces } : {}),
          }),
        })
        .catch((updateError) => services.logger.warn({ err: updateError }, 'could not show the reply error'));
    }
  });
}

async function openReplyModal({ body, client }: ButtonArgs, services: Services): Promise<void> {
  const parsed = buttonSchema.safeParse(body);
  if (!parsed.success) return;
  const { user, trigger_id: triggerId, actions } = parsed.data;
  const key = actions[0]?.value ?? '';
  try {
    if (!(await services.roles.can(user.id, 'reply_comment'))) {
      throw new PermissionDeniedError(user.id, 'reply_comment', services.roles.needed('reply_comment'));
    }
    const comment = await services.comments.get(key);
    if (!comment) throw new CommentActionError('not_found', 'This comment is no longer known to Wone Social.');
    if (comment.removed) throw new CommentActionError('removed', 'This comment was removed, so it cannot be answered.');
    if (!triggerId) return;
    const account = await services.accounts.get(comment.accountId);
    await client.views.open({
      trigger_id: triggerId,
      view: commentReplyModal({
        key,
        platform: comment.platform,
        accountName: account?.name ?? comment.accountId,
        authorName: comment.authorName,
        text: comment.text,
      }),
    });
  } catch (error) {
    await tellUser(client, parsed.data, await explain(error, services, user.id, 'reply_comment', `comment:${key}`));
  }
}

async function changeHidden({ body, client }: ButtonArgs, services: Services, hidden: boolean): Promise<void> {
  const parsed = buttonSchema.safeParse(body);
  if (!parsed.success) return;
  const { user, actions } = parsed.data;
  const key = actions[0]?.value ?? '';
  try {
    await services.comments.setHidden(key, user.id, hidden);
  } catch (error) {
    await tellUser(client, parsed.data, await explain(error, services, user.id, 'hide_comment', `comment:${key}`));
  }
}

async function changeOwnership(
  { body, client }: ButtonArgs,
  services: Services,
  change: 'assign' | 'done',
): Promise<void> {
  const parsed = buttonSchema.safeParse(body);
  if (!parsed.success) return;
  const { user, actions } = parsed.data;
  const key = actions[0]?.value ?? '';
  try {
    if (change === 'assign') await services.commentOwnership.assign(key, user.id);
    else await services.commentOwnership.done(key, user.id);
    await publishHome(services, client, user.id).catch((error) =>
      services.logger.warn({ err: error }, 'home tab not refreshed'),
    );
  } catch (error) {
    await tellUser(client, parsed.data, await explain(error, services, user.id, 'reply_comment', `comment:${key}`));
  }
}

/** Words for the user about a failure; refusals by role are audited, unexpected failures logged with a reference. */
export async function explain(
  error: unknown,
  services: Services,
  userId: string,
  permission: Permission,
  subject: string,
): Promise<string> {
  if (error instanceof PermissionDeniedError) {
    await services.audit.record({ actor: userId, action: 'role_denied', subject });
    const action =
      permission === 'reply_comment' ? 'reply to' : permission === 'approve' ? 'approve replies to' : 'hide';
    return `Only ${error.needed}s can ${action} comments.`;
  }
  if (error instanceof CommentActionError) return error.message;
  const reference = randomUUID().slice(0, 8);
  services.logger.error({ err: error, reference, subject }, 'comment action failed');
  return `Something went wrong. Nothing was changed. (Reference ${reference})`;
}

export async function tellUser(client: WebClient, body: z.infer<typeof buttonSchema>, text: string): Promise<void> {
  if (!body.channel) return;
  const threadTs = body.container?.thread_ts;
  await client.chat
    .postEphemeral({ channel: body.channel.id, user: body.user.id, text, ...(threadTs ? { thread_ts: threadTs } : {}) })
    .catch(() => {});
}
