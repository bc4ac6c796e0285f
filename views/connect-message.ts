import type { KnownBlock } from '@slack/types';
import type { LoginFlow } from '../src/services/oauth-states.ts';

const labels: Record<LoginFlow, { button: string; explain: string }> = {
  facebook: {
    button: 'Facebook Pages + Instagram',
    explain: '*Facebook Login*: Facebook Pages, and the Instagram accounts linked to them.',
  },
  instagram: {
    button: 'Instagram (Instagram Login)',
    explain: '*Instagram Login*: an Instagram professional account without a Facebook Page.',
  },
  tiktok: { button: 'TikTok', explain: '*TikTok*: a TikTok account, for publishing (TikTok Login Kit).' },
  tiktok_business: {
    button: 'TikTok comments and insights',
    explain:
      '*TikTok comments and insights*: the TikTok API for Business for a TikTok account connected above (it must be a TikTok Business account; log in as that account).',
  },
};

/**
 * The `/wone connect` answer: one link per login, each good for 10 minutes and only for the admin who asked; `off`
 * names the logins that are switched off, and why.
 */
export function connectMessage(
  links: { flow: LoginFlow; url: string }[],
  off: string[] = [],
): { text: string; blocks: KnownBlock[] } {
  if (links.length === 0) {
    const text = 'No platform is configured: set the Meta or TikTok app credentials first (see the README).';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const text =
    'Connect an account: log in with the platform, then choose in Slack which of the accounts it reaches to connect. ' +
    'Only the permissions Wone Social uses are asked for. These links work once, for you only, for 10 minutes.';
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'section', text: { type: 'mrkdwn', text: links.map((link) => labels[link.flow].explain).join('\n') } },
      {
        type: 'actions',
        block_id: 'connect_links',
        elements: links.map((link) => ({
          type: 'button' as const,
          action_id: `open_authorize_${link.flow}`,
          text: { type: 'plain_text' as const, text: labels[link.flow].button },
          url: link.url,
        })),
      },
      ...(off.length > 0
        ? [{ type: 'context' as const, elements: off.map((note) => ({ type: 'mrkdwn' as const, text: note })) }]
        : []),
    ],
  };
}
