import { freezeNotice, unfreezeNotice } from '../../views/freeze-message.ts';
import { noticeMessage } from '../../views/notice-message.ts';
import { FreezeStateError } from '../services/brand-freeze.ts';
import type { Subcommand } from './subcommand.ts';

/** `/wone freeze <reason>` (admins): holds every scheduled post and says so in the approval channel. */
export const freezeSubcommand: Subcommand = {
  names: ['freeze'],
  usage: '/wone freeze <reason>',
  description: 'Stop all publishing at once (a bad-news day, an incident). Approvals go on.',
  permission: 'freeze',
  run: async ({ args, command, respond, services }) => {
    const reason = args.trim();
    if (reason.length < 3) {
      await respond({ response_type: 'ephemeral', ...noticeMessage('Say why: `/wone freeze <reason>`.') });
      return;
    }
    try {
      const outcome = await services.freeze.freeze(command.user_id, reason.slice(0, 1000));
      await services.slack.chat.postMessage({
        channel: services.config.APPROVAL_CHANNEL_ID,
        ...freezeNotice({ ...outcome, timezone: services.config.TEAM_TIMEZONE }),
      });
      const held = outcome.held.length;
      await respond({
        response_type: 'ephemeral',
        ...noticeMessage(`Publishing is frozen; ${held} scheduled post${held === 1 ? ' is' : 's are'} held.`),
      });
    } catch (error) {
      if (!(error instanceof FreezeStateError)) throw error;
      await respond({ response_type: 'ephemeral', ...noticeMessage(`${error.message} Nothing was changed.`) });
    }
  },
};

/** `/wone unfreeze` (admins): lifts the freeze; posts whose time passed wait for a choice in the approval channel. */
export const unfreezeSubcommand: Subcommand = {
  names: ['unfreeze'],
  usage: '/wone unfreeze',
  description: 'Lift the freeze: held posts go out at their time; those whose time passed are listed to decide.',
  permission: 'freeze',
  run: async ({ command, respond, services }) => {
    try {
      const outcome = await services.freeze.unfreeze(command.user_id);
      await services.slack.chat.postMessage({
        channel: services.config.APPROVAL_CHANNEL_ID,
        ...unfreezeNotice({
          by: outcome.by,
          passed: outcome.passed,
          resumed: outcome.resumed.length,
          timezone: services.config.TEAM_TIMEZONE,
        }),
      });
      for (const post of [...outcome.passed, ...outcome.resumed]) await services.notifier.refresh(post._id);
      await respond({ response_type: 'ephemeral', ...noticeMessage('Publishing is no longer frozen.') });
    } catch (error) {
      if (!(error instanceof FreezeStateError)) throw error;
      await respond({ response_type: 'ephemeral', ...noticeMessage(`${error.message} Nothing was changed.`) });
    }
  },
};
