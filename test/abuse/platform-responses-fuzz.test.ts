import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/platforms/errors.ts';
import type { AccountAccess, PublishRequest } from '../../src/platforms/types.ts';
import type { FakeReply } from '../../src/sandbox/fake-http-server.ts';
import { instagramTokenByConsent, pageTokenByConsent } from '../harness/meta-consent.ts';
import { jpeg, type MetaHarness, progressStore, startMeta } from '../platforms/meta-harness.ts';
import { seededRandom } from './request-generator.ts';

let meta: MetaHarness;
beforeAll(async () => {
  meta = await startMeta();
});
afterAll(async () => meta?.stop());

/** A JSON value of a random shape: what a platform might send when it changes or breaks. */
function randomJson(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * (depth > 2 ? 6 : 10));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return Math.floor(random() * 1e12) * (random() < 0.5 ? -1 : 1);
    case 2:
      return random() < 0.5;
    case 3:
      return 'x'.repeat(Math.floor(random() * 20));
    case 4:
      return String(Math.floor(random() * 1e15));
    case 5:
      return '';
    case 6:
      return Array.from({ length: Math.floor(random() * 3) }, () => randomJson(random, depth + 1));
    default: {
      const keys = ['id', 'error', 'status_code', 'data', 'permalink', 'quota_usage', 'config', 'code', 'message'];
      const object: Record<string, unknown> = {};
      for (const key of keys) if (random() < 0.4) object[key] = randomJson(random, depth + 1);
      return object;
    }
  }
}

function randomReply(random: () => number): FakeReply {
  const roll = random();
  if (roll < 0.1) return { status: 200, text: '<html>not json</html>' };
  if (roll < 0.2) return { status: 500 + Math.floor(random() * 4), json: randomJson(random) };
  if (roll < 0.3) return { status: 400, json: { error: randomJson(random) } };
  return { status: 200, json: randomJson(random) };
}

describe('platform answers of unexpected shapes', () => {
  it('end in a published outcome or a PlatformError, never another error', async () => {
    const random = seededRandom(4242);
    const igId = meta.fake.seedInstagramAccount({ username: 'wone.fuzz' }).id;
    const pageId = meta.fake.seedPage({ name: 'Wone Fuzz' }).id;
    const instagram: AccountAccess = {
      platform: 'instagram',
      externalId: igId,
      login: 'instagram',
      accessToken: await instagramTokenByConsent(meta.fake, igId),
    };
    const facebook: AccountAccess = {
      platform: 'facebook',
      externalId: pageId,
      login: 'facebook',
      accessToken: await pageTokenByConsent(meta.fake, pageId),
    };
    const feed: PublishRequest = { postType: 'instagram_feed', caption: 'Fuzz', media: [jpeg('fuzz')] };
    const text: PublishRequest = { postType: 'facebook_text', caption: 'Fuzz', media: [] };
    const kinds = new Map<string, number>();
    const runs = 300;
    for (let run = 0; run < runs; run += 1) {
      const onInstagram = run % 2 === 0;
      const server = onInstagram ? meta.fake.instagram : meta.fake.facebook;
      // Spoil one of the first few calls of the flow.
      let seen = 0;
      const spoilAt = Math.floor(random() * 4);
      server.inject(() => seen++ === spoilAt, randomReply(random), { times: 1 });
      const store = progressStore();
      const outcome = await (onInstagram
        ? meta.instagram.publish(instagram, feed, store.context())
        : meta.facebook.publish(facebook, text, store.context())
      ).then(
        (value) => `outcome ${value.status}`,
        (error: unknown) => (error instanceof PlatformError ? `PlatformError ${error.kind}` : `other ${String(error)}`),
      );
      kinds.set(outcome, (kinds.get(outcome) ?? 0) + 1);
      // Leave no unused injection for the next run.
      server.inject(() => false, { status: 200 }, { times: 0 });
    }
    console.log(`${runs} publishes with one answer fuzzed: ${JSON.stringify(Object.fromEntries(kinds))}`);
    const others = [...kinds.keys()].filter((kind) => kind.startsWith('other'));
    expect(others).toEqual([]);
    expect([...kinds.keys()].some((kind) => kind.startsWith('PlatformError'))).toBe(true);
  }, 60_000);
});
