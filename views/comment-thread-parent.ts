import type { KnownBlock } from '@slack/types';
import type { PlatformName } from '../src/platforms/types.ts';
import { escapeMrkdwn, platformLabel, slackTime, truncate } from './slack-text.ts';

export interface CommentThreadParentInput {
  platform: PlatformName;
  accountName: string;
  caption: string;
  permalink?: string;
  publishedAt?: Date;
  /** Published outside Wone Social (its comments are collected all the same). */
  elsewhere?: boolean;
}

/** The channel message one published post's comments are threaded under: which post, a preview and its link. */
export function commentThreadParent(input: CommentThreadParentInput): { text: string; blocks: KnownBlock[] } {
  const platform = platformLabel[input.platform];
  const account = escapeMrkdwn(input.accountName);
  const preview = input.caption.trim() ? escapeMrkdwn(truncate(input.caption.trim(), 280)) : '_(no caption)_';
  const published = input.publishedAt ? ` ${slackTime(input.publishedAt)}` : '';
  const when = input.elsewhere
    ? ` · published${published} outside Wone Social`
    : published
      ? ` · published${published}`
      : '';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `:speech_balloon: *Comments on our ${platform} post* (${account})\n${preview}` },
      ...(input.permalink
        ? {
            accessory: {
              type: 'button',
              action_id: 'comment_open_post',
              text: { type: 'plain_text', text: `View on ${platform}` },
              url: input.permalink,
            },
          }
        : {}),
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `New comments on this post arrive in the thread${when}.` }],
    },
  ];
  const text = `Comments on our ${platform} post (${account}): ${escapeMrkdwn(truncate(input.caption.trim(), 100))}`;
  return { text, blocks };
}
