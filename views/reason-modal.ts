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
