import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { platformLabels } from '../src/platforms/index.ts';
import type { PlatformName, PostType } from '../src/platforms/types.ts';
import type { StepStatus } from '../src/services/approval-steps.ts';
import { platformOf, postTypeLabel, textOnlyTypes } from '../src/services/post-types.ts';
import type { PostDoc, PostState } from '../src/services/posts.ts';
import type { RevisionChange, TikTokSetting } from '../src/services/revision-changes.ts';
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
  /**
   * Signed links to the post's images, in the post's order, for thumbnails (`position`: the image's place among all
   * the media, from 1). Shown only when every link is a public https address Slack can fetch.
   */
  thumbnails: { url: string; name: string; position?: number }[];
  /** What changed since the revision the approvers saw before (`post.previous`). */
  changes?: RevisionChange[];
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
  // What an edit changed, while the approvers decide on it.
  if (data.changes && data.changes.length > 0 && post.previous && post.state === 'pending_approval') {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(changesText(data.changes, post.previous.revision, data), 2900) },
    });
  }
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: post.caption ? clip(quote(escapeMrkdwn(post.caption)), 2900) : '_No caption_' },
  });
  blocks.push({
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*When*\n${whenText(post, data.teamTimezone)}` },
      { type: 'mrkdwn', text: `*Media*\n${clip(mediaText(post), 1900)}` },
    ],
  });
  for (const network of networksOf(post, data.accounts)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(networkText(post, network), 2900) } });
  }
  const shown = data.thumbnails.filter((thumbnail) => isPublicHttps(thumbnail.url)).slice(0, 10);
  if (shown.length === data.thumbnails.length) {
    for (const [index, thumbnail] of shown.entries()) {
      const position = thumbnail.position ?? index + 1;
      blocks.push({
        type: 'image',
        image_url: thumbnail.url,
        alt_text: clip(thumbnail.name, 1900),
        title: plain(clip(`${position}. ${thumbnail.name}`, 1900)),
      });
    }
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
  if (post.state === 'cancelled' && post.decisions.at(-1)?.action === 'withdrawn') {
    return `:leftwards_arrow_with_hook: Withdrawn by <@${post.decisions.at(-1)?.by}>`;
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

/**
 * The card's buttons, for the approval channel's audience: approvers decide, reschedule and cancel. The requester edits
 * and withdraws from their direct messages and App Home (admins also from `/wone queue`).
 */
function buttonsFor(post: PostDoc): Button[] {
  const value = `${post._id}:${post.revision}`;
  switch (post.state) {
    case 'pending_approval':
      return [
        { ...button('Approve', approvalActions.approve, value), style: 'primary' },
        button('Request changes', approvalActions.requestChanges, value),
        // Reject opens a modal that asks for a reason and confirms.
        { ...button('Reject', approvalActions.reject, value), style: 'danger' },
      ];
    case 'scheduled':
      return [button('Reschedule', approvalActions.reschedule, value), cancelButton(value)];
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

type Account = ApprovalMessageData['accounts'][number];

/** The chosen accounts of each network, in a fixed order, with the type chosen for it (when one is). */
function networksOf(
  post: PostDoc,
  known: Account[],
): { platform: PlatformName; accounts: Account[]; type?: PostType }[] {
  const order: PlatformName[] = ['instagram', 'facebook', 'tiktok'];
  return order.flatMap((platform) => {
    const accounts = post.accountIds
      .filter((id) => id.split(':')[0] === platform)
      .map((id) => known.find((account) => account.id === id) ?? { id, platform, name: id });
    if (accounts.length === 0) return [];
    const type = post.postTypes[platform];
    return [{ platform, accounts, ...(type && platformOf(type) === platform ? { type } : {}) }];
  });
}

const audienceWords: Record<string, string> = {
  PUBLIC_TO_EVERYONE: ':earth_africa: Everyone (public)',
  FOLLOWER_OF_CREATOR: ':busts_in_silhouette: Followers',
  MUTUAL_FOLLOW_FRIENDS: ':busts_in_silhouette: Friends (followers they follow back)',
  SELF_ONLY: ':lock: *Only me: private, not public*',
};

/** What goes out on one network: the type, the accounts, the first comment or link, the media and TikTok's settings. */
function networkText(post: PostDoc, network: ReturnType<typeof networksOf>[number]): string {
  const { platform, type } = network;
  const typeText = type ? postTypeLabel(type) : ':warning: no post type chosen';
  const mode =
    platform === 'tiktok' && type ? (post.tiktokMode === 'inbox' ? ', sent to the inbox' : ', posted directly') : '';
  const names = network.accounts.map((account) => escapeMrkdwn(clip(account.name, 80))).join(', ');
  const lines = [`*${platformLabels[platform]}* · ${names}`, `Type: ${typeText}${mode}`];
  // A network's own caption goes out there instead of the one above: the approver sees each.
  const own = post.captions?.[platform];
  if (own?.trim()) lines.push(`Caption here instead:\n${quote(escapeMrkdwn(clip(own, 2200)))}`);
  const media = post.media.length + post.pendingFiles.length + (post.media.length ? 0 : post.mediaUrls.length);
  if (type && textOnlyTypes.includes(type)) lines.push('Media: none (text or link post)');
  else if (media > 0) lines.push(`Media: ${media === 1 ? '1 file' : `${media} files, in order`}`);
  if (platform === 'facebook' && post.link && type === 'facebook_text') {
    lines.push(`Link: ${slackLink(post.link, clip(post.link, 200))}`);
  }
  if (platform !== 'tiktok' && post.firstComment) {
    lines.push(`First comment: ${escapeMrkdwn(clip(post.firstComment, 500))}`);
  }
  if (platform === 'tiktok') lines.push(...tiktokLines(post, network.accounts, type));
  return lines.join('\n');
}

function tiktokLines(post: PostDoc, accounts: Account[], type: PostType | undefined): string[] {
  const lines: string[] = [];
  const photo = type === 'tiktok_photo';
  if (photo && post.tiktok.photoTitle) lines.push(`Title: ${escapeMrkdwn(clip(post.tiktok.photoTitle, 100))}`);
  if (photo && post.tiktok.autoAddMusic) lines.push('Music: TikTok adds recommended music');
  for (const account of accounts) {
    const who = accounts.length > 1 ? `${escapeMrkdwn(clip(account.name, 80))}: ` : '';
    const privacy = post.tiktok.privacy[account.id];
    const audience = privacy
      ? (audienceWords[privacy] ?? escapeMrkdwn(privacy))
      : post.tiktokMode === 'inbox'
        ? 'chosen by the creator in TikTok'
        : ':warning: not chosen';
    lines.push(`${who}Who can see it: ${audience}`);
    const allowed = post.tiktok.interactions?.[account.id] ?? {
      comment: post.tiktok.allowComment,
      duet: post.tiktok.allowDuet,
      stitch: post.tiktok.allowStitch,
    };
    const words = [`comments ${allowed.comment ? 'on' : 'off'}`];
    if (!photo) words.push(`duet ${allowed.duet ? 'on' : 'off'}`, `stitch ${allowed.stitch ? 'on' : 'off'}`);
    lines.push(`${who}Interactions: ${words.join(', ')}`);
  }
  lines.push(`Disclosure: ${disclosureText(post)}`);
  return lines;
}

function disclosureText(post: PostDoc): string {
  const { brandOrganic, brandContent, disclose } = post.tiktok;
  if (disclose === false || (!brandOrganic && !brandContent)) return 'no commercial content';
  const kinds = [
    ...(brandOrganic ? ['your brand (promotional)'] : []),
    ...(brandContent ? ['branded content (paid partnership)'] : []),
  ];
  return `:label: ${kinds.join(' and ')}`;
}

/** Is `url` an https address on a public host (Slack fetches image blocks itself)? */
export function isPublicHttps(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname.toLowerCase();
  if (parsed.protocol !== 'https:') return false;
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.invalid')) {
    return false;
  }
  if (host.startsWith('[') || host === '::1') return false;
  const ip = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (!ip) return host.includes('.');
  const [a, b] = [Number(ip[1]), Number(ip[2])];
  return !(
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}

const settingWords: Record<TikTokSetting, string> = {
  audience: 'who can see it',
  interactions: 'interactions',
  disclosure: 'disclosure',
  delivery: 'direct or inbox',
  photo: 'photo title or music',
};

/** "What changed since revision N": each change in a line. */
function changesText(changes: RevisionChange[], since: number, data: ApprovalMessageData): string {
  const name = (id: string) => {
    const account = data.accounts.find((a) => a.id === id);
    return account ? `${platformLabels[account.platform]} · ${escapeMrkdwn(account.name)}` : escapeMrkdwn(id);
  };
  const when = (at?: Date) => (at ? formatInZone(at, data.teamTimezone) : 'as soon as approved');
  const short = (text: string | undefined) =>
    text ? `“${escapeMrkdwn(clip(text.replace(/\s+/g, ' '), 150))}”` : 'none';
  const lines = changes.map((change) => {
    switch (change.kind) {
      case 'caption':
        return `• Caption (was ${short(change.before)})`;
      case 'network_caption':
        return `• ${platformLabels[change.platform]} caption (was ${change.before ? short(change.before) : 'the common caption'})`;
      case 'time':
        return `• Time: ${when(change.before)} → ${when(change.after)}`;
      case 'accounts': {
        const parts = [
          ...(change.added.length ? [`added ${change.added.map(name).join(', ')}`] : []),
          ...(change.removed.length ? [`removed ${change.removed.map(name).join(', ')}`] : []),
        ];
        return `• Accounts: ${parts.join('; ')}`;
      }
      case 'media':
        return `• Media: ${change.before.length} → ${change.after.length} file${change.after.length === 1 ? '' : 's'} (${escapeMrkdwn(clip(change.after.join(', ') || 'none', 300))})`;
      case 'type':
        return `• ${platformLabels[change.platform]} type: ${change.before ? postTypeLabel(change.before) : 'none'} → ${change.after ? postTypeLabel(change.after) : 'none'}`;
      case 'first_comment':
        return `• First comment (was ${short(change.before)})`;
      case 'link':
        return `• Link: ${short(change.before)} → ${short(change.after)}`;
      case 'tiktok':
        return `• TikTok settings: ${change.settings.map((setting) => settingWords[setting]).join(', ')}`;
    }
    return '';
  });
  return `:memo: *Changed since revision ${since}*\n${lines.join('\n')}`;
}

function mediaText(post: PostDoc): string {
  if (post.media.length === 0 && post.pendingFiles.length + post.mediaUrls.length > 0) return 'Being prepared…';
  if (post.media.length === 0) return 'None';
  return post.media
    .map((m, index) => {
      const size = m.width && m.height ? ` ${m.width}×${m.height}` : '';
      const length = m.durationSec ? ` ${Math.round(m.durationSec)} s` : '';
      return `${index + 1}. ${m.kind === 'video' ? ':film_frames:' : ':frame_with_picture:'} ${escapeMrkdwn(clip(m.name, 60))}${size}${length}`;
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
    withdrawn: 'withdrew this post; it will not be published',
  };
  return `${who} ${words[action] ?? action}${note ? `: ${escapeMrkdwn(note)}` : ''}`;
}
