import type { IncomingMessage } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { z } from 'zod';
import { chooseAccountsMessage } from '../../views/choose-accounts-message.ts';
import { callbackPage, startRefusedPage } from '../../views/html/oauth-pages.ts';
import type { Services } from '../services/index.ts';
import type { LoginFlow } from '../services/oauth-states.ts';
import { route, sendHtml } from './route.ts';

const text = (max: number) => z.string().min(1).max(max).optional();
/** What a platform's redirect may carry; anything else is ignored. */
const callbackQuery = z.object({
  state: text(200),
  code: text(2048),
  auth_code: text(2048),
  error: text(200),
});
const startQuery = z.object({ state: z.string().min(10).max(200) });

const cookieName = (flow: LoginFlow) => `wone_oauth_${flow}`;

/**
 * `GET /oauth/start?state=` (the Slack button: binds this browser to the state with a cookie, then goes on to the
 * platform) and the three callbacks the platforms send the browser back to.
 */
export function oauthRoutes(services: Services): CustomRoute[] {
  const { logger, connect, config } = services;
  const secure = config.PUBLIC_BASE_URL.startsWith('https://');
  const routes: CustomRoute[] = [
    route(
      'GET',
      '/oauth/start',
      async (req, res) => {
        const query = startQuery.safeParse(queryOf(req));
        if (!query.success) return sendHtml(res, 400, startRefusedPage('missing'));
        const target = await connect.authorizeUrl(query.data.state);
        if (!target.ok) return sendHtml(res, 400, startRefusedPage(target.reason));
        const cookie = [
          `${cookieName(target.flow)}=${encodeURIComponent(query.data.state)}`,
          'Path=/oauth',
          'Max-Age=600',
          'HttpOnly',
          'SameSite=Lax',
          ...(secure ? ['Secure'] : []),
        ].join('; ');
        res.writeHead(302, { location: target.url, 'set-cookie': cookie, 'cache-control': 'no-store' });
        res.end();
      },
      logger,
    ),
  ];
  const callbacks: [string, LoginFlow][] = [
    ['/oauth/meta/callback', 'facebook'],
    ['/oauth/instagram/callback', 'instagram'],
    ['/oauth/tiktok/callback', 'tiktok'],
    ['/oauth/tiktok-business/callback', 'tiktok_business'],
  ];
  for (const [path, flow] of callbacks) {
    routes.push(
      route(
        'GET',
        path,
        async (req, res) => {
          const parsed = callbackQuery.safeParse(queryOf(req));
          const query = parsed.success ? parsed.data : {};
          const outcome = await connect.callback(flow, query, cookiesOf(req)[cookieName(flow)]);
          logger.info(
            { flow, outcome: outcome.kind, ...('reason' in outcome ? { reason: outcome.reason } : {}) },
            'login callback',
          );
          if (outcome.kind === 'choose') {
            await services.accountNotifier.tellUser(
              outcome.pending.slackUserId,
              chooseAccountsMessage(outcome.pending),
            );
          }
          const page = callbackPage(outcome);
          // The state is spent either way: the browser forgets it too.
          res.setHeader(
            'set-cookie',
            `${cookieName(flow)}=; Path=/oauth; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
          );
          sendHtml(res, page.status, page.html);
        },
        logger,
      ),
    );
  }
  return routes;
}

function queryOf(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams);
}

function cookiesOf(req: IncomingMessage): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name) {
      try {
        cookies[name] = decodeURIComponent(value.join('='));
      } catch {
        // A malformed cookie is no cookie.
      }
    }
  }
  return cookies;
}
