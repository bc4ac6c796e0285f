import type { AccountSummary } from './accounts.ts';

/** What a connected account can do here, from the permissions its login granted. Views word it. */
export interface AccountAbilities {
  /** `inbox`: TikTok without `video.publish` sends drafts to the creator's inbox instead of posting. */
  publish: 'yes' | 'inbox' | 'no';
  /** `live`: Meta sends them by webhook (and they are polled too); `polled`: read on a schedule only. */
  comments: 'live' | 'polled' | 'no';
  insights: boolean;
  /** False when the login's permissions were not recorded (an older connection): the rest is then a guess. */
  known: boolean;
}

/** The permission each ability needs, per kind of login. */
const needs = {
  facebook: { publish: 'pages_manage_posts', comments: 'pages_read_engagement', insights: 'read_insights' },
  instagramViaFacebook: {
    publish: 'instagram_content_publish',
    comments: 'instagram_manage_comments',
    insights: 'instagram_manage_insights',
  },
  instagramLogin: {
    publish: 'instagram_business_content_publish',
    comments: 'instagram_business_manage_comments',
    insights: 'instagram_business_manage_insights',
  },
} as const;

export function abilitiesOf(account: AccountSummary): AccountAbilities {
  const none: AccountAbilities = { publish: 'no', comments: 'no', insights: false, known: true };
  if (account.status === 'disconnected') return none;
  const granted = new Set(account.scopes);
  const known = account.scopes.length > 0;
  if (account.platform === 'tiktok') {
    const business = account.business?.status === 'ok';
    return {
      publish: granted.has('video.publish') || !known ? 'yes' : granted.has('video.upload') ? 'inbox' : 'no',
      comments: business ? 'polled' : 'no',
      insights: business,
      known,
    };
  }
  const rule =
    account.platform === 'facebook'
      ? needs.facebook
      : account.login === 'instagram'
        ? needs.instagramLogin
        : needs.instagramViaFacebook;
  const has = (scope: string) => !known || granted.has(scope);
  return {
    publish: has(rule.publish) ? 'yes' : 'no',
    comments: has(rule.comments) ? (account.liveComments ? 'live' : 'polled') : 'no',
    insights: has(rule.insights),
    known,
  };
}
