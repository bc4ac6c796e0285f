import { MetaLogin } from '../../src/platforms/meta-login.ts';
import type { GraphFake } from '../../src/sandbox/graph-fake.ts';

const REDIRECT = 'https://wone.example.com/oauth/callback';

function loginAgainst(fake: GraphFake): MetaLogin {
  return new MetaLogin({
    graphUrl: fake.facebook.url,
    instagramGraphUrl: fake.instagram.url,
    instagramApiUrl: fake.instagramApi.url,
    version: 'v25.0',
    appId: fake.appId,
    appSecret: fake.appSecret,
    instagramAppId: fake.instagramAppId,
    instagramAppSecret: fake.instagramAppSecret,
    now: () => new Date(fake.now()),
  });
}

/**
 * Page tokens as a real Facebook Login yields them: the product's dialog, a person who manages `pageIds` granting it
 * (less `decline`), the code exchange, the long-lived token and `/me/accounts`. By Page id. A Page linked to an
 * Instagram account gives the token that account is used with too.
 */
export async function pageTokensByConsent(
  fake: GraphFake,
  pageIds: string[],
  options: { decline?: string[] } = {},
): Promise<Record<string, string>> {
  const login = loginAgainst(fake);
  try {
    const person = fake.seedMetaUser({ pageIds });
    const redirect = fake.consentFacebook(login.facebookDialogUrl(REDIRECT, 'test-state-0001'), {
      userId: person.id,
      ...(options.decline ? { decline: options.decline } : {}),
    });
    const code = new URL(redirect).searchParams.get('code') ?? '';
    const grant = await login.completeFacebookLogin(code, REDIRECT);
    return Object.fromEntries(grant.pages.map((page) => [page.id, page.token]));
  } finally {
    await login.close();
  }
}

/** One Page's token through Facebook Login (see `pageTokensByConsent`). */
export async function pageTokenByConsent(
  fake: GraphFake,
  pageId: string,
  options: { decline?: string[] } = {},
): Promise<string> {
  const token = (await pageTokensByConsent(fake, [pageId], options))[pageId];
  if (!token) throw new Error(`the login did not reach Page ${pageId}`);
  return token;
}

/** An Instagram Login token (long-lived, 60 days) for the professional account, through the authorize page. */
export async function instagramTokenByConsent(fake: GraphFake, igUserId: string): Promise<string> {
  const login = loginAgainst(fake);
  try {
    const redirect = fake.consentInstagram(login.instagramAuthorizeUrl(REDIRECT, 'test-state-0002'), { igUserId });
    const code = new URL(redirect).searchParams.get('code') ?? '';
    return (await login.completeInstagramLogin(code, REDIRECT)).token;
  } finally {
    await login.close();
  }
}

/** Forgets the calls the logins made, so a test's call lists start with its own story. */
export function forgetLoginCalls(fake: GraphFake): void {
  for (const server of [fake.facebook, fake.instagram, fake.instagramApi]) server.calls.length = 0;
}

/** The token of an Instagram account reached through Facebook Login: the token of the Page linked to it. */
export async function instagramViaPageTokenByConsent(fake: GraphFake, igUserId: string): Promise<string> {
  const page = fake.seedPage({ name: 'Page of the Instagram account', instagramAccountId: igUserId });
  return pageTokenByConsent(fake, page.id);
}
