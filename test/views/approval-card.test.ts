import { describe, expect, it } from 'vitest';
import { messageProblems } from '../../src/sandbox/block-kit-rules.ts';
import { pruneDraft } from '../../src/services/draft-rules.ts';
import type { PostDoc } from '../../src/services/posts.ts';
import { changesSince, snapshotOf } from '../../src/services/revision-changes.ts';
import { approvalMessage, isPublicHttps } from '../../views/approval-message.ts';

const accounts = [
  { id: 'instagram:1', platform: 'instagram' as const, name: '@wone.commerce' },
  { id: 'facebook:1', platform: 'facebook' as const, name: 'Wone Commerce' },
  { id: 'tiktok:a', platform: 'tiktok' as const, name: '@wone' },
  { id: 'tiktok:b', platform: 'tiktok' as const, name: '@wone.shop' },
];

function post(overrides: Partial<PostDoc> = {}): PostDoc {
  const now = new Date('2027-03-20T10:00:00Z');
  return {
    _id: '0123456789abcdef01234567',
    accountIds: ['instagram:1', 'facebook:1', 'tiktok:a', 'tiktok:b'],
    postTypes: { instagram: 'instagram_carousel', facebook: 'facebook_photo', tiktok: 'tiktok_photo' },
    tiktokMode: 'direct',
    caption: 'Spring sale <!channel> *now*',
    firstComment: '#spring #sale',
    mediaUrls: [],
    schedule: { kind: 'at', date: '2027-03-28', time: '09:00', timezone: 'Europe/Berlin' },
    tiktok: {
      privacy: { 'tiktok:a': 'SELF_ONLY', 'tiktok:b': 'PUBLIC_TO_EVERYONE' },
      allowComment: true,
      allowDuet: false,
      allowStitch: false,
      brandOrganic: true,
      brandContent: false,
      disclose: true,
      photoTitle: 'Spring',
    },
    state: 'pending_approval',
    requestedBy: 'UEDITOR',
    requesterTimezone: 'Europe/Berlin',
    dueAt: new Date('2027-03-28T08:00:00Z'),
    media: [
      { id: 'a'.repeat(24), name: 'first.jpg', kind: 'image', mimeType: 'image/jpeg', sizeBytes: 10 },
      { id: 'b'.repeat(24), name: 'second.mp4', kind: 'video', mimeType: 'video/mp4', sizeBytes: 20 },
      { id: 'c'.repeat(24), name: 'third.png', kind: 'image', mimeType: 'image/png', sizeBytes: 30 },
    ],
    pendingFiles: [],
    checks: [],
    decisions: [{ action: 'submitted', by: 'UEDITOR', at: now }],
    revision: 1,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

const thumbnails = (base: string) => [
  { url: `${base}/media/${'a'.repeat(24)}?s=1`, name: 'first.jpg', position: 1 },
  { url: `${base}/media/${'c'.repeat(24)}?s=1`, name: 'third.png', position: 3 },
];

function card(p: PostDoc, extra: Partial<Parameters<typeof approvalMessage>[0]> = {}) {
  const message = approvalMessage({
    post: p,
    accounts,
    thumbnails: thumbnails('https://wone.example.com'),
    teamTimezone: 'Europe/Berlin',
    checks: [],
    targets: [],
    ...extra,
  });
  expect(messageProblems(message)).toEqual([]);
  return { message, text: JSON.stringify(message.blocks) };
}

function sectionText(blocks: unknown[], startsWith: string): string {
  const found = blocks
    .map((b) => (b as { text?: { text?: string } }).text?.text ?? '')
    .find((text) => text.startsWith(startsWith));
  if (found === undefined) throw new Error(`no section starting ${startsWith}`);
  return found;
}

describe('the approval card shows each network as it will go out', () => {
  it('escapes the caption and shows per network the type, first comment, TikTok audience, interactions, disclosure', () => {
    const { message, text } = card(post());
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    const instagram = sectionText(message.blocks, '*Instagram*');
    expect(instagram).toContain('Type: Carousel');
    expect(instagram).toContain('First comment: #\u200Bspring');
    const tiktok = sectionText(message.blocks, '*TikTok*');
    expect(tiktok).toContain('Type: Photo post, posted directly');
    expect(tiktok).not.toContain('First comment');
    expect(tiktok).toContain('@wone: Who can see it: :lock: *Only me: private, not public*');
    expect(tiktok).toContain('@wone.shop: Who can see it: :earth_africa: Everyone (public)');
    expect(tiktok).toContain('Interactions: comments on');
    expect(tiktok).not.toContain('duet');
    expect(tiktok).toContain('Disclosure: :label: your brand (promotional)');
    expect(tiktok).toContain('Title: Spring');
  });

  it('shows the link of a Facebook link post, and no media for it', () => {
    const { message } = card(
      post({
        accountIds: ['facebook:1'],
        postTypes: { facebook: 'facebook_text' },
        link: 'https://wone.example.com/spring?a=1&b=2',
        media: [],
      }),
      { thumbnails: [] },
    );
    const facebook = sectionText(message.blocks, '*Facebook*');
    expect(facebook).toContain('Link: <https://wone.example.com/spring?a=1&amp;b=2|');
    expect(facebook).toContain('Media: none (text or link post)');
  });

  it('does not show a type chosen for a network that is not among the accounts', () => {
    const { text } = card(
      post({ accountIds: ['facebook:1'], postTypes: { facebook: 'facebook_photo', tiktok: 'tiktok_video' } }),
    );
    expect(text).not.toContain('TikTok');
    expect(text).not.toContain('Video (direct)');
  });

  it('shows the media numbered in order, and thumbnails only where the links are public https', () => {
    const shown = card(post()).message.blocks.filter((b) => b.type === 'image');
    expect(shown.map((b) => (b as { title?: { text: string } }).title?.text)).toEqual(['1. first.jpg', '3. third.png']);
    const media = JSON.stringify(card(post()).message.blocks);
    expect(media).toContain('1. :frame_with_picture: first.jpg');
    expect(media).toContain('2. :film_frames: second.mp4');
    expect(media).toContain('3. :frame_with_picture: third.png');
    const local = card(post(), { thumbnails: thumbnails('http://127.0.0.1:8080') }).message.blocks;
    expect(local.filter((b) => b.type === 'image')).toHaveLength(0);
    expect(JSON.stringify(local)).toContain('2. :film_frames: second.mp4');
    expect(isPublicHttps('https://192.168.1.4/x')).toBe(false);
    expect(isPublicHttps('https://localhost/x')).toBe(false);
    expect(isPublicHttps('https://media.wone.example.com/x')).toBe(true);
  });

  it('says what changed since the revision the approvers saw before', () => {
    const before = post();
    const after = post({
      revision: 2,
      caption: 'New words',
      dueAt: new Date('2027-03-29T08:00:00Z'),
      accountIds: ['instagram:1', 'tiktok:a'],
      postTypes: { instagram: 'instagram_feed', tiktok: 'tiktok_photo' },
      media: [before.media[0] as PostDoc['media'][number]],
      tiktok: { ...before.tiktok, privacy: { 'tiktok:a': 'PUBLIC_TO_EVERYONE' } },
      previous: snapshotOf(before),
    });
    const changes = changesSince(snapshotOf(before), after);
    expect(changes.map((c) => c.kind)).toEqual(['caption', 'time', 'accounts', 'media', 'type', 'tiktok']);
    const { message } = card(after, { changes });
    const text = sectionText(message.blocks, ':memo:');
    expect(text).toContain('Changed since revision 1');
    expect(text).toContain('Caption (was “Spring sale &lt;!channel&gt;');
    expect(text).toContain('Time: Sun 28 Mar 2027, 10:00 Europe/Berlin (UTC+02:00) → Mon 29 Mar 2027');
    expect(text).toContain('removed Facebook · Wone Commerce, TikTok · @wone.shop');
    expect(text).toContain('Media: 3 → 1 file (first.jpg)');
    expect(text).toContain('Instagram type: Carousel (2 to 10 images or videos) → Feed post (one image)');
    expect(text).not.toContain('Facebook type');
    expect(text).toContain('TikTok settings: who can see it');
    expect(changesSince(snapshotOf(after), after)).toEqual([]);
  });

  it('stays within message limits with every section at its longest', () => {
    const long = post({
      caption: 'c'.repeat(5000),
      firstComment: 'f'.repeat(3000),
      link: `https://wone.example.com/${'l'.repeat(3000)}`,
      media: Array.from({ length: 10 }, (_, i) => ({
        id: `${i}`.padStart(24, 'a'),
        name: `${'n'.repeat(200)}.jpg`,
        kind: 'image' as const,
        mimeType: 'image/jpeg',
        sizeBytes: i,
      })),
      previous: snapshotOf(post()),
    });
    const images = long.media.map((m, i) => ({
      url: `https://wone.example.com/media/${m.id}`,
      name: m.name,
      position: i + 1,
    }));
    const { message } = card(long, { thumbnails: images, changes: changesSince(snapshotOf(post()), long) });
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });
});

describe('a network’s own caption', () => {
  it('is shown in that network’s section, escaped, and an edit of it is named', () => {
    const before = post();
    const after = post({ revision: 2, captions: { tiktok: 'Only on TikTok <!here>' }, previous: snapshotOf(before) });
    const changes = changesSince(snapshotOf(before), after);
    const { message } = card(after, { changes });
    const tiktok = sectionText(message.blocks, '*TikTok*');
    expect(tiktok).toContain('Caption here instead:\n> Only on TikTok &lt;!here&gt;');
    expect(sectionText(message.blocks, '*Instagram*')).not.toContain('Caption here instead');
    expect(sectionText(message.blocks, ':memo:')).toContain('TikTok caption (was the common caption)');
  });

  it('of a deselected network is dropped', () => {
    const draft = pruneDraft({ ...post(), accountIds: ['facebook:1'], captions: { facebook: 'F', tiktok: 'T' } });
    expect(draft.captions).toEqual({ facebook: 'F' });
  });
});

describe('a post type for a deselected network', () => {
  it('is dropped, with the TikTok settings of accounts no longer chosen', () => {
    const draft = pruneDraft({
      ...post(),
      accountIds: ['facebook:1', 'tiktok:a'],
      postTypes: { instagram: 'instagram_story', facebook: 'facebook_photo', tiktok: 'tiktok_video' },
      tiktok: {
        ...post().tiktok,
        interactions: {
          'tiktok:a': { comment: true, duet: true, stitch: true },
          'tiktok:b': { comment: false, duet: false, stitch: false },
        },
      },
    });
    expect(draft.postTypes).toEqual({ facebook: 'facebook_photo', tiktok: 'tiktok_video' });
    expect(draft.tiktok.privacy).toEqual({ 'tiktok:a': 'SELF_ONLY' });
    expect(Object.keys(draft.tiktok.interactions ?? {})).toEqual(['tiktok:a']);
    expect(pruneDraft({ ...post(), accountIds: ['instagram:1'] }).postTypes).toEqual({
      instagram: 'instagram_carousel',
    });
  });
});
