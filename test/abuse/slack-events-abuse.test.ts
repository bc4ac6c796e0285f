import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDITOR, SIGNING_SECRET, startTestApp, type TestApp, woneCommand } from '../harness/test-app.ts';
import { databaseFingerprint, type Mutation, mutations, seededRandom } from './request-generator.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const sign = (body: string, timestamp: number) =>
  `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;

describe('/slack/events under abuse', () => {
  it('answers thousands of unsigned, badly signed, stale, malformed and oversized requests with 4xx only', async () => {
    const random = seededRandom(20261129);
    const before = await databaseFingerprint(t.app.services.db);
    const slackCallsBefore = t.slack.calls.length;
    const statuses = new Map<number, number>();
    const valid = new URLSearchParams(woneCommand(t.slack, EDITOR, 'help')).toString();
    const total = 2_000;
    const requests = Array.from({ length: total }, () => {
      const mutation = mutations[Math.floor(random() * mutations.length)] as Mutation;
      return mutation({ body: valid, contentType: 'application/x-www-form-urlencoded', sign, random });
    });
    // 50 senders at once; a signed body Bolt cannot classify waits for its 3 s unhandled-request timeout (404).
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let request = requests.pop(); request; request = requests.pop()) {
          const response = await fetch(`${t.url}/slack/events`, {
            method: 'POST',
            headers: request.headers,
            body: request.body,
          });
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      }),
    );
    const summary = Object.fromEntries(statuses);
    expect(
      Object.keys(summary).every((status) => Number(status) >= 400 && Number(status) < 500),
      JSON.stringify(summary),
    ).toBe(true);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(total);
    expect(await databaseFingerprint(t.app.services.db)).toEqual(before);
    expect(t.slack.calls.length).toBe(slackCallsBefore);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  }, 120_000);
});
