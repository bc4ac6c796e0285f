import { execFile } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFromEnvironment } from '../../src/app.ts';
import { SlackTokenError } from '../../src/handlers/slack-probe.ts';
import { FakeSlack } from '../../src/sandbox/fake-slack.ts';
import { EDITOR, startTestApp, TEAM_ID, type TestApp, testEnvironment, woneCommand } from '../harness/test-app.ts';

const slack = new FakeSlack('xoxb-test-token', TEAM_ID);
const cleanups: (() => Promise<void>)[] = [slack.stop.bind(slack)];
beforeAll(async () => {
  await slack.start();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Slack at startup', () => {
  it('a bot token Slack refuses stops the start with a sentence that says what to fix', async () => {
    const wrongToken = 'xoxb-revoked-token-value';
    const started = startFromEnvironment(testEnvironment(slack, { SLACK_BOT_TOKEN: wrongToken }));
    const error = await started.then(
      () => undefined,
      (problem: unknown) => problem,
    );
    expect(error).toBeInstanceOf(SlackTokenError);
    expect((error as Error).message).toBe(
      'Slack refused SLACK_BOT_TOKEN (invalid_auth): set it to the Bot User OAuth Token (xoxb-…) from the Slack app ' +
        'settings, OAuth & Permissions, and reinstall the app to the workspace if the token was revoked.',
    );
    expect((error as Error).message).not.toContain(wrongToken);
  });

  it('the process exits 1 printing that sentence, with no stack trace and no token', async () => {
    const wrongToken = 'xoxb-revoked-token-value';
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...testEnvironment(slack, { SLACK_BOT_TOKEN: wrongToken }),
    };
    const run = promisify(execFile)('node', ['--import', 'tsx', 'src/main.ts'], { env, cwd: process.cwd() });
    const failure = (await run.then(
      () => undefined,
      (error: unknown) => error,
    )) as { code: number; stderr: string; stdout: string } | undefined;
    expect(failure?.code).toBe(1);
    const output = `${failure?.stderr}${failure?.stdout}`;
    expect(output).toContain('Wone Social could not start: Slack refused SLACK_BOT_TOKEN (invalid_auth)');
    expect(output).not.toContain('WebAPIPlatformError');
    expect(output).not.toMatch(/\n\s+at /);
    expect(output).not.toContain(wrongToken);
  });

  it('a token of another workspace stops the start, naming both workspaces', async () => {
    const other = new FakeSlack('xoxb-test-token', 'T0OTHER');
    await other.start();
    cleanups.push(() => other.stop());
    const error = await startFromEnvironment(testEnvironment(other)).then(
      () => undefined,
      (problem: unknown) => problem,
    );
    expect(error).toBeInstanceOf(SlackTokenError);
    expect((error as Error).message).toContain(
      `SLACK_BOT_TOKEN belongs to the Slack workspace T0OTHER, but SLACK_TEAM_ID is ${TEAM_ID}`,
    );
  });
});

describe('Slack unreachable', () => {
  let t: TestApp;
  it('starts but is not ready, /readyz names each dependency, and a failed call names its method and host', async () => {
    const port = await closedPort();
    t = await startTestApp({ SLACK_API_URL: `http://127.0.0.1:${port}/api/` });
    cleanups.push(() => t.stop());
    expect(t.logs()).toContain('Slack cannot be reached: starting, but not ready until it answers');

    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'not ready',
      database: 'ok',
      scheduler: 'running',
      slack: 'unreachable',
    });

    const call = t.app.services.slack.chat.postMessage({ channel: 'C0APPROVAL', text: 'hello' });
    await expect(call).rejects.toThrow(`Slack chat.postMessage failed: 127.0.0.1:${port} could not be reached`);
    expect(t.logs()).toContain(`Slack chat.postMessage failed: 127.0.0.1:${port} could not be reached`);
  });

  it('becomes ready when Slack comes back, and then serves Slack requests', async () => {
    const port = await closedPort();
    const down = await startTestApp({ SLACK_API_URL: `http://127.0.0.1:${port}/api/` });
    cleanups.push(() => down.stop());
    expect((await fetch(`${down.url}/readyz`)).status).toBe(503);

    // Slack is back: the same address now leads to the fake Slack Web API.
    const slackPort = Number(new URL(slack.apiUrl).port);
    const relay: Server = createServer((socket) => socket.pipe(connect(slackPort, '127.0.0.1')).pipe(socket));
    await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => relay.close(() => resolve())));

    const ready = await fetch(`${down.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { slack: string }).slack).toBe('ok');
    const help = await down.signer.command(woneCommand(down.slack, EDITOR, 'help'));
    expect(help.status).toBe(200);
    expect((help.json() as { text: string }).text).toContain('/wone help');
  });

  it('/readyz is ready with every dependency named when Slack answers; startup warns of settings that do nothing', async () => {
    const ok = await startTestApp({ ADMIN_USER_IDS: '' });
    cleanups.push(() => ok.stop());
    const ready = await fetch(`${ok.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', scheduler: 'running', slack: 'ok' });
    const warnings = ok
      .logs()
      .split('\n')
      .filter((line) => line.includes('"level":40'))
      .join('\n');
    expect(warnings).toContain('No platform is configured');
    expect(warnings).toContain('ADMIN_USER_IDS is empty: nobody is an admin, so nobody can connect an account.');
  });
});
