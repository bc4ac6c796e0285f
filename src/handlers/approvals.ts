import { z } from 'zod';
import { approvalActions } from '../../views/approval-message.ts';
import { reasonBlock, requestChangesCallback, requestChangesModal } from '../../views/reason-modal.ts';
import type { Services } from '../services/index.ts';
import { explainFailure, onPostButton } from './clicks.ts';
import type { Listeners } from './router.ts';

const reasonMetadata = z.object({ postId: z.string(), revision: z.number(), channel: z.string().optional() });

/** Approve, Request changes (with its reason modal) and Reject on the approval preview. */
export function registerApprovalHandlers(app: Listeners, services: Services): void {
  const decide = (actionId: string, decision: (postId: string, revision: number, by: string) => Promise<unknown>) =>
    onPostButton(app, services, actionId, ({ target, click }) =>
      decision(target.postId, target.revision, click.user.id),
    );

  decide(approvalActions.approve, (postId, revision, by) => services.approvals.approve(postId, revision, by));
  decide(approvalActions.reject, (postId, revision, by) => services.approvals.reject(postId, revision, by));

  onPostButton(app, services, approvalActions.requestChanges, async ({ target, click, client }) => {
    await services.approvals.mayDecide(target.postId, click.user.id);
    await client.views.open({
      trigger_id: click.trigger_id,
      view: requestChangesModal(JSON.stringify({ ...target, channel: click.channel?.id })),
    });
  });

  app.view(requestChangesCallback, async ({ ack, body, view, client }) => {
    const reason = view.state.values[reasonBlock]?.value?.value?.trim() ?? '';
    let metadata: z.infer<typeof reasonMetadata> | undefined;
    try {
      metadata = reasonMetadata.parse(JSON.parse(view.private_metadata));
    } catch {
      metadata = undefined;
    }
    if (!metadata || reason.length < 3) {
      await ack({ response_action: 'errors', errors: { [reasonBlock]: 'Say briefly what should change.' } });
      return;
    }
    await ack();
    const by = body.user.id;
    try {
      await services.approvals.requestChanges(metadata.postId, metadata.revision, by, reason);
    } catch (error) {
      const click = {
        user: { id: by },
        trigger_id: '',
        actions: [{ action_id: requestChangesCallback }],
        ...(metadata.channel ? { channel: { id: metadata.channel } } : {}),
      };
      await explainFailure(error, { services, click, client, subject: `post:${metadata.postId}` });
    }
  });
}
