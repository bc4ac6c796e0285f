import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { startFromEnvironment, type WoneApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { FakeSlack } from '../../src/sandbox/fake-slack.ts';
import { SlackSigner } from '../../src/sandbox/slack-signer.ts';

export const TEAM_ID = 'T0WONE';
export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const ADMIN = 'UADMIN';
export const APPROVER = 'UAPPROVER';
export const EDITOR = 'UEDITOR';
export const APPROVAL_CHANNEL = 'C0APPROVAL';
export const COMMENTS_CHANNEL = 'C0COMMENTS';
export const DIGEST_CHANNEL = 'C0DIGEST';

/** A database URL of its own for one test file, inside the run's database server. */
export function freshDatabaseUrl(): string {
  const base = inject('mongoUrl').replace(/\/[^/]*$/, '');
  return `${base}/t_${randomBytes(6).toString('hex')}`;
}

/** The environment a test app runs with: what an operator would set, pointing at the fakes. */
export function testEnvironment(
  slack: FakeSlack,
  overrides: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  return {
    PORT: '0',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_API_URL: slack.apiUrl,
    SLACK_TEAM_ID: TEAM_ID,
    MONGODB_URL: freshDatabaseUrl(),
    PUBLIC_BASE_URL: 'https://wone.example.com',
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
    COMMENTS_CHANNEL_ID: COMMENTS_CHANNEL,
    DIGEST_CHANNEL_ID: DIGEST_CHANNEL,
    ADMIN_USER_IDS: ADMIN,
    APPROVER_USER_IDS: APPROVER,
    TEAM_TIMEZONE: 'Europe/Berlin',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

export interface TestApp {
  app: WoneApp;
  slack: FakeSlack;
  signer: SlackSigner;
  url: string;
  /** Everything the app logged, as text. */
  logs: () => string;
  stop(): Promise<void>;
}

/**
 * Starts the app the way production does (`startFromEnvironment` with an operator's environment) against a fresh
 * database, with the fake Slack Web API and three users: an admin, an approver and an editor.
 */
export async function startTestApp(
  overrides: Record<string, string | undefined> = {},
  /** `clock`: a `TestClock` the test moves (the approval rules and results checkpoints read it). */
  options: { clock?: TestClock } = {},
): Promise<TestApp> {
  const slack = new FakeSlack('xoxb-test-token', TEAM_ID);
  await slack.start();
  slack.addUser({ id: ADMIN, name: 'ada', tz: 'Europe/Berlin' });
  slack.addUser({ id: APPROVER, name: 'april', tz: 'America/New_York' });
  slack.addUser({ id: EDITOR, name: 'eddie', tz: 'Asia/Tokyo' });
  const env = testEnvironment(slack, overrides);
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const app = await startFromEnvironment(env, {
    logger: createLogger(env.LOG_LEVEL ?? 'info', sink),
    slackRetryConfig: { retries: 0 },
    jobPollInterval: 200,
    ...(options.clock ? { clock: () => options.clock?.now() ?? new Date() } : {}),
  });
  const url = `http://127.0.0.1:${app.port}`;
  return {
    app,
    slack,
    signer: new SlackSigner(url, SIGNING_SECRET),
    url,
    logs: () => logLines.join(''),
    stop: async () => {
      await app.stop();
      await slack.stop();
    },
  };
}

/** A clock the app's time-dependent rules read that a test moves forward (everything else keeps the real time). */
export class TestClock {
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Sets the clock to `at` (it runs on from there). */
  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
  }
}

/** Fields of a `/wone` slash command from `user` in the allowed workspace. */
export function woneCommand(
  slack: FakeSlack,
  user: string,
  text: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    command: '/wone',
    text,
    response_url: slack.responseUrl(),
    trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e9)}.abc`,
    user_id: user,
    user_name: user.toLowerCase(),
    team_id: TEAM_ID,
    team_domain: 'wone',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    api_app_id: 'A0WONE',
    ...extra,
  };
}
