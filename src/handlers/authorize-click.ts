import type { RespondFn } from '@slack/bolt';
import { noticeMessage } from '../../views/notice-message.ts';
import type { Services } from '../services/index.ts';
import { type Permission, permissions } from '../services/roles.ts';

/**
 * Checks a button click or submission on the server, whatever the message showed. A refusal is audited and told to
 * the clicker alone; nothing else happens.
 */
export async function authorizeClick(
  services: Services,
  userId: string,
  permission: Permission,
  subject: string,
  respond: RespondFn,
): Promise<boolean> {
  if (await services.roles.can(userId, permission)) return true;
  await services.audit.record({ actor: userId, action: 'role_denied', subject, details: { permission } });
  await respond({
    response_type: 'ephemeral',
    replace_original: false,
    ...noticeMessage(`Only ${permissions[permission]}s can do that. Nothing was changed.`),
  });
  return false;
}
