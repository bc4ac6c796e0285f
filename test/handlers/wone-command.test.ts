import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForQuiet } from '../harness/quiet.ts';
import { ADMIN, EDITOR, startTestApp, TEAM_ID, type TestApp, woneCommand } from '../harness/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

describe('/wone help', () => {
  it('answers in the acknowledgement itself with the subcommands the user may run', async () => {
    const response = await t.signer.command(woneCommand(t.slack, EDITOR, 'help'));
    expect(response.status).toBe(200);
    const answer = response.json() as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('/wone help');
    expect(answer.text).toContain('/wone schedule');
    expect(answer.text).not.toContain('/wone connect');
    const admin = (await t.signer.command(woneCommand(t.slack, ADMIN, 'help'))).json() as { text: string };
    expect(admin.text).toContain('/wone connect');
  });

  it('answers bare /wone and unknown words with the same list', async () => {
    for (const text of ['', 'frobnicate now']) {
      const response = await t.signer.command(woneCommand(t.slack, EDITOR, text));
      expect(response.status).toBe(200);
      const answer = response.json() as { text: string };
      expect(answer.text).toContain('/wone help');
      if (text) expect(answer.text).toContain("I don't know `/wone frobnicate`");
    }
  });

  it('asks Slack for the approver group first when it is not known yet, then answers by the response URL', async () => {
    const grouped = await startTestApp({ APPROVER_USERGROUP_ID: 'S0APPROVERS' });
    try {
      grouped.slack.usergroups.set('S0APPROVERS', [EDITOR]);
      const fields = woneCommand(grouped.slack, EDITOR, 'help');
      const response = await grouped.signer.command(fields);
      expect(response.status).toBe(200);
      expect(response.body).toBe('');
      const answer = await grouped.slack.waitFor(() =>
        grouped.slack.responses.find((r) => fields.response_url?.endsWith(`/${r.id}`)),
      );
      expect(String(answer.body.text)).toContain('/wone help');
      // Now the group is known: the next help comes in the acknowledgement.
      const next = await grouped.signer.command(woneCommand(grouped.slack, EDITOR, 'help'));
      expect((next.json() as { text: string }).text).toContain('/wone help');
    } finally {
      await grouped.stop();
    }
  });
});

describe('requests Slack did not sign', () => {
  it('refuses a bad signature, a stale timestamp and missing headers with 401, dispatching nothing', async () => {
    const before = t.slack.responses.length;
    const body = new URLSearchParams(woneCommand(t.slack, EDITOR, 'help')).toString();
    const form = 'application/x-www-form-urlencoded';
    const stale = Math.floor(Date.now() / 1000) - 301;
    const cases = [
      { 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=deadbeef' },
      t.signer.sign(body, stale),
      {},
    ];
    for (const headers of cases) {
      const response = await t.signer.post(body, form, headers);
      expect(response.status).toBe(401);
    }
    // A correctly signed request afterwards is still served; the refused ones reached nothing.
    const served = await t.signer.post(body, form);
    expect((served.json() as { text: string }).text).toContain('/wone help');
    await waitForQuiet(() => t.slack.calls.length + t.slack.responses.length);
    expect(t.slack.responses.length).toBe(before);
  });

  it('answers 400 to a signed but malformed body', async () => {
    expect((await t.signer.post('{not json', 'application/json')).status).toBe(400);
    expect((await t.signer.post('payload=%7Bbroken', 'application/x-www-form-urlencoded')).status).toBe(400);
  });
});

describe('other workspaces', () => {
  it('refuses a command from another team with an ephemeral explanation', async () => {
    const before = t.slack.responses.length;
    const response = await t.signer.command(woneCommand(t.slack, 'UOUTSIDER', 'help', { team_id: 'T0OTHER' }));
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.json())).toContain('only inside the Wone Commerce workspace');
    await waitForQuiet(() => t.slack.calls.length + t.slack.responses.length);
    expect(t.slack.responses.length).toBe(before);
  });

  it('refuses an org-wide install and a Slack Connect user from another organisation', async () => {
    const orgWide = await t.signer.command(woneCommand(t.slack, EDITOR, 'help', { is_enterprise_install: 'true' }));
    expect(JSON.stringify(orgWide.json())).toContain('only inside the Wone Commerce workspace');
    const before = t.slack.responses.length;
    const click = await t.signer.interaction({
      type: 'block_actions',
      team: { id: TEAM_ID, domain: 'wone' },
      user: { id: 'UCONNECT', username: 'guest', name: 'guest', team_id: 'T0PARTNER' },
      api_app_id: 'A0WONE',
      token: 'x',
      trigger_id: '1.2.3',
      response_url: t.slack.responseUrl(),
      container: { type: 'message', message_ts: '1.1', channel_id: 'C0APPROVAL', is_ephemeral: false },
      actions: [{ action_id: 'approve_post', block_id: 'b', type: 'button', value: 'x', action_ts: '1.2' }],
    });
    expect(click.status).toBe(200);
    const refusal = await t.slack.waitFor(() =>
      t.slack.responses.slice(before).find((r) => String(r.body.text).includes('only inside')),
    );
    expect(refusal.body.response_type).toBe('ephemeral');
  });
});
