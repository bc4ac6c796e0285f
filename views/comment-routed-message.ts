import type { KnownBlock } from '@slack/types';
import type { PlatformName } from '../src/platforms/types.ts';
import { escapeMrkdwn, platformLabel, quote, slackTime, truncate } from './slack-text.ts';

/** What a comment shows in an expert channel it was routed to. */
export interface CommentRoutedInput {
  platform: PlatformName;
  accountName: string;
  authorName: string;
  text: string;
  createdAt: Date;
  /** The keyword of the route that matched. */
  keyword: string;
  /** The post's caption, shown as its preview. */
  caption: string;
  postPermalink?: string;
  /** The comment's message in the comments channel, where the team answers it. */
  threadLink?: string;
}

/**
 * A comment sent to an expert channel: who wrote what on which post, why it came here, and a link to its thread in the
 * comments channel. An answer written in this message's thread comes back there as a proposed reply.
 */
export function commentRoutedMessage(input: CommentRoutedInput): { text: string; blocks: KnownBlock[] } {
  const platform = platformLabel[input.platform];
  const author = escapeMrkdwn(truncate(input.authorName, 100));
  const account = escapeMrkdwn(truncate(input.accountName, 100));
  const body = quote(escapeMrkdwn(truncate(input.text, 2000)) || ' ');
  const caption = input.caption.trim();
  const preview = caption ? escapeMrkdwn(truncate(caption.replace(/\s+/g, ' '), 280)) : '_(no caption)_';
  const keyword = escapeMrkdwn(truncate(input.keyword, 60));
  const links = [
    input.threadLink ? `<${input.threadLink}|Open the comment's thread>` : undefined,
    input.postPermalink ? `<${input.postPermalink}|View the post on ${platform}>` : undefined,
  ].filter(Boolean);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:mag: *${author}* commented on our ${platform} post (${account}) and mentioned “${keyword}”:\n${body}`,
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `On the post: ${preview}` }] },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${slackTime(input.createdAt)}${links.length > 0 ? ` · ${links.join(' · ')}` : ''}\nAnswer in this thread: your answer is offered to the social team as the reply.`,
        },
      ],
    },
  ];
  return {
    text: escapeMrkdwn(
      `${truncate(input.authorName, 100)} commented on ${platform} about “${input.keyword}”: ${truncate(input.text, 150)}`,
    ),
    blocks,
  };
}
