import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import { approvalActions } from '../../views/approval-message.ts';
import { clickCommentButton, submitReplyModal } from '../harness/comment-interactions.ts';
import {
  choiceFor,
  connectLinks,
  connectTikTokByConsent,
  followStart,
  pressConnect,
  returnToApp,
} from '../harness/connect-harness.ts';
import { HttpsMediaServer } from '../harness/https-media.ts';
import {
  ADMIN,
  APPROVER,
  COMMENTS_CHANNEL,
  DIGEST_CHANNEL,
  EDITOR,
  startTestApp,
  type TestApp,
} from '../harness/test-app.ts';
import { tiktokBusinessEnvironment } from '../harness/tiktok-business.ts';
import {
  buttonsOf,
  changeView,
  click,
  currentView,
  input,
  openDraft,
  previewOf,
  submitView,
  until,
} from './post-harness.ts';

const OPEN_ID = 'tt-e2e-open-id';
const TT = `tiktok:${OPEN_ID}`;
const video = new Uint8Array(readFileSync(new URL('../fixtures/tiny-360x640-2s.mp4', import.meta.url)));
const photo = new Uint8Array(readFileSync(new URL('../fixtures/photo-720x960.jpg', import.meta.url)));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let t: TestApp;
let tiktok: TikTokFake;
let media: HttpsMediaServer;

beforeAll(async () => {
  tiktok = new TikTokFake();
  await tiktok.start();
  // Only the app's own media route is verified with TikTok for pull-from-URL.
  tiktok.verifiedUrlPrefixes = ['https://wone.example.com/media/'];
  tiktok.seedAccount({
    openId: OPEN_ID,
    username: 'wone.e2e',
    nickname: 'Wone End To End',
    accountType: 'business',
    outcome: { result: 'complete', processingPolls: 1, postIdLagPolls: 0 },
  });
  media = new HttpsMediaServer();
  await media.start();
  t = await startTestApp({ ...tiktokBusinessEnvironment(tiktok), MEDIA_FETCH_ALLOW: media.hostPort });
});
afterAll(async () => {
  await t?.stop();
  await media?.stop();
  await tiktok?.stop();
});

/** The editor drafts through the modal (once TikTok's settings are in it); returns the post once it waits for approval. */
async function draft(caption: string, values: Parameters<typeof submitView>[3]) {
  const modal = await openDraft(t, EDITOR);
  const loaded = await until(async () => {
    const view = currentView(t, modal.id);
    return String(view.view.private_metadata).includes('Wone End To End') ? view : undefined;
  });
  // TikTok's settings show once the TikTok account is chosen.
  const filled = await changeView(t, loaded, EDITOR, 'accounts', { accounts: input.multi([TT]) });
  expect(JSON.stringify(filled.view.blocks)).toContain('Wone End To End');
  const submitted = await submitView(t, filled, EDITOR, {
    accounts: input.multi([TT]),
    caption: input.text(caption),
    when: input.radio('asap'),
    ...values,
  });
  expect(submitted.body).toEqual({});
  return until(async () => {
    const post = await t.app.services.posts.collection.findOne({ caption });
    return post?.state === 'pending_approval' && post.approvalMessage ? post : undefined;
  });
}

/** The approver approves from the preview; "as soon as approved" publishes it. */
async function approveAndWait(post: Awaited<ReturnType<typeof draft>>) {
  const preview = previewOf(t, post.approvalMessage?.ts ?? '');
  expect(JSON.stringify(preview.blocks)).toContain("TikTok: meets the platform's rules");
  const approve = buttonsOf(preview).find((b) => b.action_id === approvalActions.approve);
  await click(t, APPROVER, approvalActions.approve, approve?.value ?? '', preview);
  return until(async () => {
    const found = await t.app.services.posts.get(post._id);
    return found && ['published', 'needs_attention'].includes(found.state) ? found : undefined;
  }, 30_000);
}

describe('TikTok end to end against the strict simulator', () => {
  it('connects, drafts and publishes videos and a photo, connects comments and insights, replies, reports', async () => {
    // Login Kit connects the account for publishing; the API for Business is not asked.
    await connectTikTokByConsent(t, tiktok, ADMIN, OPEN_ID);
    expect(tiktok.server.calls.filter((call) => call.path.startsWith('/open_api/'))).toEqual([]);

    // 1. A video from a Slack upload of a real MP4, posted directly.
    const upload = t.slack.addFile('F0TTVID', 'launch.mp4', 'video/mp4', video);
    const uploaded = await draft('Launch day 🚀', {
      post_type_tiktok: input.select('tiktok_video:direct'),
      media: input.files([upload]),
      [`tiktok_privacy:${TT}`]: input.select('PUBLIC_TO_EVERYONE'),
      [`tiktok_interactions:${TT}`]: input.checks(['comment']),
    });
    expect(uploaded.media[0]).toMatchObject({ kind: 'video', mimeType: 'video/mp4', width: 360, height: 640 });
    expect(uploaded.media[0]?.durationSec).toBeCloseTo(2, 1);
    const first = await approveAndWait(uploaded);
    expect(first.state).toBe('published');
    const [videoPost] = tiktok.postsOf(OPEN_ID);
    expect(videoPost).toMatchObject({ kind: 'video', source: 'FILE_UPLOAD', privacyLevel: 'PUBLIC_TO_EVERYONE' });
    expect(videoPost?.sha256).toBe(sha256(video));

    // 2. A video from a link, sent to the creator's TikTok inbox.
    const link = media.serve('/clips/teaser.mp4', video, 'video/mp4');
    const linked = await draft('Teaser for the inbox', {
      post_type_tiktok: input.select('tiktok_video:inbox'),
      media_urls: input.text(link),
    });
    const second = await approveAndWait(linked);
    expect(second.state).toBe('published');
    expect(tiktok.inboxOf(OPEN_ID)).toMatchObject([{ kind: 'video' }]);
    const [inboxTarget] = await t.app.services.targets.ofPost(second._id);
    expect(inboxTarget).toMatchObject({ state: 'published', deliveredTo: 'inbox' });

    // 3. A photo post: TikTok pulls the photo from our verified media prefix.
    const jpeg = t.slack.addFile('F0TTIMG', 'look.jpg', 'image/jpeg', photo);
    const photoDraft = await draft('The autumn look, described', {
      post_type_tiktok: input.select('tiktok_photo:direct'),
      media: input.files([jpeg]),
      tiktok_photo_title: input.text('Autumn look'),
      [`tiktok_privacy:${TT}`]: input.select('PUBLIC_TO_EVERYONE'),
      [`tiktok_interactions:${TT}`]: input.checks(['comment']),
    });
    const third = await approveAndWait(photoDraft);
    expect(third.state).toBe('published');
    const photoPost = tiktok.postsOf(OPEN_ID).find((post) => post.kind === 'photo');
    expect(photoPost?.title).toBe('Autumn look');
    expect(photoPost?.sourceUrls[0]).toMatch(/^https:\/\/wone\.example\.com\/media\//);
    const photoInit = tiktok.server.callsTo('POST', '/v2/post/publish/content/init/')[0]?.body as {
      post_info: Record<string, unknown>;
    };
    expect(photoInit.post_info).toMatchObject({ title: 'Autumn look', auto_add_music: false, disable_comment: false });

    // Each published exactly once, even when the publish job runs again.
    for (const post of [first, second, third]) await t.app.services.publisher.run(post._id);
    expect(tiktok.postsOf(OPEN_ID)).toHaveLength(2);
    expect(tiktok.inboxOf(OPEN_ID)).toHaveLength(1);

    // 4. The Business connection: its own authorization, linked to the account by its @username.
    const business = await followStart(t, (await connectLinks(t, ADMIN)).tiktok_business ?? '');
    const before = t.slack.callsOf('chat.postMessage').length;
    await returnToApp(t, tiktok.businessConsent(business.location, { openId: OPEN_ID }), business.cookie);
    const choice = await choiceFor(t, ADMIN, before);
    await pressConnect(t, ADMIN, choice.pendingId, [TT]);
    expect((await t.app.services.accounts.get(TT))?.business?.status).toBe('ok');

    // 5. A comment on the video reaches Slack, and the reply lands on TikTok.
    const [videoTarget] = await t.app.services.targets.ofPost(first._id);
    const videoId = videoTarget?.remoteId ?? '';
    expect(videoId).toBe(videoPost?.postId);
    tiktok.seedComment(videoId, { text: 'Where can I buy this?', username: 'curious.fan' });
    await t.app.services.comments.pollAll();
    const message = await t.slack.waitFor(() =>
      t.slack.messages.find((m) => m.channel === COMMENTS_CHANNEL && m.text.includes('Where can I buy this?')),
    );
    await clickCommentButton(t, message, 'comment_reply', APPROVER);
    const key = JSON.parse(JSON.stringify(message.blocks)).at(-1).elements[0].value as string;
    const modal = await t.slack.waitFor(() => t.slack.views.find((v) => v.view.private_metadata === key));
    await submitReplyModal(t, modal, APPROVER, 'In our shop, link in bio!');
    await t.slack.waitFor(() => JSON.stringify(modal.view).includes('Reply sent'));
    expect(
      tiktok
        .commentsOn(videoId)
        .filter((c) => c.parent_comment_id)
        .map((c) => [c.text, c.owner]),
    ).toEqual([['In our shop, link in bio!', true]]);

    // 6. The weekly digest includes the account's figures.
    const account = tiktok.account(OPEN_ID);
    account.followers = 1234;
    account.dailyMetrics = [
      {
        date: new Date().toISOString().slice(0, 10),
        video_views: 321,
        profile_views: 5,
        likes: 17,
        comments: 1,
        shares: 2,
      },
    ];
    const digest = await t.app.services.insightsPublisher.postWeeklyDigest(new Date(Date.now() + 86_400_000));
    expect(digest.status).toBe('posted');
    const posted = t.slack.messages.find((m) => m.channel === DIGEST_CHANNEL && !m.thread_ts);
    const text = JSON.stringify(posted?.blocks);
    expect(text).toContain('wone.e2e');
    expect(text).toMatch(/1,234|1234/);
  });
});
