import type { App } from '@slack/bolt';
import { z } from 'zod';
import { approvalActions } from '../../views/approval-message.ts';
import { reasonBlock, requestChangesCallback, requestChangesModal } from '../../views/reason-modal.ts';
import type { Services } from '../services/index.ts';
import { clickSchema, explainFailure, postValue } from './clicks.ts';

const reasonMetadata = z.object({ postId: z.string(), revision: z.number(), channel: z.string().optional() });

/** Approve, Request changes (with its reason modal) and Reject on the approval preview. */
export function registerApprovalHandlers(app: App, services: Services): void {
  const decide = (actionId: string, decision: (postId: string, revision: number, by: string) => Promise<unknown>) =>
    app.action(actionId, async ({ ack, body, client, respond }) => {
      await ack();
      const click = clickSchema.safeParse(body);
      if (!click.success) return;
      const target = postValue(click.data.actions[0]?.value);
      if (!target) return;
      try {
        await decision(target.postId, target.revision, click.data.user.id);
      } catch (error) {
        await explainFailure(error, { services, click: click.data, respond, client, subject: `post:${target.postId}` });
      }
    });

  decide(approvalActions.approve, (postId, revision, by) => services.approvals.approve(postId, revision, by));
  decide(approvalActions.reject, (postId, revision, by) => services.approvals.reject(postId, revision, by));

  app.action(approvalActions.requestChanges, async ({ ack, body, client, respond }) => {
    await ack();
    const click = clickSchema.safeParse(body);
    if (!click.success) return;
    const target = postValue(click.data.actions[0]?.value);
    if (!target) return;
    try {
      await services.roles.require(click.data.user.id, 'approve');
      await client.views.open({
        trigger_id: click.data.trigger_id,
        view: requestChangesModal(JSON.stringify({ ...target, channel: click.data.channel?.id })),
      });
    } catch (error) {
      await explainFailure(error, { services, click: click.data, respond, client, subject: `post:${target.postId}` });
    }
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
