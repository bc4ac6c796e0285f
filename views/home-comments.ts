import type { KnownBlock } from '@slack/types';
import type { CommentWork } from '../src/services/comment-ownership.ts';
import { escapeMrkdwn, platformLabel, slackTime, truncate } from './slack-text.ts';

type Summary = CommentWork['assigned'][number];

function line(comment: Summary): string {
  const author = escapeMrkdwn(truncate(comment.authorName, 60));
  const text = escapeMrkdwn(truncate(comment.text.replace(/\s+/g, ' '), 140));
  const owner = comment.assignee ? ` · <@${comment.assignee}>` : '';
  return `• *${author}* on ${platformLabel[comment.platform]} (${slackTime(comment.createdAt)}${owner}): ${text}`;
}

/** App Home's comment section: the comments assigned to the person, and the newest ones nobody has answered. */
export function homeCommentBlocks(work: CommentWork): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Comments assigned to you' } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          work.assigned.length > 0
            ? truncate(work.assigned.map(line).join('\n'), 2900)
            : 'Nothing assigned to you. Use “Assign to me” on a comment in the comments channel.',
      },
    },
    { type: 'header', text: { type: 'plain_text', text: 'Unanswered comments' } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          work.unanswered.length > 0
            ? truncate(work.unanswered.map(line).join('\n'), 2900)
            : 'Every comment has an answer.',
      },
    },
  ];
  if (work.unansweredTotal > work.unanswered.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${work.unansweredTotal - work.unanswered.length} more unanswered.` }],
    });
  }
  blocks.push({ type: 'divider' });
  return blocks;
}
