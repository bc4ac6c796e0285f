import type { Db } from 'mongodb';

export interface AbuseRequest {
  method?: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export interface MutationInput {
  /** A valid body for the endpoint. */
  body: string;
  contentType: string;
  /** Signs a body as the endpoint's caller would. */
  sign: (body: string, timestamp: number) => string;
  random: () => number;
}

/** A way to spoil a valid request; every one of them must be refused with a 4xx. */
export type Mutation = (input: MutationInput) => AbuseRequest;

const now = () => Math.floor(Date.now() / 1000);

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function garble(text: string, random: () => number): string {
  const chars = [...text];
  const flips = 1 + Math.floor(random() * 5);
  for (let i = 0; i < flips; i++) {
    const at = Math.floor(random() * chars.length);
    const original = chars[at]?.charCodeAt(0) ?? 0;
    // Always a different character, so the body really changes.
    chars[at] = String.fromCharCode(33 + ((((original - 33 + 1 + Math.floor(random() * 89)) % 90) + 90) % 90));
  }
  return chars.join('');
}

const signed = (input: MutationInput, body: string, timestamp = now()) => ({
  'x-slack-request-timestamp': String(timestamp),
  'x-slack-signature': input.sign(body, timestamp),
});

/** Signed-request abuse: each entry spoils one thing about a valid Slack request. */
export const mutations: Mutation[] = [
  // unsigned
  (input) => ({ headers: { 'content-type': input.contentType }, body: input.body }),
  // badly signed: right shape, wrong secret
  (input) => ({
    headers: {
      'content-type': input.contentType,
      'x-slack-request-timestamp': String(now()),
      'x-slack-signature': `v0=${'ab'.repeat(32)}`,
    },
    body: input.body,
  }),
  // signature of another body
  (input) => ({
    headers: { 'content-type': input.contentType, ...signed(input, `${input.body}&x=1`) },
    body: input.body,
  }),
  // body changed after signing
  (input) => ({
    headers: { 'content-type': input.contentType, ...signed(input, input.body) },
    body: garble(input.body, input.random),
  }),
  // stale (replayed after 5 minutes)
  (input) => {
    const stale = now() - 301 - Math.floor(input.random() * 100_000);
    return { headers: { 'content-type': input.contentType, ...signed(input, input.body, stale) }, body: input.body };
  },
  // future-dated: signed more than five minutes ahead of the app's clock
  (input) => {
    const ahead = now() + 301 + Math.floor(input.random() * 100_000);
    return { headers: { 'content-type': input.contentType, ...signed(input, input.body, ahead) }, body: input.body };
  },
  // wrong signature version
  (input) => {
    const headers = { 'content-type': input.contentType, ...signed(input, input.body) };
    headers['x-slack-signature'] = headers['x-slack-signature'].replace(/^v0=/, 'v1=');
    return { headers, body: input.body };
  },
  // non-numeric timestamp
  (input) => ({
    headers: {
      'content-type': input.contentType,
      'x-slack-request-timestamp': 'yesterday',
      'x-slack-signature': 'v0=00',
    },
    body: input.body,
  }),
  // signed, but malformed JSON
  (input) => {
    const body = `{"type":"event_callback","event":${garble('{"type":"app_home_opened"}', input.random)}`;
    return { headers: { 'content-type': 'application/json', ...signed(input, body) }, body };
  },
  // signed, but a payload field that is not JSON
  (input) => {
    const body = `payload=${encodeURIComponent(garble('{"type":"block_actions"}', input.random))}{`;
    return { headers: { 'content-type': 'application/x-www-form-urlencoded', ...signed(input, body) }, body };
  },
  // oversized
  (input) => {
    const body = `text=${'x'.repeat(1_100_000)}`;
    return { headers: { 'content-type': input.contentType, ...signed(input, body) }, body };
  },
  // wrong content type, signed
  (input) => ({ headers: { 'content-type': 'text/plain', ...signed(input, input.body) }, body: input.body }),
  // binary noise, signed
  (input) => {
    const bytes = new Uint8Array(64 + Math.floor(input.random() * 512)).map(() => Math.floor(input.random() * 256));
    const body = Buffer.from(bytes).toString('latin1');
    return { headers: { 'content-type': input.contentType, ...signed(input, body) }, body };
  },
];

/** Document counts of every collection: equal before and after means abuse changed nothing. */
export async function databaseFingerprint(db: Db): Promise<Record<string, number>> {
  const fingerprint: Record<string, number> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    fingerprint[name] = await db.collection(name).countDocuments();
  }
  return fingerprint;
}
