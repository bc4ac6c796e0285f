import type { CallbackOutcome } from '../../src/services/account-connect.ts';
import type { LoginFlow } from '../../src/services/oauth-states.ts';
import { messagePage } from './page.ts';

const platformName: Record<LoginFlow, string> = {
  facebook: 'Facebook',
  instagram: 'Instagram',
  tiktok: 'TikTok',
  tiktok_business: 'TikTok API for Business',
};

const refusals: Record<Extract<CallbackOutcome, { kind: 'refused' }>['reason'] | 'unavailable', string> = {
  missing: 'The link back from the platform was incomplete.',
  unknown: 'This login link is not one Wone Social made (or it was cleared).',
  used: 'This login link has already been used. Each link works once.',
  expired: 'This login link has expired: links work for 10 minutes.',
  wrong_flow: 'This login link was made for another platform.',
  other_browser: 'This login was started by someone else, or in another browser. Only the person who asked may use it.',
  unavailable: 'This platform is not configured.',
};

/** What the browser sees at the end of a login. Never shows a token, a code or an account list. */
export function callbackPage(outcome: CallbackOutcome): { status: number; html: string } {
  const nothing = 'Nothing was connected or stored. Run /wone connect in Slack to get a new link.';
  switch (outcome.kind) {
    case 'choose':
      return {
        status: 200,
        html: messagePage('Almost done', [
          `Your ${platformName[outcome.pending.flow]} login worked and reached ${outcome.pending.candidates.length} account(s).`,
          'Go back to Slack: Wone Social has sent you the list. Tick the accounts to connect; nothing is connected until you do.',
        ]),
      };
    case 'nothing_found':
      return {
        status: 200,
        html: messagePage('No accounts found', [
          `Your ${platformName[outcome.flow]} login worked, but it does not reach any account Wone Social can manage (for Facebook: a Page you granted; for Instagram: a professional account).`,
          nothing,
        ]),
      };
    case 'denied':
      return {
        status: 200,
        html: messagePage('Not connected', [`You declined the ${platformName[outcome.flow]} permissions.`, nothing]),
      };
    case 'failed':
      return {
        status: 502,
        html: messagePage('Not connected', [
          `${platformName[outcome.flow]} did not complete the login: ${outcome.message}`,
          nothing,
        ]),
      };
    case 'refused':
      return { status: 400, html: messagePage('Not connected', [refusals[outcome.reason], nothing]) };
  }
}

/** The start link could not be followed. */
export function startRefusedPage(reason: string): string {
  return messagePage('Link not usable', [
    refusals[reason as keyof typeof refusals] ?? refusals.unknown,
    'Run /wone connect in Slack to get a new link.',
  ]);
}
