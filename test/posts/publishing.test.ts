import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphError } from '../../src/sandbox/graph-fake.ts';
import type { DraftContent } from '../../src/services/posts.ts';
import { approvalActions } from '../../views/approval-message.ts';
import { pageTokenByConsent } from '../harness/meta-consent.ts';
import { ADMIN, APPROVER, EDITOR } from '../harness/test-app.ts';
import { jpegBytes, mp4Bytes } from './media-fixtures.ts';
import {
  buttonsOf,
  click,
  draftWith,
  FB,
  IG,
  IG_ID,
  PAGE_ID,
  type PostApp,
  previewOf,
  startPostApp,
  TIKTOK_OPEN_ID,
  TT,
  threadOf,
  tiktokUntouched,
  until,
} from './post-harness.ts';

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp();
});
afterAll(async () => t?.stop());

/** Drafts, prepares and approves a post "as soon as approved", then waits until publishing has finished. */
async function publish(draft: Partial<DraftContent>, files: { name: string; type: string; bytes: Uint8Array }[] = []) {
  const refs = files.map((file, i) => {
    const slack = t.slack.addFile(`F${Date.now()}${i}`, file.name, file.type, file.bytes);
    return { id: slack.id, name: slack.name, mimetype: slack.mimetype, size: slack.size, url: slack.url_private };
  });
  const id = await t.app.services.drafts.save({
    draft: draftWith(draft),
    files: refs,
    timezone: 'Europe/Berlin',
    by: EDITOR,
  });
  const pending = await t.app.services.drafts.prepare(id);
  if (pending?.state !== 'pending_approval') throw new Error(`not pending: ${pending?.state}`);
  await t.app.services.approvals.approve(id, pending.revision, APPROVER);
  return until(async () => {
    const post = await t.app.services.posts.get(id);
    return post && ['published', 'needs_attention'].includes(post.state) ? post : undefined;
  }, 30_000);
}

describe('publishing outcomes', () => {
  it('uploads a TikTok video from storage in chunks, with the audience chosen and interactions off', async () => {
    const video = mp4Bytes(1080, 1920, 12, 200_000);
    const creatorReads = () => t.tiktok.server.callsTo('POST', '/v2/post/publish/creator_info/query/').length;
    const readsBefore = creatorReads();
    const post = await publish(
      {
        accountIds: [TT],
        postTypes: { tiktok: 'tiktok_video' },
        caption: 'Behind the scenes',
        tiktok: { ...tiktokUntouched, privacy: { [TT]: 'MUTUAL_FOLLOW_FRIENDS' } },
      },
      [{ name: 'bts.mp4', type: 'video/mp4', bytes: video }],
    );
    expect(post.state).toBe('published');
    const posts = t.tiktok.postsOf(TIKTOK_OPEN_ID);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ kind: 'video', privacyLevel: 'MUTUAL_FOLLOW_FRIENDS', source: 'FILE_UPLOAD' });
    expect(posts[0]?.sha256).toBe(createHash('sha256').update(video).digest('hex'));
    // What the creator allows is read once to check the draft, and once just before the post is started.
    expect(creatorReads() - readsBefore).toBe(2);
  });

  it('fails a target with the platform’s words, offers Retry to approvers only, and a retry publishes once', async () => {
    // Instagram refuses the container with a permanent error (an image it cannot use).
    t.graph.instagram.inject(
      (req) => req.method === 'POST' && req.path.endsWith(`/${IG_ID}/media`),
      graphError(36001, 'Invalid image format', { subcode: 2207005, userMsg: 'The image format is not supported.' }),
      { times: 1 },
    );
    const post = await publish(
      {
        accountIds: [IG, FB],
        postTypes: { instagram: 'instagram_feed', facebook: 'facebook_photo' },
        caption: 'Retry me',
      },
      [{ name: 'p.jpg', type: 'image/jpeg', bytes: jpegBytes(1080, 1080) }],
    );
    expect(post.state).toBe('needs_attention');
    const targets = await t.app.services.targets.ofPost(post._id);
    const ig = targets.find((target) => target.platform === 'instagram');
    expect(ig?.state).toBe('failed');
    expect(ig?.error).toBe('The image format is not supported.');
    expect(targets.find((target) => target.platform === 'facebook')?.state).toBe('published');
    const ts = post.approvalMessage?.ts ?? '';
    await until(async () => threadOf(t, ts).some((text) => text.startsWith(':x: Failed on Instagram')));
    const preview = await until(async () =>
      buttonsOf(previewOf(t, ts)).some((b) => b.action_id === approvalActions.retry) ? previewOf(t, ts) : undefined,
    );
    const retry = buttonsOf(preview).find((b) => b.action_id === approvalActions.retry);
    expect(retry?.value).toBe(ig?._id);

    const before = t.slack.responses.length;
    await click(t, EDITOR, approvalActions.retry, retry?.value ?? '', preview);
    await t.slack.waitFor(() =>
      t.slack.responses.slice(before).find((r) => String(r.body.text).includes('Only approvers')),
    );
    expect((await t.app.services.targets.get(ig?._id ?? ''))?.state).toBe('failed');

    const publishedBefore = t.graph.published(IG_ID).length;
    await click(t, ADMIN, approvalActions.retry, retry?.value ?? '', preview);
    await until(async () => (await t.app.services.posts.get(post._id))?.state === 'published');
    expect(t.graph.published(IG_ID)).toHaveLength(publishedBefore + 1);
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'Retry me')).toHaveLength(1);
  });

  it('holds the targets of an account whose login stopped working and tells the admins', async () => {
    const token = await pageTokenByConsent(t.graph, PAGE_ID);
    const account = await t.app.services.accounts.get(FB);
    if (!account) throw new Error('no account');
    await t.app.services.accounts.save({ ...account, accessToken: token });
    t.graph.setTokenStatus(token, 'expired');

    const post = await publish({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption: 'Held' });
    expect(post.state).toBe('needs_attention');
    const [target] = await t.app.services.targets.ofPost(post._id);
    expect(target?.state).toBe('held');
    expect((await t.app.services.accounts.get(FB))?.status).toBe('reconnect_needed');
    await t.slack.waitFor(() =>
      t.slack.messages.find((m) => m.channel === ADMIN && m.text.includes('needs reconnecting')),
    );
    expect(JSON.stringify(t.slack.messages.filter((m) => m.channel === ADMIN))).not.toContain(token);
    expect(t.graph.published(PAGE_ID).some((item) => item.caption === 'Held')).toBe(false);
  });

  /** The Page connected again with a working token (an earlier test let its login lapse). */
  async function reconnectPage() {
    const account = await t.app.services.accounts.get(FB);
    if (!account) throw new Error('no account');
    const accessToken = await pageTokenByConsent(t.graph, PAGE_ID);
    await t.app.services.accounts.save({ ...account, status: 'ok', accessToken });
  }

  it('retries a refusal to try later and publishes once', async () => {
    await reconnectPage();
    // Graph refuses the first feed post with a throttle (code 32): a clear answer that nothing happened. (A generic
    // failure such as code 1 or 2 is not: it is checked against the Page instead, see ambiguous-answers.test.ts.)
    t.graph.throttle('facebook', 32, {
      match: (req) => req.method === 'POST' && req.path.endsWith(`/${PAGE_ID}/feed`),
    });
    const id = await t.app.services.drafts.save({
      draft: draftWith({ accountIds: [FB], postTypes: { facebook: 'facebook_text' }, caption: 'Try again later' }),
      files: [],
      timezone: 'Europe/Berlin',
      by: EDITOR,
    });
    const pending = await t.app.services.drafts.prepare(id);
    await t.app.services.approvals.approve(id, pending?.revision ?? 0, APPROVER);
    const waiting = await until(async () => {
      const [target] = await t.app.services.targets.ofPost(id);
      return target?.state === 'queued' && target.retryAt ? target : undefined;
    });
    expect(waiting.attempts).toBe(1);
    expect(waiting.error).toContain('limit');
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'Try again later')).toHaveLength(0);
    expect((await t.app.services.posts.get(id))?.state).toBe('publishing');

    // The retry time comes: the job runs again and the post goes out once.
    const now = new Date();
    await t.app.services.targets.collection.updateOne({ _id: waiting._id }, { $set: { retryAt: now } });
    await t.app.services.scheduling.plan(id, now);
    const done = await until(async () => {
      const post = await t.app.services.posts.get(id);
      return post?.state === 'published' ? post : undefined;
    }, 30_000);
    expect(done.state).toBe('published');
    const [target] = await t.app.services.targets.ofPost(id);
    expect(target?.attempts).toBe(2);
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'Try again later')).toHaveLength(1);
  });

  it('marks a publish whose answer was lost and cannot be checked as unconfirmed; a person settles it', async () => {
    await reconnectPage();
    // The feed post goes out but its answer is lost, and the feed cannot be read to check: nobody can know.
    const lose = (req: { method: string; path: string }) =>
      req.method === 'POST' && req.path.endsWith(`/${PAGE_ID}/feed`);
    t.graph.loseResponse('facebook', lose);
    t.graph.facebook.inject(
      (req) => req.method === 'GET' && req.path.endsWith(`/${PAGE_ID}/feed`),
      graphError(1, 'An unknown error occurred', { status: 500 }),
      { times: 5 },
    );
    const first = await publish({
      accountIds: [FB],
      postTypes: { facebook: 'facebook_text' },
      caption: 'Did it go out?',
    });
    expect(first.state).toBe('needs_attention');
    const [unsure] = await t.app.services.targets.ofPost(first._id);
    expect(unsure?.state).toBe('unconfirmed');
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'Did it go out?')).toHaveLength(1);
    const ts = first.approvalMessage?.ts ?? '';
    const preview = await until(async () =>
      buttonsOf(previewOf(t, ts)).some((b) => b.action_id === approvalActions.confirmLive)
        ? previewOf(t, ts)
        : undefined,
    );
    expect(buttonsOf(preview).some((b) => b.action_id === approvalActions.publishAgain)).toBe(true);

    // An editor cannot settle it; an approver who checked the Page says it is live: nothing is posted again.
    const before = t.slack.responses.length;
    await click(t, EDITOR, approvalActions.confirmLive, unsure?._id ?? '', preview);
    await t.slack.waitFor(() =>
      t.slack.responses.slice(before).find((r) => String(r.body.text).includes('Only approvers')),
    );
    await click(t, APPROVER, approvalActions.confirmLive, unsure?._id ?? '', preview);
    await until(async () => (await t.app.services.posts.get(first._id))?.state === 'published');
    expect((await t.app.services.targets.get(unsure?._id ?? ''))?.state).toBe('published');
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'Did it go out?')).toHaveLength(1);

    // Another lost answer, this time the connection broke before the post reached Graph, and the feed still cannot
    // be read: "Publish again" sends it, once.
    t.graph.facebook.inject(
      (req) => req.method === 'GET' && req.path.endsWith(`/${PAGE_ID}/feed`),
      graphError(1, 'An unknown error occurred', { status: 500 }),
      { times: 5 },
    );
    t.graph.facebook.inject(lose, { drop: true }, { times: 1 });
    const second = await publish({
      accountIds: [FB],
      postTypes: { facebook: 'facebook_text' },
      caption: 'Not out yet',
    });
    const [again] = await t.app.services.targets.ofPost(second._id);
    expect(again?.state).toBe('unconfirmed');
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'Not out yet')).toHaveLength(0);
    await click(
      t,
      ADMIN,
      approvalActions.publishAgain,
      again?._id ?? '',
      previewOf(t, second.approvalMessage?.ts ?? ''),
    );
    await until(async () => (await t.app.services.posts.get(second._id))?.state === 'published');
    expect(t.graph.published(PAGE_ID).filter((item) => item.caption === 'Not out yet')).toHaveLength(1);
  });
});
