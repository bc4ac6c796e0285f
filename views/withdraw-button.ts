import type { Button } from '@slack/types';

/** The action id of Withdraw: the requester takes back their own post that waits for approval or for its time. */
export const withdrawAction = 'post_withdraw';

const plain = (text: string) => ({ type: 'plain_text' as const, text });

/** Withdraw, with a confirmation (value `<postId>:<revision>`). */
export function withdrawButton(value: string): Button {
  return {
    type: 'button',
    text: plain('Withdraw'),
    action_id: withdrawAction,
    value,
    confirm: {
      title: plain('Withdraw this post?'),
      text: plain('It will not be published, and approvers no longer need to decide on it.'),
      confirm: plain('Withdraw'),
      deny: plain('Keep it'),
    },
  };
}
