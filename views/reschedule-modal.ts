import type { KnownBlock, ModalView } from '@slack/types';
import { platformLabels } from '../src/platforms/index.ts';
import type { PlatformName } from '../src/platforms/types.ts';
import type { PostDoc } from '../src/services/posts.ts';
import { formatInZone } from '../src/services/schedule-time.ts';
import { escapeMrkdwn } from './slack-text.ts';

export const rescheduleCallback = 'reschedule_modal';

/** The post being rescheduled, named so the person knows which one it is. */
export interface RescheduledPost extends Pick<PostDoc, 'accountIds' | 'caption' | 'dueAt'> {
  accounts: { id: string; platform: PlatformName; name: string }[];
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Which post: its accounts, its current time and the start of its caption. */
function postSummary(post: RescheduledPost, timezone: string): KnownBlock {
  const accounts = post.accountIds
    .map((id) => post.accounts.find((a) => a.id === id))
    .map((a) => (a ? `${platformLabels[a.platform]} · ${escapeMrkdwn(a.name)}` : 'a disconnected account'))
    .join(', ');
  const when = post.dueAt ? formatInZone(post.dueAt, timezone) : 'as soon as it is approved';
  const caption = post.caption.trim() ? escapeMrkdwn(clip(post.caption.replace(/\s+/g, ' '), 140)) : '_No caption_';
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: clip(`*${clip(accounts, 600)}*\nNow: ${when}\n${caption}`, 3000) },
  };
}

/** A new date and time for a scheduled post, in the person's own zone. */
export function rescheduleModal(data: {
  date: string;
  time: string;
  timezone: string;
  post?: RescheduledPost;
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
      ...(data.post ? [postSummary(data.post, data.timezone)] : []),
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
