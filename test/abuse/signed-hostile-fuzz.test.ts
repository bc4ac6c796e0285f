import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalActions } from '../../views/approval-message.ts';
import { CHOOSE_ACTION_ID } from '../../views/choose-accounts-message.ts';
import { SHARE_INSIGHTS_ACTION } from '../../views/insights-report.ts';
import { queuePageAction } from '../../views/queue-message.ts';
import { EDITOR, SIGNING_SECRET, TEAM_ID, woneCommand } from '../harness/test-app.ts';
import { type PostApp, startPostApp } from '../posts/post-harness.ts';
import { databaseFingerprint, type Mutation, mutations, seededRandom } from './request-generator.ts';

/**
 * Validly signed but hostile Slack payloads, built from what Slack sends for every command, button, submission and
 * event the app handles, then spoiled: fields dropped, given the wrong type, hostile or huge text, people without a
 * role or from another workspace. Mixed with unsigned, badly signed, stale, future-dated, malformed and oversized
 * requests. Loopback only, a fixed seed, a few thousand requests.
 */

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp({ EDITOR_USER_IDS: EDITOR });
});
afterAll(async () => t?.stop());

const sign = (body: string, timestamp: number) =>
  `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;

const hostileTexts = [
  '<!channel> Flash *sale* <https://evil.example|wone.com>',
  '"; db.dropDatabase(); //',
  '{"$gt": ""}',
  '../../../../etc/passwd',
  '\u0000\u202e\ud800',
  'x'.repeat(5000),
  '<@U0ADMIN> <!here>',
  '0123456789abcdef01234567:1',
  'javascript:alert(1)',
];
const wrongTypes: unknown[] = [null, 0, -1, 1e308, true, [], {}, [1, 2], { $gt: '' }, '', 'x'.repeat(50_000)];

const actionIds = [
  ...Object.values(approvalActions),
  queuePageAction,
  'comment_reply',
  'comment_hide',
  'comment_unhide',
  'comment_open',
  SHARE_INSIGHTS_ACTION,
  'reconnect_account',
  'disconnect_account',
  'delete_account_data',
  'connect_chosen_accounts',
  'cancel_pending_connection',
  'cancel_account_action',
  'open_authorize_facebook',
  CHOOSE_ACTION_ID,
];
const callbacks = ['draft_modal', 'request_changes_modal', 'reschedule_modal', 'comment_reply'];
const subcommands = ['schedule', 'queue', 'insights', 'accounts', 'connect', 'disconnect x', 'delete-data x', 'audit'];

type Json = Record<string, unknown>;

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

/** A person with no role here: a member outside the editor list, someone unknown, or from another workspace. */
function stranger(random: () => number): { id: string; team: string } {
  const roll = random();
  if (roll < 0.4) return { id: 'UMEMBER', team: TEAM_ID };
  if (roll < 0.7) return { id: `U${Math.floor(random() * 1e9)}`, team: TEAM_ID };
  return { id: 'UOUTSIDER', team: 'T0OTHER' };
}

function template(random: () => number): { body: Json; form: 'payload' | 'command' | 'json' } {
  const kind = random();
  // The editor may only press buttons here, with values that name nothing: a refusal or "not found", no change.
  const who = kind < 0.35 && random() < 0.3 ? { id: EDITOR, team: TEAM_ID } : stranger(random);
  const user = { id: who.id, username: 'x', name: 'x', team_id: who.team };
  const team = { id: TEAM_ID, domain: 'wone' };
  if (kind < 0.35) {
    return {
      form: 'payload',
      body: {
        type: 'block_actions',
        user,
        team,
        api_app_id: 'A0WONE',
        trigger_id: `${Date.now()}.1.f`,
        container: { type: 'message', message_ts: '1.1', channel_id: 'C0APPROVAL', is_ephemeral: false },
        channel: { id: 'C0APPROVAL' },
        response_url: t.slack.responseUrl(),
        actions: [
          { action_id: pick(random, actionIds), block_id: 'b', type: 'button', value: pick(random, hostileTexts) },
        ],
      },
    };
  }
  if (kind < 0.55) {
    return {
      form: 'payload',
      body: {
        type: 'view_submission',
        user,
        team,
        api_app_id: 'A0WONE',
        trigger_id: `${Date.now()}.1.v`,
        view: {
          id: 'V0FUZZ',
          type: 'modal',
          callback_id: pick(random, callbacks),
          private_metadata: pick(random, hostileTexts),
          state: {
            values: {
              caption: { value: { type: 'plain_text_input', value: pick(random, hostileTexts) } },
              reason: { value: { type: 'plain_text_input', value: pick(random, hostileTexts) } },
              reply: { text: { type: 'plain_text_input', value: pick(random, hostileTexts) } },
            },
          },
          hash: 'h',
        },
      },
    };
  }
  if (kind < 0.8) {
    const fields = woneCommand(t.slack, who.id, `${pick(random, subcommands)} ${pick(random, hostileTexts)}`);
    return { form: 'command', body: { ...fields, ...(who.team === TEAM_ID ? {} : { user_team_id: who.team }) } };
  }
  return {
    form: 'json',
    body: {
      token: 'x',
      team_id: who.team,
      api_app_id: 'A0WONE',
      type: 'event_callback',
      event_id: `Ev${Math.floor(random() * 1e9)}`,
      event_time: 1,
      event: { type: 'app_home_opened', user: who.id, channel: 'D1', tab: pick(random, ['home', 'messages', 'x']) },
    },
  };
}

/** Spoils one field at a random path: drops it or gives it a wrong type or hostile text. */
function spoil(body: Json, random: () => number): void {
  const paths: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (path.length > 0) paths.push(path);
    if (value && typeof value === 'object' && path.length < 6) {
      for (const [key, inner] of Object.entries(value))
        walk(inner, [...path, Array.isArray(value) ? Number(key) : key]);
    }
  };
  walk(body, []);
  const path = pick(random, paths);
  let parent: unknown = body;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = path.at(-1) as string | number;
  const target = parent as Record<string | number, unknown>;
  const roll = random();
  if (roll < 0.35) delete target[last];
  else if (roll < 0.75) target[last] = structuredClone(pick(random, wrongTypes));
  else target[last] = pick(random, hostileTexts);
}

function encode(form: 'payload' | 'command' | 'json', body: Json): { body: string; contentType: string } {
  if (form === 'json') return { body: JSON.stringify(body), contentType: 'application/json' };
  if (form === 'payload') {
    return {
      body: `payload=${encodeURIComponent(JSON.stringify(body))}`,
      contentType: 'application/x-www-form-urlencoded',
    };
  }
  const flat = Object.fromEntries(
    Object.entries(body).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value ?? '')]),
  );
  return { body: new URLSearchParams(flat).toString(), contentType: 'application/x-www-form-urlencoded' };
}

describe('/slack/events fuzzed with validly signed hostile payloads and spoiled requests', () => {
  it('never answers 5xx, keeps running, and changes nothing but audit rows for refusals', async () => {
    const random = seededRandom(20261203);
    const before = await databaseFingerprint(t.app.services.db);
    const auditBefore = await t.app.services.db.collection('audit').countDocuments();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const total = 3_000;
    const requests = Array.from({ length: total }, (_, i) => {
      const { body, form } = template(random);
      const spoils = i % 4 === 0 ? 0 : 1 + Math.floor(random() * 3);
      for (let n = 0; n < spoils; n++) spoil(body, random);
      const encoded = encode(form, body);
      if (i % 3 !== 0) {
        const timestamp = Math.floor(Date.now() / 1000);
        return {
          headers: {
            'content-type': encoded.contentType,
            'x-slack-request-timestamp': String(timestamp),
            'x-slack-signature': sign(encoded.body, timestamp),
          },
          body: encoded.body,
        };
      }
      const mutation = pick(random, mutations) as Mutation;
      return mutation({ body: encoded.body, contentType: encoded.contentType, sign, random });
    });
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        for (let request = requests.pop(); request; request = requests.pop()) {
          const response = await fetch(`${t.url}/slack/events`, {
            method: 'POST',
            headers: request.headers,
            body: request.body,
          });
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status >= 500) failures.push(String(request.body).slice(0, 600));
        }
      }),
    );
    const summary = Object.fromEntries(statuses);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(total);
    expect(
      [...statuses.keys()].filter((status) => status >= 500),
      `${JSON.stringify(summary)}\n${failures.join('\n')}`,
    ).toEqual([]);
    // Handlers finish after the acknowledgement: wait until the audit log stops growing.
    let audit = -1;
    for (let now = await t.app.services.db.collection('audit').countDocuments(); now !== audit; ) {
      audit = now;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      now = await t.app.services.db.collection('audit').countDocuments();
    }
    const after = await databaseFingerprint(t.app.services.db);
    const { audit: _auditAfter, ...restAfter } = after;
    const { audit: _auditBefore, ...restBefore } = before;
    expect(restAfter).toEqual(restBefore);
    const added = await t.app.services.db
      .collection('audit')
      .find({}, { sort: { _id: 1 }, skip: auditBefore, projection: { action: 1 } })
      .toArray();
    expect(new Set(added.map((entry) => entry.action))).toEqual(new Set(added.length > 0 ? ['role_denied'] : []));
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(t.logs()).not.toContain('xoxb-');
  }, 240_000);
});
