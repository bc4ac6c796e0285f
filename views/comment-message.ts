import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import type { PlatformName } from '../src/platforms/types.ts';
import { escapeMrkdwn, platformLabel, quote, slackTime, truncate } from './slack-text.ts';

/** What a comment's thread message shows. */
export interface CommentMessageInput {
  /** The comment's key (`<platform>:<commentId>`), carried by the buttons. */
  key: string;
  platform: PlatformName;
  accountName: string;
  authorName: string;
  text: string;
  createdAt: Date;
  isReply: boolean;
  edited: boolean;
  removed: boolean;
  hidden: boolean;
  hiddenBy?: string;
  /** The rule that hid it automatically, e.g. `links` or `keywords: spam`. */
  hiddenByRule?: string;
  /** Who took it on. */
  assignee?: string;
  /** Who marked it done. */
  doneBy?: string;
  replies: { by: string; text: string; at: Date }[];
  /** Where Open leads: the comment, or the post it is on. */
  permalink?: string;
}

/** Platforms whose comments can be hidden from Slack. */
export const hideablePlatforms: PlatformName[] = ['instagram', 'facebook'];

const shownReplies = 5;

/** A comment in its post's thread: platform, account, author, text and time, what the team did, and the buttons. */
export function commentMessage(input: CommentMessageInput): { text: string; blocks: KnownBlock[] } {
  const platform = platformLabel[input.platform];
  const author = escapeMrkdwn(truncate(input.authorName, 100));
  const verb = input.isReply ? 'replied to a comment' : 'commented';
  const heading = `*${author}* ${verb} on ${platform} (${escapeMrkdwn(input.accountName)})`;
  const body = input.removed
    ? '_This comment was removed on the platform._'
    : quote(escapeMrkdwn(truncate(input.text, 2500)) || ' ');
  const status = [slackTime(input.createdAt)];
  if (input.edited && !input.removed) status.push('edited');
  if (input.hidden && !input.removed) {
    status.push(
      input.hiddenBy
        ? `hidden by <@${input.hiddenBy}>`
        : input.hiddenByRule
          ? `hidden automatically by rule “${escapeMrkdwn(input.hiddenByRule)}”`
          : 'hidden',
    );
  }
  if (input.doneBy) status.push(`done by <@${input.doneBy}>`);
  else if (input.assignee) status.push(`assigned to <@${input.assignee}>`);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${heading}\n${body}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: status.join(' · ') }] },
  ];
  const replies = input.replies.slice(-shownReplies);
  if (replies.length > 0) {
    const lines = replies.map(
      (reply) => `:leftwards_arrow_with_hook: replied by <@${reply.by}>: ${escapeMrkdwn(truncate(reply.text, 300))}`,
    );
    if (input.replies.length > replies.length)
      lines.unshift(`_${input.replies.length - replies.length} earlier replies_`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
  }
  const buttons: Button[] = [];
  if (!input.removed) {
    buttons.push({
      type: 'button',
      action_id: 'comment_reply',
      text: { type: 'plain_text', text: replies.length > 0 ? 'Reply again' : 'Reply' },
      value: input.key,
      ...(replies.length > 0 ? {} : { style: 'primary' as const }),
    });
    if (hideablePlatforms.includes(input.platform)) {
      buttons.push({
        type: 'button',
        action_id: input.hidden ? 'comment_unhide' : 'comment_hide',
        text: { type: 'plain_text', text: input.hidden ? 'Unhide' : 'Hide' },
        value: input.key,
      });
    }
  }
  if (!input.removed && !input.doneBy) {
    buttons.push(
      {
        type: 'button',
        action_id: 'comment_assign',
        text: { type: 'plain_text', text: 'Assign to me' },
        value: input.key,
      },
      { type: 'button', action_id: 'comment_done', text: { type: 'plain_text', text: 'Done' }, value: input.key },
    );
  }
  if (input.permalink) {
    buttons.push({
      type: 'button',
      action_id: 'comment_open',
      text: { type: 'plain_text', text: 'Open' },
      url: input.permalink,
    });
  }
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons } satisfies ActionsBlock);
  const summary = input.removed ? '(removed)' : escapeMrkdwn(truncate(input.text, 150));
  return { text: `${author} ${verb} on ${platform}: ${summary}`, blocks };
}
