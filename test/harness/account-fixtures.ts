import type { NewAccount } from '../../src/services/accounts.ts';
import type { Services } from '../../src/services/index.ts';
import type { TargetDoc } from '../../src/services/targets.ts';

/** Puts a connected account straight into the store (for tests of what happens after connecting). */
export async function seedAccount(services: Services, account: Partial<NewAccount> & Pick<NewAccount, '_id'>) {
  const [platform = 'facebook', externalId = '1'] = account._id.split(':');
  const full: NewAccount = {
    platform: platform as NewAccount['platform'],
    login: platform === 'tiktok' ? 'tiktok' : platform === 'instagram' ? 'instagram' : 'facebook',
    externalId,
    name: `Account ${externalId}`,
    status: 'ok',
    scopes: [],
    connectedBy: 'UADMIN',
    connectedAt: new Date(),
    accessToken: `token-${account._id}-${Math.random().toString(36).slice(2)}`,
    ...account,
  };
  await services.accounts.save(full);
  return full;
}

/** A post with one queued target on an account, as the publishing flow would leave it. */
export async function seedQueuedPost(services: Services, accountId: string, postId: string, requestedBy: string) {
  await services.db.collection<{ _id: string }>('posts').insertOne({ _id: postId, requestedBy } as never);
  const target: TargetDoc = {
    _id: `${postId}:${accountId}`,
    postId,
    accountId,
    platform: accountId.split(':')[0] as TargetDoc['platform'],
    postType: 'facebook_text',
    state: 'queued',
    dueAt: new Date(Date.now() + 3_600_000),
    progress: {},
    caption: `Caption of ${postId}`,
    attempts: 0,
    updatedAt: new Date(),
  };
  await services.db.collection<TargetDoc>('targets').insertOne(target);
  return target;
}
