import type { KnownBlock } from '@slack/types';
import {
  AUDIENCE_DAYS,
  type BestTimeAnswer,
  MIN_HISTORY_POSTS,
  MIN_SLOT_POSTS,
  type Slot,
  type SuggestedTime,
} from '../src/services/best-time.ts';
import { HISTORY_DAYS } from '../src/services/post-results.ts';
import { escapeMrkdwn, platformLabel, truncate } from './slack-text.ts';

const weekdays = ['Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'];
const shortWeekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const pad = (n: number) => String(n).padStart(2, '0');

/** "Tuesdays 18:00–19:00". */
export function slotLabel(slot: Slot): string {
  return `${weekdays[slot.weekday - 1] ?? '?'} ${pad(slot.hour)}:00–${pad((slot.hour + 1) % 24)}:00`;
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/** The `/wone besttime` answer: per account, its best three weekday × hour slots and what they rest on. */
export function bestTimeMessage(answers: BestTimeAnswer[], zone: string): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'Best times to post' } }];
  if (answers.length === 0) {
    blocks.push(section('No accounts are connected yet.'));
  }
  // Slack allows 50 blocks: the header, one per account, the footer, and a line for any left out.
  const shown = answers.slice(0, 46);
  for (const answer of shown) blocks.push(section(truncate(accountText(answer), 3000)));
  if (answers.length > shown.length) {
    blocks.push(
      section(`${answers.length - shown.length} more accounts: ask for one with \`/wone besttime <account>\`.`),
    );
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Times in your time zone, ${escapeMrkdwn(zone)}. Ranked by engagement (likes or reactions, comments, shares, saves) per view, or per reach where a post has no views, over our posts of the last ${HISTORY_DAYS} days; an hour needs at least ${MIN_SLOT_POSTS} posts.`,
      },
    ],
  });
  return { text: 'Best times to post', blocks };
}

function accountText(answer: BestTimeAnswer): string {
  const heading = `*${platformLabel[answer.platform]} ${escapeMrkdwn(truncate(answer.accountName, 80))}*`;
  const thin = `Only ${answer.posts} measured post${answer.posts === 1 ? '' : 's'} in the last ${HISTORY_DAYS} days (${MIN_HISTORY_POSTS} needed, with at least ${MIN_SLOT_POSTS} in one hour), too few to rank hours from our own history`;
  if (answer.source === 'history') {
    const lines = answer.slots.map(
      (slot, i) =>
        `${i + 1}. ${slotLabel(slot)} · ${percent(slot.rate)} engagement per view · ${slot.posts} post${slot.posts === 1 ? '' : 's'}`,
    );
    return `${heading} — from our own ${answer.posts} posts:\n${lines.join('\n')}`;
  }
  if (answer.source === 'audience') {
    const lines = answer.slots.map(
      (slot, i) => `${i + 1}. ${slotLabel(slot)} · ${Math.round(slot.online).toLocaleString('en-US')} followers online`,
    );
    return `${heading} — ${thin}. These are the hours most of its followers are online instead, from ${platformLabel[answer.platform]}'s online followers over the last ${AUDIENCE_DAYS} days:\n${lines.join('\n')}`;
  }
  const why = answer.problem
    ? `its audience activity could not be read: ${escapeMrkdwn(truncate(answer.problem, 300))}`
    : answer.platform === 'instagram'
      ? 'Instagram gives no online followers for it (it needs at least 100 followers)'
      : `${platformLabel[answer.platform]} does not report when followers are online`;
  return `${heading} — ${thin}, and ${why}. No suggestion yet.`;
}

/** A suggested time as the draft modal offers it: "Tue 8 Dec 18:00 · @wone.commerce". */
export function suggestedTimeLabel(suggestion: SuggestedTime): string {
  const [, month, day] = suggestion.date.split('-');
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const date = `${shortWeekdays[suggestion.weekday - 1] ?? ''} ${Number(day)} ${months[Number(month) - 1] ?? ''}`;
  return `${date} ${suggestion.time} · ${suggestion.accountNames.join(', ')}`;
}

/** The answer to `/wone besttime <name>` when no connected account has that name. */
export function unknownAccountMessage(wanted: string, known: string[]): { text: string; blocks: KnownBlock[] } {
  const names = known.map((name) => `\`${escapeMrkdwn(truncate(name, 80))}\``).join(', ') || 'none yet';
  const text = `No connected account is called \`${escapeMrkdwn(truncate(wanted, 80))}\`. Connected: ${names}.`;
  return { text, blocks: [section(text)] };
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}
