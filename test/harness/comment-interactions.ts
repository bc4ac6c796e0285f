import type { SlackMessage } from '../../src/sandbox/fake-slack.ts';
import { COMMENTS_CHANNEL, TEAM_ID, type TestApp } from './test-app.ts';

let sequence = 0;
const triggerId = () => `${Date.now()}.${++sequence}.trigger`;

/** The button of a comment message with this action id, as Slack would send its click. */
export function clickCommentButton(t: TestApp, message: SlackMessage, actionId: string, user: string) {
  const actions = (message.blocks ?? []).flatMap((block): Record<string, unknown>[] => {
    const b = block as { type: string; block_id?: string; elements?: Record<string, unknown>[] };
    return b.type === 'actions'
      ? (b.elements ?? []).map((element) => ({ ...element, block_id: b.block_id ?? 'a' }))
      : [];
  });
  const button = actions.find((element) => element.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} button on the message`);
  return t.signer.interaction({
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'wone' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0WONE',
    token: 'deprecated',
    trigger_id: triggerId(),
    container: {
      type: 'message',
      message_ts: message.ts,
      channel_id: COMMENTS_CHANNEL,
      is_ephemeral: false,
      ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    },
    channel: { id: COMMENTS_CHANNEL, name: 'comments' },
    message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
    response_url: t.slack.responseUrl(),
    state: { values: {} },
    actions: [
      {
        action_id: actionId,
        block_id: button.block_id,
        text: button.text,
        value: button.value,
        type: 'button',
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  });
}

/** Submits a modal as Slack does, with `reply` typed into its input. */
export function submitReplyModal(
  t: TestApp,
  view: { id: string; view: Record<string, unknown> },
  user: string,
  reply: string,
) {
  return t.signer.interaction({
    type: 'view_submission',
    team: { id: TEAM_ID, domain: 'wone' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0WONE',
    token: 'deprecated',
    trigger_id: triggerId(),
    view: {
      ...view.view,
      id: view.id,
      team_id: TEAM_ID,
      hash: `${Date.now()}.hash`,
      state: { values: { reply: { text: { type: 'plain_text_input', value: reply } } } },
      previous_view_id: null,
      root_view_id: view.id,
      app_id: 'A0WONE',
      bot_id: 'BBOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  });
}
