import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { configProblems, validEnv } from './harness/config-fixtures.ts';

const valid = validEnv;
const problemsOf = configProblems;

describe('configuration', () => {
  it('refuses a publishing lease that would lapse while a prepared post waits for its time', () => {
    const problems = problemsOf({ ...valid, PUBLISH_LEASE_SECONDS: '60', PUBLISH_LEAD_SECONDS: '60' });
    expect(problems).toEqual([
      'PUBLISH_LEASE_SECONDS must be more than PUBLISH_LEAD_SECONDS plus 1 seconds, so a prepared post is still held when it starts',
    ]);
    expect(problemsOf({ ...valid, PUBLISH_LEASE_SECONDS: '3', PUBLISH_LEAD_SECONDS: '60' })).toHaveLength(1);
    expect(problemsOf({ ...valid, PUBLISH_LEASE_SECONDS: '62', PUBLISH_LEAD_SECONDS: '60' })).toEqual([]);
  });

  it('applies the documented defaults and switches platforms off when their credentials are absent', () => {
    const config = loadConfig(valid);
    expect(config.PORT).toBe(3000);
    expect(config.SLACK_API_URL).toBe('https://slack.com/api/');
    expect(config.META_GRAPH_URL).toBe('https://graph.facebook.com');
    expect(config.INSTAGRAM_GRAPH_URL).toBe('https://graph.instagram.com');
    expect(config.TIKTOK_API_URL).toBe('https://open.tiktokapis.com');
    expect(config.TIKTOK_BUSINESS_API_URL).toBe('https://business-api.tiktok.com');
    expect(config.TEAM_TIMEZONE).toBe('UTC');
    expect(config.DATA_DIR).toBe('./data');
    expect(config.MONGODB_URL).toBeUndefined();
    expect(config.platforms).toEqual({ meta: false, instagramLogin: false, tiktok: false });
    expect(config.ADMIN_USER_IDS).toEqual([]);
  });

  it('reads id lists and turns a platform on when its credentials are complete', () => {
    const config = loadConfig({
      ...valid,
      ADMIN_USER_IDS: 'U1ADMIN, U2ADMIN',
      META_APP_ID: '123456',
      META_APP_SECRET: 'meta-secret-value',
    });
    expect(config.ADMIN_USER_IDS).toEqual(['U1ADMIN', 'U2ADMIN']);
    expect(config.platforms.meta).toBe(true);
  });

  it('lists every missing or invalid value at once', () => {
    const problems = problemsOf({
      SLACK_BOT_TOKEN: 'not-a-token',
      TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=',
      TEAM_TIMEZONE: 'Mars/Olympus',
      PORT: 'eighty',
      META_APP_ID: '123',
    });
    const text = problems.join('\n');
    for (const name of [
      'SLACK_SIGNING_SECRET is missing',
      'SLACK_BOT_TOKEN is invalid',
      'SLACK_TEAM_ID is missing',
      'PUBLIC_BASE_URL is missing',
      'TOKEN_ENCRYPTION_KEY is invalid: expected 32 random bytes in base64',
      'APPROVAL_CHANNEL_ID is missing',
      'TEAM_TIMEZONE is invalid',
      'PORT is invalid',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('names both halves of a half-set platform credential', () => {
    expect(problemsOf({ ...valid, TIKTOK_CLIENT_KEY: 'awkey123' }).join('\n')).toContain(
      'TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET go together',
    );
    expect(problemsOf({ ...valid, TIKTOK_BUSINESS_APP_SECRET: 'business-secret' }).join('\n')).toContain(
      'TIKTOK_BUSINESS_APP_ID and TIKTOK_BUSINESS_APP_SECRET go together',
    );
  });

  it('reads approval steps in order, and defaults to no steps (the approvers of today) and a 15-minute deadline', () => {
    const config = loadConfig({
      ...valid,
      APPROVAL_STEPS: ' Brand=any:U0AAA, U0BBB,S0GROUP ; Legal=all:U0CCC,W0DDD',
      APPROVAL_DEADLINE_MINUTES: '30',
    });
    expect(config.APPROVAL_STEPS).toEqual([
      { name: 'Brand', rule: 'any', users: ['U0AAA', 'U0BBB'], groups: ['S0GROUP'] },
      { name: 'Legal', rule: 'all', users: ['U0CCC', 'W0DDD'], groups: [] },
    ]);
    expect(config.APPROVAL_DEADLINE_MINUTES).toBe(30);
    const defaults = loadConfig(valid);
    expect(defaults.APPROVAL_STEPS).toBeUndefined();
    expect(defaults.APPROVAL_DEADLINE_MINUTES).toBe(15);
    expect(loadConfig({ ...valid, APPROVAL_DEADLINE_MINUTES: '0' }).APPROVAL_DEADLINE_MINUTES).toBe(0);
  });

  it('stops on every kind of invalid approval step, naming the step and never echoing the value', () => {
    const cases: [string, string][] = [
      ['Brand:any:U0AAA', 'step 1 does not fit'],
      ['Brand=some:U0AAA', 'any or all as the rule of step 1'],
      ['Brand=any:U0AAA;Legal=all:', 'at least one approver in step 2'],
      ['Brand=any:U0AAA,secret-token', 'user group ids (S…) as the approvers of step 1'],
      ['Brand=any:U0AAA;Legal=all:U0CCC,S0GROUP', 'user groups go in any steps'],
      ['Brand=any:U0AAA;brand=all:U0CCC', 'a different name for each step'],
      ['Brand=any:U0AAA;', 'step 2 does not fit'],
    ];
    for (const [value, message] of cases) {
      const text = problemsOf({ ...valid, APPROVAL_STEPS: value }).join('\n');
      expect(text).toContain('APPROVAL_STEPS is invalid');
      expect(text).toContain(message);
      expect(text).not.toContain('secret-token');
    }
    for (const value of ['-1', '2.5', 'soon']) {
      expect(problemsOf({ ...valid, APPROVAL_DEADLINE_MINUTES: value }).join('\n')).toContain(
        'APPROVAL_DEADLINE_MINUTES is invalid',
      );
    }
  });

  it('stops startup with one message, a non-zero exit and no secret printed', async () => {
    const secret = 'xoxb-this-is-secret-but-malformed';
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SLACK_BOT_TOKEN: `${secret}\n`,
      TOKEN_ENCRYPTION_KEY: 'sUpErSeCrEt',
    };
    const run = promisify(execFile)('node', ['--import', 'tsx', 'src/main.ts'], { env, cwd: process.cwd() });
    const failure = (await run.then(
      () => undefined,
      (error: unknown) => error,
    )) as { code: number; stderr: string; stdout: string } | undefined;
    expect(failure?.code).toBe(1);
    const output = `${failure?.stderr}${failure?.stdout}`;
    expect(output).toContain('configuration problem');
    expect(output).toContain('SLACK_SIGNING_SECRET is missing');
    expect(output).toContain('TOKEN_ENCRYPTION_KEY is invalid');
    expect(output).not.toContain('this-is-secret');
    expect(output).not.toContain('sUpErSeCrEt');
  });

  it('looks for due results every 5 minutes unless RESULTS_CHECK_MINUTES says otherwise (1–60)', () => {
    expect(loadConfig(valid).RESULTS_CHECK_MINUTES).toBe(5);
    expect(loadConfig({ ...valid, RESULTS_CHECK_MINUTES: '15' }).RESULTS_CHECK_MINUTES).toBe(15);
    expect(problemsOf({ ...valid, RESULTS_CHECK_MINUTES: '0' })).toEqual([
      'RESULTS_CHECK_MINUTES is invalid: expected whole minutes between 1 and 60',
    ]);
    expect(problemsOf({ ...valid, RESULTS_CHECK_MINUTES: 'soon' })).toEqual([
      'RESULTS_CHECK_MINUTES is invalid: expected whole minutes between 1 and 60',
    ]);
  });
});
