import { createHmac } from 'node:crypto';

export interface SignedResponse {
  status: number;
  body: string;
  json(): unknown;
}

/**
 * Sends requests to the app's `/slack/events` exactly as Slack does: `v0` HMAC-SHA256 signatures over the raw body
 * and timestamp, and the exact content types (commands and interactivity form-encoded, events JSON).
 */
export class SlackSigner {
  constructor(
    private readonly baseUrl: string,
    private readonly signingSecret: string,
  ) {}

  sign(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
    const signature = createHmac('sha256', this.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
    return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
  }

  /** A slash command (`application/x-www-form-urlencoded`, flat fields). */
  command(fields: Record<string, string>): Promise<SignedResponse> {
    return this.post(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
  }

  /** An interactivity payload (`payload=<JSON>`, form-encoded). */
  interaction(payload: unknown): Promise<SignedResponse> {
    return this.post(`payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded');
  }

  /** An Events API envelope (JSON). */
  event(envelope: unknown): Promise<SignedResponse> {
    return this.post(JSON.stringify(envelope), 'application/json');
  }

  /** Posts a body, signed unless `headers` says otherwise. */
  async post(body: string, contentType: string, headers?: Record<string, string>): Promise<SignedResponse> {
    const response = await fetch(`${this.baseUrl}/slack/events`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, ...(headers ?? this.sign(body)) },
    });
    const text = await response.text();
    return { status: response.status, body: text, json: () => JSON.parse(text) };
  }
}
