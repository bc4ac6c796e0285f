import { describe, expect, it } from 'vitest';
import { messageProblems, viewProblems } from '../../src/sandbox/block-kit-rules.ts';
import { type CommentMessageInput, commentMessage } from '../../views/comment-message.ts';
import { commentReplyModal } from '../../views/comment-reply-modal.ts';
import { commentThreadParent } from '../../views/comment-thread-parent.ts';

const base: CommentMessageInput = {
  key: 'instagram:17870000000000001',
  platform: 'instagram',
  accountName: '@wone.shop',
  authorName: 'happy.customer',
  text: 'Love it',
  createdAt: new Date('2026-11-20T10:00:00Z'),
  isReply: false,
  edited: false,
  removed: false,
  hidden: false,
  replies: [],
  permalink: 'https://www.instagram.com/p/AUTUMN1/',
};
const buttons = (input: CommentMessageInput) =>
  JSON.stringify(commentMessage(input).blocks.filter((block) => block.type === 'actions'));

describe('comment message', () => {
  it('stays within Slack limits for the longest comment, name and many replies', () => {
    const replies = Array.from({ length: 40 }, (_, i) => ({
      by: 'UAPPROVER',
      text: 'y'.repeat(3000),
      at: new Date(i),
    }));
    const message = commentMessage({
      ...base,
      platform: 'facebook',
      authorName: 'n'.repeat(500),
      text: 'x'.repeat(8000),
      replies,
    });
    expect(messageProblems(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('35 earlier replies');
  });

  it('offers Reply, Hide and Open; Unhide once hidden; no Hide on TikTok; only Open once removed', () => {
    expect(buttons(base)).toMatch(/comment_reply.*comment_hide.*comment_open/);
    expect(buttons({ ...base, hidden: true, hiddenBy: 'UAPPROVER' })).toContain('comment_unhide');
    expect(buttons({ ...base, platform: 'tiktok' })).not.toContain('comment_hide');
    const removed = buttons({ ...base, removed: true });
    expect(removed).not.toContain('comment_reply');
    expect(removed).toContain('comment_open');
    expect(JSON.stringify(commentMessage({ ...base, removed: true }).blocks)).not.toContain('Love it');
  });

  it('shows text as written: no mentions, links or formatting smuggled in', () => {
    const shown = JSON.stringify(
      commentMessage({ ...base, text: '<!channel> <https://evil.example|click> & co' }).blocks,
    );
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).toContain('&amp; co');
    expect(shown).not.toContain('<!channel>');
  });
});

describe('thread parent and reply modal', () => {
  it('stays within Slack limits', () => {
    const parent = commentThreadParent({
      platform: 'tiktok',
      accountName: '@wone',
      caption: 'c'.repeat(5000),
      permalink: 'https://www.tiktok.com/@wone/video/1',
    });
    expect(messageProblems(parent)).toEqual([]);
    const modal = commentReplyModal({
      key: 'facebook:1_2',
      platform: 'facebook',
      accountName: 'A'.repeat(300),
      authorName: 'B'.repeat(300),
      text: 'q'.repeat(8000),
      error: 'e'.repeat(500),
      draft: 'd'.repeat(2000),
    });
    expect(viewProblems(modal)).toEqual([]);
  });

  it('caps the reply input at the platform limit', () => {
    const input = (platform: 'instagram' | 'facebook' | 'tiktok') =>
      JSON.stringify(commentReplyModal({ key: 'k', platform, accountName: 'a', authorName: 'b', text: 't' }).blocks);
    expect(input('tiktok')).toContain('"max_length":150');
    expect(input('instagram')).toContain('"max_length":2200');
  });
});
