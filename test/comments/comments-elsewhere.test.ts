import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountAccess } from '../../src/platforms/types.ts';
import type { CommentDoc } from '../../src/services/comment-docs.ts';
import { connectAccount } from '../harness/comment-fixtures.ts';
import { forgetLoginCalls, instagramTokenByConsent } from '../harness/meta-consent.ts';
import { META_VERIFY_TOKEN } from '../harness/meta-webhook.ts';
import { COMMENTS_CHANNEL, startTestApp, type TestApp } from '../harness/test-app.ts';
import { GRAPH_VERSION, jpeg, type MetaHarness, progressStore, startMeta } from '../platforms/meta-harness.ts';

const day = 86_400_000;

let meta: MetaHarness;
let t: TestApp;
let oldMedia: string;
let recentMedia: string;

beforeAll(async () => {
  // The Graph clock starts 30 days ago: one post then, one 25 days later (5 days ago), both published in the
  // Instagram app itself, not through Wone Social.
  meta = await startMeta({ startAt: Date.now() - 30 * day });
  const igUser = meta.fake.seedInstagramAccount({ username: 'wone.shop' }).id;
  const token = await instagramTokenByConsent(meta.fake, igUser);
  forgetLoginCalls(meta.fake);
  const access: AccountAccess = { platform: 'instagram', externalId: igUser, login: 'instagram', accessToken: token };
  const publish = async (caption: string) => {
    const outcome = await meta.instagram.publish(
      access,
      { postType: 'instagram_feed', caption, media: [jpeg(caption)] },
      progressStore().context(),
    );
    if (outcome.status !== 'published') throw new Error('fixture post not published');
    return outcome.remoteId;
  };
  oldMedia = await publish('Summer sale, last call');
  meta.fake.advance(25 * day);
  recentMedia = await publish('Behind the scenes at the studio');
  meta.fake.seedComment({ itemId: oldMedia, text: 'Still on sale?', author: 'late.reader' });
  meta.fake.seedComment({ itemId: recentMedia, text: 'Who made the lamp?', author: 'lamp.fan' });

  t = await startTestApp({
    META_APP_ID: meta.fake.appId,
    META_APP_SECRET: meta.fake.appSecret,
    META_WEBHOOK_VERIFY_TOKEN: META_VERIFY_TOKEN,
    META_GRAPH_URL: meta.fake.facebook.url,
    INSTAGRAM_GRAPH_URL: meta.fake.instagram.url,
    META_GRAPH_VERSION: GRAPH_VERSION,
    COMMENT_LOOKBACK_DAYS: '14',
  });
  await connectAccount(t.app.services, {
    platform: 'instagram',
    login: 'instagram',
    externalId: igUser,
    name: '@wone.shop',
    accessToken: token,
  });
});
afterAll(async () => {
  await t?.stop();
  await meta?.stop();
});

describe('posts published elsewhere', () => {
  it('collects comments on recent posts not published through the app, under a parent of their own', async () => {
    const [report] = await t.app.services.comments.pollAll();
    expect(report).toMatchObject({ reads: 1, received: 2, posted: 1 });

    const parent = await t.slack.waitFor(() =>
      t.slack.messages.find(
        (m) => m.channel === COMMENTS_CHANNEL && !m.thread_ts && m.text.includes('Behind the scenes'),
      ),
    );
    expect(JSON.stringify(parent.blocks)).toContain('outside Wone Social');
    const comment = await t.slack.waitFor(() =>
      t.slack.messages.find((m) => m.thread_ts === parent.ts && m.text.includes('Who made the lamp?')),
    );
    expect(JSON.stringify(comment.blocks)).toContain('comment_reply');

    // Older than COMMENT_LOOKBACK_DAYS: neither stored nor shown.
    const stored = await t.app.services.db.collection<CommentDoc>('comments').find({}).toArray();
    expect(stored.map((c) => c.itemId)).toEqual([recentMedia]);
    expect(t.slack.messages.some((m) => m.text.includes('Still on sale?') || m.text.includes('Summer sale'))).toBe(
      false,
    );
  });
});
