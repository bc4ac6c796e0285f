import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { ModalView } from '@slack/types';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox.ts';

const EDITOR = 'U0EDITOR';
const APPROVER = 'U0APPROVER';
const ADMIN = 'U0ADMIN';
const APPROVALS = 'C0APPROVALS';

let sandbox: Sandbox;
const logs: string[] = [];
const dispatched: Record<string, unknown>[] = [];

/** A sandbox database inside the test run's database server. */
function sandboxDatabaseUrl(): string {
  return `${inject('mongoUrl').replace(/\/[^/]*$/, '')}/sandbox_${randomBytes(5).toString('hex')}`;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const testModal = (title: string, extra: Partial<ModalView> = {}): ModalView => ({
  type: 'modal',
  callback_id: 'sandbox_test_modal',
  title: plain(title),
  submit: plain('Save'),
  close: plain('Cancel'),
  private_metadata: 'post-1',
  blocks: [
    {
      type: 'input',
      block_id: 'caption',
      label: plain('Caption'),
      element: { type: 'plain_text_input', action_id: 'value', multiline: true },
    },
    {
      type: 'input',
      block_id: 'when',
      label: plain('When'),
      element: { type: 'datetimepicker', action_id: 'value' },
    },
    {
      type: 'actions',
      block_id: 'tools',
      elements: [{ type: 'button', action_id: 'sandbox_test_peek', text: plain('Peek'), value: 'peek' }],
    },
  ],
  ...extra,
});

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  sandbox = await startSandbox({}, { mongoUrl: sandboxDatabaseUrl(), logger: createLogger('info', sink) });
  const bolt = sandbox.app.bolt;
  // Listeners the app does not have, so the Slack client's modal rules can be tried against real Bolt requests.
  bolt.action('sandbox_test_open', async ({ ack, body, client }) => {
    await ack();
    await client.views.open({ trigger_id: (body as { trigger_id: string }).trigger_id, view: testModal('First') });
  });
  bolt.action('sandbox_test_peek', async ({ ack, body, client }) => {
    await ack();
    const seen = JSON.stringify((body as { view?: { state?: unknown } }).view?.state);
    await client.views.push({
      trigger_id: (body as { trigger_id: string }).trigger_id,
      view: {
        type: 'modal',
        title: plain('Peek'),
        close: plain('Back'),
        blocks: [{ type: 'section', text: plain(seen) }],
      },
    });
  });
  bolt.action('sandbox_test_dispatch', async ({ ack, body }) => {
    await ack();
    dispatched.push(body as unknown as Record<string, unknown>);
  });
  bolt.view('sandbox_test_modal', async ({ ack, view, body }) => {
    const caption = view.state.values.caption?.value?.value ?? '';
    if (caption === '') {
      await ack({ response_action: 'errors', errors: { caption: 'Write a caption.' } });
    } else if (caption === 'push') {
      await ack({ response_action: 'push', view: testModal('Second') });
    } else if (caption === 'update') {
      await ack({ response_action: 'update', view: testModal('Updated') });
    } else if (caption === 'clear') {
      await ack({ response_action: 'clear' });
    } else {
      await ack();
      await sandbox.app.services.slack.chat.postMessage({
        channel: APPROVALS,
        text: `Saved by <@${body.user.id}>: ${caption} at ${view.state.values.when?.value?.selected_date_time}`,
      });
    }
  });
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
});

async function postOpener(): Promise<string> {
  const answer = await sandbox.app.services.slack.chat.postMessage({
    channel: APPROVALS,
    text: 'Open the test modal',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: '*Test*' } },
      {
        type: 'actions',
        block_id: 'opener',
        elements: [{ type: 'button', action_id: 'sandbox_test_open', text: plain('Open'), value: 'x' }],
      },
    ],
  });
  return String(answer.ts);
}

async function until<T>(probe: () => T | undefined | false): Promise<T> {
  return sandbox.simulators.slack.waitFor(probe);
}

describe('the sandbox plays the Slack client for the real app', () => {
  it('starts the real app with the simulated accounts stored through the accounts service', async () => {
    const accounts = await sandbox.app.services.accounts.list();
    expect(accounts.map((account) => account.platform).sort()).toEqual(['facebook', 'instagram', 'tiktok']);
    for (const account of sandbox.simulators.accounts) {
      const access = await sandbox.app.services.accounts.access(account.id);
      expect(access.accessToken).toBe(account.accessToken);
    }
    expect(sandbox.app.config.SLACK_API_URL).toBe(sandbox.simulators.slack.apiUrl);
    expect(sandbox.app.config.META_GRAPH_URL).toBe(sandbox.simulators.graph.facebook.url);
    expect(sandbox.app.config.TIKTOK_API_URL).toBe(sandbox.simulators.tiktok.url);
  });

  it('sends a typed /wone command as a signed request; the answer is shown to that person only', async () => {
    const { status } = await sandbox.workspace.command(EDITOR, APPROVALS, '/wone help');
    expect(status).toBe(200);
    const mine = await until(() => sandbox.workspace.privateFor(EDITOR, APPROVALS).at(-1));
    expect(JSON.stringify(mine.blocks)).toContain('/wone help');
    expect(sandbox.workspace.privateFor(APPROVER, APPROVALS)).toEqual([]);
    expect(sandbox.workspace.messages(APPROVALS).some((message) => message.text.includes('wone help'))).toBe(false);
  });

  it('refuses what is not a slash command, and unknown people', async () => {
    await expect(sandbox.workspace.command(EDITOR, APPROVALS, 'hello')).rejects.toThrow(/slash command/);
    await expect(sandbox.workspace.command('U0NOBODY', APPROVALS, '/wone help')).rejects.toThrow(/no such person/);
  });

  it('opens a modal from a message button, shows errors on their inputs, and honours push, update and clear', async () => {
    const ts = await postOpener();
    await sandbox.workspace.click(APPROVER, { kind: 'message', channel: APPROVALS, ts }, 'opener', 'sandbox_test_open');
    const [first] = await until(() => {
      const stack = sandbox.workspace.modalStack(APPROVER);
      return stack.length === 1 && stack;
    });
    expect(first?.definition.title).toEqual(plain('First'));
    expect(sandbox.workspace.modalStack(EDITOR)).toEqual([]);
    const viewId = first?.id ?? '';

    expect(await sandbox.workspace.submit(APPROVER, viewId, { caption: { value: null } })).toEqual({
      outcome: 'errors',
      errors: { caption: 'Write a caption.' },
    });
    expect(sandbox.workspace.errorsOf(viewId)).toEqual({ caption: 'Write a caption.' });

    expect(await sandbox.workspace.submit(APPROVER, viewId, { caption: { value: 'update' } })).toEqual({
      outcome: 'updated',
    });
    const updated = sandbox.workspace.modalStack(APPROVER);
    expect(updated.map((view) => view.id)).toEqual([viewId]);
    expect(updated[0]?.definition.title).toEqual(plain('Updated'));
    expect(sandbox.workspace.errorsOf(viewId)).toEqual({});

    expect(await sandbox.workspace.submit(APPROVER, viewId, { caption: { value: 'push' } })).toEqual({
      outcome: 'pushed',
    });
    const pushed = sandbox.workspace.modalStack(APPROVER);
    expect(pushed).toHaveLength(2);
    expect(pushed[1]?.previousViewId).toBe(viewId);
    await expect(sandbox.workspace.submit(APPROVER, viewId, { caption: { value: 'x' } })).rejects.toThrow(/top modal/);

    expect(await sandbox.workspace.submit(APPROVER, pushed[1]?.id ?? '', { caption: { value: 'clear' } })).toEqual({
      outcome: 'cleared',
    });
    expect(sandbox.workspace.modalStack(APPROVER)).toEqual([]);
  });

  it('sends a click inside a modal with the state entered so far, and the app can push a view on top', async () => {
    const ts = await postOpener();
    await sandbox.workspace.click(EDITOR, { kind: 'message', channel: APPROVALS, ts }, 'opener', 'sandbox_test_open');
    const [first] = await until(() => {
      const stack = sandbox.workspace.modalStack(EDITOR);
      return stack.length === 1 && stack;
    });
    await sandbox.workspace.click(EDITOR, { kind: 'view', viewId: first?.id ?? '' }, 'tools', 'sandbox_test_peek', {
      state: { caption: { value: 'half typed' } },
    });
    const stack = await until(() => {
      const views = sandbox.workspace.modalStack(EDITOR);
      return views.length === 2 && views;
    });
    expect(JSON.stringify(stack[1]?.definition.blocks)).toContain('half typed');
    await sandbox.workspace.close(EDITOR, stack[1]?.id ?? '');
    expect(sandbox.workspace.modalStack(EDITOR).map((view) => view.id)).toEqual([first?.id]);

    const outcome = await sandbox.workspace.submit(EDITOR, first?.id ?? '', {
      caption: { value: 'Launch day' },
      when: { value: '2026-12-01T09:30' },
    });
    expect(outcome).toEqual({ outcome: 'closed' });
    expect(sandbox.workspace.modalStack(EDITOR)).toEqual([]);
    const saved = await until(() =>
      sandbox.workspace.messages(APPROVALS).find((message) => message.text.startsWith('Saved by')),
    );
    // 09:30 in the editor's zone (Berlin) on 1 December is 08:30 UTC.
    expect(saved.text).toBe(`Saved by <@${EDITOR}>: Launch day at ${Date.UTC(2026, 11, 1, 8, 30) / 1000}`);
  });

  it('opens the Home tab with a signed app_home_opened event', async () => {
    const { status } = await sandbox.workspace.openHome(EDITOR);
    expect(status).toBe(200);
  });

  it('sends a message in a thread as a signed event only from channels the app is in', async () => {
    const parent = await sandbox.app.services.slack.chat.postMessage({ channel: 'C0BILLING', text: 'A question' });
    const heard = await sandbox.workspace.say(EDITOR, 'C0BILLING', 'An answer', String(parent.ts));
    expect(heard.status).toBe(200);
    const digest = await sandbox.app.services.slack.chat.postMessage({ channel: 'C0DIGEST', text: 'Digest' });
    expect(await sandbox.workspace.say(EDITOR, 'C0DIGEST', 'Nice', String(digest.ts))).toEqual({});
    const shown = sandbox.workspace.messages('C0BILLING').map((m) => [m.text, m.user, m.thread_ts]);
    expect(shown).toContainEqual(['An answer', EDITOR, parent.ts]);
  });

  it("shows the app's direct messages to each person only, in their Messages", async () => {
    await sandbox.app.services.slack.chat.postMessage({ channel: EDITOR, text: 'April approved your post.' });
    await sandbox.app.services.slack.chat.postMessage({ channel: APPROVER, text: 'Something for April' });
    expect(sandbox.workspace.directMessages(EDITOR).map((message) => message.text)).toEqual([
      'April approved your post.',
    ]);
    expect(sandbox.workspace.directMessages(APPROVER).map((message) => message.text)).toEqual(['Something for April']);
    expect(() => sandbox.workspace.directMessages('U0NOBODY')).toThrow(/no such person/);
    // A person can click in their own DMs only.
    const dm = sandbox.workspace.directMessages(EDITOR)[0];
    await expect(
      sandbox.workspace.click(APPROVER, { kind: 'message', channel: EDITOR, ts: dm?.ts ?? '' }, 'x', 'y'),
    ).rejects.toThrow(/no such channel/);
  });

  it('shows a file the app uploads into a thread as a reply there, and serves its bytes as an image', async () => {
    const parent = await sandbox.app.services.slack.chat.postMessage({ channel: 'C0DIGEST', text: 'Weekly digest' });
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
      'base64',
    );
    await sandbox.app.services.slack.filesUploadV2({
      channel_id: 'C0DIGEST',
      thread_ts: String(parent.ts),
      file: png,
      filename: 'views-per-day.png',
      title: 'Views per day',
    });
    const shared = await until(() =>
      sandbox.workspace.messages('C0DIGEST').find((message) => message.files?.[0]?.name === 'views-per-day.png'),
    );
    expect(shared.thread_ts).toBe(parent.ts);
    expect(shared.files?.[0]?.title).toBe('Views per day');
    const file = sandbox.workspace.uploadedFile(shared.files?.[0]?.id ?? '');
    expect(file?.type).toBe('image/png');
    expect(Buffer.from(file?.bytes ?? []).equals(png)).toBe(true);
    const served = await fetch(`${sandbox.url}/sandbox/files/${shared.files?.[0]?.id}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect((await fetch(`${sandbox.url}/sandbox/files/F0NOPE`)).status).toBe(404);
    expect((await fetch(`${sandbox.url}/sandbox/files/..%2Fetc`)).status).toBe(404);
  });

  it('sends the change of an input with dispatch_action as block_actions, and refuses it from other inputs', async () => {
    const ts = await postOpener();
    await sandbox.workspace.click(ADMIN, { kind: 'message', channel: APPROVALS, ts }, 'opener', 'sandbox_test_open');
    const [first] = await until(() => {
      const stack = sandbox.workspace.modalStack(ADMIN);
      return stack.length === 1 && stack;
    });
    const viewId = first?.id ?? '';
    const options = ['now', 'later'].map((value) => ({ text: plain(value), value }));
    await sandbox.app.services.slack.views.update({
      view_id: viewId,
      view: testModal('Adaptive', {
        blocks: [
          {
            type: 'input',
            block_id: 'when_kind',
            dispatch_action: true,
            label: plain('When'),
            element: { type: 'radio_buttons', action_id: 'sandbox_test_dispatch', options },
          },
          {
            type: 'input',
            block_id: 'caption',
            label: plain('Caption'),
            element: { type: 'plain_text_input', action_id: 'value' },
          },
        ],
      }),
    });
    await sandbox.workspace.click(ADMIN, { kind: 'view', viewId }, 'when_kind', 'sandbox_test_dispatch', {
      state: { when_kind: { sandbox_test_dispatch: 'later' }, caption: { value: 'kept' } },
    });
    const body = await until(() => dispatched.at(-1));
    const action = (body.actions as Record<string, unknown>[])[0];
    expect(action).toMatchObject({
      type: 'radio_buttons',
      block_id: 'when_kind',
      action_id: 'sandbox_test_dispatch',
      selected_option: { value: 'later' },
    });
    expect(JSON.stringify((body.view as { state: unknown }).state)).toContain('kept');
    await expect(
      sandbox.workspace.click(ADMIN, { kind: 'view', viewId }, 'caption', 'value', { state: {} }),
    ).rejects.toThrow(/does not dispatch/);
    await sandbox.workspace.close(ADMIN, viewId);
  });

  it('connects accounts through the simulated login pages, never a real platform, and the choice in a DM', async () => {
    const { consent } = sandbox.simulators;
    expect(sandbox.app.config.META_LOGIN_URL).toBe(consent.facebookUrl);
    expect(sandbox.app.config.INSTAGRAM_LOGIN_URL).toBe(consent.instagramUrl);
    expect(sandbox.app.config.TIKTOK_LOGIN_URL).toBe(consent.tiktokUrl);
    await sandbox.workspace.command(ADMIN, APPROVALS, '/wone connect');
    const links = await until(() => {
      const answer = JSON.stringify(sandbox.workspace.privateFor(ADMIN, APPROVALS).at(-1)?.blocks ?? []);
      const urls = [...answer.matchAll(/"url":"([^"]+)"/g)].map((match) => match[1] ?? '');
      return urls.length === 4 && urls;
    });
    for (const link of links) {
      const start = await fetch(link, { redirect: 'manual' });
      const target = new URL(start.headers.get('location') ?? '');
      expect(`${target.protocol}//${target.host}`).toBe(new URL(consent.facebookUrl).origin);
      const page = await fetch(target);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Allow');
      // The person ticks the Pages offered (Facebook) and allows.
      for (const [, field] of html.matchAll(/name="(sandbox_page_[^"]+)"/g)) target.searchParams.set(field ?? '', 'on');
      target.searchParams.set('sandbox_answer', 'allow');
      const allowed = await fetch(target, { redirect: 'manual' });
      expect(allowed.status).toBe(302);
      const back = allowed.headers.get('location') ?? '';
      expect(back.startsWith(`${sandbox.url}/oauth/`)).toBe(true);
      const cookie = start.headers.get('set-cookie')?.split(';')[0] ?? '';
      expect((await fetch(back, { headers: { cookie } })).status).toBe(200);
    }
    // Each login's choice arrives as a DM to the admin; ticking Wone Outlet and pressing Connect connects it.
    const choice = await until(() =>
      sandbox.workspace.directMessages(ADMIN).find((message) => JSON.stringify(message.blocks).includes('Wone Outlet')),
    );
    const blocks = (choice.blocks ?? []) as {
      block_id?: string;
      elements?: { options?: { value: string; text: { text: string } }[] }[];
    }[];
    const group = blocks.find((block) => block.block_id?.startsWith('choose_accounts_'));
    const outletId = group?.elements?.[0]?.options?.find((option) => option.text.text === 'Wone Outlet')?.value ?? '';
    expect(outletId).toMatch(/^facebook:/);
    const origin = { kind: 'message' as const, channel: choice.channel, ts: choice.ts };
    const ticked = { [group?.block_id ?? '']: { chosen_accounts: [outletId] } };
    // Ticking the box is an action Slack sends too (the app only acknowledges it).
    expect(
      (await sandbox.workspace.click(ADMIN, origin, group?.block_id ?? '', 'chosen_accounts', { state: ticked }))
        .status,
    ).toBe(200);
    await sandbox.workspace.click(
      ADMIN,
      { kind: 'message', channel: choice.channel, ts: choice.ts },
      'choose_accounts_submit',
      'connect_chosen_accounts',
      { state: { [group?.block_id ?? '']: { chosen_accounts: [outletId] } } },
    );
    await until(() =>
      sandbox.workspace
        .directMessages(ADMIN)
        .some((message) => message.text.includes('Connected') && message.text.includes('Wone Outlet')),
    );
    expect((await sandbox.app.services.accounts.get(outletId))?.name).toBe('Wone Outlet');
    // Cancel goes back to the app with the platform's refusal; nothing is connected.
    await sandbox.workspace.command(ADMIN, APPROVALS, '/wone connect');
    const again = await until(() => {
      const answer = JSON.stringify(sandbox.workspace.privateFor(ADMIN, APPROVALS).at(-1)?.blocks ?? []);
      const url = answer.match(/"url":"([^"]+)"/)?.[1];
      return url && !links.includes(url) && url;
    });
    const start = await fetch(again, { redirect: 'manual' });
    const cancel = new URL(start.headers.get('location') ?? '');
    cancel.searchParams.set('sandbox_answer', 'cancel');
    const refused = new URL((await fetch(cancel, { redirect: 'manual' })).headers.get('location') ?? '');
    expect(refused.searchParams.get('error')).toBe('access_denied');
    expect(refused.searchParams.get('code')).toBeNull();
    // A URL the platform would refuse gets an error page, not a redirect.
    const forged = new URL(`${consent.facebookUrl}/v25.0/dialog/oauth`);
    forged.search = new URLSearchParams({
      client_id: '1',
      redirect_uri: 'https://evil.example/',
      state: 'x',
      response_type: 'code',
      scope: 'pages_show_list',
      sandbox_answer: 'allow',
    }).toString();
    expect((await fetch(forged, { redirect: 'manual' })).status).toBe(400);
  });

  it('keeps secrets out of the logs', () => {
    const text = logs.join('');
    for (const account of sandbox.simulators.accounts) expect(text).not.toContain(account.accessToken);
    expect(text).not.toContain(sandbox.simulators.slack.botToken);
  });
});
