import type { Button, KnownBlock } from '@slack/types';
import type { FreezeState } from '../src/services/brand-freeze.ts';
import type { PostDoc } from '../src/services/posts.ts';
import { formatInZone } from '../src/services/schedule-time.ts';
import { approvalActions, button, cancelButton } from './approval-message.ts';
import { escapeMrkdwn } from './slack-text.ts';

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** How many posts a notice lists one by one (Slack allows 50 blocks; each listed post with buttons takes two). */
const listed = 20;

function postLine(post: PostDoc, timezone: string): string {
  const when = post.dueAt ? formatInZone(post.dueAt, timezone) : 'as soon as approved';
  const caption = post.caption ? escapeMrkdwn(clip(post.caption.replace(/\s+/g, ' '), 120)) : '_No caption_';
  return `*${when}* · ${caption} · from <@${post.requestedBy}>`;
}

/** The notice in the approval channel when publishing is frozen: who, why, and every post held. */
export function freezeNotice(data: { freeze: FreezeState; held: PostDoc[]; timezone: string }): {
  text: string;
  blocks: KnownBlock[];
} {
  const who = data.freeze.by ? `<@${data.freeze.by}>` : 'An admin';
  const reason = escapeMrkdwn(clip(data.freeze.reason ?? '', 1000));
  const head = `:double_vertical_bar: *Publishing is frozen.* ${who} froze it: ${reason}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: head } }];
  const count = data.held.length;
  const summary =
    count === 0
      ? 'No post was scheduled. Posts approved during the freeze are held too.'
      : `${count} scheduled post${count === 1 ? ' is' : 's are'} held; posts approved during the freeze are held too. Approvals go on. \`/wone unfreeze\` lifts it.`;
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: summary }] });
  if (count > 0) {
    const lines = data.held.slice(0, 40).map((post) => `• ${postLine(post, data.timezone)}`);
    if (count > 40) lines.push(`…and ${count - 40} more (\`/wone queue\`)`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), 2900) } });
  }
  return { text: `Publishing is frozen by ${who}: ${reason}`, blocks };
}

/**
 * The notice when the freeze is lifted: posts whose time passed during it, each with Publish now, Reschedule and
 * Cancel; the others go out at their time.
 */
export function unfreezeNotice(data: { by: string; passed: PostDoc[]; resumed: number; timezone: string }): {
  text: string;
  blocks: KnownBlock[];
} {
  const head = `:arrow_forward: *Publishing is no longer frozen.* <@${data.by}> lifted the freeze.`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: head } }];
  const resumed =
    data.resumed === 0
      ? 'No held post is still ahead of its time.'
      : `${data.resumed} held post${data.resumed === 1 ? ' goes' : 's go'} out at ${data.resumed === 1 ? 'its' : 'their'} time.`;
  const passed =
    data.passed.length === 0
      ? ''
      : ` ${data.passed.length} post${data.passed.length === 1 ? "'s" : "s'"} time passed during the freeze: choose for each.`;
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${resumed}${passed}` }] });
  for (const post of data.passed.slice(0, listed)) {
    const value = `${post._id}:${post.revision}`;
    const actions: Button[] = [
      { ...button('Publish now', approvalActions.publishNow, value), style: 'primary' },
      button('Reschedule', approvalActions.reschedule, value),
      cancelButton(value),
    ];
    blocks.push(
      { type: 'section', text: { type: 'mrkdwn', text: postLine(post, data.timezone) } },
      { type: 'actions', block_id: `unfreeze:${post._id}:${post.revision}`, elements: actions },
    );
  }
  if (data.passed.length > listed) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${data.passed.length - listed} more in \`/wone queue\`.` }],
    });
  }
  return { text: `Publishing is no longer frozen (<@${data.by}>).`, blocks };
}

/** The line at the top of `/wone queue` and App Home while publishing is frozen. */
export function freezeBanner(freeze: FreezeState, timezone: string): KnownBlock {
  const since = freeze.since ? ` since ${formatInZone(freeze.since, timezone)}` : '';
  const who = freeze.by ? ` by <@${freeze.by}>` : '';
  const reason = freeze.reason ? `: ${escapeMrkdwn(clip(freeze.reason, 500))}` : '';
  return {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `:double_vertical_bar: *Publishing is frozen*${who}${since}${reason}. Nothing is published until an admin runs \`/wone unfreeze\`.`,
    },
  };
}
