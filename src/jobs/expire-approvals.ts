import type { Agenda } from 'agenda';
import type { Services } from '../services/index.ts';

export const expireApprovalsJobName = 'expire-approvals';

/** `expire-approvals`: posts still waiting for approval past their deadline expire (see `Approvals.expireDue`). */
export function defineExpireApprovals(agenda: Agenda, services: Services): void {
  agenda.define(expireApprovalsJobName, async () => {
    const expired = await services.approvals.expireDue();
    if (expired > 0) services.logger.info({ expired }, 'posts expired waiting for approval');
  });
}

/** Every minute, the deadline's own unit (nothing to do when deadlines are off). */
export async function scheduleExpireApprovals(agenda: Agenda, services: Services): Promise<void> {
  if (services.config.APPROVAL_DEADLINE_MINUTES === 0) return;
  await agenda.every('1 minute', expireApprovalsJobName);
}
