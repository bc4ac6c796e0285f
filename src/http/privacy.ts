import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CustomRoute } from '@slack/bolt';
import { z } from 'zod';
import { dataDeletionInstructionsPage, deletionStatusPage } from '../../views/html/data-deletion-pages.ts';
import { privacyPage } from '../../views/html/privacy-page.ts';
import { projectRoot } from '../project-root.ts';
import type { Services } from '../services/index.ts';
import { SignedRequestError, verifySignedRequest } from './meta-signed-request.ts';
import { HttpError, readBody, route, sendHtml, sendJson } from './route.ts';

/** The shipped privacy policy, served unless `PRIVACY_POLICY_FILE` names the operator's own. */
export const privacyPolicyFile = join(projectRoot, 'privacy', 'privacy-policy.txt');

const callbackBody = z.object({ signed_request: z.string().min(3).max(8192) });
const statusQuery = z.object({ code: z.string().regex(/^[A-Z0-9]{8,40}$/) });

/**
 * `GET /privacy`, `GET /data-deletion` (how to ask), `POST /meta/data-deletion` (Meta's data deletion callback) and
 * `GET /data-deletion/status?code=` (what a request did).
 */
/** Verifies with the Meta app's secret, or else the Instagram app's; the first refusal is the one reported. */
function verifyEither(signedRequest: string, metaSecret: string, instagramSecret: string | undefined) {
  try {
    return verifySignedRequest(signedRequest, metaSecret);
  } catch (error) {
    if (!(error instanceof SignedRequestError) || error.code !== 'bad_signature' || !instagramSecret) throw error;
    try {
      return verifySignedRequest(signedRequest, instagramSecret);
    } catch {
      throw error;
    }
  }
}

export function privacyRoutes(services: Services): CustomRoute[] {
  const { logger, config } = services;
  // Read at startup: a changed policy needs a restart, not a rebuild.
  const policy = readFileSync(config.PRIVACY_POLICY_FILE ?? privacyPolicyFile, 'utf8');
  const contact = /[\w.+-]+@[\w-]+\.[\w.]+\w/.exec(policy)?.[0] ?? 'hello@wonecommerce.com';
  const privacyHtml = privacyPage(policy);
  const instructionsHtml = dataDeletionInstructionsPage(contact);

  return [
    route('GET', '/privacy', async (_req, res) => sendHtml(res, 200, privacyHtml), logger),
    route('GET', '/data-deletion', async (_req, res) => sendHtml(res, 200, instructionsHtml), logger),
    route(
      'GET',
      '/data-deletion/status',
      async (req, res) => {
        const query = statusQuery.safeParse(Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams));
        if (!query.success) throw new HttpError(400, 'code must be a confirmation code (letters A–Z and digits)');
        const request = await services.deletion.status(query.data.code);
        sendHtml(res, request ? 200 : 404, deletionStatusPage(request, query.data.code));
      },
      logger,
    ),
    route(
      'POST',
      '/meta/data-deletion',
      async (req, res) => {
        if (!config.META_APP_SECRET) throw new HttpError(404, 'Meta is not configured');
        const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
        if (type !== 'application/x-www-form-urlencoded') {
          throw new HttpError(400, 'expected application/x-www-form-urlencoded with a signed_request field');
        }
        const body = callbackBody.safeParse(
          Object.fromEntries(new URLSearchParams((await readBody(req)).toString('utf8'))),
        );
        if (!body.success) throw new HttpError(400, 'signed_request is missing');
        let metaUserId: string;
        try {
          // Instagram Login has its own app, whose secret signs the callbacks of the people who used it.
          const instagramSecret = config.INSTAGRAM_APP_SECRET;
          metaUserId = verifyEither(body.data.signed_request, config.META_APP_SECRET, instagramSecret).user_id;
        } catch (error) {
          if (error instanceof SignedRequestError) {
            logger.warn({ reason: error.code }, 'refused a data deletion callback');
            throw new HttpError(400, `invalid signed_request: ${error.message}`);
          }
          throw error;
        }
        const request = await services.deletion.deleteForMetaUser(metaUserId);
        logger.info({ confirmation: request._id, accounts: request.accounts.length }, 'data deletion callback served');
        sendJson(res, 200, {
          url: `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/data-deletion/status?code=${request._id}`,
          confirmation_code: request._id,
        });
      },
      logger,
    ),
  ];
}
