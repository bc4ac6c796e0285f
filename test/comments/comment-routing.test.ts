import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountAccess } from '../../src/platforms/types.ts';
import type { SlackMessage } from '../../src/sandbox/fake-slack.ts';
import type { CommentDoc } from '../../src/services/comment-docs.ts';
import type { ReplyDraftDoc } from '../../src/services/reply-drafts.ts';
import { connectAccount, publishedTarget } from '../harness/comment-fixtures.ts';
import { clickCommentButton, submitReplyModal } from '../harness/comment-interactions.ts';
import { answerInThread } from '../harness/expert-channel.ts';
import { forgetLoginCalls, instagramTokenByConsent, pageTokenByConsent } from '../harness/meta-consent.ts';
import { META_VERIFY_TOKEN } from '../harness/meta-webhook.ts';
import { ADMIN, APPROVER, COMMENTS_CHANNEL, EDITOR, startTestApp, type TestApp } from '../harness/test-app.ts';
import { GRAPH_VERSION, jpeg, type MetaHarness, progressStore, startMeta } from '../platforms/meta-harness.ts';

const BILLING = 'C0BILLING';
const SHIPPING = 'C0SHIPPING';
const EXPERT = 'UBILLING1';

let meta: MetaHarness;
let t: TestApp;
let igMedia: string;
let pagePost: string;

const comments = () => t.app.services.db.collection<CommentDoc>('comments');
const drafts = () => t.app.services.db.collection<ReplyDraftDoc>('reply_drafts');
const shown = (m: SlackMessage | undefined) => `${m?.text}\n${JSON.stringify(m?.blocks ?? [])}`;
const inChannel = (channel: string) => t.slack.messages.filter((m) => m.channel === channel);
const commentMessage = (text: string) =>
  t.slack.waitFor(() => inChannel(COMMENTS_CHANNEL).find((m) => m.thread_ts && m.text.includes(text)));
const repliesOn = (item: string, parent: string) => meta.fake.commentsOn(item).filter((c) => c.parentId === parent);

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
  const igUser = meta.fake.seedInstagramAccount({ username: 'wone.shop' }).id;
  const pageId = meta.fake.seedPage({ name: 'Wone Shop' }).id;
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
    { postType: 'facebook_text', caption: 'Winter sale starts today', media: [] },
    progressStore().context(),
  );
  if (ig.status !== 'published' || fb.status !== 'published') throw new Error('fixture posts not published');
  igMedia = ig.remoteId;
  pagePost = fb.remoteId;

  t = await startTestApp({
    META_APP_ID: meta.fake.appId,
    META_APP_SECRET: meta.fake.appSecret,
    META_WEBHOOK_VERIFY_TOKEN: META_VERIFY_TOKEN,
    META_GRAPH_URL: meta.fake.facebook.url,
    INSTAGRAM_GRAPH_URL: meta.fake.instagram.url,
    META_GRAPH_VERSION: GRAPH_VERSION,
    COMMENT_ROUTES: `refund,billing,invoice=${BILLING};shipping,delivery=${SHIPPING}`,
    COMMENT_RULES: 'hide:links',
    REPLY_APPROVAL: 'flagged',
    REPLY_APPROVAL_KEYWORDS: 'lawyer,lawsuit',
  });
  t.slack.addUser({ id: EXPERT, name: 'bill', tz: 'Europe/Berlin' });
  t.slack.inviteBot(BILLING);
  const services = t.app.services;
  const igAccountId = await connectAccount(services, {
    platform: 'instagram',
    login: 'instagram',
    externalId: igUser,
    name: '@wone.shop',
    accessToken: igToken,
  });
  const pageAccountId = await connectAccount(services, {
    platform: 'facebook',
    externalId: pageId,
    name: 'Wone Shop',
    accessToken: pageToken,
  });
  await publishedTarget(services.db, {
    accountId: igAccountId,
    platform: 'instagram',
    remoteId: igMedia,
    caption: 'Rain coat, fully taped seams',
  });
  await publishedTarget(services.db, { accountId: pageAccountId, platform: 'facebook', remoteId: pagePost });
});
afterAll(async () => {
  await t?.stop();
  await meta?.stop();
});

describe('routing to expert channels', () => {
  it('brings a billing answer back as a proposed reply and sends exactly that text once', async () => {
    const question = meta.fake.seedComment({
      itemId: igMedia,
      text: 'How do I get a Refund? <!channel>',
      author: 'buyer.b',
    });
    await t.app.services.comments.pollAll();
    const inComments = await commentMessage('How do I get a Refund?');

    const routed = await t.slack.waitFor(() => inChannel(BILLING).find((m) => m.text.includes('Refund')));
    expect(routed.thread_ts).toBeUndefined();
    expect(shown(routed)).toContain('Rain coat, fully taped seams');
    expect(shown(routed)).toContain(
      `https://wone.slack.com/archives/${COMMENTS_CHANNEL}/p${inComments.ts.replace('.', '')}`,
    );
    expect(shown(routed)).toContain('&lt;!channel&gt;');
    expect(shown(routed)).not.toContain('<!channel>');
    expect(inChannel(SHIPPING)).toHaveLength(0);

    // Slack sends the expert's text as mrkdwn, its entities escaped.
    const { status } = await answerInThread(
      t,
      EXPERT,
      BILLING,
      routed.ts,
      'Refunds take 3 &amp; 5 days, see <https://wone.example/refunds>',
    );
    expect(status).toBe(200);
    const expected = 'Refunds take 3 & 5 days, see https://wone.example/refunds';
    const proposal = await t.slack.waitFor(() =>
      inChannel(COMMENTS_CHANNEL).find(
        (m) => m.thread_ts === inComments.thread_ts && m.text.startsWith('Proposed reply'),
      ),
    );
    expect(shown(proposal)).toContain(`<@${EXPERT}> answered in <#${BILLING}>`);
    expect(shown(proposal)).toContain('Refunds take 3 &amp; 5 days, see https://wone.example/refunds');
    expect(shown(proposal)).toContain('Send as reply');
    expect(shown(proposal)).toContain('Edit first');
    expect(repliesOn(igMedia, question)).toHaveLength(0);
    const expertThread = () => inChannel(BILLING).filter((m) => m.thread_ts === routed.ts && !m.user);
    await t.slack.waitFor(() => expertThread().length > 0);
    expect(expertThread().map((m) => m.text)).toEqual([
      `:speech_balloon: Thanks <@${EXPERT}>: your answer is offered to the social team as the reply.`,
    ]);

    // A double click on "Send as reply".
    const clicks = await Promise.all([
      clickCommentButton(t, proposal, 'reply_draft_send', EDITOR),
      clickCommentButton(t, proposal, 'reply_draft_send', EDITOR),
    ]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200]);
    await t.slack.waitFor(() => shown(proposal).includes('Sent as reply'));
    await t.slack.waitFor(() => shown(inComments).includes('replied by'));
    const replies = repliesOn(igMedia, question);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toBe(expected);
    expect(shown(proposal)).not.toContain('reply_draft_send');
    const stored = await comments().findOne({ commentId: question });
    expect(stored?.replies.map((r) => r.text)).toEqual([expected]);
    await t.slack.waitFor(() => expertThread().length === 2);
    expect(expertThread()[1]?.text).toBe(
      `:white_check_mark: Your answer was sent as the reply on Instagram by <@${EDITOR}>.`,
    );
    // First-response time: from the comment's platform time to our reply.
    expect(stored?.firstResponseMs).toBe((stored?.replies[0]?.at.getTime() ?? 0) - (stored?.createdAt.getTime() ?? 0));
  });

  it('ignores answers in threads of messages that are not routed comments, and bot or edited messages', async () => {
    const before = await drafts().countDocuments();
    const other = t.slack.postAsPerson(EXPERT, BILLING, 'Team lunch on Friday?').message;
    await answerInThread(t, EXPERT, BILLING, other.ts, 'Yes please');
    await t.signer.event({
      token: 'x',
      team_id: 'T0WONE',
      api_app_id: 'A0WONE',
      type: 'event_callback',
      event_id: 'EvEDIT1',
      event_time: 1,
      event: { type: 'message', subtype: 'message_changed', channel: BILLING, ts: '1.2', thread_ts: other.ts },
    });
    // A later, routed answer is processed after these; once it shows, the others had their chance.
    meta.fake.seedComment({ itemId: igMedia, text: 'Where is my invoice?', author: 'acct' });
    await t.app.services.comments.pollAll();
    const routed = await t.slack.waitFor(() => inChannel(BILLING).find((m) => m.text.includes('invoice')));
    await answerInThread(t, EXPERT, BILLING, routed.ts, 'In your account page');
    await t.slack.waitFor(() => inChannel(COMMENTS_CHANNEL).find((m) => m.text.includes('In your account page')));
    expect(await drafts().countDocuments()).toBe(before + 1);
  });
});

describe('when Slack fails', () => {
  it('routes a comment whose expert-channel message failed on the next cycle, once', async () => {
    t.slack.http.inject(
      (req) => {
        const body = req.body as { channel?: string; text?: string };
        return (
          req.path === '/api/chat.postMessage' &&
          body.channel === BILLING &&
          String(body.text).includes('Invoice address wrong')
        );
      },
      { status: 200, json: { ok: false, error: 'internal_error' } },
    );
    meta.fake.seedComment({ itemId: igMedia, text: 'Invoice address wrong', author: 'firm' });
    await t.app.services.comments.pollAll();
    await commentMessage('Invoice address wrong');
    expect(inChannel(BILLING).some((m) => m.text.includes('Invoice address wrong'))).toBe(false);

    expect(
      await Promise.all([t.app.services.commentRouting.retryFailed(), t.app.services.commentRouting.retryFailed()]),
    ).toEqual(expect.arrayContaining([1, 0]));
    expect(inChannel(BILLING).filter((m) => m.text.includes('Invoice address wrong'))).toHaveLength(1);
    expect(await t.app.services.commentRouting.retryFailed()).toBe(0);
  });
});

describe('editing a proposed reply', () => {
  it('Edit first opens the answer in the reply modal; the edited text is sent and the proposal can no longer be', async () => {
    const question = meta.fake.seedComment({ itemId: igMedia, text: 'Refund for a gift?', author: 'giver' });
    await t.app.services.comments.pollAll();
    const inComments = await commentMessage('Refund for a gift?');
    const routed = await t.slack.waitFor(() => inChannel(BILLING).find((m) => m.text.includes('Refund for a gift?')));
    await answerInThread(t, EXPERT, BILLING, routed.ts, 'Yes, with the gift receipt');
    const proposal = await t.slack.waitFor(() =>
      inChannel(COMMENTS_CHANNEL).find(
        (m) => m.thread_ts === inComments.thread_ts && m.text.includes('Yes, with the gift receipt'),
      ),
    );

    const buttonsBefore = structuredClone(proposal.blocks);
    await clickCommentButton(t, proposal, 'reply_draft_edit', EDITOR);
    const modal = await t.slack.waitFor(() =>
      t.slack.views.find((v) => String(v.view.private_metadata).startsWith(`instagram:${question} `)),
    );
    expect(JSON.stringify(modal.view)).toContain('Yes, with the gift receipt');
    await submitReplyModal(t, modal, EDITOR, 'Yes, with the gift receipt, within 30 days.');
    await t.slack.waitFor(() => JSON.stringify(modal.view).includes('Reply sent'));
    expect(repliesOn(igMedia, question).map((r) => r.text)).toEqual(['Yes, with the gift receipt, within 30 days.']);
    await t.slack.waitFor(() => shown(proposal).includes('Reply edited'));

    // The original proposal's button, clicked late, sends nothing.
    const ephemerals = t.slack.ephemerals.length;
    await clickCommentButton(t, { ...proposal, blocks: buttonsBefore }, 'reply_draft_send', EDITOR);
    await t.slack.waitFor(() => t.slack.ephemerals.length > ephemerals);
    expect(t.slack.ephemerals.at(-1)?.text).toContain('already sent, approved, rejected or edited');
    expect(repliesOn(igMedia, question)).toHaveLength(1);
  });
});

describe('reply approval', () => {
  it('holds a flagged reply, refuses its writer’s approval, and sends it once on another approver’s', async () => {
    const question = meta.fake.seedComment({ itemId: igMedia, text: 'My lawyer will call you', author: 'angry.one' });
    await t.app.services.comments.pollAll();
    const message = await commentMessage('My lawyer will call you');

    await clickCommentButton(t, message, 'comment_reply', APPROVER);
    const modal = await t.slack.waitFor(() =>
      t.slack.views.find((v) => v.view.private_metadata === `instagram:${question}`),
    );
    await submitReplyModal(t, modal, APPROVER, 'We are sorry. Please write to care@wone.example.');
    await t.slack.waitFor(() => JSON.stringify(modal.view).includes('waits for an approver'));
    const waiting = await t.slack.waitFor(() =>
      inChannel(COMMENTS_CHANNEL).find((m) => m.thread_ts === message.thread_ts && m.text.startsWith('Reply waiting')),
    );
    expect(shown(waiting)).toContain('“lawyer”');
    expect(repliesOn(igMedia, question)).toHaveLength(0);

    const ephemerals = t.slack.ephemerals.length;
    await clickCommentButton(t, waiting, 'reply_draft_approve', APPROVER);
    await t.slack.waitFor(() => t.slack.ephemerals.length > ephemerals);
    expect(t.slack.ephemerals.at(-1)?.text).toContain('another approver must approve it');
    await clickCommentButton(t, waiting, 'reply_draft_approve', EDITOR);
    await t.slack.waitFor(() => t.slack.ephemerals.length > ephemerals + 1);
    expect(t.slack.ephemerals.at(-1)?.text).toContain('Only approvers');
    expect(repliesOn(igMedia, question)).toHaveLength(0);
    expect(shown(waiting)).toContain('reply_draft_approve');

    await Promise.all([
      clickCommentButton(t, waiting, 'reply_draft_approve', ADMIN),
      clickCommentButton(t, waiting, 'reply_draft_approve', ADMIN),
    ]);
    await t.slack.waitFor(() => shown(waiting).includes('Sent as reply'));
    expect(shown(waiting)).toContain(`approved by <@${ADMIN}>`);
    const replies = repliesOn(igMedia, question);
    expect(replies.map((r) => r.text)).toEqual(['We are sorry. Please write to care@wone.example.']);
    // The approval is audited once the reply is out.
    const audit = await eventually(async () => {
      const entries = await t.app.services.audit.recent(100);
      return entries.some((e) => e.action === 'reply_approved') && entries;
    });
    expect(audit.filter((e) => e.action === 'reply_approved' && e.actor === ADMIN)).toHaveLength(1);
    expect(audit.some((e) => e.action === 'own_reply_approval_refused' && e.actor === APPROVER)).toBe(true);
  });

  it('an approver can reject a waiting reply, which is then never sent', async () => {
    const question = meta.fake.seedComment({ itemId: igMedia, text: 'Expect a lawsuit', author: 'cross' });
    await t.app.services.comments.pollAll();
    const message = await commentMessage('Expect a lawsuit');
    await clickCommentButton(t, message, 'comment_reply', EDITOR);
    const modal = await t.slack.waitFor(() =>
      t.slack.views.find((v) => v.view.private_metadata === `instagram:${question}`),
    );
    await submitReplyModal(t, modal, EDITOR, 'See you in court');
    const waiting = await t.slack.waitFor(() =>
      inChannel(COMMENTS_CHANNEL).find((m) => m.thread_ts === message.thread_ts && m.text.includes('See you in court')),
    );
    const buttonsBefore = structuredClone(waiting.blocks);
    await clickCommentButton(t, waiting, 'reply_draft_reject', APPROVER);
    await t.slack.waitFor(() => shown(waiting).includes('Reply rejected'));
    expect(shown(waiting)).toContain(`by <@${APPROVER}>`);
    const ephemerals = t.slack.ephemerals.length;
    await clickCommentButton(t, { ...waiting, blocks: buttonsBefore }, 'reply_draft_approve', ADMIN);
    await t.slack.waitFor(() => t.slack.ephemerals.length > ephemerals);
    expect(t.slack.ephemerals.at(-1)?.text).toContain('already sent, approved, rejected or edited');
    expect(repliesOn(igMedia, question)).toHaveLength(0);
  });

  it('sends an unflagged reply at once', async () => {
    const question = meta.fake.seedComment({ itemId: igMedia, text: 'Nice colours', author: 'fan' });
    await t.app.services.comments.pollAll();
    const message = await commentMessage('Nice colours');
    await clickCommentButton(t, message, 'comment_reply', EDITOR);
    const modal = await t.slack.waitFor(() =>
      t.slack.views.find((v) => v.view.private_metadata === `instagram:${question}`),
    );
    await submitReplyModal(t, modal, EDITOR, 'Thank you!');
    await t.slack.waitFor(() => JSON.stringify(modal.view).includes('Reply sent'));
    expect(repliesOn(igMedia, question).map((r) => r.text)).toEqual(['Thank you!']);
  });
});

describe('rules', () => {
  it('hides a comment with a link on the platform, shows it so in Slack, audits it, and Unhide works', async () => {
    const spam = meta.fake.seedComment({
      itemId: pagePost,
      text: 'Free followers at https://spam.example/x',
      author: 'Spammer',
    });
    await t.app.services.comments.pollAll();
    const message = await commentMessage('Free followers');
    expect(meta.fake.comment(spam)?.hidden).toBe(true);
    expect(shown(message)).toContain('hidden automatically by rule “hide:links”');
    expect(shown(message)).toContain('comment_unhide');
    const audit = await t.app.services.audit.recent(100);
    expect(audit.filter((e) => e.action === 'auto_hide' && e.subject === `comment:facebook:${spam}`)).toEqual([
      expect.objectContaining({ actor: 'rule', details: expect.objectContaining({ rule: 'hide:links' }) }),
    ]);

    await clickCommentButton(t, message, 'comment_unhide', EDITOR);
    await t.slack.waitFor(() => shown(message).includes('comment_hide"'));
    expect(meta.fake.comment(spam)?.hidden).toBe(false);
    expect(shown(message)).not.toContain('hidden automatically');
  });
});

describe('ownership', () => {
  it('Assign to me and Done change what App Home lists', async () => {
    meta.fake.seedComment({ itemId: igMedia, text: 'Which size for 180 cm?', author: 'tall.one' });
    await t.app.services.comments.pollAll();
    const message = await commentMessage('Which size for 180 cm?');
    const openHome = () =>
      t.signer.event({
        token: 'x',
        team_id: 'T0WONE',
        api_app_id: 'A0WONE',
        type: 'event_callback',
        event_id: `Ev${Date.now()}`,
        event_time: 1,
        event: { type: 'app_home_opened', user: EDITOR, channel: 'D1', tab: 'home' },
      });
    const section = (title: string) => {
      const blocks = (t.slack.published.get(EDITOR)?.blocks ?? []) as { type: string; text?: { text: string } }[];
      const at = blocks.findIndex((b) => b.type === 'header' && b.text?.text === title);
      return at < 0 ? '' : (blocks[at + 1]?.text?.text ?? '');
    };

    const publishes = t.slack.callsOf('views.publish').length;
    await openHome();
    await t.slack.waitFor(() => t.slack.callsOf('views.publish').length > publishes);
    expect(section('Comments assigned to you')).not.toContain('Which size for 180 cm?');
    expect(section('Unanswered comments')).toContain('Which size for 180 cm?');

    await clickCommentButton(t, message, 'comment_assign', EDITOR);
    await t.slack.waitFor(() => section('Comments assigned to you').includes('Which size for 180 cm?'));
    expect(shown(message)).toContain(`assigned to <@${EDITOR}>`);

    await clickCommentButton(t, message, 'comment_done', EDITOR);
    await t.slack.waitFor(() => !section('Comments assigned to you').includes('Which size for 180 cm?'));
    expect(section('Unanswered comments')).not.toContain('Which size for 180 cm?');
    expect(shown(message)).toContain(`done by <@${EDITOR}>`);
    expect(shown(message)).not.toContain('comment_done');
  });
});
