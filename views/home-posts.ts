import type { Block, Button, KnownBlock } from '@slack/types';
import type { PostDoc, PostState } from '../src/services/posts.ts';
import { formatInZone } from '../src/services/schedule-time.ts';
import { approvalActions, button } from './approval-message.ts';
import { escapeMrkdwn, slackLink, truncate } from './slack-text.ts';
import { withdrawButton } from './withdraw-button.ts';

/** How App Home groups a person's own posts, and the states in each group. */
export const homeGroups = [
  { group: 'waiting', title: 'Waiting for approval', states: ['drafted', 'pending_approval'] },
  { group: 'needs_changes', title: 'Needs changes', states: ['changes_requested', 'expired'] },
  { group: 'scheduled', title: 'Scheduled', states: ['scheduled', 'overdue', 'publishing'] },
  { group: 'failed', title: 'Not published everywhere', states: ['needs_attention'] },
  { group: 'rejected', title: 'Rejected', states: ['rejected'] },
  { group: 'published', title: 'Published', states: ['published'] },
] as const satisfies readonly { group: string; title: string; states: readonly PostState[] }[];

export type HomeGroup = (typeof homeGroups)[number]['group'];

/** Posts shown per group; the rest are counted. */
export const homePostsPerGroup = 3;

export interface HomePostsData {
  /** The person's own posts per group: the latest few and how many there are. */
  mine: { group: HomeGroup; posts: PostDoc[]; total: number }[];
  /** For approvers: posts waiting for their decision, each with a link to its approval thread. */
  waitingForYou?: { posts: { post: PostDoc; link?: string }[]; total: number };
  /** The viewer's zone. */
  timezone: string;
}

const section = (text: string, accessory?: Button): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, 2900) },
  ...(accessory ? { accessory } : {}),
});
const more = (count: number, where: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: `and ${count} more${where}` }],
});

function captionOf(post: PostDoc): string {
  return post.caption ? escapeMrkdwn(truncate(post.caption.replace(/\s+/g, ' '), 100)) : '_No caption_';
}

function whenOf(post: PostDoc, timezone: string): string {
  const at =
    post.finishedAt && ['published', 'needs_attention', 'rejected'].includes(post.state) ? post.finishedAt : post.dueAt;
  return at ? formatInZone(at, timezone) : 'as soon as approved';
}

/** What the last decision said, when it explains where the post is (a reason, a refusal). */
function why(post: PostDoc): string {
  const last = post.decisions.at(-1);
  if (!last?.note) return '';
  if (last.action === 'changes_requested' || last.action === 'rejected' || last.action === 'media_refused') {
    const who = last.by === 'system' ? 'Wone' : `<@${last.by}>`;
    return `\n${who}: ${escapeMrkdwn(truncate(last.note.replace(/\s+/g, ' '), 300))}`;
  }
  return '';
}

/** The buttons the owner may use on a post in this state: Edit while it can be edited, Withdraw while it waits. */
function actionsFor(post: PostDoc): Button[] {
  const value = `${post._id}:${post.revision}`;
  const waits = post.state === 'pending_approval' || post.state === 'scheduled';
  const editable = waits || post.state === 'changes_requested' || post.state === 'expired';
  return [
    ...(editable ? [button('Edit', approvalActions.edit, value)] : []),
    ...(waits ? [withdrawButton(value)] : []),
  ];
}

/**
 * App Home's post sections: the viewer's own posts by state (each with the button they may use on it: Withdraw while
 * it waits, Edit while it can be edited), and, for approvers, what waits for their decision. At most 45 blocks.
 */
export function homePostBlocks(data: HomePostsData): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (data.waitingForYou && data.waitingForYou.total > 0) {
    const { posts, total } = data.waitingForYou;
    blocks.push({ type: 'header', text: { type: 'plain_text', text: `Waiting for your approval (${total})` } });
    const lines = posts.map(({ post, link }) => {
      const caption = link
        ? slackLink(link, truncate(post.caption.replace(/\s+/g, ' '), 80) || 'Open the post')
        : captionOf(post);
      return `• ${caption} · from <@${post.requestedBy}> · ${whenOf(post, data.timezone)}`;
    });
    blocks.push(section(lines.join('\n')));
    if (total > posts.length) blocks.push(more(total - posts.length, ' in the approval channel'));
  }
  blocks.push({ type: 'header', text: { type: 'plain_text', text: 'Your posts' } });
  const groups = homeGroups
    .map((group) => ({ ...group, ...(data.mine.find((m) => m.group === group.group) ?? { posts: [], total: 0 }) }))
    .filter((group) => group.total > 0);
  if (groups.length === 0) blocks.push(section('You have no posts yet. Draft one with `/wone schedule`.'));
  for (const group of groups) {
    blocks.push(section(`*${group.title}* (${group.total})`));
    const shown = group.posts.slice(0, homePostsPerGroup);
    for (const post of shown) {
      const text = `${whenOf(post, data.timezone)} · ${captionOf(post)}${why(post)}`;
      const actions = actionsFor(post);
      blocks.push(section(text, actions.length === 1 ? actions[0] : undefined));
      if (actions.length > 1) {
        blocks.push({ type: 'actions', elements: actions });
      }
    }
    if (group.total > shown.length) blocks.push(more(group.total - shown.length, ''));
  }
  blocks.push({ type: 'divider' });
  return blocks;
}

/** A Home tab's blocks cut to Slack's 100, saying how many were left out rather than dropping them unsaid. */
export function fitHome<B extends Block>(blocks: B[]): (B | KnownBlock)[] {
  if (blocks.length <= 100) return blocks;
  return [...blocks.slice(0, 99), more(blocks.length - 99, ' not shown here: see `/wone queue`')];
}
