import { DateTime } from 'luxon';
import type { Db } from 'mongodb';
import type { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import type { Services } from '../../src/services/index.ts';
import { periodEnding, type ReportPeriod } from '../../src/services/insights.ts';
import type { TargetDoc } from '../../src/services/targets.ts';
import { ADMIN } from '../harness/test-app.ts';
import { attachBusinessByConsent } from '../harness/tiktok-business.ts';

export const ZONE = 'Europe/Berlin';

/** The environment that switches TikTok on against the fake. */
export function tiktokEnvironment(fake: TikTokFake): Record<string, string> {
  return {
    TIKTOK_CLIENT_KEY: fake.clientKey,
    TIKTOK_CLIENT_SECRET: fake.clientSecret,
    TIKTOK_API_URL: fake.url,
    TIKTOK_BUSINESS_API_URL: fake.url,
    TIKTOK_BUSINESS_APP_ID: fake.businessAppId,
    TIKTOK_BUSINESS_APP_SECRET: fake.businessAppSecret,
  };
}

/** The local dates (YYYY-MM-DD) of a period's days, oldest first. */
export function daysOf(period: ReportPeriod): string[] {
  const first = DateTime.fromJSDate(period.since, { zone: period.zone });
  return Array.from({ length: period.days }, (_, i) => first.plus({ days: i }).toISODate() ?? '');
}

/** A moment in the middle of a period's `day`-th day (0-based). */
export function during(period: ReportPeriod, day: number): Date {
  return DateTime.fromJSDate(period.since, { zone: period.zone }).plus({ days: day, hours: 12 }).toJSDate();
}

/** The current week and the one before, as the digest sees them at `now`. */
export function weeks(now = new Date()) {
  const current = periodEnding(now, 7, ZONE);
  const previous = periodEnding(current.since, 7, ZONE);
  return { current, previous };
}

/** Connects a TikTok account as the OAuth flows would leave it: Login Kit, then its API for Business connection. */
export async function connectTikTok(services: Services, fake: TikTokFake, openId: string, name: string) {
  const account = fake.account(openId);
  account.accountType = 'business';
  const { accessToken, refreshToken } = fake.issueTokens(openId, [
    'user.info.basic',
    'video.publish',
    'video.upload',
    'video.list',
  ]);
  await services.accounts.save({
    _id: `tiktok:${openId}`,
    platform: 'tiktok',
    login: 'tiktok',
    externalId: openId,
    name,
    status: 'ok',
    scopes: ['user.info.basic', 'video.publish', 'video.upload', 'video.list'],
    connectedBy: ADMIN,
    connectedAt: new Date(),
    accessToken,
    refreshTokenValue: refreshToken,
  });
  await attachBusinessByConsent(services, fake, `tiktok:${openId}`, openId);
  return `tiktok:${openId}`;
}

/** A target as the publish loop leaves it once live (or failed). */
export async function insertTarget(
  db: Db,
  fields: Pick<TargetDoc, 'accountId' | 'platform' | 'caption'> & Partial<TargetDoc>,
): Promise<TargetDoc> {
  const postId = fields.postId ?? `post-${Math.random().toString(36).slice(2, 10)}`;
  const target: TargetDoc = {
    _id: `${postId}:${fields.accountId}`,
    postId,
    postType: fields.platform === 'tiktok' ? 'tiktok_video' : 'instagram_feed',
    state: 'published',
    progress: {},
    attempts: 1,
    updatedAt: fields.publishedAt ?? new Date(),
    ...fields,
  };
  await db.collection<TargetDoc>('targets').insertOne(target);
  return target;
}
