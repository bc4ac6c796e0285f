import type { Button, HomeView, KnownBlock } from '@slack/types';
import { platformLabels } from '../src/platforms/index.ts';
import type { PlatformName } from '../src/platforms/types.ts';
import type { FreezeState } from '../src/services/brand-freeze.ts';
import type { PostDoc } from '../src/services/posts.ts';
import { formatInZone } from '../src/services/schedule-time.ts';
import type { TargetDoc } from '../src/services/targets.ts';
import { approvalActions, button, cancelButton } from './approval-message.ts';
import { freezeBanner } from './freeze-message.ts';
import { escapeMrkdwn, slackLink } from './slack-text.ts';
import { withdrawButton } from './withdraw-button.ts';

export const queuePageAction = 'queue_page';
export const queueFilterAction = 'queue_filter';
export const queuePageSize = 5;
/** The filter option for every account. */
export const allAccounts = 'all';

/** Where a queue message stands: its page and the account it is filtered to. */
export interface QueuePlace {
  /** Zero-based. */
  page: number;
  accountId?: string;
}

/** A place as a value of at most a few dozen characters (`<page>|<account id>`), carried by the message's controls. */
export function queuePlaceValue(place: QueuePlace): string {
  return `${place.page}|${place.accountId ?? ''}`;
}

/** Reads a place back from a control's value or block id (its part after the last `/`); page 0, all accounts if not. */
export function queuePlaceOf(text: string | undefined): QueuePlace {
  const match = /(?:^|\/)(\d{1,6})\|([^|/]{0,200})$/.exec(text ?? '');
  if (!match) return { page: 0 };
  return { page: Number(match[1]), ...(match[2] ? { accountId: match[2] } : {}) };
}

export interface QueueData {
  posts: PostDoc[];
  /** Zero-based. */
  page: number;
  total: number;
  /** The account the list is filtered to (`/wone queue` only). */
  accountId?: string;
  accounts: { id: string; platform: PlatformName; name: string }[];
  /** The viewer's own zone. */
  timezone: string;
  /** The brand freeze in force, shown first. */
  freeze?: FreezeState;
  /** Posts that expired waiting for approval (not edited since), each with Edit. */
  expired?: PostDoc[];
  /** Who is looking, so only the buttons they may use are shown (unset: every button). */
  viewer?: QueueViewer;
}

/** The viewer of a queue or Home tab: `manage` when they may reschedule, cancel and publish now (approvers). */
export interface QueueViewer {
  id: string;
  manage: boolean;
  admin: boolean;
}

/** Whether the viewer may edit the post: its requester or an admin. */
const mayEdit = (post: PostDoc, viewer: QueueViewer | undefined) =>
  !viewer || viewer.admin || post.requestedBy === viewer.id;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function postLine(post: PostDoc, data: Pick<QueueData, 'accounts' | 'timezone'>): string {
  const accounts = post.accountIds
    .map((id) => data.accounts.find((a) => a.id === id))
    .map((a) => (a ? `${platformLabels[a.platform]} · ${escapeMrkdwn(a.name)}` : 'a disconnected account'))
    .join(', ');
  const when = post.dueAt ? formatInZone(post.dueAt, data.timezone) : 'when approved';
  const flag =
    post.state === 'overdue'
      ? ':warning: *Missed its time; waiting for a decision.* '
      : post.heldByFreeze
        ? ':double_vertical_bar: *Held by the freeze.* '
        : '';
  const caption = post.caption ? escapeMrkdwn(clip(post.caption.replace(/\s+/g, ' '), 140)) : '_No caption_';
  return `${flag}*${when}* · ${clip(accounts, 400)}\n${caption} · from <@${post.requestedBy}>`;
}

function postBlocks(post: PostDoc, data: Pick<QueueData, 'accounts' | 'timezone' | 'viewer'>): KnownBlock[] {
  const value = `${post._id}:${post.revision}`;
  if (data.viewer && !data.viewer.manage) {
    // Editors see the post, and Withdraw on their own scheduled posts; the rest is for approvers.
    const own = post.requestedBy === data.viewer.id && post.state === 'scheduled';
    return [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: postLine(post, data) },
        ...(own ? { accessory: withdrawButton(value) } : {}),
      },
    ];
  }
  const actions: Button[] = [button('Reschedule', approvalActions.reschedule, value), cancelButton(value)];
  if (post.state === 'overdue')
    actions.unshift({ ...button('Publish now', approvalActions.publishNow, value), style: 'primary' });
  return [
    { type: 'section', text: { type: 'mrkdwn', text: postLine(post, data) } },
    { type: 'actions', block_id: `queue:${post._id}:${post.revision}:${post.state}`, elements: actions },
  ];
}

/** Posts that expired waiting for approval, each with Edit (to choose a new time and send it again). */
function expiredBlocks(posts: PostDoc[], timezone: string, viewer?: QueueViewer): KnownBlock[] {
  if (posts.length === 0) return [];
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Expired: not approved in time (${posts.length})` } },
  ];
  for (const post of posts) {
    const when = post.dueAt ? formatInZone(post.dueAt, timezone) : 'no time';
    const caption = post.caption ? escapeMrkdwn(clip(post.caption.replace(/\s+/g, ' '), 140)) : '_No caption_';
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `:hourglass: *was due ${when}*\n${caption} · from <@${post.requestedBy}>` },
      ...(mayEdit(post, viewer)
        ? { accessory: button('Edit', approvalActions.edit, `${post._id}:${post.revision}`) }
        : {}),
    });
  }
  return blocks;
}

const stateWords: Partial<Record<PostDoc['state'], string>> = {
  pending_approval: ':hourglass_flowing_sand: Waiting for approval',
  changes_requested: ':pencil2: Needs changes',
  scheduled: ':calendar: Scheduled',
  overdue: ':calendar: Scheduled',
};

/** One post of `/wone queue`: its state in words; Reschedule and Cancel once it is scheduled. */
function queuePostBlocks(post: PostDoc, data: QueueData): KnownBlock[] {
  const state = stateWords[post.state] ?? post.state;
  if (post.state !== 'scheduled' && post.state !== 'overdue') {
    return [{ type: 'section', text: { type: 'mrkdwn', text: `${state}\n${postLine(post, data)}` } }];
  }
  const place = queuePlaceValue({ page: data.page, ...(data.accountId ? { accountId: data.accountId } : {}) });
  return postBlocks(post, data).map((block) =>
    block.type === 'actions'
      ? // The message's page and filter ride along, so the message is redrawn as it was after the action.
        { ...block, block_id: `${block.block_id}/${place}` }
      : block.type === 'section' && block.text
        ? { ...block, text: { ...block.text, text: `${state}\n${block.text.text}` } }
        : block,
  );
}

/** The account filter: every account, or one. */
function filterBlock(data: QueueData): KnownBlock | undefined {
  if (data.accounts.length < 2) return undefined;
  const all = { text: { type: 'plain_text' as const, text: 'All accounts' }, value: allAccounts };
  const options = [
    all,
    ...data.accounts.slice(0, 99).map((account) => ({
      text: { type: 'plain_text' as const, text: clip(`${platformLabels[account.platform]} · ${account.name}`, 75) },
      value: account.id.slice(0, 150),
    })),
  ];
  const chosen = options.find((o) => o.value === data.accountId) ?? all;
  return {
    type: 'actions',
    block_id: 'queue_filter',
    elements: [
      {
        type: 'static_select',
        action_id: queueFilterAction,
        placeholder: { type: 'plain_text', text: 'Filter by account' },
        options,
        initial_option: chosen,
      },
    ],
  };
}

/**
 * `/wone queue`: the freeze (if any), the account filter, posts waiting for approval, needing changes or scheduled, a
 * page at a time (Reschedule and Cancel on scheduled ones), then expired posts.
 */
export function queueMessage(data: QueueData): { text: string; blocks: KnownBlock[] } {
  const pages = Math.max(1, Math.ceil(data.total / queuePageSize));
  const top: KnownBlock[] = data.freeze ? [freezeBanner(data.freeze, data.timezone)] : [];
  const filter = filterBlock(data);
  if (filter) top.push(filter);
  const expired = expiredBlocks(data.expired ?? [], data.timezone, data.viewer);
  const frozenText = data.freeze ? 'Publishing is frozen. ' : '';
  const account = data.accounts.find((a) => a.id === data.accountId);
  if (data.total === 0) {
    const text = account
      ? `Nothing is waiting or scheduled for ${platformLabels[account.platform]} · ${escapeMrkdwn(account.name)}.`
      : 'Nothing is waiting for approval or scheduled. Draft a post with `/wone schedule`.';
    return {
      text: `${frozenText}${text}`,
      blocks: [...top, { type: 'section', text: { type: 'mrkdwn', text } }, ...expired],
    };
  }
  const heading = account ? `${platformLabels[account.platform]} · ${account.name}: upcoming posts` : 'Upcoming posts';
  const blocks: KnownBlock[] = [
    ...top,
    { type: 'header', text: { type: 'plain_text', text: clip(`${heading} (${data.total})`, 150) } },
  ];
  for (const post of data.posts) blocks.push(...queuePostBlocks(post, data), { type: 'divider' });
  const paging: Button[] = [];
  const at = (page: number) => queuePlaceValue({ page, ...(data.accountId ? { accountId: data.accountId } : {}) });
  if (data.page > 0) paging.push(button('Previous', queuePageAction, at(data.page - 1)));
  if (data.page + 1 < pages) paging.push(button('Next', queuePageAction, at(data.page + 1)));
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `Page ${data.page + 1} of ${pages} · times in ${data.timezone}` }],
  });
  if (paging.length > 0) blocks.push({ type: 'actions', block_id: `queue_pages:${data.page}`, elements: paging });
  blocks.push(...expired);
  return { text: `${frozenText}Upcoming posts: ${data.total}`, blocks };
}

export interface HomeData {
  queue: PostDoc[];
  queueTotal: number;
  recent: { post: PostDoc; targets: TargetDoc[] }[];
  accounts: QueueData['accounts'];
  timezone: string;
  freeze?: FreezeState;
  expired?: PostDoc[];
  viewer?: QueueViewer;
}

const resultWords: Record<TargetDoc['state'], string> = {
  queued: ':hourglass: queued',
  publishing: ':rocket: publishing',
  published: ':white_check_mark: published',
  failed: ':x: failed',
  unconfirmed: ':grey_question: unconfirmed',
  held: ':double_vertical_bar: held',
};

/** The App Home tab: the next posts in the queue and the latest results. */
export function homeTab(data: HomeData): HomeView {
  const blocks: KnownBlock[] = data.freeze ? [freezeBanner(data.freeze, data.timezone)] : [];
  blocks.push({ type: 'header', text: { type: 'plain_text', text: 'Upcoming posts' } });
  if (data.queue.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'Nothing is scheduled. Use `/wone schedule`.' } });
  }
  for (const post of data.queue) blocks.push(...postBlocks(post, data));
  if (data.queueTotal > data.queue.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${data.queueTotal - data.queue.length} more: \`/wone queue\`` }],
    });
  }
  blocks.push(...expiredBlocks(data.expired ?? [], data.timezone, data.viewer));
  blocks.push({ type: 'divider' }, { type: 'header', text: { type: 'plain_text', text: 'Recent results' } });
  if (data.recent.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'Nothing has been published yet.' } });
  }
  for (const { post, targets } of data.recent) {
    const lines = targets.map((target) => {
      const account = data.accounts.find((a) => a.id === target.accountId);
      const name = account ? `${platformLabels[account.platform]} · ${escapeMrkdwn(account.name)}` : target.accountId;
      const link = target.permalink ? ` ${slackLink(target.permalink, 'view')}` : '';
      return `${name}: ${resultWords[target.state]}${link}`;
    });
    const when = post.finishedAt ? formatInZone(post.finishedAt, data.timezone) : '';
    const caption = post.caption ? escapeMrkdwn(clip(post.caption.replace(/\s+/g, ' '), 100)) : '_No caption_';
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*${when}* · ${caption}\n${lines.join('\n')}`, 2900) },
    });
  }
  return { type: 'home', blocks: blocks.slice(0, 100) };
}

/** The App Home tab for someone without a role: no posts, only where to ask. */
export function noAccessHomeTab(): HomeView {
  return {
    type: 'home',
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'Wone Social is for the social media team. Ask an admin to add you as an editor to see the queue.',
        },
      },
    ],
  };
}
