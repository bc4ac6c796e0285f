import type { ModalView } from '@slack/types';

export const rescheduleCallback = 'reschedule_modal';

/** A new date and time for a scheduled post, in the person's own zone. */
export function rescheduleModal(data: {
  date: string;
  time: string;
  timezone: string;
  privateMetadata: string;
}): ModalView {
  return {
    type: 'modal',
    callback_id: rescheduleCallback,
    title: { type: 'plain_text', text: 'Reschedule' },
    submit: { type: 'plain_text', text: 'Reschedule' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: data.privateMetadata,
    blocks: [
      {
        type: 'input',
        block_id: 'date',
        label: { type: 'plain_text', text: 'Date' },
        element: { type: 'datepicker', action_id: 'value', initial_date: data.date },
      },
      {
        type: 'input',
        block_id: 'time',
        label: { type: 'plain_text', text: 'Time' },
        element: { type: 'timepicker', action_id: 'value', initial_time: data.time },
        hint: { type: 'plain_text', text: `In your time zone, ${data.timezone}.` },
      },
    ],
  };
}
