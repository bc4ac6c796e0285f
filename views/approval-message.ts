import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { platformLabels } from '../src/platforms/index.ts';
import type { PlatformName } from '../src/platforms/types.ts';
import type { StepStatus } from '../src/services/approval-steps.ts';
import { postTypeLabel } from '../src/services/post-types.ts';
import type { PostDoc, PostState } from '../src/services/posts.ts';
import { formatInZone } from '../src/services/schedule-time.ts';
import type { TargetDoc, TargetState } from '../src/services/targets.ts';
import { escapeMrkdwn, slackLink } from './slack-text.ts';

/** Action ids of the preview's buttons; the value is the post id (and revision) or the target id. */
export const approvalActions = {
  approve: 'post_approve',
  requestChanges: 'post_request_changes',
  reject: 'post_reject',
  edit: 'post_edit',
  reschedule: 'post_reschedule',
  cancel: 'post_cancel',
  publishNow: 'post_publish_now',
  retry: 'target_retry',
  confirmLive: 'target_confirm_live',
  publishAgain: 'target_publish_again',
} as const;

export interface ApprovalMessageData {
  post: PostDoc;
  accounts: { id: string; platform: PlatformName; name: string }[];
  /** Signed links to the post's images, for thumbnails. */
  thumbnails: { url: string; name: string }[];
  teamTimezone: string;
  /** Each platform's rule check: empty `problems` means it passed. */
  checks: { platform: PlatformName; problems: string[] }[];
  targets: TargetDoc[];
  /** Each approval step and where the post is in it (shown when there is more than one step). */
  steps?: StepStatus[];
  /** When the post must be fully approved by (shown while it waits). */
  deadline?: Date;
}

const stateLines: Record<PostState, string> = {
  drafted: ':hourglass_flowing_sand: Preparing the media…',
  pending_approval: ':eyes: Waiting for approval',
  changes_requested: ':pencil2: Changes requested',
  rejected: ':no_entry: Rejected',
  scheduled: ':white_check_mark: Approved and scheduled',
  overdue: ':warning: Missed its time while the app was down. Publish it now, reschedule or cancel?',
  publishing: ':rocket: Publishing…',
  published: ':tada: Published',
  needs_attention: ':warning: Published with problems: see below',
  cancelled: ':wastebasket: Cancelled',
  expired:
    ':hourglass: Expired: not fully approved in time, so it will not be published. Edit it to choose a new time.',
};

/** The headline, true to the targets: "Published with problems" only when something was published. */
function stateLine(state: PostState, targets: TargetDoc[]): string {
  if (state !== 'needs_attention' || targets.some((target) => target.state === 'published')) return stateLines[state];
  return targets.some((target) => target.state === 'unconfirmed')
    ? ':grey_question: Not confirmed as published: see below'
    : ':x: Not published: see below';
}

const targetLines: Record<TargetState, string> = {
  queued: ':hourglass: queued',
  publishing: ':rocket: publishing',
  published: ':white_check_mark: published',
  failed: ':x: failed',
  unconfirmed: ':grey_question: unconfirmed',
  held: ':double_vertical_bar: held (account needs reconnecting)',
};

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The preview in the approval channel: what, where, when, checks, results, and the buttons its state allows. */
export function approvalMessage(data: ApprovalMessageData): { text: string; blocks: KnownBlock[] } {
  const { post } = data;
  const blocks: KnownBlock[] = [];
  const key = `${post._id}:${post.revision}:${post.state}:${post.updatedAt.getTime()}`;
  blocks.push({
    type: 'section',
    block_id: `head:${key}`,
    text: { type: 'mrkdwn', text: `*Post from <@${post.requestedBy}>*\n${stateLineOf(post, data.targets)}` },
  });
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: post.caption ? clip(quote(escapeMrkdwn(post.caption)), 2900) : '_No caption_' },
  });
  // A network's own caption goes out there instead of the one above: the approver sees each.
  for (const [platform, caption] of Object.entries(post.captions ?? {}) as [PlatformName, string][]) {
    if (!caption.trim()) continue;
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(`*On ${platformLabels[platform]} instead:*\n${quote(escapeMrkdwn(caption))}`, 2900),
      },
    });
  }

  const accounts = post.accountIds.map((id) => {
    const account = data.accounts.find((a) => a.id === id);
    return account ? `${platformLabels[account.platform]} · ${escapeMrkdwn(account.name)}` : id;
  });
  const types = Object.values(post.postTypes)
    .filter((type) => type !== undefined)
    .map((type) =>
      type.startsWith('tiktok_')
        ? `${postTypeLabel(type)} (${post.tiktokMode === 'inbox' ? 'to inbox' : 'direct'})`
        : postTypeLabel(type),
    );
  blocks.push({
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Accounts*\n${clip(accounts.join('\n'), 1900)}` },
      { type: 'mrkdwn', text: `*When*\n${whenText(post, data.teamTimezone)}` },
      { type: 'mrkdwn', text: `*Type*\n${clip(types.join('\n') || '–', 1900)}` },
      { type: 'mrkdwn', text: `*Media*\n${clip(mediaText(post), 1900)}` },
    ],
  });
  if (post.firstComment) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: clip(`First comment: ${escapeMrkdwn(post.firstComment)}`, 2900) }],
    });
  }
  for (const thumbnail of data.thumbnails.slice(0, 3)) {
    blocks.push({ type: 'image', image_url: thumbnail.url, alt_text: clip(thumbnail.name, 1900) });
  }
  if (data.checks.length > 0) {
    const lines = data.checks.map((check) =>
      check.problems.length === 0
        ? `:white_check_mark: ${platformLabels[check.platform]}: meets the platform's rules`
        : `:warning: ${platformLabels[check.platform]}: ${escapeMrkdwn(check.problems.join('; '))}`,
    );
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(lines.join('\n'), 2900) }] });
  }

  if (data.steps && data.steps.length > 1) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(stepsText(data.steps), 2900) } });
  }
  if (data.deadline && post.state === 'pending_approval') {
    const by = formatInZone(data.deadline, data.teamTimezone);
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `:alarm_clock: Needs every approval by ${by}, or it expires.` }],
    });
  }

  const targetActions: Button[] = [];
  if (data.targets.length > 0) {
    const lines = data.targets.map((target) => {
      const account = data.accounts.find((a) => a.id === target.accountId);
      const name = account ? `${platformLabels[account.platform]} · ${account.name}` : target.accountId;
      const link = target.permalink ? ` ${slackLink(target.permalink, 'view')}` : '';
      const why = target.error ? `: ${escapeMrkdwn(clip(target.error, 200))}` : '';
      const extra = target.deliveredTo === 'inbox' ? ' to the TikTok inbox' : '';
      if (target.state === 'failed' || target.state === 'held') {
        targetActions.push(button(`Retry ${clip(name, 50)}`, approvalActions.retry, target._id));
      } else if (target.state === 'unconfirmed') {
        targetActions.push(button(`It's live: ${clip(name, 50)}`, approvalActions.confirmLive, target._id));
        targetActions.push(button(`Publish again: ${clip(name, 45)}`, approvalActions.publishAgain, target._id));
      }
      return `${escapeMrkdwn(name)}: ${targetLines[target.state]}${extra}${link}${why}`;
    });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), 2900) } });
  }

  const actions = [...buttonsFor(post), ...targetActions].slice(0, 25);
  if (actions.length > 0) {
    const block: ActionsBlock = { type: 'actions', block_id: `actions:${key}`, elements: actions };
    blocks.push(block);
  }
  const last = post.decisions.at(-1);
  if (last && last.action !== 'submitted') {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: clip(decisionText(last.action, last.by, last.note), 2900) }],
    });
  }
  const text = `Post from <@${post.requestedBy}>: ${stateLineOf(post, data.targets).replace(/^:[a-z_]+: /, '')}`;
  return { text, blocks };
}

/** The state line, with what the brand freeze did to the post when it did something. */
function stateLineOf(post: PostDoc, targets: TargetDoc[]): string {
  if (post.state === 'scheduled' && post.heldByFreeze) {
    return ':double_vertical_bar: Approved; held while publishing is frozen';
  }
  if (post.state === 'overdue' && post.decisions.at(-1)?.action === 'held_past') {
    return ':double_vertical_bar: Its time passed while publishing was frozen. Publish it now, reschedule or cancel?';
  }
  return stateLine(post.state, targets);
}

const stepMarks: Record<StepStatus['state'], string> = {
  done: ':white_check_mark:',
  current: ':eyes:',
  waiting: ':white_circle:',
};

/** The approval steps: who approved each, and who is still awaited at the current one. */
export function stepsText(steps: StepStatus[]): string {
  const lines = steps.map((step, index) => {
    const head = `${stepMarks[step.state]} ${index + 1}. *${step.name}* (${step.rule === 'all' ? 'everyone' : 'anyone'})`;
    const parts: string[] = [];
    if (step.approvedBy.length > 0) parts.push(`approved by ${step.approvedBy.map((id) => `<@${id}>`).join(', ')}`);
    const awaited = [
      ...step.awaitedUsers.map((id) => `<@${id}>`),
      ...step.awaitedGroups.map((id) => `<!subteam^${id}>`),
    ];
    if (step.state !== 'done' && awaited.length > 0) {
      parts.push(
        `${step.state === 'current' ? 'awaiting' : 'then'} ${awaited.join(step.rule === 'all' ? ', ' : ' or ')}`,
      );
    } else if (step.state === 'current' && awaited.length === 0) {
      parts.push('no one left who may approve it');
    }
    return parts.length > 0 ? `${head}: ${parts.join(' · ')}` : head;
  });
  return `*Approval steps*\n${lines.join('\n')}`;
}

function buttonsFor(post: PostDoc): Button[] {
  const value = `${post._id}:${post.revision}`;
  switch (post.state) {
    case 'pending_approval':
      return [
        { ...button('Approve', approvalActions.approve, value), style: 'primary' },
        button('Request changes', approvalActions.requestChanges, value),
        {
          ...button('Reject', approvalActions.reject, value),
          style: 'danger',
          confirm: {
            title: plain('Reject this post?'),
            text: plain('It will not be published. The requester is told.'),
            confirm: plain('Reject'),
            deny: plain('Keep it'),
          },
        },
        button('Edit', approvalActions.edit, value),
      ];
    case 'changes_requested':
    case 'expired':
      return [button('Edit', approvalActions.edit, value)];
    case 'scheduled':
      return [
        button('Reschedule', approvalActions.reschedule, value),
        cancelButton(value),
        button('Edit', approvalActions.edit, value),
      ];
    case 'overdue':
      return [
        { ...button('Publish now', approvalActions.publishNow, value), style: 'primary' },
        button('Reschedule', approvalActions.reschedule, value),
        cancelButton(value),
      ];
    default:
      return [];
  }
}

/** A Cancel button with a confirmation (also used by the queue). */
export function cancelButton(value: string): Button {
  return {
    ...button('Cancel', approvalActions.cancel, value),
    style: 'danger',
    confirm: {
      title: plain('Cancel this post?'),
      text: plain('It will not be published.'),
      confirm: plain('Cancel the post'),
      deny: plain('Keep it'),
    },
  };
}

export function button(text: string, actionId: string, value: string): Button {
  return { type: 'button', text: plain(clip(text, 75)), action_id: actionId, value };
}

/** "When" in the team's zone and, when different, the requester's. */
export function whenText(post: PostDoc, teamTimezone: string): string {
  if (!post.dueAt) return 'As soon as it is approved';
  const team = formatInZone(post.dueAt, teamTimezone);
  const own = formatInZone(post.dueAt, post.requesterTimezone);
  return team === own ? team : `${team}\n${own} for <@${post.requestedBy}>`;
}

function mediaText(post: PostDoc): string {
  if (post.media.length === 0 && post.pendingFiles.length + post.mediaUrls.length > 0) return 'Being prepared…';
  if (post.media.length === 0) return 'None';
  return post.media
    .map((m) => {
      const size = m.width && m.height ? ` ${m.width}×${m.height}` : '';
      const length = m.durationSec ? ` ${Math.round(m.durationSec)} s` : '';
      return `${m.kind === 'video' ? ':film_frames:' : ':frame_with_picture:'} ${escapeMrkdwn(clip(m.name, 60))}${size}${length}`;
    })
    .join('\n');
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/** A decision as said in the thread. */
export function decisionText(action: string, by: string, note?: string): string {
  const who = by === 'system' ? 'Wone' : `<@${by}>`;
  const words: Record<string, string> = {
    submitted: 'submitted this post',
    edited: 'edited this post; it needs approval again',
    approved: 'approved this post',
    changes_requested: 'asked for changes',
    rejected: 'rejected this post',
    rescheduled: 'rescheduled this post',
    cancelled: 'cancelled this post',
    overdue: 'flagged this post: it missed its time while the app was down',
    publish_now: 'chose to publish this post now',
    media_refused: 'could not use the media',
    expired: 'let this post expire, not fully approved by its deadline',
    held_past: 'held this post through the brand freeze; its time passed',
  };
  return `${who} ${words[action] ?? action}${note ? `: ${escapeMrkdwn(note)}` : ''}`;
}
