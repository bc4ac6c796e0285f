import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TikTokFake } from '../../src/sandbox/tiktok-fake.ts';
import type { CommentPollDoc } from '../../src/services/comment-docs.ts';
import { commentIntakeNote } from '../../src/services/comments.ts';
import { connectAccount, publishedTarget } from '../harness/comment-fixtures.ts';
import { clickCommentButton, submitReplyModal } from '../harness/comment-interactions.ts';
import { APPROVER, COMMENTS_CHANNEL, startTestApp, type TestApp } from '../harness/test-app.ts';
import { attachBusinessByConsent, tiktokBusinessEnvironment } from '../harness/tiktok-business.ts';

let fake: TikTokFake;
let t: TestApp;
let businessAccount: string;
let creatorAccount: string;

const threadMessages = () => t.slack.messages.filter((m) => m.channel === COMMENTS_CHANNEL && m.thread_ts);
const commentListCalls = () => fake.server.callsTo('GET', '/open_api/v1.3/business/comment/list/');

beforeAll(async () => {
  fake = new TikTokFake();
  await fake.start();
  fake.seedAccount({ openId: 'open-biz', username: 'wone.tiktok', accountType: 'business' });
  fake.seedAccount({ openId: 'open-creator', username: 'wone.creator' });
  for (const video of ['v-new-1', 'v-new-2', 'v-old']) fake.seedVideo('open-biz', video);
  fake.seedVideo('open-creator', 'v-creator');
  t = await startTestApp(tiktokBusinessEnvironment(fake));
  const services = t.app.services;
  businessAccount = await connectAccount(services, {
    platform: 'tiktok',
    externalId: 'open-biz',
    name: '@wone.tiktok',
    accessToken: fake.issueTokens('open-biz').accessToken,
  });
  await attachBusinessByConsent(services, fake, businessAccount, 'open-biz');
  creatorAccount = await connectAccount(services, {
    platform: 'tiktok',
    externalId: 'open-creator',
    name: '@wone.creator',
    accessToken: fake.issueTokens('open-creator').accessToken,
  });
  const db = services.db;
  await publishedTarget(db, { accountId: businessAccount, platform: 'tiktok', remoteId: 'v-new-1' });
  await publishedTarget(db, { accountId: businessAccount, platform: 'tiktok', remoteId: 'v-new-2' });
  await publishedTarget(db, {
    accountId: businessAccount,
    platform: 'tiktok',
    remoteId: 'v-old',
    publishedAt: new Date(Date.now() - 20 * 86_400_000),
  });
  await publishedTarget(db, { accountId: creatorAccount, platform: 'tiktok', remoteId: 'v-creator' });
});
afterAll(async () => {
  await t?.stop();
  await fake?.stop();
});

describe('TikTok comments', () => {
  it('reads recent videos through the API for Business (one call per video: it has no multi-video read)', async () => {
    fake.seedComment('v-new-1', { text: 'What song is this?', username: 'music.fan' });
    fake.seedComment('v-new-2', { text: 'Need this jacket', username: 'style.fan' });
    fake.seedComment('v-old', { text: 'Old video comment', username: 'late.fan' });
    fake.seedComment('v-creator', { text: 'Creator account comment', username: 'someone' });

    const before = commentListCalls().length;
    const reports = await t.app.services.comments.pollAll();
    const calls = commentListCalls().slice(before);
    expect(calls.map((call) => call.query.video_id).sort()).toEqual(['v-new-1', 'v-new-2']);
    expect(reports.find((r) => r.accountId === businessAccount)).toMatchObject({ reads: 1, received: 2, posted: 2 });
    expect(reports.find((r) => r.accountId === creatorAccount)).toMatchObject({ reads: 0, skipped: 'no_business_api' });

    const song = await t.slack.waitFor(() => threadMessages().find((m) => m.text.includes('What song is this?')));
    const shown = JSON.stringify(song.blocks);
    expect(shown).toContain('TikTok');
    expect(shown).toContain('music.fan');
    expect(shown).toContain('comment_reply');
    expect(shown).not.toContain('comment_hide');
    expect(threadMessages().some((m) => m.text.includes('Old video comment'))).toBe(false);
    expect(threadMessages().some((m) => m.text.includes('Creator account comment'))).toBe(false);
  });

  it('says clearly why a TikTok account without the API for Business has no comments', async () => {
    const state = await t.app.services.db.collection<CommentPollDoc>('comment_polls').findOne({ _id: creatorAccount });
    expect(state?.note).toMatch(/TikTok API for Business/);
    const account = await t.app.services.accounts.get(creatorAccount);
    expect(account && commentIntakeNote(account)).toMatch(/not collected/);
    const business = await t.app.services.accounts.get(businessAccount);
    expect(business && commentIntakeNote(business)).toBeUndefined();
  });

  it('answers a TikTok comment from Slack, refusing a reply over 150 characters in the modal', async () => {
    const message = await t.slack.waitFor(() => threadMessages().find((m) => m.text.includes('Need this jacket')));
    await clickCommentButton(t, message, 'comment_reply', APPROVER);
    const key = JSON.parse(JSON.stringify(message.blocks)).at(-1).elements[0].value as string;
    const modal = await t.slack.waitFor(() => t.slack.views.find((v) => v.view.private_metadata === key));

    const tooLong = await submitReplyModal(t, modal, APPROVER, 'x'.repeat(151));
    expect(tooLong.json()).toMatchObject({
      response_action: 'errors',
      errors: { reply: expect.stringMatching(/150/) },
    });

    await submitReplyModal(t, modal, APPROVER, 'It is in our shop now!');
    await t.slack.waitFor(() => JSON.stringify(modal.view).includes('Reply sent'));
    const replies = fake.commentsOn('v-new-2').filter((c) => c.parent_comment_id);
    expect(replies.map((c) => [c.text, c.owner])).toEqual([['It is in our shop now!', true]]);

    const before = threadMessages().length;
    await t.app.services.comments.pollAll();
    expect(threadMessages().length).toBe(before);
  });
});
