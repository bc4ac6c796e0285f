import type { Db } from 'mongodb';
import type { PlatformName, PostType } from '../../src/platforms/types.ts';
import type { Services } from '../../src/services/index.ts';
import type { TargetDoc } from '../../src/services/targets.ts';

/** Connects an account directly in the store (as the OAuth flow would leave it). */
export async function connectAccount(
  services: Services,
  input: {
    platform: PlatformName;
    externalId: string;
    name: string;
    accessToken?: string;
    login?: 'facebook' | 'instagram' | 'tiktok';
  },
): Promise<string> {
  const id = `${input.platform}:${input.externalId}`;
  await services.accounts.save({
    _id: id,
    platform: input.platform,
    login: input.login ?? (input.platform === 'tiktok' ? 'tiktok' : 'facebook'),
    externalId: input.externalId,
    name: input.name,
    status: 'ok',
    scopes: [],
    connectedBy: 'UADMIN',
    connectedAt: new Date(),
    accessToken: input.accessToken ?? `token-${input.externalId}`,
  });
  return id;
}

/** A target that the publish loop has published. */
export async function publishedTarget(
  db: Db,
  input: {
    accountId: string;
    platform: PlatformName;
    remoteId: string;
    postType?: PostType;
    caption?: string;
    permalink?: string;
    publishedAt?: Date;
  },
): Promise<TargetDoc> {
  const postId = `post-${input.remoteId}`;
  const target: TargetDoc = {
    _id: `${postId}:${input.accountId}`,
    postId,
    accountId: input.accountId,
    platform: input.platform,
    postType:
      input.postType ??
      (input.platform === 'instagram'
        ? 'instagram_feed'
        : input.platform === 'facebook'
          ? 'facebook_photo'
          : 'tiktok_video'),
    state: 'published',
    progress: { remoteId: input.remoteId },
    remoteId: input.remoteId,
    permalink: input.permalink ?? `https://example.com/p/${input.remoteId}`,
    publishedAt: input.publishedAt ?? new Date(),
    caption: input.caption ?? 'Our autumn collection is here',
    attempts: 1,
    updatedAt: new Date(),
  };
  await db.collection<TargetDoc>('targets').insertOne(target);
  return target;
}
