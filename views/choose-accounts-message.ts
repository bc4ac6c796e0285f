import type { KnownBlock } from '@slack/types';
import type { PendingConnectionDoc } from '../src/services/account-connect.ts';
import { slackDate } from './slack-date.ts';

/** Checkbox groups hold at most 10 options each. */
const perGroup = 10;
/** Block id prefix of the checkbox groups, read back from the click's `state.values`. */
export const CHOOSE_BLOCK_PREFIX = 'choose_accounts_';
export const CHOOSE_ACTION_ID = 'chosen_accounts';

/** After a login: the accounts it reached, to tick the ones to connect. Nothing is connected until "Connect". */
export function chooseAccountsMessage(pending: PendingConnectionDoc): { text: string; blocks: KnownBlock[] } {
  const text = `Your login reached ${pending.candidates.length} account(s). Tick the ones to connect (until ${pending.expiresAt.toISOString().slice(11, 16)} UTC).`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Your login reached ${pending.candidates.length} account(s). Tick the ones Wone Social should connect; the others are forgotten. This choice is open until ${slackDate(pending.expiresAt)}.`,
      },
    },
  ];
  for (let start = 0; start < pending.candidates.length && blocks.length < 45; start += perGroup) {
    const group = pending.candidates.slice(start, start + perGroup);
    blocks.push({
      type: 'actions',
      block_id: `${CHOOSE_BLOCK_PREFIX}${start / perGroup}`,
      elements: [
        {
          type: 'checkboxes',
          action_id: CHOOSE_ACTION_ID,
          options: group.map((candidate) => ({
            text: { type: 'plain_text' as const, text: clip(candidate.name, 75) },
            description: {
              type: 'plain_text' as const,
              text: clip(
                `${candidate.describe}${candidate.alreadyConnected ? ' · connected now: its token will be replaced' : ''}`,
                75,
              ),
            },
            value: candidate.accountId,
          })),
        },
      ],
    });
  }
  blocks.push({
    type: 'actions',
    block_id: 'choose_accounts_submit',
    elements: [
      {
        type: 'button',
        action_id: 'connect_chosen_accounts',
        style: 'primary',
        text: { type: 'plain_text', text: 'Connect the ticked accounts' },
        value: pending._id,
      },
      {
        type: 'button',
        action_id: 'cancel_pending_connection',
        text: { type: 'plain_text', text: 'Connect none' },
        value: pending._id,
      },
    ],
  });
  return { text, blocks };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
