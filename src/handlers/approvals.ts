import { z } from 'zod';
import { approvalActions } from '../../views/approval-message.ts';
import {
  reasonBlock,
  rejectCallback,
  rejectModal,
  requestChangesCallback,
  requestChangesModal,
} from '../../views/reason-modal.ts';
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

  // Request changes and Reject ask for a reason first (required for changes, optional for a rejection).
  for (const [actionId, modal] of [
    [approvalActions.requestChanges, requestChangesModal],
    [approvalActions.reject, rejectModal],
  ] as const) {
    onPostButton(app, services, actionId, async ({ target, click, client }) => {
      await services.approvals.mayDecide(target.postId, click.user.id);
      await client.views.open({
        trigger_id: click.trigger_id,
        view: modal(JSON.stringify({ ...target, channel: click.channel?.id })),
      });
    });
  }

  app.view(rejectCallback, async ({ ack, body, view, client }) => {
    const metadata = readMetadata(view.private_metadata);
    if (!metadata) {
      await ack({
        response_action: 'errors',
        errors: { [reasonBlock]: 'This form is out of date. Close it and try again.' },
      });
      return;
    }
    await ack();
    const reason = view.state.values[reasonBlock]?.value?.value?.trim() ?? '';
    const by = body.user.id;
    try {
      await services.approvals.reject(metadata.postId, metadata.revision, by, reason || undefined);
    } catch (error) {
      const click = {
        user: { id: by },
        trigger_id: '',
        actions: [{ action_id: rejectCallback }],
        ...(metadata.channel ? { channel: { id: metadata.channel } } : {}),
      };
      await explainFailure(error, { services, click, client, subject: `post:${metadata.postId}` });
    }
  });

  app.view(requestChangesCallback, async ({ ack, body, view, client }) => {
    const reason = view.state.values[reasonBlock]?.value?.value?.trim() ?? '';
    const metadata = readMetadata(view.private_metadata);
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

function readMetadata(raw: string): z.infer<typeof reasonMetadata> | undefined {
  try {
    return reasonMetadata.parse(JSON.parse(raw));
  } catch {
    return undefined;
  }
}
