import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountAccess } from '../../src/platforms/types.ts';
import type { SlackMessage } from '../../src/sandbox/fake-slack.ts';
import type { CommentDoc, CommentPollDoc } from '../../src/services/comment-docs.ts';
import { connectAccount, publishedTarget } from '../harness/comment-fixtures.ts';
import { clickCommentButton, submitReplyModal } from '../harness/comment-interactions.ts';
import { forgetLoginCalls, instagramTokenByConsent, pageTokenByConsent } from '../harness/meta-consent.ts';
import { deliverMetaWebhook, instagramCommentDelivery, META_VERIFY_TOKEN } from '../harness/meta-webhook.ts';
import { APPROVER, COMMENTS_CHANNEL, EDITOR, startTestApp, type TestApp } from '../harness/test-app.ts';
import { GRAPH_VERSION, jpeg, type MetaHarness, progressStore, startMeta } from '../platforms/meta-harness.ts';

let meta: MetaHarness;
let t: TestApp;
let igUser: string;
let pageId: string;
let igAccountId: string;
let pageAccountId: string;
let igMedia: string;
let pagePost: string;

const comments = () => t.app.services.db.collection<CommentDoc>('comments');
const threadMessages = () => t.slack.messages.filter((m) => m.channel === COMMENTS_CHANNEL && m.thread_ts);
const shown = (m: SlackMessage) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
const messageFor = (text: string) => t.slack.waitFor(() => threadMessages().find((m) => m.text.includes(text)));
const graphCalls = () => meta.fake.facebook.calls.length + meta.fake.instagram.calls.length;

async function eventually<T>(probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  meta = await startMeta();
  igUser = meta.fake.seedInstagramAccount({ username: 'wone.shop' }).id;
  pageId = meta.fake.seedPage({ name: 'Wone Shop' }).id;
  const igToken = await instagramTokenByConsent(meta.fake, igUser);
  const pageToken = await pageTokenByConsent(meta.fake, pageId);
  forgetLoginCalls(meta.fake);
  const igAccess: AccountAccess = {
    platform: 'instagram',
    externalId: igUser,
    login: 'instagram',
    accessToken: igToken,
  };
  const pageAccess: AccountAccess = {
    platform: 'facebook',
    externalId: pageId,
    login: 'facebook',
    accessToken: pageToken,
  };
  const ig = await meta.instagram.publish(
    igAccess,
    { postType: 'instagram_feed', caption: 'Rain coat, fully taped seams', media: [jpeg('coat')] },
    progressStore().context(),
  );
  const fb = await meta.facebook.publish(
    pageAccess,
    { postType: 'facebook_text', caption: 'We open a new store on Saturday', media: [] },
    progressStore().context(),
  );
  if (ig.status !== 'published' || fb.status !== 'published') throw new Error('fixture posts not published');
  igMedia = ig.remoteId;
  pagePost = fb.remoteId;

  // Replying and hiding is for approvers and up here, so the editor shows the refusals.
  t = await startTestApp({
    META_APP_ID: meta.fake.appId,
    META_APP_SECRET: meta.fake.appSecret,
    META_WEBHOOK_VERIFY_TOKEN: META_VERIFY_TOKEN,
    META_GRAPH_URL: meta.fake.facebook.url,
    INSTAGRAM_GRAPH_URL: meta.fake.instagram.url,
    META_GRAPH_VERSION: GRAPH_VERSION,
    COMMENT_ROLE: 'approver',
  });
  const services = t.app.services;
  igAccountId = await connectAccount(services, {
    platform: 'instagram',
    login: 'instagram',
    externalId: igUser,
    name: '@wone.shop',
    accessToken: igToken,
  });
  pageAccountId = await connectAccount(services, {
    platform: 'facebook',
    externalId: pageId,
    name: 'Wone Shop',
    accessToken: pageToken,
  });
  await publishedTarget(services.db, { accountId: igAccountId, platform: 'instagram', remoteId: igMedia });
  await publishedTarget(services.db, { accountId: pageAccountId, platform: 'facebook', remoteId: pagePost });
});
afterAll(async () => {
  await t?.stop();
  await meta?.stop();
});

describe('intake by webhook and by poll', () => {
  it('posts a comment once when the webhook and the poll both see it, in either order', async () => {
    const viaWebhookFirst = meta.fake.seedComment({ itemId: igMedia, text: 'Is it waterproof?', author: 'rain.lover' });
    await deliverMetaWebhook(
      t.url,
      instagramCommentDelivery({
        igUserId: igUser,
        mediaId: igMedia,
        commentId: viaWebhookFirst,
        text: 'Is it waterproof?',
        from: { id: '17841400999001', username: 'rain.lover' },
      }),
      { secret: meta.fake.appSecret },
    );
    await messageFor('Is it waterproof?');
    await eventually(async () => (await comments().findOne({ commentId: viaWebhookFirst }))?.slackState === 'posted');

    const viaPollFirst = meta.fake.seedComment({ itemId: pagePost, text: 'Parking nearby?', author: 'Dana' });
    const reports = await t.app.services.comments.pollAll();
    expect(reports.map((r) => [r.accountId, r.reads]).sort()).toEqual(
      [
        [igAccountId, 1],
        [pageAccountId, 1],
      ].sort(),
    );
    await messageFor('Parking nearby?');
    await deliverMetaWebhook(
      t.url,
      {
        object: 'page',
        entry: [
          {
            id: pageId,
            time: Math.floor(Date.now() / 1000),
            changes: [
              {
                field: 'feed',
                value: {
                  from: { id: '5550002', name: 'Dana' },
                  post_id: pagePost,
                  comment_id: viaPollFirst,
                  parent_id: pagePost,
                  created_time: Math.floor(Date.now() / 1000),
                  item: 'comment',
                  verb: 'add',
                  message: 'Parking nearby?',
                },
              },
            ],
          },
        ],
      },
      { secret: meta.fake.appSecret },
    );
    // A later webhook comment is processed after the duplicate: once it shows, the duplicate has had its chance.
    const marker = meta.fake.seedComment({ itemId: igMedia, text: 'Marker one', author: 'm' });
    await deliverMetaWebhook(
      t.url,
      instagramCommentDelivery({ igUserId: igUser, mediaId: igMedia, commentId: marker, text: 'Marker one' }),
      { secret: meta.fake.appSecret },
    );
    await messageFor('Marker one');

    expect(threadMessages().filter((m) => m.text.includes('Is it waterproof?'))).toHaveLength(1);
    expect(threadMessages().filter((m) => m.text.includes('Parking nearby?'))).toHaveLength(1);
    expect(await comments().findOne({ commentId: viaWebhookFirst })).toMatchObject({ source: 'webhook' });
    expect(await comments().findOne({ commentId: viaPollFirst })).toMatchObject({ source: 'poll' });
  });

  it('makes one Graph call per account per cycle and brings only what is new', async () => {
    await t.app.services.comments.pollAll();
    const before = { ig: meta.fake.instagram.calls.length, fb: meta.fake.facebook.calls.length };
    const messagesBefore = threadMessages().length;
    meta.fake.advance(60_000);
    meta.fake.seedComment({ itemId: igMedia, text: 'Which sizes?', author: 'size.q' });
    meta.fake.seedComment({ itemId: pagePost, text: 'Is there a café?', author: 'Eli' });

    const reports = await t.app.services.comments.pollAll();
    expect(meta.fake.instagram.calls.length - before.ig).toBe(1);
    expect(meta.fake.facebook.calls.length - before.fb).toBe(0 + 1);
    expect(meta.fake.instagram.calls.at(-1)?.path).toBe(`/${GRAPH_VERSION}/${igUser}/media`);
    expect(meta.fake.facebook.calls.at(-1)?.path).toBe(`/${GRAPH_VERSION}/${pageId}/published_posts`);
    expect(reports.map((r) => r.received).sort()).toEqual([1, 1]);
    await messageFor('Which sizes?');
    await messageFor('Is there a café?');
    expect(threadMessages().length).toBe(messagesBefore + 2);

    const quiet = await t.app.services.comments.pollAll();
    expect(quiet.every((r) => r.reads === 1 && r.received === 0)).toBe(true);
    expect(threadMessages().length).toBe(messagesBefore + 2);
  });

  it('does not read comments of an Instagram story, which takes none', async () => {
    const story = await meta.instagram.publish(
      await t.app.services.accounts.access(igAccountId),
      { postType: 'instagram_story', caption: '', media: [jpeg('story', { height: 1920 })] },
      progressStore().context(),
    );
    if (story.status !== 'published') throw new Error('story not published');
    await publishedTarget(t.app.services.db, {
      accountId: igAccountId,
      platform: 'instagram',
      postType: 'instagram_story',
      remoteId: story.remoteId,
    });
    const before = meta.fake.instagram.calls.length;
    const reports = await t.app.services.comments.pollAll();
    expect(reports.find((r) => r.accountId === igAccountId)).toMatchObject({ reads: 1 });
    expect(meta.fake.instagram.calls.slice(before).map((call) => call.path)).toEqual([
      `/${GRAPH_VERSION}/${igUser}/media`,
    ]);
  });

  it('rests an account when the usage headers say it is close to the limit', async () => {
    meta.fake.setUsage('instagram', { app: { call_count: 91, total_time: 20, total_cputime: 10 } });
    try {
      await t.app.services.comments.pollAll();
      const state = await t.app.services.db.collection<CommentPollDoc>('comment_polls').findOne({ _id: igAccountId });
      expect(state?.pausedUntil?.getTime()).toBeGreaterThan(Date.now() + 3 * 5 * 60_000);
      const before = graphCalls();
      const reports = await t.app.services.comments.pollAll();
      expect(reports.find((r) => r.accountId === igAccountId)).toMatchObject({ reads: 0, skipped: 'paused' });
      expect(reports.find((r) => r.accountId === pageAccountId)).toMatchObject({ reads: 1 });
      expect(graphCalls() - before).toBe(1);
    } finally {
      meta.fake.setUsage('instagram', {});
      await t.app.services.db
        .collection<CommentPollDoc>('comment_polls')
        .updateOne({ _id: igAccountId }, { $unset: { pausedUntil: '' } });
    }
  });
});

describe('answering from Slack', () => {
  it('replies as the brand through the modal, shows it in the thread, and never pipes the reply back in', async () => {
    const question = meta.fake.seedComment({ itemId: igMedia, text: 'Does it run small?', author: 'fit.check' });
    await t.app.services.comments.pollAll();
    const message = await messageFor('Does it run small?');

    expect((await clickCommentButton(t, message, 'comment_reply', APPROVER)).status).toBe(200);
    const modal = await t.slack.waitFor(() =>
      t.slack.views.find((v) => v.view.private_metadata === `instagram:${question}`),
    );
    expect(JSON.stringify(modal.view)).toContain('Does it run small?');
    expect(JSON.stringify(modal.view)).toContain('fit.check');

    // A double click on Send: two submissions of the same modal.
    const submissions = await Promise.all([
      submitReplyModal(t, modal, APPROVER, 'It fits true to size.'),
      submitReplyModal(t, modal, APPROVER, 'It fits true to size.'),
    ]);
    expect(submissions.map((s) => s.status)).toEqual([200, 200]);
    const note = await t.slack.waitFor(() =>
      t.slack.messages.find((m) => m.thread_ts === message.thread_ts && m.text.includes('Replied by')),
    );
    expect(note.text).toContain(`<@${APPROVER}>`);
    expect(note.text).toContain('It fits true to size.');
    await t.slack.waitFor(() => shown(message).includes('replied by'));
    expect(shown(message)).toContain('Reply again');
    await t.slack.waitFor(() => JSON.stringify(modal.view).includes('Reply sent'));
    await t.slack.waitFor(() => t.logs().includes('repeated reply submission ignored'));

    const replies = meta.fake.commentsOn(igMedia).filter((c) => c.parentId === question);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toBe('It fits true to size.');
    expect(replies[0]?.fromId).toBe(igUser);

    const audit = await t.app.services.audit.recent(50);
    expect(
      audit.filter((entry) => entry.action === 'reply' && entry.subject === `comment:instagram:${question}`),
    ).toHaveLength(1);

    const messagesBefore = threadMessages().length;
    meta.fake.advance(60_000);
    await t.app.services.comments.pollAll();
    expect(threadMessages().length).toBe(messagesBefore);
    expect(threadMessages().some((m) => m.text.includes('It fits true to size.') && m.text.includes('commented'))).toBe(
      false,
    );
  });

  it('shows a platform refusal in the modal and keeps the typed reply', async () => {
    const question = meta.fake.seedComment({ itemId: igMedia, text: 'Ship to Norway?', author: 'nordic' });
    await t.app.services.comments.pollAll();
    const message = await messageFor('Ship to Norway?');
    await clickCommentButton(t, message, 'comment_reply', APPROVER);
    const modal = await t.slack.waitFor(() =>
      t.slack.views.find((v) => v.view.private_metadata === `instagram:${question}`),
    );
    meta.fake.instagram.inject((req) => req.method === 'POST' && req.path.endsWith(`/${question}/replies`), {
      status: 400,
      json: {
        error: {
          message: '(#100) Invalid parameter',
          type: 'OAuthException',
          code: 100,
          error_user_msg: 'This comment cannot be answered right now.',
          fbtrace_id: 'x',
        },
      },
    });
    await submitReplyModal(t, modal, APPROVER, 'Yes, we ship to Norway.');
    await t.slack.waitFor(() => JSON.stringify(modal.view).includes('cannot be answered right now'));
    expect(JSON.stringify(modal.view)).toContain('Yes, we ship to Norway.');
    expect(meta.fake.commentsOn(igMedia).filter((c) => c.parentId === question)).toHaveLength(0);
    expect(shown(message)).not.toContain('replied by');

    // The same modal can be sent again once the platform takes it.
    await submitReplyModal(t, modal, APPROVER, 'Yes, we ship to Norway.');
    await t.slack.waitFor(() => JSON.stringify(modal.view).includes('Reply sent'));
    expect(meta.fake.commentsOn(igMedia).filter((c) => c.parentId === question)).toHaveLength(1);
  });

  it('hides and unhides a Facebook comment through the API, shown in Slack and audited', async () => {
    const spam = meta.fake.seedComment({
      itemId: pagePost,
      text: 'Cheap followers at spam.example',
      author: 'Spammer',
    });
    await t.app.services.comments.pollAll();
    const message = await messageFor('Cheap followers');

    await clickCommentButton(t, message, 'comment_hide', APPROVER);
    await t.slack.waitFor(() => shown(message).includes('comment_unhide'));
    expect(meta.fake.comment(spam)?.hidden).toBe(true);
    expect(shown(message)).toContain(`hidden by <@${APPROVER}>`);

    await clickCommentButton(t, message, 'comment_unhide', APPROVER);
    await t.slack.waitFor(() => shown(message).includes('comment_hide"'));
    expect(meta.fake.comment(spam)?.hidden).toBe(false);
    const actions = (await t.app.services.audit.recent(50))
      .filter((entry) => entry.subject === `comment:facebook:${spam}`)
      .map((entry) => entry.action);
    expect(actions.sort()).toEqual(['hide', 'unhide']);
  });
});

describe('who may answer', () => {
  it('refuses an editor’s Reply and Hide on the server, tells them, audits it and changes nothing', async () => {
    const comment = meta.fake.seedComment({ itemId: igMedia, text: 'Discount code?', author: 'deal.hunter' });
    await t.app.services.comments.pollAll();
    const message = await messageFor('Discount code?');
    const viewsBefore = t.slack.views.length;

    await clickCommentButton(t, message, 'comment_reply', EDITOR);
    await t.slack.waitFor(() => t.slack.ephemerals.find((e) => e.user === EDITOR && e.text.includes('approvers')));
    expect(t.slack.views.length).toBe(viewsBefore);

    const ephemeralsBefore = t.slack.ephemerals.length;
    await clickCommentButton(t, message, 'comment_hide', EDITOR);
    await t.slack.waitFor(() => t.slack.ephemerals.length > ephemeralsBefore);
    expect(t.slack.ephemerals.at(-1)?.text).toContain('Only approvers can hide comments.');
    expect(meta.fake.comment(comment)?.hidden).toBe(false);

    // A submission crafted without the button (the modal of someone else) is refused too.
    const forged = {
      id: 'VFORGED1',
      view: { type: 'modal', callback_id: 'comment_reply', private_metadata: `instagram:${comment}` },
    };
    const answer = await submitReplyModal(t, forged, EDITOR, 'Use code FREE100');
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.json())).toContain('Only approvers can reply to comments.');
    expect(meta.fake.commentsOn(igMedia).filter((c) => c.parentId === comment)).toHaveLength(0);

    const denied = (await t.app.services.audit.recent(50)).filter(
      (entry) => entry.action === 'role_denied' && entry.actor === EDITOR,
    );
    expect(denied.length).toBeGreaterThanOrEqual(2);
    expect(shown(message)).not.toContain('hidden by');
  });
});
