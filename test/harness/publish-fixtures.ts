import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import { type Db, ObjectId } from 'mongodb';
import { FACEBOOK_LOGIN_SCOPES, INSTAGRAM_LOGIN_SCOPES } from '../../src/platforms/meta-login.ts';
import type { PlatformName, PostType } from '../../src/platforms/types.ts';
import type { GraphFake } from '../../src/sandbox/graph-fake.ts';
import { Accounts } from '../../src/services/accounts.ts';
import { sniffMedia } from '../../src/services/media-sniff.ts';
import type { MediaRef, PostDoc } from '../../src/services/posts.ts';
import { Posts } from '../../src/services/posts.ts';
import { publishJobName } from '../../src/services/scheduling.ts';
import { Targets } from '../../src/services/targets.ts';
import { TokenVault } from '../../src/services/token-vault.ts';
import { jpegBytes } from '../posts/media-fixtures.ts';

/** One connected account, as the benchmarks and crash tests spread posts over them. */
export interface RigAccount {
  id: string;
  platform: 'instagram' | 'facebook';
  externalId: string;
  token: string;
}

/** `count` accounts in the Graph fake, alternately an Instagram account (Instagram login) and a Facebook Page. */
export function seedRigAccountsInGraph(graph: GraphFake, count: number): RigAccount[] {
  const made: RigAccount[] = [];
  for (let i = 0; i < count; i += 1) {
    const instagram = i % 2 === 0;
    const externalId = instagram ? `178414000${String(i).padStart(8, '0')}` : `1002003${String(i).padStart(8, '0')}`;
    if (instagram) graph.seedInstagramAccount({ id: externalId, username: `wone.rig${i}` });
    else graph.seedPage({ id: externalId, name: `Wone Rig ${i}` });
    // Many accounts per rig: tokens with the permissions a login grants, made directly rather than by a login each.
    const token = graph.issueToken(
      instagram
        ? { kind: 'instagram_user', subjects: [externalId], scopes: INSTAGRAM_LOGIN_SCOPES }
        : { kind: 'page', subjects: [externalId], scopes: FACEBOOK_LOGIN_SCOPES },
    );
    made.push({
      id: `${instagram ? 'instagram' : 'facebook'}:${externalId}`,
      platform: instagram ? 'instagram' : 'facebook',
      externalId,
      token,
    });
  }
  return made;
}

/** Stores the accounts (tokens sealed with `tokenKey`) as the connection flow stores them. */
export async function storeRigAccounts(db: Db, tokenKey: string, rig: RigAccount[]): Promise<void> {
  const accounts = new Accounts(db, new TokenVault(tokenKey));
  for (const account of rig) {
    await accounts.save({
      _id: account.id,
      platform: account.platform,
      login: account.platform,
      externalId: account.externalId,
      name: account.platform === 'instagram' ? `@wone.rig.${account.externalId}` : `Wone Rig ${account.externalId}`,
      scopes: [],
      accessToken: account.token,
      status: 'ok',
      connectedBy: 'UADMIN',
      connectedAt: new Date(),
    });
  }
}

/** Stores one small JPEG in the media bucket, for image posts. */
export async function seedJpeg(db: Db, postId: string): Promise<MediaRef> {
  const { GridFSBucket, ObjectId } = await import('mongodb');
  const bucket = new GridFSBucket(db, { bucketName: 'media' });
  const bytes = jpegBytes(1080, 1080);
  const sniffed = sniffMedia(bytes);
  if (!sniffed) throw new Error('the fixture JPEG was not recognised');
  const id = new ObjectId();
  await new Promise<void>((resolve, reject) => {
    const upload = bucket.openUploadStreamWithId(id, 'rig.jpg', { metadata: { postId, ...sniffed } });
    upload.once('finish', () => resolve());
    upload.once('error', reject);
    upload.end(Buffer.from(bytes));
  });
  return { id: id.toHexString(), name: 'rig.jpg', sizeBytes: bytes.length, ...sniffed };
}

/** An approved post (state `scheduled`) to one account, as approval leaves it. */
export function approvedPost(input: {
  id: string;
  account: { id: string; platform: PlatformName };
  postType: PostType;
  caption: string;
  dueAt: Date;
  media?: MediaRef[];
}): PostDoc {
  const now = new Date();
  return {
    _id: input.id,
    state: 'scheduled',
    accountIds: [input.account.id],
    postTypes: { [input.account.platform]: input.postType },
    tiktokMode: 'direct',
    caption: input.caption,
    mediaUrls: [],
    schedule: { kind: 'asap' },
    tiktok: {
      privacy: {},
      allowComment: false,
      allowDuet: false,
      allowStitch: false,
      brandOrganic: false,
      brandContent: false,
    },
    requestedBy: 'UEDITOR',
    requesterTimezone: 'Europe/Berlin',
    dueAt: input.dueAt,
    media: input.media ?? [],
    pendingFiles: [],
    checks: [],
    decisions: [
      { action: 'submitted', by: 'UEDITOR', at: now },
      { action: 'approved', by: 'UAPPROVER', at: now },
    ],
    revision: 1,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Stores approved posts the way approval does: the post, its queued targets and its publish job at `dueAt`. The first
 * job is written by a scheduler that is not started (so nothing runs here); the others are written in bulk in its shape.
 */
export async function seedApprovedPosts(db: Db, posts: PostDoc[]): Promise<void> {
  if (posts.length === 0) return;
  const now = new Date();
  await new Posts(db).collection.insertMany(posts);
  await new Targets(db).collection.insertMany(
    posts.flatMap((post) => {
      const platform = Object.keys(post.postTypes)[0] as PlatformName;
      return post.accountIds.map((accountId) => ({
        _id: Targets.idOf(post._id, accountId),
        postId: post._id,
        accountId,
        platform,
        postType: post.postTypes[platform] as PostType,
        state: 'queued' as const,
        dueAt: post.dueAt ?? now,
        progress: {},
        caption: post.caption,
        attempts: 0,
        updatedAt: now,
      }));
    }),
  );
  const agenda = new Agenda({ backend: new MongoBackend({ mongo: db, collection: 'jobs' }) });
  const [first, ...rest] = posts;
  if (!first) return;
  await agenda
    .create(publishJobName, { postId: first._id })
    .schedule(first.dueAt ?? now)
    .save();
  const template = await db.collection('jobs').findOne({ name: publishJobName, 'data.postId': first._id });
  if (!template || rest.length === 0) return;
  const { _id, ...shape } = template;
  await db
    .collection('jobs')
    .insertMany(rest.map((post) => ({ ...shape, data: { postId: post._id }, nextRunAt: post.dueAt ?? now })));
}

/** Moves every seeded post, its targets and its job to `at` (so a run starts once the apps are up). */
export async function moveAllDue(db: Db, at: Date): Promise<void> {
  await db.collection('posts').updateMany({ state: 'scheduled' }, { $set: { dueAt: at } });
  await db.collection('targets').updateMany({ state: 'queued' }, { $set: { dueAt: at } });
  await db.collection('jobs').updateMany({ name: publishJobName }, { $set: { nextRunAt: at } });
}

/**
 * Stores `count` approved posts due at `dueAt`, spread over the rig's accounts (Instagram feed images and Facebook
 * text posts), with the accounts themselves; returns the captions, `<label> post <n>`.
 */
export async function seedRigPosts(
  db: Db,
  tokenKey: string,
  rig: RigAccount[],
  count: number,
  label: string,
  dueAt: Date,
): Promise<string[]> {
  await storeRigAccounts(db, tokenKey, rig);
  const jpeg = await seedJpeg(db, new ObjectId().toHexString());
  const posts: PostDoc[] = [];
  for (let i = 0; i < count; i += 1) {
    const account = rig[i % rig.length] as RigAccount;
    const instagram = account.platform === 'instagram';
    posts.push(
      approvedPost({
        id: new ObjectId().toHexString(),
        account,
        postType: instagram ? 'instagram_feed' : 'facebook_text',
        caption: `${label} post ${i}`,
        dueAt,
        ...(instagram ? { media: [jpeg] } : {}),
      }),
    );
  }
  for (let i = 0; i < posts.length; i += 500) await seedApprovedPosts(db, posts.slice(i, i + 500));
  return posts.map((post) => post.caption);
}
