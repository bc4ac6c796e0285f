import { createHash, timingSafeEqual } from 'node:crypto';
import type { CustomRoute } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { HttpError, route } from './route.ts';

/**
 * `GET /metrics`: the Prometheus text format, only with `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise, so the
 * numbers are not public on the app's port).
 */
export function metricsRoutes(metrics: Metrics, token: string, logger: Logger): CustomRoute[] {
  const expected = digest(token);
  return [
    route(
      'GET',
      '/metrics',
      async (req, res) => {
        const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
        if (!given || !timingSafeEqual(digest(given), expected)) {
          res.setHeader('www-authenticate', 'Bearer realm="metrics"');
          throw new HttpError(401, 'metrics need Authorization: Bearer <METRICS_TOKEN>');
        }
        const { contentType, body } = await metrics.text();
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(body);
      },
      logger,
    ),
  ];
}

/** Same-length digests, so comparing them takes the same time whatever was sent. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
