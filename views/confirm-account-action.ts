import type { KnownBlock } from '@slack/types';
import type { AccountSummary } from '../src/services/accounts.ts';
import { escapeMrkdwn } from './slack-text.ts';

export type AccountAction = 'disconnect' | 'delete_data';

const wording = {
  disconnect: {
    button: 'Disconnect',
    actionId: 'disconnect_account',
    explain:
      'Its tokens are deleted from our database (TikTok is also asked to revoke access), and its pending posts are ' +
      'held; their requesters are told. You can connect it again later.',
  },
  delete_data: {
    button: 'Delete its data',
    actionId: 'delete_account_data',
    explain:
      'Its tokens are deleted (and revoked where the platform allows), the account is removed from Wone Social, and ' +
      'the comments and insights we kept for it are deleted. Its pending posts are held. This cannot be undone.',
  },
} as const;

/** The ephemeral confirmation shown before an admin disconnects an account or deletes its data. */
export function confirmAccountAction(
  action: AccountAction,
  account: AccountSummary,
): { text: string; blocks: KnownBlock[] } {
  const words = wording[action];
  const question = `${words.button} *${escapeMrkdwn(account.name)}* (${account.platform}, \`${account._id}\`)?`;
  return {
    text: `${words.button} ${escapeMrkdwn(account.name)}?`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${question}\n${words.explain}` } },
      {
        type: 'actions',
        block_id: 'confirm_account_action',
        elements: [
          {
            type: 'button',
            action_id: words.actionId,
            style: 'danger',
            text: { type: 'plain_text', text: words.button },
            value: account._id,
            confirm: {
              title: { type: 'plain_text', text: 'Are you sure?' },
              text: { type: 'mrkdwn', text: `${words.button} ${escapeMrkdwn(account.name)}.` },
              confirm: { type: 'plain_text', text: words.button },
              deny: { type: 'plain_text', text: 'Keep it' },
            },
          },
          {
            type: 'button',
            action_id: 'cancel_account_action',
            text: { type: 'plain_text', text: 'Cancel' },
            value: account._id,
          },
        ],
      },
    ],
  };
}
