import type { KnownBlock } from '@slack/types';
import { button } from './approval-message.ts';
import { escapeMrkdwn } from './slack-text.ts';

/** The button on the message below: puts the post up for approval again. */
export const previewRefusedActions = { sendAgain: 'post_send_for_approval_again' } as const;

/** What Slack said when the approval preview could not be posted: its error code, or that it could not be reached. */
export type PreviewRefusal = { kind: 'refused'; error: string } | { kind: 'unreachable' };

const reasons: Record<string, (channel: string) => string> = {
  not_in_channel: (channel) =>
    `the app is not a member of ${channel}. Ask someone in that channel to invite it (\`/invite\` and the app's name)`,
  channel_not_found: (channel) =>
    `Slack could not find ${channel} for the app (a private channel it was not invited to, or a wrong APPROVAL_CHANNEL_ID). Ask an admin to invite the app there or correct the setting`,
  is_archived: (channel) => `${channel} is archived. Ask an admin to unarchive it or choose another approval channel`,
};

/**
 * A direct message to the requester: their post could not be put up for approval because Slack refused (or could not
 * be reached for) the preview in the approval channel. It says why and what to do, and offers to send it again.
 */
export function previewRefusedMessage(data: {
  postId: string;
  revision: number;
  channelId: string;
  refusal: PreviewRefusal;
}): { text: string; blocks: KnownBlock[] } {
  const channel = `<#${data.channelId}>`;
  const reason =
    data.refusal.kind === 'unreachable'
      ? 'Slack could not be reached. Try again in a moment'
      : (reasons[data.refusal.error]?.(channel) ??
        `Slack refused the message in ${channel} (\`${escapeMrkdwn(data.refusal.error)}\`). Ask an admin to check the app's access to that channel`);
  const text = `Your post could not be sent for approval: ${reason}, then send it again. Nothing you wrote is lost.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        elements: [
          button('Send for approval again', previewRefusedActions.sendAgain, `${data.postId}:${data.revision}`),
        ],
      },
    ],
  };
}
