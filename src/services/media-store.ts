import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Db, GridFSBucket, ObjectId } from 'mongodb';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { MediaItem } from '../platforms/types.ts';
import { type FetchedMedia, MediaFetchError, MediaFetcher } from './media-fetch.ts';
import { sniffMedia } from './media-sniff.ts';
import type { MediaRef, SlackFileRef } from './posts.ts';

/** Slack's `file_input` accepts at most 10 MB; a little slack for rounding, anything bigger is refused. */
const slackFileLimit = 12 * 1024 * 1024;
/** Media links (large videos) are streamed into storage up to this size. */
const urlFileLimit = 1024 * 1024 * 1024;
/** Downloads at once, for the whole app: each holds a connection and a GridFS upload buffer. */
const concurrentDownloads = 3;
/** How much of a file's start is kept to tell what it is. */
const headBytes = 1024 * 1024;
const maxMoovBytes = 16 * 1024 * 1024;
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

  private readonly fetcher: MediaFetcher;
  private readonly downloads: Limiter;
  private readonly limits: { slackFile: number; urlFile: number };

  constructor(
    private readonly db: Db,
    private readonly options: {
      publicBaseUrl: string;
      encryptionKey: string;
      slackToken: string;
      slackApiUrl: string;
      /** `MEDIA_FETCH_ALLOW`: `host:port` pairs exempt from the refusal of addresses inside the network. */
      fetchAllow: string[];
      /** Smaller limits, for tests. */
      limits?: { slackFile?: number; urlFile?: number };
      concurrentDownloads?: number;
      /** `false`: media links are refused without a download (the sandbox never reaches the internet). */
      linksAllowed?: boolean;
    },
  ) {
    this.bucket = new GridFSBucket(db, { bucketName: 'media' });
    this.fetcher = new MediaFetcher({ allow: options.fetchAllow, slackApiUrl: options.slackApiUrl });
    this.downloads = new Limiter(options.concurrentDownloads ?? concurrentDownloads);
    this.limits = {
      slackFile: options.limits?.slackFile ?? slackFileLimit,
      urlFile: options.limits?.urlFile ?? urlFileLimit,
    };
    const master = Buffer.from(options.encryptionKey, 'base64');
    this.linkKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'wone-social media links', 32));
  }

  /** Downloads a file the requester attached in Slack (with the bot token, from Slack only) and stores it. */
  async storeSlackFile(file: SlackFileRef, postId: string): Promise<MediaRef> {
    if (file.size > this.limits.slackFile) throw new MediaError('too_large', `${file.name} is larger than 10 MB.`);
    return this.downloads.run(async () => {
      const fetched = await this.fetcher.fetchSlackFile(file.url, this.options.slackToken).catch(() => {
        throw new MediaError('download_failed', `${file.name} could not be downloaded from Slack.`);
      });
      return this.storeStream(fetched, file.name, postId, this.limits.slackFile, 'larger than 10 MB');
    });
  }

  /** Downloads a media link (large videos) and streams it into storage, refusing addresses inside the network. */
  async storeUrl(url: string, postId: string): Promise<MediaRef> {
    const name = mediaName(url);
    if (this.options.linksAllowed === false) {
      throw new MediaError('download_failed', `${url} was not downloaded: here, attach the file instead of a link.`);
    }
    return this.downloads.run(async () => {
      const fetched = await this.fetcher.fetchLink(url).catch(() => {
        throw new MediaError('download_failed', new MediaFetchError(url).message);
      });
      const tooLarge = `larger than ${sizeWords(this.limits.urlFile)}`;
      return this.storeStream(fetched, name, postId, this.limits.urlFile, tooLarge);
    });
  }

  /** Stops the download connections (at shutdown). */
  close(): Promise<void> {
    return this.fetcher.close();
  }

  /**
   * Streams a download into GridFS, counting bytes as they pass: more than `limit` stops the download and removes what
   * was written. The first bytes say what the file is; a file that is not media is stopped as soon as that is clear.
   */
  private async storeStream(
    fetched: FetchedMedia,
    name: string,
    postId: string,
    limit: number,
    tooLarge: string,
  ): Promise<MediaRef> {
    const { body } = fetched;
    if (fetched.length !== undefined && fetched.length > limit) {
      body.on('error', () => {});
      body.destroy();
      throw new MediaError('too_large', `${name} is ${tooLarge}.`);
    }
    const upload = this.bucket.openUploadStream(name, { metadata: { postId } });
    const head: Buffer[] = [];
    let headSize = 0;
    let size = 0;
    let refusal: MediaError | undefined;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > limit) {
          refusal = new MediaError('too_large', `${name} is ${tooLarge}.`);
          done(refusal);
          return;
        }
        if (headSize < headBytes) {
          head.push(chunk);
          headSize += chunk.length;
          if (headSize >= 16 && !sniffMedia(Buffer.concat(head))) {
            refusal = notMedia(name);
            done(refusal);
            return;
          }
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, upload);
    } catch (error) {
      await upload.abort().catch(() => {});
      if (refusal) throw refusal;
      if (error instanceof MediaError) throw error;
      throw new MediaError('download_failed', `${name} could not be downloaded.`);
    }
    const id = upload.id;
    const sniffed = await this.sniffStored(id, Buffer.concat(head), size);
    if (!sniffed) {
      await this.bucket.delete(id).catch(() => {});
      throw notMedia(name);
    }
    const metadata: MediaFileMetadata = { postId, ...sniffed };
    await this.db.collection('media.files').updateOne({ _id: id }, { $set: { metadata } });
    return { id: id.toHexString(), name, sizeBytes: size, ...sniffed };
  }

  /**
   * What a stored file is, from its first bytes; for MP4/MOV whose `moov` box comes after the media data, that box is
   * read back from storage (it is small), so the duration and frame size are known without holding the file.
   */
  private async sniffStored(id: ObjectId, head: Buffer, size: number) {
    const sniffed = sniffMedia(head);
    if (sniffed?.kind !== 'video' || sniffed.durationSec !== undefined) return sniffed;
    const boxes: Buffer[] = [];
    let offset = 0;
    while (offset + 8 <= size && boxes.length < 64) {
      const header = Buffer.from(await this.readRange(id.toHexString(), offset, Math.min(offset + 16, size)));
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (boxSize === 1 && header.length >= 16) boxSize = Number(header.readBigUInt64BE(8));
      if (boxSize === 0) boxSize = size - offset;
      if (boxSize < 8) break;
      if (type === 'ftyp' || type === 'moov') {
        if (boxSize > maxMoovBytes) break;
        boxes.push(Buffer.from(await this.readRange(id.toHexString(), offset, offset + boxSize)));
      }
      offset += boxSize;
    }
    return sniffMedia(Buffer.concat(boxes)) ?? sniffed;
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

/** Runs at most `size` tasks at once; the others wait their turn in order. */
class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

function notMedia(name: string): MediaError {
  return new MediaError('not_media', `${name} is not a JPEG, PNG, WebP, GIF, MP4 or MOV file.`);
}

function mediaName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() || 'media');
  } catch {
    return 'media';
  }
}

function sizeWords(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${Math.round(bytes / 1024 ** 3)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}
