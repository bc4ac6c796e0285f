import type { KnownBlock } from '@slack/types';

export interface HelpEntry {
  usage: string;
  description: string;
}

/** The `/wone help` answer: every subcommand the user may run, and what it does. */
export function helpMessage(entries: HelpEntry[], note?: string): { text: string; blocks: KnownBlock[] } {
  const lines = entries.map((entry) => `\`${entry.usage}\`  ${entry.description}`);
  const blocks: KnownBlock[] = [];
  if (note) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: note } });
  blocks.push(
    { type: 'header', text: { type: 'plain_text', text: 'Wone Social' } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'Draft, approve and publish posts on our Instagram, Facebook and TikTok accounts.' },
      ],
    },
  );
  return { text: `${note ? `${note}\n` : ''}Wone Social commands:\n${lines.join('\n')}`, blocks };
}
