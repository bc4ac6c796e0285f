import { type TikTokBusinessGrant, TikTokClient } from '../../src/platforms/tiktok.ts';
import type { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import type { Services } from '../../src/services/index.ts';

const REDIRECT = 'https://wone.example.com/oauth/tiktok-business/callback';

/** The settings that switch on TikTok and its API for Business app, pointed at the fake. */
export function tiktokBusinessEnvironment(fake: TikTokFake): Record<string, string> {
  return {
    TIKTOK_CLIENT_KEY: fake.clientKey,
    TIKTOK_CLIENT_SECRET: fake.clientSecret,
    TIKTOK_API_URL: fake.url,
    TIKTOK_BUSINESS_API_URL: fake.url,
    TIKTOK_BUSINESS_APP_ID: fake.businessAppId,
    TIKTOK_BUSINESS_APP_SECRET: fake.businessAppSecret,
  };
}

/**
 * API for Business tokens as the account holder grants them: the Business authorization page (the fake's), then the
 * `tt_user/oauth2/token/` exchange, with the scopes the app asks for.
 */
export async function businessGrantByConsent(fake: TikTokFake, openId: string): Promise<TikTokBusinessGrant> {
  const client = new TikTokClient({
    apiUrl: fake.url,
    businessApiUrl: fake.url,
    clientKey: fake.clientKey,
    clientSecret: fake.clientSecret,
    businessAppId: fake.businessAppId,
    businessAppSecret: fake.businessAppSecret,
  });
  try {
    const redirect = new URL(fake.businessConsent(client.businessAuthorizeUrl(REDIRECT, 'state-1'), { openId }));
    const code = redirect.searchParams.get('code');
    if (!code) throw new Error(`the Business authorization was refused: ${redirect.searchParams.get('error')}`);
    return await client.exchangeBusinessCode(code, REDIRECT);
  } finally {
    await client.close();
  }
}

/** Makes the API for Business connection of a connected TikTok account, as choosing it after the consent would. */
export async function attachBusinessByConsent(
  services: Services,
  fake: TikTokFake,
  accountId: string,
  openId: string,
): Promise<TikTokBusinessGrant> {
  const grant = await businessGrantByConsent(fake, openId);
  await services.accounts.attachBusiness(
    accountId,
    {
      businessId: grant.businessId,
      scopes: grant.scopes,
      status: 'ok',
      ...(grant.expiresAt ? { tokenExpiresAt: grant.expiresAt } : {}),
      ...(grant.refreshExpiresAt ? { refreshExpiresAt: grant.refreshExpiresAt } : {}),
      connectedBy: 'UADMIN',
      connectedAt: new Date(),
    },
    {
      token: services.vault.seal(grant.accessToken),
      ...(grant.refreshToken ? { refreshToken: services.vault.seal(grant.refreshToken) } : {}),
    },
  );
  return grant;
}
