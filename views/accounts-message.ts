import type { KnownBlock } from '@slack/types';
import { abilitiesOf } from '../src/services/account-abilities.ts';
import type { AccountSummary } from '../src/services/accounts.ts';
import { slackDate } from './slack-date.ts';
import { escapeMrkdwn } from './slack-text.ts';

const loginNames = {
  facebook: 'Facebook Page',
  instagramViaFacebook: 'Instagram, through its Facebook Page',
  instagramLogin: 'Instagram, through Instagram Login',
  tiktok: 'TikTok',
} as const;
const statusText = {
  ok: ':white_check_mark: Connected',
  reconnect_needed: ':warning: Needs reconnecting',
  disconnected: ':no_entry_sign: Disconnected (no token kept)',
} as const;

/** Accounts shown per message: at most three blocks each, within Slack's 50-block limit. */
const maxShown = 15;

/**
 * The `/wone accounts` answer, for people: each account by its name or @handle, whether it is connected, and what it
 * can do here in words (publish, comments live or checked on a schedule, insights), with a Reconnect button.
 */
export function accountsMessage(accounts: AccountSummary[]): { text: string; blocks: KnownBlock[] } {
  if (accounts.length === 0) {
    const text = 'No accounts are connected yet. An admin can connect one with `/wone connect`.';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'Connected accounts' } }];
  for (const account of accounts.slice(0, maxShown)) {
    const lines = [
      `*${escapeMrkdwn(handleOf(account))}*  ·  ${kindOf(account)}`,
      `${statusText[account.status]}${account.lastHealthProblem && account.status !== 'ok' ? `: ${escapeMrkdwn(account.lastHealthProblem)}` : ''}`,
      ...(account.status === 'disconnected' ? [] : abilityLines(account)),
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
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(tokenLine(account), 3000) }] });
  }
  if (accounts.length > maxShown) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${accounts.length - maxShown} more not shown.` }],
    });
  }
  const summary = accounts
    .map((account) => `${escapeMrkdwn(handleOf(account))} (${kindOf(account)}, ${statusWords[account.status]})`)
    .join(', ');
  return { text: clip(`Connected accounts: ${summary}`, 3000), blocks };
}

const statusWords = { ok: 'connected', reconnect_needed: 'needs reconnecting', disconnected: 'disconnected' } as const;

/** The Page name, or the @handle of an Instagram or TikTok account. */
function handleOf(account: AccountSummary): string {
  if (account.platform === 'facebook' || account.name.startsWith('@')) return account.name;
  return `@${account.name}`;
}

function kindOf(account: AccountSummary): string {
  if (account.platform === 'facebook') return loginNames.facebook;
  if (account.platform === 'tiktok') return loginNames.tiktok;
  return account.login === 'instagram' ? loginNames.instagramLogin : loginNames.instagramViaFacebook;
}

/** What the account can do, one line each; what it cannot says how to get it. */
function abilityLines(account: AccountSummary): string[] {
  const can = abilitiesOf(account);
  const reconnect = 'reconnect it and allow it';
  const publish = {
    yes: ':rocket: Publishes posts',
    inbox: ':rocket: Sends videos to the TikTok inbox, where the creator posts them',
    no: `:no_entry_sign: Cannot publish: ${reconnect}`,
  }[can.publish];
  const tiktokOff = 'needs the comments and insights connection below';
  const comments = {
    live: ':speech_balloon: Comments arrive live',
    polled: ':speech_balloon: Comments are checked every few minutes (not live)',
    no: `:no_entry_sign: Comments are not read: ${account.platform === 'tiktok' ? tiktokOff : reconnect}`,
  }[can.comments];
  const insights = can.insights
    ? ':bar_chart: Insights are read for reports'
    : `:no_entry_sign: No insights: ${account.platform === 'tiktok' ? tiktokOff : reconnect}`;
  return [
    publish,
    comments,
    insights,
    ...(can.known ? [] : [':information_source: Its permissions were not recorded; reconnect it to check them.']),
  ];
}

function tokenLine(account: AccountSummary): string {
  const checked = account.lastHealthCheckAt
    ? `last checked ${slackDate(account.lastHealthCheckAt)}`
    : 'not checked yet';
  if (account.status === 'disconnected') return `No login kept · ${checked}`;
  if (!account.tokenExpiresAt) {
    const login = account.platform === 'facebook' ? 'Login does not expire (Page token)' : 'Login expiry unknown';
    return `${login} · ${checked}`;
  }
  const renews = account.platform === 'facebook' ? 'Login expires' : 'Login renews itself; current one valid until';
  return `${renews} ${slackDate(account.tokenExpiresAt)} · ${checked}`;
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

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
