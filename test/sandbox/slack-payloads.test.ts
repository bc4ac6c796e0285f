import { describe, expect, it } from 'vitest';
import {
  actionOf,
  findElement,
  messageBlockActions,
  slashCommandFields,
  viewStateValues,
  viewSubmission,
} from '../../src/sandbox/slack-payloads.ts';

const plain = (text: string) => ({ type: 'plain_text', text });
const identity = { teamId: 'T0SB', teamDomain: 'sb', appId: 'A0SB', botId: 'B0SB', botUserId: 'U0BOT' };
const person = { id: 'U0EDITOR', name: 'Eddie', timezone: 'Europe/Berlin' };
const options = [
  { text: plain('Instagram'), value: 'instagram:1' },
  { text: plain('Facebook'), value: 'facebook:2' },
];
const input = (blockId: string, element: Record<string, unknown>) => ({
  type: 'input',
  block_id: blockId,
  label: plain(blockId),
  element: { action_id: 'value', ...element },
});
const blocks = [
  { type: 'header', text: plain('New post') },
  input('caption', { type: 'plain_text_input', multiline: true }),
  input('link', { type: 'url_text_input' }),
  input('accounts', { type: 'multi_static_select', options }),
  input('type', { type: 'static_select', option_groups: [{ label: plain('Feed'), options }] }),
  input('privacy', { type: 'radio_buttons', options }),
  input('allow', { type: 'checkboxes', options }),
  input('date', { type: 'datepicker' }),
  input('time', { type: 'timepicker' }),
  input('at', { type: 'datetimepicker' }),
  input('media', { type: 'file_input' }),
];

describe('view state as Slack builds it', () => {
  it('gives every input block its documented value field, options copied from the view', () => {
    const file = { id: 'F1', name: 'a.jpg', url_private: 'http://fake/files/F1/a.jpg' };
    const values = viewStateValues(
      blocks,
      {
        caption: { value: 'Hello' },
        accounts: { value: ['facebook:2', 'instagram:1', 'forged'] },
        type: { value: 'instagram:1' },
        privacy: { value: 'facebook:2' },
        allow: { value: ['instagram:1'] },
        date: { value: '2026-12-01' },
        time: { value: '09:30' },
        at: { value: '2026-12-01T09:30' },
        media: { value: ['F1', 'F404'] },
      },
      { timezone: 'Europe/Berlin', file: (id) => (id === 'F1' ? file : undefined) },
    );
    expect(values).toEqual({
      caption: { value: { type: 'plain_text_input', value: 'Hello' } },
      link: { value: { type: 'url_text_input', value: null } },
      accounts: { value: { type: 'multi_static_select', selected_options: [options[1], options[0]] } },
      type: { value: { type: 'static_select', selected_option: options[0] } },
      privacy: { value: { type: 'radio_buttons', selected_option: options[1] } },
      allow: { value: { type: 'checkboxes', selected_options: [options[0]] } },
      date: { value: { type: 'datepicker', selected_date: '2026-12-01' } },
      time: { value: { type: 'timepicker', selected_time: '09:30' } },
      // 09:30 in Berlin on 1 December is 08:30 UTC.
      at: { value: { type: 'datetimepicker', selected_date_time: Date.UTC(2026, 11, 1, 8, 30) / 1000 } },
      media: { value: { type: 'file_input', files: [file] } },
    });
  });

  it('reports nothing chosen as null or an empty list, like Slack', () => {
    const values = viewStateValues(blocks, {}, { timezone: 'UTC', file: () => undefined });
    expect(values.type).toEqual({ value: { type: 'static_select', selected_option: null } });
    expect(values.accounts).toEqual({ value: { type: 'multi_static_select', selected_options: [] } });
    expect(values.at).toEqual({ value: { type: 'datetimepicker', selected_date_time: null } });
    expect(values.media).toEqual({ value: { type: 'file_input', files: [] } });
  });
});

describe('interaction payloads', () => {
  const messageBlocks = [
    { type: 'section', text: plain('Draft'), accessory: { type: 'overflow', action_id: 'more', options } },
    {
      type: 'actions',
      block_id: 'decide',
      elements: [{ type: 'button', action_id: 'approve', text: plain('Approve'), value: 'post-1', style: 'primary' }],
    },
  ];

  it('finds the clicked element by block and action id, and builds the action Slack reports', () => {
    const button = findElement(messageBlocks, 'decide', 'approve');
    expect(actionOf(button ?? {}, 'decide', '1.2')).toEqual({
      action_id: 'approve',
      block_id: 'decide',
      action_ts: '1.2',
      type: 'button',
      text: plain('Approve'),
      value: 'post-1',
      style: 'primary',
    });
    const overflow = findElement(messageBlocks, 'sbx-0', 'more');
    expect(actionOf(overflow ?? {}, 'sbx-0', '1.3', 'facebook:2')).toMatchObject({
      type: 'overflow',
      selected_option: options[1],
    });
    expect(actionOf(overflow ?? {}, 'sbx-0', '1.3', 'forged')).toBeUndefined();
    expect(findElement(messageBlocks, 'decide', 'nothing')).toBeUndefined();
  });

  it('builds a message block_actions payload with container, channel, message (block ids filled) and response_url', () => {
    const payload = messageBlockActions({
      identity,
      person,
      channel: { id: 'C0APPROVALS', name: 'social-approvals' },
      message: { ts: '1700000001.000001', text: 'Draft', blocks: messageBlocks },
      ephemeral: false,
      action: { action_id: 'approve' },
      responseUrl: 'http://fake/response/1',
      triggerId: 't1',
    });
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0EDITOR', username: 'Eddie', team_id: 'T0SB' },
      team: { id: 'T0SB' },
      container: { type: 'message', message_ts: '1700000001.000001', channel_id: 'C0APPROVALS', is_ephemeral: false },
      channel: { id: 'C0APPROVALS', name: 'social-approvals' },
      message: { ts: '1700000001.000001', bot_id: 'B0SB', blocks: [{ block_id: 'sbx-0' }, { block_id: 'decide' }] },
      state: { values: {} },
      response_url: 'http://fake/response/1',
      trigger_id: 't1',
      actions: [{ action_id: 'approve' }],
    });
  });

  it('builds view_submission with the full view and its state', () => {
    const payload = viewSubmission({
      identity,
      person,
      view: {
        id: 'V1',
        hash: 'h1',
        rootViewId: 'V1',
        definition: {
          type: 'modal',
          callback_id: 'draft_modal',
          private_metadata: '{"p":1}',
          title: plain('New'),
          blocks,
        },
      },
      values: { caption: { value: { type: 'plain_text_input', value: 'x' } } },
      triggerId: 't2',
    });
    expect(payload).toMatchObject({
      type: 'view_submission',
      trigger_id: 't2',
      view: {
        id: 'V1',
        hash: 'h1',
        callback_id: 'draft_modal',
        private_metadata: '{"p":1}',
        root_view_id: 'V1',
        previous_view_id: null,
        state: { values: { caption: { value: { type: 'plain_text_input', value: 'x' } } } },
      },
      response_urls: [],
    });
  });

  it('splits a typed slash command into command and text', () => {
    const fields = slashCommandFields({
      identity,
      person,
      channel: { id: 'C0APPROVALS', name: 'social-approvals' },
      text: '  /wone   schedule tomorrow ',
      responseUrl: 'http://fake/response/2',
      triggerId: 't3',
    });
    expect(fields).toMatchObject({ command: '/wone', text: 'schedule tomorrow', user_id: 'U0EDITOR', team_id: 'T0SB' });
  });
});
