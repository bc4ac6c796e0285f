import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockProblems } from '../../src/sandbox/block-kit-rules.ts';
import type { CommentDoc } from '../../src/services/comment-docs.ts';
import { connectAccount, publishedTarget } from '../harness/comment-fixtures.ts';
import {
  deliverMetaWebhook,
  instagramCommentDelivery,
  META_VERIFY_TOKEN,
  metaEnvironment,
  pageCommentDelivery,
} from '../harness/meta-webhook.ts';
import { COMMENTS_CHANNEL, startTestApp, type TestApp } from '../harness/test-app.ts';

const IG_USER = '17841400000000001';
const PAGE = '104000000000001';

let t: TestApp;
let igAccount: string;
let pageAccount: string;

const comments = () => t.app.services.db.collection<CommentDoc>('comments');
const threadMessages = () => t.slack.messages.filter((m) => m.channel === COMMENTS_CHANNEL && m.thread_ts);
const parents = () => t.slack.messages.filter((m) => m.channel === COMMENTS_CHANNEL && !m.thread_ts);
const messageText = (m: { text: string; blocks?: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;

/** Resolves once `probe` gives a value (the app answers the webhook before its work is done). */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  t = await startTestApp(metaEnvironment);
  igAccount = await connectAccount(t.app.services, { platform: 'instagram', externalId: IG_USER, name: '@wone.shop' });
  pageAccount = await connectAccount(t.app.services, { platform: 'facebook', externalId: PAGE, name: 'Wone Shop' });
  await publishedTarget(t.app.services.db, {
    accountId: igAccount,
    platform: 'instagram',
    remoteId: 'ig-media-1',
    caption: 'Autumn drop: 12 new colours',
    permalink: 'https://www.instagram.com/p/AUTUMN1/',
  });
  await publishedTarget(t.app.services.db, {
    accountId: pageAccount,
    platform: 'facebook',
    remoteId: `${PAGE}_900`,
    caption: 'Store opening on Saturday',
  });
});
afterAll(async () => t?.stop());

describe('Meta webhook verification (GET /webhooks/meta)', () => {
  it('echoes hub.challenge when the verify token matches', async () => {
    const query = new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.challenge': '1158201444',
      'hub.verify_token': META_VERIFY_TOKEN,
    });
    const response = await fetch(`${t.url}/webhooks/meta?${query}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('1158201444');
  });

  it('refuses a wrong token or mode with 403 and does not echo the challenge', async () => {
    for (const [mode, token] of [
      ['subscribe', 'not-the-token'],
      ['unsubscribe', META_VERIFY_TOKEN],
      ['subscribe', ''],
    ]) {
      const query = new URLSearchParams({
        'hub.mode': mode ?? '',
        'hub.challenge': '42',
        'hub.verify_token': token ?? '',
      });
      const response = await fetch(`${t.url}/webhooks/meta?${query}`);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain('42');
    }
  });
});

describe('Meta webhook deliveries (POST /webhooks/meta)', () => {
  it('posts a new Instagram comment into a thread under the post, end to end', async () => {
    const response = await deliverMetaWebhook(
      t.url,
      instagramCommentDelivery({
        igUserId: IG_USER,
        mediaId: 'ig-media-1',
        commentId: '17870000000000001',
        text: 'Love the green one! Ärmel länger? <@channel>',
      }),
    );
    expect(response.status).toBe(200);
    const message = await t.slack.waitFor(() => threadMessages().find((m) => m.text.includes('Love the green one')));
    const parent = parents().find((m) => m.ts === message.thread_ts);
    expect(parent && messageText(parent)).toContain('Autumn drop: 12 new colours');
    expect(parent && messageText(parent)).toContain('https://www.instagram.com/p/AUTUMN1/');
    const shown = messageText(message);
    expect(shown).toContain('happy.customer');
    expect(shown).toContain('Instagram');
    expect(shown).toContain('@wone.shop');
    expect(shown).toContain('Ärmel länger?');
    expect(shown).not.toContain('<@channel>');
    expect(shown).toContain('&lt;@\u200Bchannel&gt;');
    expect(shown).toContain('<!date^');
    const actions = JSON.stringify(message.blocks);
    for (const id of ['comment_reply', 'comment_hide', 'comment_open']) expect(actions).toContain(id);
    expect(blockProblems(message.blocks)).toEqual([]);
    const stored = await eventually(async () => {
      const doc = await comments().findOne({ platform: 'instagram', commentId: '17870000000000001' });
      return doc?.slackState === 'posted' ? doc : undefined;
    });
    expect(stored).toMatchObject({
      source: 'webhook',
      slackState: 'posted',
      slackTs: message.ts,
      targetId: expect.any(String),
    });
  });

  it('threads a second comment on the same post under the same parent', async () => {
    const parentsBefore = parents().length;
    await deliverMetaWebhook(
      t.url,
      instagramCommentDelivery({
        igUserId: IG_USER,
        mediaId: 'ig-media-1',
        commentId: '17870000000000002',
        text: 'When back in stock?',
      }),
    );
    const first = threadMessages().find((m) => m.text.includes('Love the green one'));
    const second = await t.slack.waitFor(() => threadMessages().find((m) => m.text.includes('When back in stock?')));
    expect(second.thread_ts).toBe(first?.thread_ts);
    expect(parents().length).toBe(parentsBefore);
  });

  it('posts a comment once even when Meta delivers it twice at the same moment', async () => {
    const delivery = instagramCommentDelivery({
      igUserId: IG_USER,
      mediaId: 'ig-media-1',
      commentId: '17870000000000003',
      text: 'Twice delivered',
    });
    const answers = await Promise.all([deliverMetaWebhook(t.url, delivery), deliverMetaWebhook(t.url, delivery)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await t.slack.waitFor(() => threadMessages().some((m) => m.text.includes('Twice delivered')));
    // Only the delivery whose insert won may post; the other's insert is refused by the unique index.
    expect(threadMessages().filter((m) => m.text.includes('Twice delivered'))).toHaveLength(1);
    expect(await comments().countDocuments({ commentId: '17870000000000003' })).toBe(1);
  });

  it('keeps a comment whose Slack message failed, and posts it on the next retry', async () => {
    t.slack.failNext('chat.postMessage', { error: 'fatal_error' });
    await deliverMetaWebhook(
      t.url,
      instagramCommentDelivery({
        igUserId: IG_USER,
        mediaId: 'ig-media-1',
        commentId: '17870000000000020',
        text: 'Slack hiccup',
      }),
    );
    const pending = await eventually(async () => {
      const doc = await comments().findOne({ commentId: '17870000000000020' });
      return doc?.slackState === 'pending' ? doc : undefined;
    });
    expect(pending.text).toBe('Slack hiccup');
    expect(threadMessages().some((m) => m.text.includes('Slack hiccup'))).toBe(false);
    expect(await t.app.services.comments.deliverPending()).toBe(1);
    expect(threadMessages().filter((m) => m.text.includes('Slack hiccup'))).toHaveLength(1);
    expect(await comments().findOne({ commentId: '17870000000000020' })).toMatchObject({ slackState: 'posted' });
  });

  it('refuses a forged, missing or wrong-secret signature with 401 and changes nothing', async () => {
    const delivery = instagramCommentDelivery({
      igUserId: IG_USER,
      mediaId: 'ig-media-1',
      commentId: '17870000000000099',
      text: 'Forged comment',
    });
    const messagesBefore = t.slack.messages.length;
    const cases = [
      { signature: `sha256=${'0'.repeat(64)}` },
      { signature: null },
      { signature: 'sha1=abcdef' },
      { secret: 'some-other-app-secret' },
    ];
    for (const options of cases) {
      const response = await deliverMetaWebhook(t.url, delivery, options);
      expect(response.status).toBe(401);
    }
    // The body changed after signing: the signature no longer matches.
    const signedFor = JSON.stringify(delivery);
    const tampered = await deliverMetaWebhook(t.url, delivery, {
      rawBody: signedFor.replace('Forged comment', 'Tampered comment'),
      signature: (await import('node:crypto'))
        .createHmac('sha256', metaEnvironment.META_APP_SECRET)
        .update(signedFor)
        .digest('hex')
        .replace(/^/, 'sha256='),
    });
    expect(tampered.status).toBe(401);
    expect(await comments().countDocuments({ commentId: '17870000000000099' })).toBe(0);
    expect(t.slack.messages.length).toBe(messagesBefore);
  });

  it('answers 400 to a signed body that is not a webhook delivery', async () => {
    expect((await deliverMetaWebhook(t.url, undefined, { rawBody: '{not json' })).status).toBe(400);
    expect((await deliverMetaWebhook(t.url, { object: 'page', entry: 'nope' })).status).toBe(400);
  });

  it('shows a Page comment, then its edit, then its removal on the same Slack message', async () => {
    const postId = `${PAGE}_900`;
    const commentId = '900_777';
    await deliverMetaWebhook(
      t.url,
      pageCommentDelivery({ pageId: PAGE, postId, commentId, verb: 'add', message: 'Opening hours?' }),
    );
    const message = await t.slack.waitFor(() => threadMessages().find((m) => m.text.includes('Opening hours?')));
    expect(messageText(message)).toContain('Fiona Fan');
    expect(messageText(message)).toContain('Facebook');

    await deliverMetaWebhook(
      t.url,
      pageCommentDelivery({ pageId: PAGE, postId, commentId, verb: 'edited', message: 'Opening hours on Saturday?' }),
    );
    await t.slack.waitFor(() => message.updates >= 1 && message.text.includes('Opening hours on Saturday?'));
    expect(messageText(message)).toContain('edited');

    await deliverMetaWebhook(t.url, pageCommentDelivery({ pageId: PAGE, postId, commentId, verb: 'remove' }));
    await t.slack.waitFor(() => message.updates >= 2 && messageText(message).includes('removed on the platform'));
    expect(messageText(message)).not.toContain('Opening hours');
    expect(JSON.stringify(message.blocks)).not.toContain('comment_reply');
    const stored = await comments().findOne({ platform: 'facebook', commentId });
    expect(stored).toMatchObject({ removed: true, text: '', slackState: 'posted' });
    expect(threadMessages().filter((m) => m.ts === message.ts)).toHaveLength(1);
  });

  it('does not pipe the account’s own comments, or comments on posts not made here, into Slack', async () => {
    await deliverMetaWebhook(
      t.url,
      pageCommentDelivery({
        pageId: PAGE,
        postId: `${PAGE}_900`,
        commentId: '900_778',
        verb: 'add',
        message: 'Thanks, we open at 9!',
        from: { id: PAGE, name: 'Wone Shop' },
      }),
    );
    await deliverMetaWebhook(
      t.url,
      instagramCommentDelivery({
        igUserId: IG_USER,
        mediaId: 'ig-media-1',
        commentId: '17870000000000010',
        text: 'Our own answer',
        from: { id: '17841455555', username: 'wone.shop' },
      }),
    );
    await deliverMetaWebhook(
      t.url,
      instagramCommentDelivery({
        igUserId: IG_USER,
        mediaId: 'ig-media-elsewhere',
        commentId: '17870000000000011',
        text: 'Old post',
      }),
    );
    await deliverMetaWebhook(
      t.url,
      instagramCommentDelivery({
        igUserId: IG_USER,
        mediaId: 'ig-media-1',
        commentId: '17870000000000012',
        text: 'Marker',
      }),
    );
    await t.slack.waitFor(() => threadMessages().some((m) => m.text.includes('Marker')));
    for (const text of ['Thanks, we open at 9!', 'Our own answer', 'Old post']) {
      expect(threadMessages().some((m) => m.text.includes(text))).toBe(false);
    }
    expect(
      await comments().countDocuments({ commentId: { $in: ['900_778', '17870000000000010', '17870000000000011'] } }),
    ).toBe(0);
  });
});
