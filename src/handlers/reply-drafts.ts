import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { commentReplyModal } from '../../views/comment-reply-modal.ts';
import { replyDraftActions } from '../../views/reply-draft-message.ts';
import type { Services } from '../services/index.ts';
import type { Permission } from '../services/roles.ts';
import { buttonSchema, explain, tellUser } from './comments.ts';
import type { Listeners } from './router.ts';

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * The buttons on replies on their way: "Send as reply" and "Edit first" on an expert's proposed answer; Approve, Edit
 * and Reject on a reply waiting for approval. Roles are checked in the service; refusals are told to the clicker only.
 */
export function registerReplyDraftHandlers(app: Listeners, services: Services): void {
  app.action(replyDraftActions.send, async (args) => {
    await args.ack();
    await act(args as ButtonArgs, services, 'reply_comment', (id, user) => services.replyDrafts.sendProposal(id, user));
  });
  app.action(replyDraftActions.approve, async (args) => {
    await args.ack();
    await act(args as ButtonArgs, services, 'approve', (id, user) => services.replyDrafts.approve(id, user));
  });
  app.action(replyDraftActions.reject, async (args) => {
    await args.ack();
    await act(args as ButtonArgs, services, 'approve', (id, user) => services.replyDrafts.reject(id, user));
  });
  app.action(replyDraftActions.edit, async (args) => {
    await args.ack();
    const { body, client } = args as ButtonArgs;
    await act(args as ButtonArgs, services, 'reply_comment', async (id, user) => {
      const draft = await services.replyDrafts.forEdit(id, user);
      const comment = await services.comments.get(draft.commentKey);
      const triggerId = (body as { trigger_id?: string }).trigger_id;
      if (!comment || !triggerId) return;
      const account = await services.accounts.get(comment.accountId);
      await client.views.open({
        trigger_id: triggerId,
        view: commentReplyModal({
          key: comment._id,
          platform: comment.platform,
          accountName: account?.name ?? comment.accountId,
          authorName: comment.authorName,
          text: comment.text,
          draft: draft.text,
          replaces: draft._id,
        }),
      });
    });
  });
}

async function act(
  { body, client }: ButtonArgs,
  services: Services,
  permission: Permission,
  work: (id: string, userId: string) => Promise<unknown>,
): Promise<void> {
  const parsed = buttonSchema.safeParse(body);
  if (!parsed.success) return;
  const { user, actions } = parsed.data;
  const id = actions[0]?.value ?? '';
  try {
    await work(id, user.id);
  } catch (error) {
    await tellUser(client, parsed.data, await explain(error, services, user.id, permission, `reply_draft:${id}`));
  }
}
