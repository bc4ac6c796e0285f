import { approvalActions } from '../../views/approval-message.ts';
import type { Services } from '../services/index.ts';
import type { TargetDoc } from '../services/targets.ts';
import { clickSchema, explainFailure } from './clicks.ts';
import type { Listeners } from './router.ts';

/** Retry (failed or held targets), "It's live" and "Publish again" (unconfirmed targets) on the preview. */
export function registerPublishingHandlers(app: Listeners, services: Services): void {
  const onTarget = (actionId: string, act: (targetId: string, by: string) => Promise<TargetDoc>) =>
    app.action(actionId, async ({ ack, body, client, respond }) => {
      await ack();
      const click = clickSchema.safeParse(body);
      if (!click.success) return;
      const targetId = click.data.actions[0]?.value ?? '';
      if (!/^[0-9a-f]{24}:[a-z]+:[\w.-]+$/.test(targetId)) return;
      try {
        await act(targetId, click.data.user.id);
      } catch (error) {
        await explainFailure(error, { services, click: click.data, respond, client, subject: `target:${targetId}` });
      }
    });
  onTarget(approvalActions.retry, (id, by) => services.publisher.retry(id, by));
  onTarget(approvalActions.confirmLive, (id, by) => services.publisher.confirmLive(id, by));
  onTarget(approvalActions.publishAgain, (id, by) => services.publisher.publishAgain(id, by));
}
