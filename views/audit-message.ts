import type { KnownBlock } from '@slack/types';
import type { AuditEntry } from '../src/services/audit.ts';
import { slackDate } from './slack-date.ts';
import { escapeMrkdwn } from './slack-text.ts';

/** The `/wone audit` answer: the most recent entries, newest first. */
export function auditMessage(entries: AuditEntry[]): { text: string; blocks: KnownBlock[] } {
  if (entries.length === 0) {
    return {
      text: 'The audit log is empty.',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'The audit log is empty.' } }],
    };
  }
  const lines = entries.map((entry) => {
    const who = /^[UW][A-Z0-9]+$/.test(entry.actor) ? `<@${entry.actor}>` : `_${escapeMrkdwn(entry.actor)}_`;
    const details = entry.details
      ? ` (${Object.entries(entry.details)
          .map(([key, value]) => `${key}: ${escapeMrkdwn(String(value))}`)
          .join(', ')})`
      : '';
    return `${slackDate(entry.at)}  ${who}  *${entry.action}*${entry.subject ? ` \`${escapeMrkdwn(entry.subject)}\`` : ''}${details}`;
  });
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'Recent activity' } }];
  // A section holds at most 3000 characters: fill each before starting the next.
  let chunk = '';
  for (const line of lines) {
    const clipped = line.length > 2900 ? `${line.slice(0, 2899)}…` : line;
    if (chunk && chunk.length + clipped.length + 1 > 3000) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
      chunk = '';
    }
    chunk = chunk ? `${chunk}\n${clipped}` : clipped;
  }
  if (chunk) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
  return { text: `Recent activity: ${entries.length} entries`, blocks: blocks.slice(0, 50) };
}
