import type { CustomRoute } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import type { MediaStore } from '../services/media-store.ts';
import { HttpError, route } from './route.ts';

/**
 * `GET|HEAD /media/:id?e=&s=`: a stored file, for the platforms to fetch. A missing, wrong or expired signature is 403,
 * an unknown file 404; a single `Range` is honoured (206) so large videos can be fetched in parts.
 */
export function mediaRoutes(media: MediaStore, logger: Logger): CustomRoute[] {
  return [
    route(
      ['GET', 'HEAD'],
      '/media/:id',
      async (req, res) => {
        const raw = req.params?.id;
        const id = typeof raw === 'string' ? raw : '';
        const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
        if (!media.verify(id, query.get('e') ?? undefined, query.get('s') ?? undefined)) {
          throw new HttpError(403, 'this link is invalid or has expired');
        }
        const file = await media.describe(id);
        if (!file) throw new HttpError(404, 'no such file');
        const range = parseRange(req.headers.range, file.length);
        if (range === 'invalid') {
          res.writeHead(416, { 'content-range': `bytes */${file.length}` });
          res.end();
          return;
        }
        const [start, end] = range ?? [0, file.length];
        const headers = {
          'content-type': file.mimeType,
          'content-length': String(end - start),
          'accept-ranges': 'bytes',
          'cache-control': 'private, max-age=3600',
          ...(range ? { 'content-range': `bytes ${start}-${end - 1}/${file.length}` } : {}),
        };
        res.writeHead(range ? 206 : 200, headers);
        if (req.method === 'HEAD' || end === start) {
          res.end();
          return;
        }
        const stream = media.openStream(id, start, end);
        stream.on('error', () => res.destroy());
        stream.pipe(res);
      },
      logger,
    ),
  ];
}

/** One `bytes=a-b` range as [start, end), `undefined` for none, `invalid` for one that cannot be served. */
function parseRange(header: string | undefined, length: number): [number, number] | undefined | 'invalid' {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, length - Number(match[2]));
    end = length;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? length : Math.min(length, Number(match[2]) + 1);
  }
  if (start >= length || start >= end) return 'invalid';
  return [start, end];
}
