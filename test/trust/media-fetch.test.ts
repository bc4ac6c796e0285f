import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { isPublicAddress } from '../../src/services/media-fetch.ts';
import { MediaError, MediaStore } from '../../src/services/media-store.ts';
import { EDITOR, testEnvironment } from '../harness/test-app.ts';
import { jpegBytes, mp4Bytes } from '../posts/media-fixtures.ts';
import { draftWith, FB, type PostApp, startPostApp } from '../posts/post-harness.ts';

/** A server on loopback that records every request it gets and answers with `handle`. */
interface Recorder {
  server: Server;
  port: number;
  requests: IncomingMessage[];
  handle: (request: IncomingMessage, response: ServerResponse) => void;
}

async function recorder(): Promise<Recorder> {
  const rec = { requests: [] as IncomingMessage[] } as unknown as Recorder;
  rec.handle = (_request, response) => {
    response.writeHead(200, { 'content-type': 'image/jpeg' });
    response.end(jpegBytes(640, 480));
  };
  rec.server = createServer((request, response) => {
    rec.requests.push(request);
    rec.handle(request, response);
  });
  await new Promise<void>((resolve) => rec.server.listen(0, '127.0.0.1', resolve));
  rec.port = (rec.server.address() as AddressInfo).port;
  return rec;
}

let t: PostApp;
let inside: Recorder;
let media: Recorder;
const stores: MediaStore[] = [];

function store(options: Partial<ConstructorParameters<typeof MediaStore>[1]> = {}): MediaStore {
  const made = new MediaStore(t.app.services.db, {
    publicBaseUrl: 'https://wone.example.com',
    encryptionKey: Buffer.alloc(32, 7).toString('base64'),
    slackToken: t.slack.botToken,
    slackApiUrl: t.slack.apiUrl,
    fetchAllow: [],
    ...options,
  });
  stores.push(made);
  return made;
}

async function refusal(attempt: Promise<unknown>): Promise<MediaError> {
  const error = await attempt.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(MediaError);
  return error as MediaError;
}

beforeAll(async () => {
  t = await startPostApp();
  inside = await recorder();
  media = await recorder();
});
afterAll(async () => {
  for (const made of stores) await made.close();
  inside?.server.close();
  media?.server.close();
  await t?.stop();
});

describe('the bot token goes only to Slack', () => {
  it('does not send the token to a url_private on another host, and sends the draft back', async () => {
    const before = inside.requests.length;
    const id = await t.app.services.drafts.save({
      draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_photo' }, caption: 'Token stays home' }),
      files: [
        {
          id: 'FEVIL',
          name: 'photo.jpg',
          mimetype: 'image/jpeg',
          size: 1000,
          url: `http://127.0.0.1:${inside.port}/files-pri/T0WONE-FEVIL/photo.jpg`,
        },
      ],
      timezone: 'Europe/Berlin',
      by: EDITOR,
    });
    const post = await t.app.services.drafts.prepare(id);
    expect(post?.state).toBe('changes_requested');
    expect(inside.requests.length).toBe(before);
    const fetcher = store();
    for (const url of [
      'https://files.slack.com.evil.example/files-pri/x',
      'http://files.slack.com/files-pri/x',
      'https://evil.example/files.slack.com/x',
    ]) {
      await refusal(fetcher.storeSlackFile({ id: 'F1', name: 'a.jpg', mimetype: 'image/jpeg', size: 10, url }, 'p'));
    }
    const fromSlack = t.slack.addFile('FGOOD', 'good.jpg', 'image/jpeg', jpegBytes(320, 240));
    const stored = await fetcher.storeSlackFile(
      {
        id: fromSlack.id,
        name: fromSlack.name,
        mimetype: 'image/jpeg',
        size: fromSlack.size,
        url: fromSlack.url_private,
      },
      'p',
    );
    expect(stored.width).toBe(320);
  });
});

describe('media links never reach inside the network', () => {
  it('knows which addresses are public', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888']) expect(isPublicAddress(address)).toBe(true);
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::',
      'not an address',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('refuses loopback, private and link-local addresses before connecting, with one message', async () => {
    const fetcher = store();
    const before = inside.requests.length;
    const messages = new Set<string>();
    const port = inside.port;
    for (const url of [
      `http://127.0.0.1:${port}/latest/meta-data/iam`,
      `http://localhost:${port}/a.jpg`,
      `http://[::1]:${port}/a.jpg`,
      `http://[::ffff:127.0.0.1]:${port}/a.jpg`,
      `http://0.0.0.0:${port}/a.jpg`,
      `http://2130706433:${port}/a.jpg`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/a.jpg',
      'https://nothing-here.invalid/a.jpg',
      `http://127.0.0.1:${media.port}/a.jpg`,
    ]) {
      const error = await refusal(fetcher.storeUrl(url, 'p'));
      expect(error.code, url).toBe('download_failed');
      messages.add(error.message.replace(url, 'LINK'));
    }
    expect([...messages]).toEqual(['LINK could not be downloaded.']);
    expect(inside.requests.length).toBe(before);
  });

  it('exempts exactly the allowed host:port, and re-checks every redirect', async () => {
    const fetcher = store({ fetchAllow: [`127.0.0.1:${media.port}`] });
    const stored = await fetcher.storeUrl(`http://127.0.0.1:${media.port}/photo.jpg`, 'p');
    expect(stored).toMatchObject({ kind: 'image', width: 640, height: 480 });

    const before = inside.requests.length;
    media.handle = (request, response) => {
      const to = request.url === '/hop' ? `http://127.0.0.1:${inside.port}/latest/meta-data/` : '/hop';
      response.writeHead(302, { location: to });
      response.end();
    };
    const url = `http://127.0.0.1:${media.port}/start.jpg`;
    const error = await refusal(fetcher.storeUrl(url, 'p'));
    expect(error.message).toBe(`${url} could not be downloaded.`);
    expect(inside.requests.length).toBe(before);
    media.handle = (_request, response) => {
      response.writeHead(404);
      response.end('not here');
    };
    expect((await refusal(fetcher.storeUrl(url, 'p'))).message).toBe(`${url} could not be downloaded.`);
  });

  it('accepts only exact host:port pairs in MEDIA_FETCH_ALLOW', () => {
    const env = (value: string) => ({ ...testEnvironment(t.slack), MEDIA_FETCH_ALLOW: value });
    expect(loadConfig(env('media.internal:8443, 127.0.0.1:9000')).MEDIA_FETCH_ALLOW).toEqual([
      'media.internal:8443',
      '127.0.0.1:9000',
    ]);
    expect(loadConfig(env('')).MEDIA_FETCH_ALLOW).toEqual([]);
    for (const bad of ['media.internal', '10.0.0.0/8:80', '*.internal:443', '127.0.0.1:0', 'http://x:80']) {
      expect(() => loadConfig(env(bad)), bad).toThrow('MEDIA_FETCH_ALLOW');
    }
  });
});

describe('media are streamed into storage', () => {
  it('writes to storage while the download is still running, and keeps the size', async () => {
    const fetcher = store({ fetchAllow: [`127.0.0.1:${media.port}`] });
    const chunks = t.app.services.db.collection('media.chunks');
    const before = await chunks.countDocuments();
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const head = jpegBytes(1080, 1080);
    const part = Buffer.alloc(4 * 1024 * 1024, 1);
    media.handle = (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/jpeg' });
      response.write(head);
      response.write(part);
      void released.then(() => response.end(part));
    };
    const storing = fetcher.storeUrl(`http://127.0.0.1:${media.port}/big.jpg`, 'p');
    const deadline = Date.now() + 10_000;
    while ((await chunks.countDocuments()) === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await chunks.countDocuments()).toBeGreaterThan(before);
    release();
    const stored = await storing;
    expect(stored.sizeBytes).toBe(head.length + 2 * part.length);
    expect(stored.width).toBe(1080);
  });

  it("reads a video's duration and size from a moov box that comes after megabytes of media data", async () => {
    const fetcher = store({ fetchAllow: [`127.0.0.1:${media.port}`] });
    const file = Buffer.from(mp4Bytes(720, 1280, 7, 3 * 1024 * 1024));
    const ftypEnd = file.readUInt32BE(0);
    const moovEnd = ftypEnd + file.readUInt32BE(ftypEnd);
    const moovLast = Buffer.concat([
      file.subarray(0, ftypEnd),
      file.subarray(moovEnd),
      file.subarray(ftypEnd, moovEnd),
    ]);
    media.handle = (_request, response) => {
      response.writeHead(200, { 'content-type': 'video/mp4' });
      response.end(moovLast);
    };
    const stored = await fetcher.storeUrl(`http://127.0.0.1:${media.port}/clip.mp4`, 'p');
    expect(stored).toMatchObject({ kind: 'video', width: 720, height: 1280, durationSec: 7, sizeBytes: file.length });
  });

  it('stops a download at the size limit while it streams, leaving nothing behind', async () => {
    const fetcher = store({ fetchAllow: [`127.0.0.1:${media.port}`], limits: { urlFile: 2 * 1024 * 1024 } });
    const chunks = t.app.services.db.collection('media.chunks');
    const before = await chunks.countDocuments();
    let sent = 0;
    let closed = false;
    media.handle = (_request, response) => {
      response.writeHead(200, { 'content-type': 'video/mp4' });
      response.write(jpegBytes(64, 64));
      const block = Buffer.alloc(256 * 1024);
      const pump = () => {
        while (!closed && sent < 1024 * 1024 * 1024) {
          sent += block.length;
          if (!response.write(block)) return void response.once('drain', pump);
        }
      };
      response.on('close', () => {
        closed = true;
      });
      pump();
    };
    const error = await refusal(fetcher.storeUrl(`http://127.0.0.1:${media.port}/endless.jpg`, 'p'));
    expect(error.code).toBe('too_large');
    expect(error.message).toContain('larger than 2 MB');
    const deadline = Date.now() + 5_000;
    while (!closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expect(await chunks.countDocuments()).toBe(before);
  });

  it('runs at most the configured number of downloads at once', async () => {
    const fetcher = store({ fetchAllow: [`127.0.0.1:${media.port}`], concurrentDownloads: 2 });
    let active = 0;
    let most = 0;
    media.handle = (_request, response) => {
      active++;
      most = Math.max(most, active);
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'image/jpeg' });
        response.end(jpegBytes(100, 100));
        active--;
      }, 150);
    };
    const all = await Promise.all(
      Array.from({ length: 6 }, (_, i) => fetcher.storeUrl(`http://127.0.0.1:${media.port}/${i}.jpg`, 'p')),
    );
    expect(all).toHaveLength(6);
    expect(most).toBe(2);
  });
});
