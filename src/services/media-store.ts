import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type Db, GridFSBucket, ObjectId } from 'mongodb';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { MediaItem } from '../platforms/types.ts';
import { sniffMedia } from './media-sniff.ts';
import type { MediaRef, SlackFileRef } from './posts.ts';

/** Slack's `file_input` accepts at most 10 MB; a little slack for rounding, anything bigger is refused. */
const slackFileLimit = 12 * 1024 * 1024;
/** Media links (large videos) are streamed into storage up to this size. */
const urlFileLimit = 1024 * 1024 * 1024;
/** How long a signed media link lasts: long enough for a platform to fetch the file at publish time. */
export const mediaLinkTtlMs = 24 * 60 * 60 * 1000;

export type MediaErrorCode = 'download_failed' | 'not_media' | 'too_large';

/** A file that could not be taken: it did not download, is not an image or video, or is too big. */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

interface MediaFileMetadata {
  postId: string;
  kind: 'image' | 'video';
  mimeType: string;
  width?: number;
  height?: number;
  durationSec?: number;
  /** Removed by the retention job after this time. */
  deleteAfter?: Date;
}

export const mediaIndexes: CollectionIndexes = {
  collection: 'media.files',
  indexes: [{ key: { 'metadata.deleteAfter': 1 } }, { key: { 'metadata.postId': 1 } }],
};

/**
 * Post media in GridFS (bucket `media`), checked by content, and served to the platforms through signed, expiring
 * links (`/media/<id>?e=<expiry>&s=<signature>`), signed with a key derived from `TOKEN_ENCRYPTION_KEY`.
 */
export class MediaStore {
  private readonly bucket: GridFSBucket;
  private readonly linkKey: Buffer;

  constructor(
    private readonly db: Db,
    private readonly options: { publicBaseUrl: string; encryptionKey: string; slackToken: string },
  ) {
    this.bucket = new GridFSBucket(db, { bucketName: 'media' });
    const master = Buffer.from(options.encryptionKey, 'base64');
    this.linkKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'wone-social media links', 32));
  }

  /** Downloads a file the requester attached in Slack (with the bot token), checks its bytes and stores it. */
  async storeSlackFile(file: SlackFileRef, postId: string): Promise<MediaRef> {
    if (file.size > slackFileLimit) throw new MediaError('too_large', `${file.name} is larger than 10 MB.`);
    const response = await fetch(file.url, { headers: { authorization: `Bearer ${this.options.slackToken}` } }).catch(
      () => undefined,
    );
    if (!response?.ok || !response.body) {
      throw new MediaError('download_failed', `${file.name} could not be downloaded from Slack.`);
    }
    const bytes = await readLimited(response.body, slackFileLimit, file.name);
    return this.storeBytes(bytes, file.name, postId);
  }

  /** Downloads a media link (large videos), checks its first bytes and streams it into storage. */
  async storeUrl(url: string, postId: string): Promise<MediaRef> {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'media');
    const response = await fetch(url, { redirect: 'follow' }).catch(() => undefined);
    if (!response?.ok || !response.body) throw new MediaError('download_failed', `${url} could not be downloaded.`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > urlFileLimit) throw new MediaError('too_large', `${name} is larger than 1 GB.`);
    const bytes = await readLimited(response.body, urlFileLimit, name);
    return this.storeBytes(bytes, name, postId);
  }

  private async storeBytes(bytes: Uint8Array, name: string, postId: string): Promise<MediaRef> {
    const sniffed = sniffMedia(bytes);
    if (!sniffed) throw new MediaError('not_media', `${name} is not a JPEG, PNG, WebP, GIF, MP4 or MOV file.`);
    const metadata: MediaFileMetadata = { postId, ...sniffed };
    const upload = this.bucket.openUploadStream(name, { metadata });
    await new Promise<void>((resolve, reject) => {
      upload.once('error', reject);
      upload.once('finish', () => resolve());
      upload.end(bytes);
    });
    return { id: upload.id.toHexString(), name, sizeBytes: bytes.length, ...sniffed };
  }

  /** A signed link to a file, valid for `ttlMs`. */
  signedUrl(id: string, ttlMs = mediaLinkTtlMs, now = Date.now()): string {
    const expires = Math.floor((now + ttlMs) / 1000);
    const base = this.options.publicBaseUrl.replace(/\/+$/, '');
    return `${base}/media/${id}?e=${expires}&s=${this.signature(id, expires)}`;
  }

  /** Whether a link's signature is ours and it has not expired. */
  verify(id: string, expires: string | undefined, signature: string | undefined, now = Date.now()): boolean {
    if (!expires || !signature || !/^\d{1,12}$/.test(expires)) return false;
    const expected = Buffer.from(this.signature(id, Number(expires)));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    return Number(expires) * 1000 > now;
  }

  private signature(id: string, expires: number): string {
    return createHmac('sha256', this.linkKey).update(`${id}.${expires}`).digest('base64url');
  }

  /** A stored file's facts, or `undefined` when there is none with that id. */
  async describe(id: string): Promise<{ length: number; mimeType: string } | undefined> {
    if (!ObjectId.isValid(id) || id.length !== 24) return undefined;
    const file = await this.db.collection('media.files').findOne({ _id: new ObjectId(id) });
    if (!file) return undefined;
    return { length: Number(file.length), mimeType: String(file.metadata?.mimeType ?? 'application/octet-stream') };
  }

  /** Streams bytes [start, end) of a file. */
  openStream(id: string, start?: number, end?: number): Readable {
    return this.bucket.openDownloadStream(new ObjectId(id), {
      ...(start !== undefined ? { start } : {}),
      ...(end !== undefined ? { end } : {}),
    });
  }

  async readRange(id: string, start: number, end: number): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.openStream(id, start, end)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** What a platform client needs for one stored file: a fresh signed link and a byte reader. */
  toMediaItem(ref: MediaRef): MediaItem {
    return {
      url: this.signedUrl(ref.id),
      kind: ref.kind,
      mimeType: ref.mimeType,
      sizeBytes: ref.sizeBytes,
      ...(ref.width !== undefined ? { width: ref.width } : {}),
      ...(ref.height !== undefined ? { height: ref.height } : {}),
      ...(ref.durationSec !== undefined ? { durationSec: ref.durationSec } : {}),
      readRange: (start, end) => this.readRange(ref.id, start, end),
    };
  }

  /** Schedules files for removal by the retention job. */
  async expire(ids: string[], after: Date): Promise<void> {
    const valid = ids.filter((id) => ObjectId.isValid(id)).map((id) => new ObjectId(id));
    if (valid.length === 0) return;
    // One update per file by `_id`: a post has at most ten, and the embedded database reads the whole collection for
    // any other filter.
    for (const id of valid) {
      await this.db.collection('media.files').updateOne({ _id: id }, { $set: { 'metadata.deleteAfter': after } });
    }
  }

  /** Deletes every file whose retention has run out; returns how many. */
  async purgeExpired(now = new Date()): Promise<number> {
    const due = await this.db
      .collection('media.files')
      .find({ 'metadata.deleteAfter': { $lte: now } }, { projection: { _id: 1 } })
      .toArray();
    for (const file of due) await this.bucket.delete(file._id as ObjectId).catch(() => {});
    return due.length;
  }

  /** Deletes files at once (media of a draft replaced by an edit). */
  async remove(ids: string[]): Promise<void> {
    for (const id of ids) {
      if (ObjectId.isValid(id)) await this.bucket.delete(new ObjectId(id)).catch(() => {});
    }
  }
}

async function readLimited(body: ReadableStream<Uint8Array>, limit: number, name: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      throw new MediaError('download_failed', `${name} could not be downloaded.`);
    });
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new MediaError('too_large', `${name} is too large.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
