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

/** Accounts shown per message: two blocks each, within Slack's 50-block limit. */
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
    if (account.platform === 'tiktok' && !account.businessApi) {
      blocks.push({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text:
              'No TikTok API for Business access for this account: publishing works, but comments and insights ' +
              'are not available (they need a TikTok Business account and an approved Business API app).',
          },
        ],
      });
    }
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

function tokenExpiry(account: AccountSummary): string {
  if (account.status === 'disconnected') return 'no token';
  if (!account.tokenExpiresAt) return account.platform === 'facebook' ? 'does not expire (Page token)' : 'unknown';
  return slackDate(account.tokenExpiresAt);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
