import type { TestApp } from './test-app.ts';
import { woneCommand } from './test-app.ts';

/** Runs `/wone <text>` as `user` and returns what the app answered through the command's `response_url`. */
export async function commandAnswer(t: TestApp, user: string, text: string): Promise<Record<string, unknown>> {
  const fields = woneCommand(t.slack, user, text);
  const response = await t.signer.command(fields);
  if (response.status !== 200) throw new Error(`command answered ${response.status}`);
  const answer = await t.slack.waitFor(() => t.slack.responses.find((r) => fields.response_url?.endsWith(`/${r.id}`)));
  return answer.body;
}

/** Every text in a message (its `text` and all block texts), for assertions. */
export function textOf(message: Record<string, unknown> | undefined): string {
  return JSON.stringify(message ?? {});
}

/** Clicks a button as `user` and returns the answers that arrived at the action's `response_url`. */
export async function click(
  t: TestApp,
  user: string,
  actionId: string,
  value: string,
  team = 'T0WONE',
): Promise<{ status: number; responseUrl: string }> {
  const responseUrl = t.slack.responseUrl();
  const response = await t.signer.interaction({
    type: 'block_actions',
    team: { id: team, domain: 'wone' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
    api_app_id: 'A0WONE',
    token: 'deprecated',
    trigger_id: `${Date.now()}.1.abc`,
    response_url: responseUrl,
    container: { type: 'message', message_ts: '1.1', channel_id: 'C0GENERAL', is_ephemeral: true },
    channel: { id: 'C0GENERAL', name: 'general' },
    actions: [{ action_id: actionId, block_id: 'b', type: 'button', value, action_ts: `${Date.now() / 1000}` }],
  });
  return { status: response.status, responseUrl };
}

/** The answers posted to one `response_url`. */
export function answersTo(t: TestApp, responseUrl: string): Record<string, unknown>[] {
  return t.slack.responses.filter((r) => responseUrl.endsWith(`/${r.id}`)).map((r) => r.body);
}
