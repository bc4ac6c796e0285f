import { bestTimeMessage, unknownAccountMessage } from '../../views/best-time-message.ts';
import { timezoneOf } from './drafts.ts';
import type { Subcommand } from './subcommand.ts';

/** `/wone besttime [account]`: the best weekday × hour slots per account, in the reader's time zone. */
export const bestTimeSubcommand: Subcommand = {
  names: ['besttime'],
  usage: '/wone besttime [account]',
  description: 'When our audience answers best: the best three hours of the week per account, from our own posts.',
  permission: 'view_insights',
  run: async ({ command, args, client, respond, services }) => {
    let accountIds: string[] | undefined;
    if (args) {
      const account = await services.insights.findAccount(args);
      if (!account) {
        const known = (await services.accounts.list()).map((a) => a.name);
        await respond({ response_type: 'ephemeral', ...unknownAccountMessage(args, known) });
        return;
      }
      accountIds = [account._id];
    }
    const zone = await timezoneOf(services, client, command.user_id);
    const answers = await services.bestTime.answer(zone, accountIds ? { accountIds } : {});
    await respond({ response_type: 'ephemeral', ...bestTimeMessage(answers, zone) });
  },
};
