import type { KnownBlock, ModalView } from '@slack/types';
import type { PlatformName } from '../src/platforms/types.ts';
import { escapeMrkdwn, platformLabel, quote, truncate } from './slack-text.ts';

export const commentReplyCallbackId = 'comment_reply';
export const replyBlockId = 'reply';
export const replyActionId = 'text';

/** The longest reply each platform takes. */
export const replyLimits: Record<PlatformName, number> = { instagram: 2200, facebook: 8000, tiktok: 150 };

export interface CommentReplyModalInput {
  /** The comment's key, carried in `private_metadata`. */
  key: string;
  platform: PlatformName;
  accountName: string;
  authorName: string;
  text: string;
  /** What went wrong with the last attempt, shown above the input. */
  error?: string;
  /** The reply typed so far, kept when the modal is shown again with an error. */
  draft?: string;
  /** The unsent reply this modal edits (an expert's proposal, or a reply waiting for approval). */
  replaces?: string;
}

/** The comment key and the edited draft's id a reply modal carries in `private_metadata`. */
export function replyModalMetadata(metadata: string): { key: string; replaces?: string } {
  const [key = '', replaces] = metadata.split(' ');
  return replaces ? { key, replaces } : { key };
}

/** Reply modal: quotes the comment and takes the answer the account will post. */
export function commentReplyModal(input: CommentReplyModalInput): ModalView {
  const platform = platformLabel[input.platform];
  const blocks: KnownBlock[] = [];
  if (input.error) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(input.error)}` } });
  }
  blocks.push(
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${escapeMrkdwn(truncate(input.authorName, 100))}* wrote on ${platform}:\n${quote(escapeMrkdwn(truncate(input.text, 2500)) || ' ')}`,
      },
    },
    {
      type: 'input',
      block_id: replyBlockId,
      label: { type: 'plain_text', text: `Reply as ${truncate(input.accountName, 80)}` },
      element: {
        type: 'plain_text_input',
        action_id: replyActionId,
        multiline: true,
        max_length: Math.min(replyLimits[input.platform], 3000),
        ...(input.draft ? { initial_value: input.draft } : {}),
      },
      hint: { type: 'plain_text', text: `Posted publicly on ${platform} as the brand.` },
    },
  );
  return {
    type: 'modal',
    callback_id: commentReplyCallbackId,
    private_metadata: input.replaces ? `${input.key} ${input.replaces}` : input.key,
    title: { type: 'plain_text', text: 'Reply to comment' },
    submit: { type: 'plain_text', text: 'Send reply' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** What the modal shows while the reply is on its way, and once it went out. */
export function commentReplyStatusModal(text: string): ModalView {
  return {
    type: 'modal',
    callback_id: `${commentReplyCallbackId}_status`,
    title: { type: 'plain_text', text: 'Reply to comment' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}
