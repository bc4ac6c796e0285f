import type { KnownBlock } from '@slack/types';
import type { AccountSummary } from '../src/services/accounts.ts';
import { slackDate } from './slack-date.ts';
import { escapeMrkdwn } from './slack-text.ts';

const platformNames = { instagram: 'Instagram', facebook: 'Facebook Page', tiktok: 'TikTok' } as const;
const loginNames = { facebook: 'via Facebook Login', instagram: 'via Instagram Login', tiktok: '' } as const;
const statusText = {
  ok: ':large_green_circle: ok',
  reconnect_needed: ':warning: reconnect needed',
  disconnected: ':white_circle: disconnected (no token kept)',
} as const;

/** Accounts shown per message: at most two blocks each, within Slack's 50-block limit. */
const maxShown = 23;

/** The `/wone accounts` answer: each account with its permissions, token expiry, health and a Reconnect button. */
export function accountsMessage(accounts: AccountSummary[]): { text: string; blocks: KnownBlock[] } {
  if (accounts.length === 0) {
    const text = 'No accounts are connected yet. An admin can connect one with `/wone connect`.';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'Connected accounts' } }];
  for (const account of accounts.slice(0, maxShown)) {
    const kind = [platformNames[account.platform], loginNames[account.login]].filter(Boolean).join(' ');
    const lines = [
      `*${escapeMrkdwn(account.name)}*  ·  ${kind}  ·  \`${account._id}\``,
      `*Status:* ${statusText[account.status]}${account.lastHealthProblem ? ` (${escapeMrkdwn(account.lastHealthProblem)})` : ''}`,
      `*Permissions:* ${account.scopes.length > 0 ? account.scopes.map((scope) => `\`${scope}\``).join(' ') : 'none recorded'}`,
      `*Token expires:* ${tokenExpiry(account)}`,
      `*Last health check:* ${account.lastHealthCheckAt ? slackDate(account.lastHealthCheckAt) : 'not yet'}`,
      ...(account.platform !== 'tiktok' && account.status !== 'disconnected'
        ? [`*Comments:* ${account.liveComments ? 'arrive live (webhook)' : 'polled only (no webhook subscription)'}`]
        : []),
    ];
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(lines.join('\n'), 3000) },
      accessory: {
        type: 'button',
        action_id: 'reconnect_account',
        text: { type: 'plain_text', text: 'Reconnect' },
        value: account._id,
        ...(account.status === 'ok' ? {} : { style: 'primary' as const }),
      },
    });
    if (account.platform === 'tiktok' && account.status !== 'disconnected') blocks.push(businessBlock(account));
  }
  if (accounts.length > maxShown) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${accounts.length - maxShown} more not shown.` }],
    });
  }
  const summary = accounts
    .map((account) => `${escapeMrkdwn(account.name)} (${account.platform}, ${account.status})`)
    .join(', ');
  return { text: clip(`Connected accounts: ${summary}`, 3000), blocks };
}

/** TikTok: the state of the account's own API for Business connection (comments and insights). */
function businessBlock(account: AccountSummary): KnownBlock {
  const business = account.business;
  const text = !business
    ? '*Comments and insights:* not connected. They come through the TikTok API for Business (a TikTok Business account): an admin connects them with `/wone connect`.'
    : business.status === 'ok'
      ? `*Comments and insights:* connected (TikTok API for Business)${business.tokenExpiresAt ? `, token expires ${slackDate(business.tokenExpiresAt)}` : ''}`
      : `*Comments and insights:* :warning: reconnect needed${business.problem ? ` (${escapeMrkdwn(business.problem)})` : ''}: \`/wone connect\`.`;
  return {
    type: 'section',
    block_id: `business_${account._id}`.slice(0, 255),
    text: { type: 'mrkdwn', text: clip(text, 3000) },
    ...(business
      ? {
          accessory: {
            type: 'button' as const,
            action_id: 'disconnect_business',
            text: { type: 'plain_text' as const, text: 'Disconnect comments and insights' },
            value: account._id,
            confirm: {
              title: { type: 'plain_text' as const, text: 'Disconnect?' },
              text: {
                type: 'plain_text' as const,
                text: 'Comments and insights of this account stop; its API for Business tokens are deleted and TikTok is asked to revoke them. Publishing is not affected.',
              },
              confirm: { type: 'plain_text' as const, text: 'Disconnect' },
              deny: { type: 'plain_text' as const, text: 'Cancel' },
            },
          },
        }
      : {}),
  };
}

function tokenExpiry(account: AccountSummary): string {
  if (account.status === 'disconnected') return 'no token';
  if (!account.tokenExpiresAt) return account.platform === 'facebook' ? 'does not expire (Page token)' : 'unknown';
  return slackDate(account.tokenExpiresAt);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
