import type { ModalView } from '@slack/types';

export const requestChangesCallback = 'request_changes_modal';
export const reasonBlock = 'reason';

/** Asks an approver what should change; the reason goes to the requester. */
export function requestChangesModal(privateMetadata: string): ModalView {
  return {
    type: 'modal',
    callback_id: requestChangesCallback,
    title: { type: 'plain_text', text: 'Request changes' },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: privateMetadata,
    blocks: [
      {
        type: 'input',
        block_id: reasonBlock,
        label: { type: 'plain_text', text: 'What should change?' },
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, min_length: 3, max_length: 1500 },
        hint: { type: 'plain_text', text: 'The requester sees this with a button to edit the post.' },
      },
    ],
  };
}

export const rejectCallback = 'reject_modal';

/** Asks an approver, before rejecting, why (optional); the reason goes to the requester. Submitting rejects. */
export function rejectModal(privateMetadata: string): ModalView {
  return {
    type: 'modal',
    callback_id: rejectCallback,
    title: { type: 'plain_text', text: 'Reject this post?' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Keep it' },
    private_metadata: privateMetadata,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'It will not be published. The requester is told, with your reason if you give one.',
        },
      },
      {
        type: 'input',
        block_id: reasonBlock,
        optional: true,
        label: { type: 'plain_text', text: 'Why? (optional)' },
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 1500 },
      },
    ],
  };
}
