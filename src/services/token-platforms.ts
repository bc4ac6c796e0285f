import type { AccountAccess, PlatformName, RefreshedToken, TokenHealth } from '../platforms/types.ts';

/** What the account services need from a platform client for tokens: check, refresh, revoke. */
export interface TokenPlatform {
  checkToken(account: AccountAccess): Promise<TokenHealth>;
  /** The refresh token is `undefined` where the platform refreshes with the token itself (Instagram Login). */
  refreshToken?(account: AccountAccess, refreshToken: string): Promise<RefreshedToken>;
  /** Where the platform can forget a grant (TikTok). */
  revokeToken?(account: AccountAccess): Promise<void>;
  /** TikTok: refreshes the API for Business token of the account's comments and insights connection. */
  refreshBusinessToken?(refreshToken: string): Promise<RefreshedToken>;
  /** TikTok: asks the API for Business to forget that connection's grant. */
  revokeBusinessToken?(accessToken: string): Promise<void>;
}

/** The token side of each platform that is switched on. */
export type TokenPlatforms = Partial<Record<PlatformName, TokenPlatform>>;
