import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';

/** Slack serves `url_private` downloads from this host; the bot token goes nowhere else (bar the configured API host). */
const slackFileHosts = ['files.slack.com'];
const maxRedirects = 5;

/** Any failure to fetch: refused address, unknown host, no answer, an error status. One kind, one message. */
export class MediaFetchError extends Error {
  constructor(readonly url: string) {
    super(`${url} could not be downloaded.`);
    this.name = 'MediaFetchError';
  }
}

/** An answer being read: its body streams; `length` is what the server declared, when it did. */
export interface FetchedMedia {
  body: Readable;
  length?: number;
}

/**
 * Whether an address is one the public internet routes to. Loopback, private, link-local, carrier-grade NAT, multicast,
 * documentation, IPv4 inside IPv6 (mapped, NAT64, 6to4, Teredo) and every other special range is refused.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

const refusedAddress = () => Object.assign(new Error('address refused'), { code: 'EADDRREFUSED' });

/** Resolves as `dns.lookup` does, but fails unless every address is public; the connection uses what was checked. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  const family = options.family === 'IPv6' ? 6 : options.family === 'IPv4' ? 4 : Number(options.family ?? 0) || 0;
  dnsLookup(hostname, { all: true, family }, (error, addresses) => {
    if (error) return callback(error, '');
    if (addresses.length === 0 || !addresses.every((entry) => isPublicAddress(entry.address))) {
      return callback(refusedAddress(), '');
    }
    if (options.all) return callback(null, addresses);
    const [first] = addresses as [LookupAddress];
    return callback(null, first.address, first.family);
  });
};

/**
 * Fetches media from outside without reaching inside: each hop's host is resolved and refused unless public (or
 * exempted by `MEDIA_FETCH_ALLOW` as `host:port`), redirects are followed by hand and checked again, the connection is
 * made to the address that was checked, and every failure gives the same message.
 */
export class MediaFetcher {
  private readonly guarded: Agent;
  private readonly open: Agent;
  private readonly allow: Set<string>;
  private readonly slackHosts: Set<string>;

  constructor(options: {
    /** `host:port` pairs exempt from the address refusal. */
    allow: string[];
    /** The configured Slack API URL; its host may also serve Slack files (the sandbox, tests). */
    slackApiUrl: string;
    connectTimeoutMs?: number;
    headersTimeoutMs?: number;
    bodyTimeoutMs?: number;
  }) {
    const timeouts = {
      headersTimeout: options.headersTimeoutMs ?? 30_000,
      bodyTimeout: options.bodyTimeoutMs ?? 60_000,
    };
    const connectTimeout = options.connectTimeoutMs ?? 10_000;
    this.guarded = new Agent({ ...timeouts, connect: { timeout: connectTimeout, lookup: guardedLookup } });
    this.open = new Agent({ ...timeouts, connect: { timeout: connectTimeout } });
    this.allow = new Set(options.allow.map((entry) => entry.toLowerCase()));
    this.slackHosts = new Set([...slackFileHosts, new URL(options.slackApiUrl).host.toLowerCase()]);
  }

  /** Whether the bot token may be sent to this URL: https to Slack's file host, or the configured Slack API host. */
  isSlackFileUrl(url: string): boolean {
    const parsed = safeUrl(url);
    if (!parsed) return false;
    const host = parsed.host.toLowerCase();
    if (slackFileHosts.includes(host)) return parsed.protocol === 'https:';
    return this.slackHosts.has(host);
  }

  /** Downloads a file a requester attached in Slack, with the bot token, from Slack's file host only. */
  fetchSlackFile(url: string, botToken: string): Promise<FetchedMedia> {
    // Slack's own hosts are named exactly, so the address check that guards links from anyone is not needed.
    return this.follow(url, { authorization: `Bearer ${botToken}` }, (next) => this.isSlackFileUrl(next), false);
  }

  /** Downloads a media link from the internet. */
  fetchLink(url: string): Promise<FetchedMedia> {
    return this.follow(url, {}, () => true, true);
  }

  async close(): Promise<void> {
    await Promise.all([this.guarded.close(), this.open.close()]);
  }

  private async follow(
    first: string,
    headers: Record<string, string>,
    allowed: (url: string) => boolean,
    guard: boolean,
  ): Promise<FetchedMedia> {
    let url = first;
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const parsed = safeUrl(url);
      if (!parsed || !allowed(url)) throw new MediaFetchError(first);
      const exempt = !guard || this.allow.has(hostPort(parsed));
      const literal = parsed.hostname.replace(/^\[|\]$/g, '');
      if (!exempt && isIP(literal) && !isPublicAddress(literal)) throw new MediaFetchError(first);
      const answer = await request(parsed, {
        method: 'GET',
        headers,
        dispatcher: exempt ? this.open : this.guarded,
      }).catch(() => undefined);
      if (!answer) throw new MediaFetchError(first);
      const location = answer.headers.location;
      if (answer.statusCode >= 300 && answer.statusCode < 400 && typeof location === 'string') {
        await discard(answer.body);
        const next = safeUrl(location, parsed);
        if (!next) throw new MediaFetchError(first);
        url = next.href;
        continue;
      }
      if (answer.statusCode < 200 || answer.statusCode >= 300) {
        await discard(answer.body);
        throw new MediaFetchError(first);
      }
      const declared = Number(answer.headers['content-length']);
      return { body: answer.body, ...(Number.isFinite(declared) && declared >= 0 ? { length: declared } : {}) };
    }
    throw new MediaFetchError(first);
  }
}

function safeUrl(value: string, base?: URL): URL | undefined {
  try {
    const parsed = new URL(value, base);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function hostPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname.toLowerCase()}:${port}`;
}

/** Drops an answer's body without reading much of it. */
async function discard(body: Readable & { dump?: (options: { limit: number }) => Promise<void> }): Promise<void> {
  body.on('error', () => {});
  if (body.dump) await body.dump({ limit: 64 * 1024 }).catch(() => {});
  else body.destroy();
}
