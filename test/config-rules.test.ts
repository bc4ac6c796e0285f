import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configWarnings, loadConfig } from '../src/config.ts';
import { configProblems, validEnv } from './harness/config-fixtures.ts';

const valid = validEnv;
const problemsOf = configProblems;

const dir = mkdtempSync(join(tmpdir(), 'wone-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PUBLIC_BASE_URL', () => {
  it('must be https, because the platforms fetch media from it', () => {
    for (const value of ['http://wone.example.com', 'http://203.0.113.5:3000', 'ftp://wone.example.com']) {
      expect(problemsOf({ ...valid, PUBLIC_BASE_URL: value })).toEqual([
        'PUBLIC_BASE_URL is invalid: expected an https URL such as https://wone.example.com (plain http only for localhost)',
      ]);
    }
  });

  it('may be plain http on this machine only (localhost, 127.x, ::1)', () => {
    for (const value of ['http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'https://10.0.0.5']) {
      expect(problemsOf({ ...valid, PUBLIC_BASE_URL: value })).toEqual([]);
    }
  });
});

describe('format errors', () => {
  const wrong = {
    PORT: 'eighty',
    SLACK_TEAM_ID: 'wone',
    APPROVAL_CHANNEL_ID: '#social-approvals',
    COMMENTS_CHANNEL_ID: 'social-comments',
    DIGEST_CHANNEL_ID: 'U0NOTACHANNEL',
    ADMIN_USER_IDS: 'ada@example.com',
    APPROVER_USER_IDS: 'U0OK, april',
    EDITOR_USER_IDS: 'eddie',
    APPROVER_USERGROUP_ID: 'approvers',
    LOG_LEVEL: 'verbose',
    META_GRAPH_VERSION: '25',
    METRICS_TOKEN: 'short',
    PUBLISH_CONCURRENCY: 'many',
  };

  it('say in words what is expected, with an example, for every value at once', () => {
    const problems = problemsOf({ ...valid, ...wrong });
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT is invalid: expected a port number from 0 to 65535',
        'SLACK_TEAM_ID is invalid: expected a Slack workspace id such as T0123ABCDEF',
        'APPROVAL_CHANNEL_ID is invalid: expected a Slack channel id such as C0123ABCDEF (channel details, at the bottom)',
        'COMMENTS_CHANNEL_ID is invalid: expected a Slack channel id such as C0123ABCDEF (channel details, at the bottom)',
        'DIGEST_CHANNEL_ID is invalid: expected a Slack channel id such as C0123ABCDEF (channel details, at the bottom)',
        'ADMIN_USER_IDS is invalid: expected Slack user ids such as U0123ABCDEF, separated by commas',
        'APPROVER_USER_IDS is invalid: expected Slack user ids such as U0123ABCDEF, separated by commas',
        'EDITOR_USER_IDS is invalid: expected Slack user ids such as U0123ABCDEF, separated by commas',
        'APPROVER_USERGROUP_ID is invalid: expected a Slack user group id such as S0123ABCDEF',
        'LOG_LEVEL is invalid: expected debug, info, warn or error',
        'METRICS_TOKEN is invalid: expected a random string of at least 16 characters (openssl rand -hex 32)',
      ]),
    );
    // Each wrong value is reported once, and no message is a regular expression or a library's wording.
    for (const name of Object.keys(wrong)) {
      expect(problems.filter((problem) => problem.startsWith(`${name} `))).toHaveLength(1);
    }
    for (const problem of problems) {
      expect(problem).not.toMatch(/[[\]^$\\]|Invalid input|Invalid option|received|expected string/);
    }
  });

  it('never echo the value given', () => {
    const problems = problemsOf({ ...valid, APPROVAL_CHANNEL_ID: 'xoxb-pasted-in-the-wrong-place' }).join('\n');
    expect(problems).toContain('APPROVAL_CHANNEL_ID is invalid');
    expect(problems).not.toContain('pasted-in-the-wrong-place');
  });
});

describe('two-field checks', () => {
  it('are reported together with every other problem', () => {
    const problems = problemsOf({
      SLACK_BOT_TOKEN: 'xoxb-1-2-secretvalue',
      META_APP_ID: '123456',
      TIKTOK_CLIENT_SECRET: 'tiktok-secret-value',
    });
    expect(problems).toContain('META_APP_ID and META_APP_SECRET go together: set both, or neither to switch Meta off');
    expect(problems).toContain(
      'TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET go together: set both, or neither to switch TikTok off',
    );
    expect(problems.join('\n')).toContain('SLACK_SIGNING_SECRET is missing');
    expect(problems.join('\n')).toContain('APPROVAL_CHANNEL_ID is missing');
  });
});

describe('PRIVACY_POLICY_FILE', () => {
  it('must name a readable file', () => {
    const expected =
      'PRIVACY_POLICY_FILE is invalid: expected the path of a readable text file holding the privacy policy (UTF-8, plain text)';
    expect(problemsOf({ ...valid, PRIVACY_POLICY_FILE: join(dir, 'missing.txt') })).toEqual([expected]);
    expect(problemsOf({ ...valid, PRIVACY_POLICY_FILE: dir })).toEqual([expected]);
    const file = join(dir, 'policy.txt');
    writeFileSync(file, 'Policy\nContact: privacy@example.com\n');
    expect(loadConfig({ ...valid, PRIVACY_POLICY_FILE: file }).PRIVACY_POLICY_FILE).toBe(file);
    expect(loadConfig(valid).PRIVACY_POLICY_FILE).toBeUndefined();
  });
});

describe('startup warnings', () => {
  it('warn when no platform is configured and when nobody is an admin', () => {
    expect(configWarnings(loadConfig(valid))).toEqual([
      'No platform is configured (META_APP_ID and META_APP_SECRET, or TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET): ' +
        'no account can be connected and nothing can be published.',
      'ADMIN_USER_IDS is empty: nobody is an admin, so nobody can connect an account.',
    ]);
  });

  it('are silent when a platform is on and someone is an admin', () => {
    const config = loadConfig({
      ...valid,
      ADMIN_USER_IDS: 'U0ADMIN',
      TIKTOK_CLIENT_KEY: 'awkey123',
      TIKTOK_CLIENT_SECRET: 'tiktok-secret-value',
    });
    expect(configWarnings(config)).toEqual([]);
  });
});
