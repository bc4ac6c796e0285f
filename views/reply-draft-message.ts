import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import type { PlatformName } from '../src/platforms/types.ts';
import type { ApprovalReason } from '../src/services/reply-approval.ts';
import { escapeMrkdwn, platformLabel, quote, truncate } from './slack-text.ts';

export const replyDraftActions = {
  send: 'reply_draft_send',
  edit: 'reply_draft_edit',
  approve: 'reply_draft_approve',
  reject: 'reply_draft_reject',
} as const;

/** A reply that is not sent yet: proposed by an expert, or waiting for an approver. */
export interface ReplyDraftMessageInput {
  id: string;
  state: 'proposed' | 'awaiting_approval' | 'sending' | 'sent' | 'rejected' | 'replaced';
  origin: 'expert' | 'team';
  text: string;
  writtenBy: string;
  /** Who asked for it to be sent (an expert's answer put forward by the team). */
  requestedBy?: string;
  decidedBy?: string;
  /** Where an expert wrote it. */
  expertChannel?: string;
  approval?: ApprovalReason;
  platform: PlatformName;
  authorName: string;
  /** Why the last attempt to send it failed. */
  error?: string;
}

const reasonWords = (reason: ApprovalReason | undefined): string => {
  if (!reason) return '';
  if (reason.kind === 'all') return ' (every reply is approved first)';
  if (reason.kind === 'account') return ' (replies on this account are approved first)';
  return ` (the comment mentions “${escapeMrkdwn(truncate(reason.keyword, 60))}”)`;
};

/** The line in the expert channel's thread that tells the expert what became of their answer. */
export function expertThreadNote(
  input: { writtenBy: string; platform: PlatformName } & (
    | { outcome: 'offered' }
    | { outcome: 'sent'; sentBy?: string }
  ),
): { text: string } {
  if (input.outcome === 'offered') {
    return {
      text: `:speech_balloon: Thanks <@${input.writtenBy}>: your answer is offered to the social team as the reply.`,
    };
  }
  const by = input.sentBy ? ` by <@${input.sentBy}>` : '';
  return { text: `:white_check_mark: Your answer was sent as the reply on ${platformLabel[input.platform]}${by}.` };
}

/** The message in a comment's thread for a reply on its way: what will be sent, by whom, and what can be done. */
export function replyDraftMessage(input: ReplyDraftMessageInput): { text: string; blocks: KnownBlock[] } {
  const platform = platformLabel[input.platform];
  const author = escapeMrkdwn(truncate(input.authorName, 100));
  const source =
    input.origin === 'expert'
      ? `<@${input.writtenBy}> answered${input.expertChannel ? ` in <#${input.expertChannel}>` : ''}`
      : `<@${input.writtenBy}> wrote`;
  const heading: Record<ReplyDraftMessageInput['state'], string> = {
    proposed: `:bulb: *Proposed reply* to ${author} on ${platform}: ${source}`,
    awaiting_approval: `:hourglass_flowing_sand: *Reply waiting for approval*${reasonWords(input.approval)}: ${source}${input.requestedBy && input.requestedBy !== input.writtenBy ? `, put forward by <@${input.requestedBy}>` : ''}`,
    sending: ':outbox_tray: *Sending this reply…*',
    sent: `:white_check_mark: *Sent as reply* to ${author}${input.decidedBy ? `, approved by <@${input.decidedBy}>` : ''}: ${source}`,
    rejected: `:no_entry_sign: *Reply rejected*${input.decidedBy ? ` by <@${input.decidedBy}>` : ''}: ${source}`,
    replaced: ':pencil2: *Reply edited*: the edited version follows in this thread.',
  };
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `${heading[input.state]}\n${quote(escapeMrkdwn(truncate(input.text, 2500)))}` },
    },
  ];
  if (input.error) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(truncate(input.error, 500))}` }],
    });
  }
  const buttons: Button[] = [];
  const button = (action: string, text: string, style?: 'primary' | 'danger'): Button => ({
    type: 'button',
    action_id: action,
    text: { type: 'plain_text', text },
    value: input.id,
    ...(style ? { style } : {}),
  });
  if (input.state === 'proposed') {
    buttons.push(
      button(replyDraftActions.send, 'Send as reply', 'primary'),
      button(replyDraftActions.edit, 'Edit first'),
    );
  } else if (input.state === 'awaiting_approval') {
    buttons.push(
      button(replyDraftActions.approve, 'Approve', 'primary'),
      button(replyDraftActions.edit, 'Edit'),
      button(replyDraftActions.reject, 'Reject', 'danger'),
    );
  }
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons } satisfies ActionsBlock);
  const summary =
    input.state === 'proposed'
      ? 'Proposed reply'
      : input.state === 'awaiting_approval'
        ? 'Reply waiting for approval'
        : 'Reply';
  return { text: escapeMrkdwn(`${summary}: ${truncate(input.text, 150)}`), blocks };
}
