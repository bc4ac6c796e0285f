import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalActions } from '../../views/approval-message.ts';
import { APPROVAL_CHANNEL, APPROVER, EDITOR } from '../harness/test-app.ts';
import { jpegBytes, mp4Bytes } from './media-fixtures.ts';
import {
  bringDue,
  buttonsOf,
  changeView,
  click,
  FB,
  IG,
  IG_ID,
  input,
  openLoadedDraft,
  PAGE_ID,
  type PostApp,
  previewOf,
  startPostApp,
  submitView,
  TIKTOK_OPEN_ID,
  TT,
  threadOf,
  until,
} from './post-harness.ts';

let t: PostApp;
beforeAll(async () => {
  t = await startPostApp();
});
afterAll(async () => t?.stop());

describe('draft → approval → schedule → publish', () => {
  it('takes a post from the modal to exactly one live post per account, with Slack kept up to date', async () => {
    // The editor opens the modal and chooses accounts of all three platforms: the TikTok audience has no default.
    const loaded = await openLoadedDraft(t, EDITOR);
    const filled = await changeView(t, loaded, EDITOR, 'accounts', { accounts: input.multi([IG, FB, TT]) });
    const privacyBlock = (filled.view.blocks as Record<string, unknown>[]).find(
      (b) => b.block_id === `tiktok_privacy:${TT}`,
    ) as { element: { initial_option?: unknown; options: { value: string }[] } };
    expect(privacyBlock.element.initial_option).toBeUndefined();
    expect(privacyBlock.element.options.map((o) => o.value)).toContain('PUBLIC_TO_EVERYONE');
    const interactions = (filled.view.blocks as Record<string, unknown>[]).find(
      (b) => b.block_id === `tiktok_interactions:${TT}`,
    ) as { element: { initial_options?: unknown[] } };
    expect(interactions.element.initial_options).toBeUndefined();

    // Tokyo time for the editor (users.info), two days ahead at 10:30.
    const day = DateTime.now().setZone('Asia/Tokyo').plus({ days: 2 }).toFormat('yyyy-MM-dd');
    const image = t.slack.addFile('F0IMG1', 'summer.jpg', 'image/jpeg', jpegBytes(1080, 1350));
    const video = t.slack.addFile('F0VID1', 'summer.mp4', 'video/mp4', mp4Bytes(1080, 1920, 12));
    const submitted = await submitView(t, filled, EDITOR, {
      accounts: input.multi([IG, FB]),
      post_type_instagram: input.select('instagram_feed'),
      post_type_facebook: input.select('facebook_photo'),
      post_type_tiktok: input.select(undefined),
      caption: input.text('Summer is here ☀️ #wone'),
      first_comment: input.text('#summer #sale'),
      link: input.url(null),
      media: input.files([image]),
      media_urls: input.text(null),
      when: input.radio('at'),
      date: input.date(day),
      time: input.time('10:30'),
      [`tiktok_privacy:${TT}`]: input.select(undefined),
      [`tiktok_interactions:${TT}`]: input.checks([]),
      tiktok_disclose: input.checks([]),
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toEqual({});
    void video;

    // The preview appears in the approval channel, with the stored image as a thumbnail behind a signed link.
    const post = await until(async () => {
      const found = await t.app.services.posts.collection.findOne({ requestedBy: EDITOR });
      return found?.state === 'pending_approval' && found.approvalMessage ? found : undefined;
    });
    expect(post.dueAt?.toISOString()).toBe(DateTime.fromISO(`${day}T10:30`, { zone: 'Asia/Tokyo' }).toUTC().toISO());
    expect(post.media).toHaveLength(1);
    expect(post.media[0]).toMatchObject({ kind: 'image', mimeType: 'image/jpeg', width: 1080, height: 1350 });
    const ts = post.approvalMessage?.ts ?? '';
    const preview = previewOf(t, ts);
    const previewText = JSON.stringify(preview.blocks);
    expect(previewText).toContain('Summer is here');
    expect(previewText).toContain('https://wone.example.com/media/');
    expect(previewText).toContain('10:30 Asia/Tokyo (UTC+09:00)');
    expect(previewText).toContain('Europe/Berlin');
    expect(previewText).toContain("Instagram: meets the platform's rules");
    expect(buttonsOf(preview).map((b) => b.action_id)).toEqual([
      approvalActions.approve,
      approvalActions.requestChanges,
      approvalActions.reject,
    ]);

    // The signed link serves the stored bytes; a tampered one is refused.
    const thumbnail = /https:\/\/wone\.example\.com(\/media\/[^"]+)/.exec(previewText)?.[1] ?? '';
    const served = await fetch(`${t.url}${thumbnail.replace(/&amp;/g, '&')}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(jpegBytes(1080, 1350));
    expect((await fetch(`${t.url}${thumbnail.replace(/s=[^&]+/, 's=forged')}`)).status).toBe(403);

    // The approver approves: one job at the post's time, targets queued, nothing published yet.
    const approve = buttonsOf(preview).find((b) => b.action_id === approvalActions.approve);
    await click(t, APPROVER, approvalActions.approve, approve?.value ?? '', preview);
    const scheduled = await until(async () => {
      const found = await t.app.services.posts.get(post._id);
      return found?.state === 'scheduled' ? found : undefined;
    });
    expect(scheduled.decisions.at(-1)).toMatchObject({ action: 'approved', by: APPROVER });
    const jobs = await until(async () => {
      const found = await t.app.services.db.collection('jobs').find({ 'data.postId': post._id }).toArray();
      return found.length > 0 ? found : undefined;
    });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.nextRunAt?.toISOString()).toBe(post.dueAt?.toISOString());
    expect(await t.app.services.targets.ofPost(post._id)).toHaveLength(2);
    await until(async () => threadOf(t, ts).some((text) => text.includes('approved this post')));
    expect(t.graph.published(IG_ID)).toHaveLength(0);

    // Its time comes (the clock is moved by bringing the due time to now).
    await bringDue(t, post._id);

    const done = await until(async () => {
      const found = await t.app.services.posts.get(post._id);
      return found?.state === 'published' ? found : undefined;
    });
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(t.graph.published(IG_ID)).toHaveLength(1);
    expect(t.graph.published(PAGE_ID)).toHaveLength(1);
    expect(t.tiktok.postsOf(TIKTOK_OPEN_ID)).toHaveLength(0);
    const targets = await t.app.services.targets.ofPost(post._id);
    expect(targets.map((target) => target.state)).toEqual(['published', 'published']);
    expect(targets.every((target) => target.remoteId && target.publishedAt)).toBe(true);

    // Results in the thread (with links) and the preview updated.
    await until(async () => threadOf(t, ts).filter((text) => text.includes('Published on')).length === 2);
    const finalPreview = await until(async () => previewOf(t, ts).text.includes('Published') && previewOf(t, ts));
    expect(buttonsOf(finalPreview)).toEqual([]);

    // The job does not publish again when run again.
    await t.app.services.publisher.run(post._id);
    expect(t.graph.published(IG_ID)).toHaveLength(1);
    expect(t.graph.published(PAGE_ID)).toHaveLength(1);
    expect(APPROVAL_CHANNEL).toBe(preview.channel);
  });
});
