import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountAccess, PostType, PublishRequest } from '../../src/platforms/types.ts';
import type { GraphFake } from '../../src/sandbox/graph-fake.ts';
import { commentKey } from '../../src/services/comments.ts';
import {
  choiceFor,
  connectLinks,
  followStart,
  pressConnect,
  returnToApp,
  startConnectApp,
} from '../harness/connect-harness.ts';
import { pageTokenByConsent } from '../harness/meta-consent.ts';
import { ADMIN, type TestApp } from '../harness/test-app.ts';
import { insertTarget, weeks } from '../insights/insights-fixtures.ts';
import { jpeg, mp4, progressStore } from '../platforms/meta-harness.ts';

/**
 * The strict Meta simulator against the whole app: accounts connected through the real logins with the permissions
 * those logins grant, every post type published once, comments that reach the app by webhook only once the app is
 * subscribed, replies and hides that land on the platform, and the digest's reach as Meta counts it.
 */
let t: TestApp;
let graph: GraphFake;
let stop: () => Promise<void>;

beforeAll(async () => {
  // Media is processed at once, so the app's own client waits only its first status pause (no fake clock here).
  ({ t, graph, stop } = await startConnectApp({}, { videoProcessingMs: 0 }));
});
afterAll(async () => stop?.());

async function waitFor<T>(read: () => Promise<T | null | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not reached: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function connect(flow: 'facebook' | 'instagram', consent: (dialog: string) => string): Promise<string[]> {
  const before = t.slack.callsOf('chat.postMessage').length;
  const start = await followStart(t, (await connectLinks(t, ADMIN))[flow] ?? '');
  expect((await returnToApp(t, consent(start.location), start.cookie)).status).toBe(200);
  const choice = await choiceFor(t, ADMIN, before);
  await pressConnect(t, ADMIN, choice.pendingId, choice.offered);
  return choice.offered;
}

const requests: Record<string, PublishRequest> = {
  facebook_text: { postType: 'facebook_text', caption: 'Doors open at 9', media: [] },
  facebook_photo: { postType: 'facebook_photo', caption: 'The new bag', media: [jpeg('bag')] },
  facebook_video: { postType: 'facebook_video', caption: 'How the bag is made', media: [mp4('making')] },
  instagram_feed: { postType: 'instagram_feed', caption: 'The new bag', media: [jpeg('ig-bag')] },
  instagram_carousel: {
    postType: 'instagram_carousel',
    caption: 'Three colours',
    media: [jpeg('red'), jpeg('blue'), jpeg('green')],
  },
  instagram_reel: { postType: 'instagram_reel', caption: 'Stitching', media: [mp4('reel')] },
  instagram_story: { postType: 'instagram_story', caption: '', media: [jpeg('story')] },
};

/** Publishes with the app's own client and token, and records the published target as the publisher does. */
async function publish(accountId: string, postType: PostType): Promise<string> {
  const { services } = t.app;
  const [platform] = accountId.split(':') as ['instagram' | 'facebook'];
  const access: AccountAccess = await services.accounts.access(accountId);
  const client = services.platforms[platform];
  if (!client) throw new Error(`${platform} is off`);
  let outcome = await client.publish(access, requests[postType] as PublishRequest, progressStore().context());
  for (let i = 0; outcome.status !== 'published' && i < 20; i += 1) {
    graph.advance(60_000);
    outcome = await client.publish(access, requests[postType] as PublishRequest, progressStore().context());
  }
  if (outcome.status !== 'published') throw new Error(`${postType} not published`);
  await insertTarget(services.db, {
    accountId,
    platform,
    postType,
    caption: requests[postType]?.caption ?? '',
    remoteId: outcome.remoteId,
    publishedAt: new Date(),
  });
  return outcome.remoteId;
}

/** A customer comments; the app must have it from the webhook (no poll runs), then reply to it and hide it. */
async function commentReplyHide(accountId: string, itemId: string): Promise<void> {
  const { services } = t.app;
  const { id, delivered } = await graph.commentAndNotify({ itemId, text: `Question on ${itemId}`, author: 'ana' });
  expect(delivered).toBe(true);
  const platform = accountId.split(':')[0] as 'instagram' | 'facebook';
  const key = commentKey(platform, id);
  const doc = await waitFor(() => services.db.collection('comments').findOne({ _id: key as never }), `comment ${id}`);
  expect(doc).toMatchObject({ source: 'webhook', itemId, accountId });
  await services.comments.reply(key, ADMIN, 'Thank you, Ana!', `view-${id}`);
  expect(graph.commentsOn(itemId).some((c) => c.parentId === id && c.text === 'Thank you, Ana!')).toBe(true);
  await services.comments.setHidden(key, ADMIN, true);
  expect(graph.comment(id)?.hidden).toBe(true);
}

describe('a real Meta app, end to end against the strict simulator', { timeout: 60_000 }, () => {
  it('Facebook Login: every post type once, comments by webhook once subscribed, replies and hides, weekly reach', async () => {
    const ig = graph.seedInstagramAccount({ username: 'wone.e2e' });
    const page = graph.seedPage({ name: 'Wone E2E', instagramAccountId: ig.id });

    // Before the app is installed on the Page, a comment on the Page's post reaches nobody.
    const earlier = await pageTokenByConsent(graph, page.id);
    const before = await graph.commentAndNotify({
      itemId:
        (
          await t.app.services.platforms.facebook?.publish(
            { platform: 'facebook', externalId: page.id, login: 'facebook', accessToken: earlier },
            requests.facebook_text as PublishRequest,
            progressStore().context(),
          )
        )?.status === 'published'
          ? (graph.published(page.id)[0]?.id ?? '')
          : '',
      text: 'Anyone there?',
    });
    expect(before.delivered).toBe(false);

    const person = graph.seedMetaUser({ pageIds: [page.id] });
    const offered = await connect('facebook', (dialog) => graph.consentFacebook(dialog, { userId: person.id }));
    expect(offered.sort()).toEqual([`facebook:${page.id}`, `instagram:${ig.id}`].sort());
    expect(graph.subscribedFields('facebook', page.id)).toEqual(['feed']);

    const fb = `facebook:${page.id}`;
    const insta = `instagram:${ig.id}`;
    const items: [string, string][] = [];
    for (const type of ['facebook_text', 'facebook_photo', 'facebook_video'] as const)
      items.push([fb, await publish(fb, type)]);
    for (const type of ['instagram_feed', 'instagram_carousel', 'instagram_reel', 'instagram_story'] as const)
      items.push([insta, await publish(insta, type)]);
    // Published once each (the earlier text post was made before the app was connected).
    expect(graph.published(page.id).map((p) => p.kind)).toEqual(['status', 'status', 'photo', 'video']);
    expect(graph.published(ig.id).map((p) => p.kind)).toEqual([
      'FEED:IMAGE',
      'FEED:CAROUSEL_ALBUM',
      'REELS:VIDEO',
      'STORY:IMAGE',
    ]);

    // Stories take no comments on Instagram (replies to them are direct messages).
    for (const [accountId, itemId] of items.filter((_, index) => index !== 6))
      await commentReplyHide(accountId, itemId);

    // The week's reach is Meta's weekly count of people, not seven days added up.
    graph.setPageWeekly(page.id, { page_total_media_view_unique: 2345 });
    const report = await t.app.services.insights.buildReport(weeks(new Date(graph.now())).current, { accountId: fb });
    expect(report.accounts[0]?.current.metrics.reach).toBe(2345);
  });

  it('Instagram Login with its own app: every post type once, comments by webhook once subscribed, replies and hides', async () => {
    const ig = graph.seedInstagramAccount({ username: 'wone.igonly' });
    const offered = await connect('instagram', (authorize) => {
      expect(new URL(authorize).searchParams.get('client_id')).toBe(graph.instagramAppId);
      return graph.consentInstagram(authorize, { igUserId: ig.id });
    });
    expect(offered).toEqual([`instagram:${ig.id}`]);
    expect(graph.subscribedFields('instagram', ig.id)).toEqual(['comments']);
    const insta = `instagram:${ig.id}`;
    const items: string[] = [];
    for (const type of ['instagram_feed', 'instagram_carousel', 'instagram_reel', 'instagram_story'] as const)
      items.push(await publish(insta, type));
    expect(graph.published(ig.id)).toHaveLength(4);
    for (const itemId of items.slice(0, 3)) await commentReplyHide(insta, itemId);
    // Signed with the Instagram app's secret, and accepted.
    expect(graph.deliveries.slice(-3).every((d) => d.secret === 'instagram' && d.status === 200)).toBe(true);
    // No batch request was sent to graph.instagram.com.
    expect(graph.instagram.callsTo('POST', /^\/v\d+\.0\/?$/)).toHaveLength(0);
  });
});
