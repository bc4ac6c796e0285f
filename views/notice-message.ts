import type { KnownBlock } from '@slack/types';

/** A short ephemeral notice: refusals, confirmations and errors. */
export function noticeMessage(text: string): { text: string; blocks: KnownBlock[] } {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
