import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffMedia } from '../../src/services/media-sniff.ts';
import { EDITOR } from '../harness/test-app.ts';
import { jpegBytes, mp4Bytes, pngBytes } from './media-fixtures.ts';
import { draftWith, FB, type PostApp, startPostApp, until } from './post-harness.ts';

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp();
});
afterAll(async () => t?.stop());

const local = (url: string) => url.replace('https://wone.example.com', t.url);

describe('content checks', () => {
  it('knows files by their bytes, not their names', () => {
    expect(sniffMedia(jpegBytes(1080, 1350))).toEqual({
      kind: 'image',
      mimeType: 'image/jpeg',
      width: 1080,
      height: 1350,
    });
    expect(sniffMedia(pngBytes(640, 480))).toEqual({ kind: 'image', mimeType: 'image/png', width: 640, height: 480 });
    expect(sniffMedia(mp4Bytes(1080, 1920, 12.5))).toEqual({
      kind: 'video',
      mimeType: 'video/mp4',
      width: 1080,
      height: 1920,
      durationSec: 12.5,
    });
    expect(sniffMedia(Buffer.from('<!DOCTYPE html><html>Sign in to Slack</html>'))).toBeUndefined();
  });

  it('sends a draft back when a "JPEG" turns out not to be one, keeping what was typed', async () => {
    const fake = t.slack.addFile('FFAKE', 'photo.jpg', 'image/jpeg', Buffer.from('%PDF-1.7 not an image'));
    const id = await t.app.services.drafts.save({
      draft: draftWith({
        accountIds: [FB],
        postTypes: { facebook: 'facebook_photo' },
        caption: 'Keep this caption',
      }),
      files: [{ id: fake.id, name: fake.name, mimetype: fake.mimetype, size: fake.size, url: fake.url_private }],
      timezone: 'Europe/Berlin',
      by: EDITOR,
    });
    const post = await t.app.services.drafts.prepare(id);
    expect(post?.state).toBe('changes_requested');
    expect(post?.caption).toBe('Keep this caption');
    const dm = await t.slack.waitFor(() =>
      t.slack.messages.find((m) => m.channel === EDITOR && m.text.includes('photo.jpg')),
    );
    expect(dm.text).toContain('is not a JPEG, PNG, WebP, GIF, MP4 or MOV file');
    expect(await t.app.services.db.collection('media.files').countDocuments({ 'metadata.postId': id })).toBe(0);
  });
});

describe('signed media links', () => {
  it('serve the file, honour a range, and refuse forged, expired and unknown links without a 5xx', async () => {
    const file = t.slack.addFile('FREAL', 'clip.mp4', 'video/mp4', mp4Bytes(720, 1280, 5, 10_000));
    const media = t.app.services.media;
    const ref = await media.storeSlackFile(
      { id: file.id, name: file.name, mimetype: file.mimetype, size: file.size, url: file.url_private },
      'aaaaaaaaaaaaaaaaaaaaaaaa',
    );
    const url = local(media.signedUrl(ref.id));
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(Number(whole.headers.get('content-length'))).toBe(ref.sizeBytes);
    const part = await fetch(url, { headers: { range: 'bytes=4-11' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).toString('ascii')).toBe('ftypisom');
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);

    expect((await fetch(url.replace(/s=[^&]+/, 's=AAAA'))).status).toBe(403);
    expect((await fetch(local(media.signedUrl(ref.id, -1000)))).status).toBe(403);
    expect((await fetch(`${t.url}/media/${ref.id}`)).status).toBe(403);
    expect((await fetch(local(media.signedUrl('bbbbbbbbbbbbbbbbbbbbbbbb')))).status).toBe(404);
    expect((await fetch(local(media.signedUrl('not-an-id')))).status).toBe(404);

    // Removed after its retention: the link then finds nothing.
    await media.expire([ref.id], new Date(Date.now() - 1000));
    expect(await media.purgeExpired()).toBe(1);
    await until(async () => (await fetch(url)).status === 404);
  });
});
