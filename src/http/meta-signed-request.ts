import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Why a `signed_request` was refused; the caller answers 400 and does nothing. */
export class SignedRequestError extends Error {
  readonly code: 'malformed' | 'bad_signature' | 'bad_algorithm' | 'bad_payload';
  constructor(code: SignedRequestError['code'], message: string) {
    super(message);
    this.name = 'SignedRequestError';
    this.code = code;
  }
}

const payloadSchema = z.object({
  algorithm: z.string(),
  user_id: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String),
  issued_at: z.number().int().optional(),
  expires: z.number().int().optional(),
});

export type SignedRequestPayload = z.infer<typeof payloadSchema>;

const base64url = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Verifies and decodes Meta's `signed_request`: `base64url(signature).base64url(payload)`, where the signature is
 * HMAC-SHA256 with the app secret over the encoded payload exactly as sent. The signature is checked (in constant
 * time) before the payload is trusted, and the payload must say `HMAC-SHA256`.
 */
export function verifySignedRequest(signedRequest: string, appSecret: string): SignedRequestPayload {
  const parts = signedRequest.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1] || !base64url.test(parts[0]) || !base64url.test(parts[1])) {
    throw new SignedRequestError('malformed', 'signed_request must be two base64url parts joined by a dot');
  }
  const [encodedSignature, encodedPayload] = parts as [string, string];
  const signature = Buffer.from(encodedSignature, 'base64url');
  const expected = createHmac('sha256', appSecret).update(encodedPayload).digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    throw new SignedRequestError('bad_signature', 'the signature does not match');
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8'));
  } catch {
    throw new SignedRequestError('bad_payload', 'the payload is not JSON');
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) throw new SignedRequestError('bad_payload', 'the payload lacks a user_id or algorithm');
  if (parsed.data.algorithm !== 'HMAC-SHA256') {
    throw new SignedRequestError('bad_algorithm', 'the algorithm must be HMAC-SHA256');
  }
  return parsed.data;
}
