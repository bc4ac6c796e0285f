import { withdrawAction } from '../../views/withdraw-button.ts';
import type { Services } from '../services/index.ts';
import { onPostButton, tellClicker } from './clicks.ts';
import { publishHome } from './queue.ts';
import type { Listeners } from './router.ts';

/** Withdraw (App Home and the requester's messages): the service checks who may, whatever the button showed. */
export function registerWithdrawHandler(app: Listeners, services: Services): void {
  onPostButton(app, services, withdrawAction, async ({ target, click, client, respond }) => {
    await services.withdrawals.withdraw(target.postId, click.user.id);
    if (click.container?.type === 'view') {
      await publishHome(services, client, click.user.id).catch((error) =>
        services.logger.error({ err: error }, 'home tab failed'),
      );
      return;
    }
    await tellClicker(click, respond, client, 'Withdrawn: it will not be published.');
  });
}
