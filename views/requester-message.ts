import type { KnownBlock } from '@slack/types';
import type { PostDoc } from '../src/services/posts.ts';
import { approvalActions, button } from './approval-message.ts';
import { escapeMrkdwn, slackLink, truncate } from './slack-text.ts';
import { withdrawButton } from './withdraw-button.ts';

/** A decision on someone's post, as told to them. */
export type RequesterNews =
  /** Sent (or sent again, edited) for approval. */
  | { kind: 'submitted' }
  /** Fully approved; `when`: when it goes out, worded. */
  | { kind: 'approved'; by: string; when: string }
  /** One approval step done; `step`: its name. */
  | { kind: 'step_approved'; by: string; step: string }
  /** `why` is already Slack text (escaped where it came from outside). */
  | { kind: 'changes_requested'; why: string }
  | { kind: 'rejected'; by: string; reason?: string }
  | { kind: 'cancelled'; by: string }
  /** Moved to another time; `when`: the new time, worded. */
  | { kind: 'rescheduled'; by: string; when: string }
  /** Publishing finished: everything went out, or some of it did not. */
  | { kind: 'published'; problems: boolean };

type Post = Pick<PostDoc, '_id' | 'revision' | 'caption' | 'state'>;

/**
 * The direct message a requester gets about a decision on their post: what happened, which post (its caption's
 * start), a link to the approval thread, and the buttons they may use now (Edit when it needs changes; Withdraw while
 * it waits).
 */
export function requesterMessage(
  post: Post,
  news: RequesterNews,
  threadLink?: string,
): { text: string; blocks: KnownBlock[] } {
  const text = headline(news);
  const value = `${post._id}:${post.revision}`;
  const caption = post.caption ? `“${escapeMrkdwn(truncate(post.caption.replace(/\s+/g, ' '), 120))}”` : '_No caption_';
  const link = threadLink ? ` · ${slackLink(threadLink, 'Open the approval thread')}` : '';
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`${caption}${link}`, 2900) }] },
  ];
  const buttons = [];
  if (news.kind === 'changes_requested') buttons.push(button('Edit the post', approvalActions.edit, value));
  if (news.kind === 'submitted' && post.state === 'pending_approval') {
    buttons.push(button('Edit', approvalActions.edit, value), withdrawButton(value));
  }
  if (post.state === 'scheduled' && (news.kind === 'approved' || news.kind === 'rescheduled')) {
    buttons.push(withdrawButton(value));
  }
  if (post.state === 'pending_approval' && news.kind === 'step_approved') buttons.push(withdrawButton(value));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return { text: truncate(text, 3000), blocks };
}

function headline(news: RequesterNews): string {
  switch (news.kind) {
    case 'submitted':
      return 'Your post is waiting for approval.';
    case 'approved':
      return `<@${news.by}> approved your post; it ${news.when}.`;
    case 'step_approved':
      return `<@${news.by}> approved your post (${escapeMrkdwn(news.step)} step); it now waits for the next step.`;
    case 'changes_requested':
      return `Your post needs changes: ${news.why}`;
    case 'rejected':
      return `<@${news.by}> rejected your post. It will not be published.${news.reason ? ` Reason: ${escapeMrkdwn(news.reason)}` : ''}`;
    case 'cancelled':
      return `<@${news.by}> cancelled your post. It will not be published.`;
    case 'rescheduled':
      return `<@${news.by}> moved your post to ${news.when}.`;
    case 'published':
      return news.problems
        ? 'Your post was not published everywhere: see the approval thread.'
        : 'Your post is published.';
  }
}
