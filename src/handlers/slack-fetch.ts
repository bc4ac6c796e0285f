import type { Logger } from '../logger.ts';
import { slackApiError } from '../metrics/events.ts';

/**
 * Wraps the `fetch` the Slack Web API clients use so every failed call names its method: a refused call is logged
 * with Slack's error code, and an unreachable Slack becomes an error that names the method and the host (instead of a
 * bare "fetch failed"). Each failure is also reported as a `slackApiError` fact. Calls to other URLs (a
 * `response_url`) pass through untouched. Tokens are never logged: only the method, the host and the error.
 */
export function watchSlackCalls(base: typeof fetch, apiUrl: string, logger: Logger): typeof fetch {
  const prefix = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  const host = new URL(prefix).host;
  const log = logger.child({ component: 'slack' });
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(prefix)) return base(input, init);
    const method = url.slice(prefix.length).split(/[?#]/)[0] || 'unknown';
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const problem = cause?.code ?? cause?.message ?? (error as Error).message;
      slackApiError.report(() => ({ method, error: 'unreachable' }));
      log.warn({ method, host, problem }, `Slack ${method} failed: ${host} could not be reached`);
      throw new Error(`Slack ${method} failed: ${host} could not be reached (${problem})`, { cause: error });
    }
    if (response.status === 429) {
      slackApiError.report(() => ({ method, error: 'ratelimited' }));
      log.warn({ method, retryAfter: response.headers.get('retry-after') }, `Slack ${method} was rate limited`);
    } else if (response.status !== 200) {
      slackApiError.report(() => ({ method, error: `http_${response.status}` }));
      log.warn({ method, status: response.status }, `Slack ${method} answered HTTP ${response.status}`);
    } else {
      const answer = await response
        .clone()
        .json()
        .catch(() => undefined);
      const refused = answer as { ok?: unknown; error?: unknown } | undefined;
      if (refused?.ok === false) {
        const code = typeof refused.error === 'string' ? refused.error.slice(0, 100) : 'unknown_error';
        slackApiError.report(() => ({ method, error: code }));
        log.warn({ method, error: code }, `Slack ${method} refused: ${code}`);
      }
    }
    return response;
  };
}
