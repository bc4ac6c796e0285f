import { auditMessage } from '../../views/audit-message.ts';
import type { Subcommand } from './subcommand.ts';

/** `/wone audit`: the most recent audit entries, for admins. */
export const auditSubcommand: Subcommand = {
  names: ['audit'],
  usage: '/wone audit',
  description: 'Recent activity: who connected, disconnected, approved, deleted, or was refused.',
  permission: 'audit',
  run: async ({ respond, services }) => {
    await respond({ response_type: 'ephemeral', ...auditMessage(await services.audit.recent(30)) });
  },
};
