import { describe, expect, it } from 'vitest';
import { messageProblems, viewProblems } from '../../src/sandbox/block-kit-rules.ts';
import { stepStatuses } from '../../src/services/approval-steps.ts';
import type { PostDoc } from '../../src/services/posts.ts';
import type { TargetDoc } from '../../src/services/targets.ts';
import { approvalActions, approvalMessage, stepsText } from '../../views/approval-message.ts';
import { draftModal } from '../../views/draft-modal.ts';
import { freezeNotice, unfreezeNotice } from '../../views/freeze-message.ts';
import {
  allAccounts,
  homeTab,
  queueFilterAction,
  queueMessage,
  queuePageAction,
  queuePlaceOf,
} from '../../views/queue-message.ts';
import { requestChangesModal } from '../../views/reason-modal.ts';
import { rescheduleModal } from '../../views/reschedule-modal.ts';

const accounts = [
  ...Array.from({ length: 30 }, (_, i) => ({
    id: `instagram:${i}`,
    platform: 'instagram' as const,
    name: `@brand${i}`.repeat(8),
  })),
  { id: 'facebook:1', platform: 'facebook' as const, name: 'Wone Commerce' },
  { id: 'tiktok:a', platform: 'tiktok' as const, name: '@wone' },
  { id: 'tiktok:b', platform: 'tiktok' as const, name: '@wone.shop' },
];
const creator = {
  username: 'wone',
  nickname: 'Wone',
  privacyLevelOptions: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
  commentDisabled: false,
  duetDisabled: true,
  stitchDisabled: false,
  maxVideoPostDurationSec: 600,
};

function post(overrides: Partial<PostDoc> = {}): PostDoc {
  const now = new Date('2027-03-20T10:00:00Z');
  return {
    _id: '0123456789abcdef01234567',
    accountIds: accounts.map((a) => a.id),
    postTypes: { instagram: 'instagram_carousel', facebook: 'facebook_photo', tiktok: 'tiktok_photo' },
    tiktokMode: 'direct',
    caption: 'Long caption '.repeat(400),
    firstComment: '#tags '.repeat(500),
    mediaUrls: [],
    schedule: { kind: 'at', date: '2027-03-28', time: '09:00', timezone: 'Asia/Tokyo' },
    tiktok: {
      privacy: { 'tiktok:a': 'SELF_ONLY' },
      allowComment: true,
      allowDuet: false,
      allowStitch: false,
      brandOrganic: true,
      brandContent: false,
    },
    state: 'pending_approval',
    requestedBy: 'UEDITOR',
    requesterTimezone: 'Asia/Tokyo',
    dueAt: new Date('2027-03-28T00:00:00Z'),
    media: Array.from({ length: 10 }, (_, i) => ({
      id: `${i}`.padStart(24, 'a'),
      name: `photo-${i}-with-a-rather-long-file-name.jpg`,
      kind: 'image' as const,
      mimeType: 'image/jpeg',
      sizeBytes: 1000,
      width: 1080,
      height: 1350,
    })),
    pendingFiles: [],
    checks: [{ platform: 'instagram', problems: ['x'.repeat(500)] }],
    decisions: [{ action: 'changes_requested', by: 'UAPPROVER', at: now, note: 'n'.repeat(4000) }],
    revision: 2,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

describe('draft modal', () => {
  it('says clearly when no account is connected, and has no inputs then', () => {
    const view = draftModal({
      accounts: [],
      creators: {},
      timezone: 'UTC',
      suggested: { date: '2027-01-01', time: '10:00' },
      privateMetadata: '{}',
    });
    expect(viewProblems(view)).toEqual([]);
    expect(JSON.stringify(view)).toContain('No accounts are connected yet');
    expect(view.blocks.some((b) => b.type === 'input')).toBe(false);
  });

  it('stays within Slack limits with many accounts and every section, and defaults no TikTok audience', () => {
    const chosen = post();
    const view = draftModal({
      accounts,
      creators: { 'tiktok:a': creator, 'tiktok:b': creator },
      timezone: 'Asia/Tokyo',
      suggested: { date: '2027-01-01', time: '10:00' },
      initial: {
        ...chosen,
        captions: { instagram: 'i'.repeat(2200), facebook: 'f'.repeat(3000), tiktok: 't'.repeat(2200) },
        tiktok: {
          privacy: {},
          allowComment: false,
          allowDuet: false,
          allowStitch: false,
          brandOrganic: false,
          brandContent: false,
        },
      },
      privateMetadata: 'x'.repeat(2900),
    });
    expect(viewProblems(view)).toEqual([]);
    const privacy = view.blocks.filter((b) => b.block_id?.startsWith('tiktok_privacy:'));
    expect(privacy).toHaveLength(2);
    for (const block of privacy) expect(JSON.stringify(block)).not.toContain('initial_option');
    const interactions = view.blocks.filter((b) => b.block_id?.startsWith('tiktok_interactions:'));
    expect(interactions).toHaveLength(2);
    for (const block of interactions) expect(JSON.stringify(block)).not.toContain('initial_options');
    expect(JSON.stringify(view.blocks.find((b) => b.block_id === 'tiktok_disclose'))).not.toContain('initial_options');
    expect(JSON.stringify(view.blocks.find((b) => b.block_id === 'media'))).toContain('"max_files":10');
  });

  it('reopens a draft with everything that was typed', () => {
    const draft = post();
    const view = draftModal({
      accounts,
      creators: { 'tiktok:a': creator },
      timezone: 'Asia/Tokyo',
      suggested: { date: '2027-01-01', time: '10:00' },
      initial: draft,
      keptMedia: draft.media.map((m) => m.name),
      privateMetadata: '{}',
    });
    expect(viewProblems(view)).toEqual([]);
    const text = JSON.stringify(view);
    expect(text).toContain('"initial_date":"2027-03-28"');
    expect(text).toContain('"initial_time":"09:00"');
    expect(text).toContain('Long caption');
    expect(text).toContain('"value":"SELF_ONLY"');
    expect(text).toContain('Keeping 10 file(s)');
  });
});

describe('draft modal adapts to the choices', () => {
  type Block = {
    type: string;
    block_id?: string;
    optional?: boolean;
    dispatch_action?: boolean;
    hint?: { text: string };
    label?: { text: string };
  };
  const ig = { id: 'instagram:1', platform: 'instagram' as const, name: '@wone' };
  const fb = { id: 'facebook:1', platform: 'facebook' as const, name: 'Wone Commerce' };
  const tt = { id: 'tiktok:a', platform: 'tiktok' as const, name: '@wone.tt' };
  const draft = (overrides: Partial<PostDoc> = {}) => ({
    ...post(),
    accountIds: [],
    postTypes: {},
    caption: '',
    firstComment: undefined,
    tiktok: {
      privacy: {},
      allowComment: false,
      allowDuet: false,
      allowStitch: false,
      brandOrganic: false,
      brandContent: false,
    },
    ...overrides,
  });
  const modal = (initial?: ReturnType<typeof draft>) => {
    const view = draftModal({
      accounts: [ig, fb, tt],
      creators: { 'tiktok:a': creator },
      timezone: 'Asia/Tokyo',
      suggested: { date: '2027-01-01', time: '10:00' },
      suggestedTimes: [{ at: new Date(), date: '2027-01-02', time: '09:00', weekday: 6, accountNames: ['@wone'] }],
      ...(initial ? { initial } : {}),
      privateMetadata: '{}',
    });
    expect(viewProblems(view)).toEqual([]);
    return view;
  };
  const blocks = (view: ReturnType<typeof modal>) => view.blocks as Block[];
  const ids = (view: ReturnType<typeof modal>) => blocks(view).flatMap((b) => (b.block_id ? [b.block_id] : []));
  const find = (view: ReturnType<typeof modal>, id: string) => blocks(view).find((b) => b.block_id === id);

  it('asks for the accounts first, dispatching, and shows no network-specific field before they are chosen', () => {
    const view = modal();
    expect(view.title.text).toBe('New post');
    expect(find(view, 'accounts')?.dispatch_action).toBe(true);
    expect(find(view, 'accounts')?.optional).toBeUndefined();
    expect(ids(view)).toEqual(['accounts', 'caption', 'media', 'media_urls', 'when', 'date', 'time', 'suggested_time']);
    expect(JSON.stringify(view)).toContain('Choose the accounts first');
    expect(JSON.stringify(view)).not.toContain('TikTok settings');
  });

  it('shows a post type, required, only for each chosen network, and TikTok settings only with a TikTok account', () => {
    const view = modal(draft({ accountIds: [ig.id] }));
    expect(ids(view).filter((id) => id.startsWith('post_type_'))).toEqual(['post_type_instagram']);
    expect(find(view, 'post_type_instagram')?.optional).toBeUndefined();
    expect(JSON.stringify(view)).not.toContain('TikTok settings');
    expect(ids(view).some((id) => id.startsWith('tiktok_'))).toBe(false);
    expect(find(view, 'first_comment')?.hint?.text).toContain('Posted on Instagram as a comment');
    expect(find(view, 'link')).toBeUndefined();

    const both = modal(draft({ accountIds: [ig.id, tt.id], postTypes: { tiktok: 'tiktok_video' } }));
    expect(ids(both).filter((id) => id.startsWith('post_type_'))).toEqual(['post_type_instagram', 'post_type_tiktok']);
    expect(find(both, 'post_type_tiktok')?.dispatch_action).toBe(true);
    expect(JSON.stringify(both)).toContain('TikTok settings');
    // A direct TikTok post needs an audience: the input is required; the photo-only inputs are not shown for a video.
    expect(find(both, `tiktok_privacy:${tt.id}`)?.optional).toBeUndefined();
    expect(find(both, 'tiktok_photo_title')).toBeUndefined();
    expect(find(both, 'tiktok_music')).toBeUndefined();

    const inbox = modal(draft({ accountIds: [tt.id], postTypes: { tiktok: 'tiktok_photo' }, tiktokMode: 'inbox' }));
    expect(find(inbox, `tiktok_privacy:${tt.id}`)?.optional).toBe(true);
    expect(find(inbox, 'tiktok_photo_title')).toBeDefined();
    expect(find(inbox, 'tiktok_music')).toBeDefined();
    expect(find(inbox, 'first_comment')).toBeUndefined();
  });

  it('asks the date and time, required, only for "At a date and time"', () => {
    const at = modal(draft({ accountIds: [fb.id] }));
    expect(find(at, 'when')?.dispatch_action).toBe(true);
    expect(find(at, 'date')?.optional).toBeUndefined();
    expect(find(at, 'time')?.optional).toBeUndefined();
    expect(find(at, 'time')?.hint?.text).toContain('Asia/Tokyo');
    const asap = modal(draft({ accountIds: [fb.id], schedule: { kind: 'asap' } }));
    expect(ids(asap)).not.toContain('date');
    expect(ids(asap)).not.toContain('time');
    expect(ids(asap)).not.toContain('suggested_time');
  });

  it('offers the Facebook link only for a Facebook text post', () => {
    expect(
      find(modal(draft({ accountIds: [fb.id], postTypes: { facebook: 'facebook_photo' } })), 'link'),
    ).toBeUndefined();
    const text = modal(draft({ accountIds: [fb.id], postTypes: { facebook: 'facebook_text' } }));
    expect(find(text, 'link')).toBeDefined();
    expect(find(text, 'post_type_facebook')?.dispatch_action).toBe(true);
  });

  it("offers a caption per network when several are chosen, each with that network's limits", () => {
    const one = modal(draft({ accountIds: [ig.id] }));
    expect(find(one, 'caption')?.hint?.text).toBe('Instagram: up to 2,200 characters and 30 hashtags.');
    expect(ids(one).some((id) => id.startsWith('caption_'))).toBe(false);

    const view = modal(draft({ accountIds: [ig.id, fb.id, tt.id], captions: { facebook: 'For the Page' } }));
    expect(ids(view).filter((id) => id.startsWith('caption_'))).toEqual([
      'caption_instagram',
      'caption_facebook',
      'caption_tiktok',
    ]);
    expect(find(view, 'caption_instagram')?.optional).toBe(true);
    expect(find(view, 'caption_instagram')?.hint?.text).toContain('Instagram: up to 2,200 characters');
    expect(find(view, 'caption_facebook')?.hint?.text).toContain('Facebook: up to 63,206 characters');
    expect(find(view, 'caption_tiktok')?.hint?.text).toContain('2,200 characters for videos, 4,000 for photo posts');
    expect(find(view, 'caption')?.hint?.text).toContain("A network's own caption below replaces this one there.");
    expect(JSON.stringify(find(view, 'caption_facebook'))).toContain('"initial_value":"For the Page"');
  });

  it('marks the disclosure kinds required once the disclosure is on', () => {
    const view = modal(
      draft({
        accountIds: [tt.id],
        tiktok: { ...draft().tiktok, disclose: true },
      }),
    );
    expect(find(view, 'tiktok_disclosure')?.optional).toBeUndefined();
  });

  it('reads well: no "a Instagram", and the empty form points admins to /wone connect', () => {
    for (const view of [modal(), modal(draft({ accountIds: [ig.id, fb.id, tt.id] }))]) {
      expect(JSON.stringify(view)).not.toMatch(/\ba (Instagram|Facebook|TikTok)\b/);
    }
    const empty = draftModal({
      accounts: [],
      creators: {},
      timezone: 'UTC',
      suggested: { date: '2027-01-01', time: '10:00' },
      privateMetadata: '{}',
    });
    expect(JSON.stringify(empty)).toContain('`/wone connect`');
    expect(JSON.stringify(empty)).not.toContain('/wone accounts');
  });

  it('keeps the title of a new post when it is redrawn with what was typed', () => {
    const redrawn = draftModal({
      accounts: [ig],
      creators: {},
      timezone: 'UTC',
      suggested: { date: '2027-01-01', time: '10:00' },
      initial: draft({ accountIds: [ig.id] }),
      editing: false,
      privateMetadata: '{}',
    });
    expect(redrawn.title.text).toBe('New post');
  });
});

describe('approval message', () => {
  const target = (state: TargetDoc['state'], i: number): TargetDoc => ({
    _id: `0123456789abcdef01234567:instagram:${i}`,
    postId: '0123456789abcdef01234567',
    accountId: `instagram:${i}`,
    platform: 'instagram',
    postType: 'instagram_carousel',
    state,
    progress: {},
    caption: '',
    attempts: 1,
    updatedAt: new Date(),
    error: 'e'.repeat(300),
    permalink: 'https://www.instagram.com/p/abc/',
  });

  it.each([
    'pending_approval',
    'changes_requested',
    'scheduled',
    'overdue',
    'publishing',
    'needs_attention',
    'published',
  ] as const)('stays within message limits when %s, with worst-case text', (state) => {
    const targets = Array.from({ length: 30 }, (_, i) =>
      target((['failed', 'unconfirmed', 'published', 'held'] as const)[i % 4] ?? 'failed', i),
    );
    const message = approvalMessage({
      post: post({ state }),
      accounts,
      thumbnails: Array.from({ length: 10 }, (_, i) => ({ url: `https://wone.example.com/media/${i}`, name: 'n' })),
      teamTimezone: 'Europe/Berlin',
      checks: post().checks,
      targets,
    });
    expect(messageProblems(message)).toEqual([]);
  });

  it("shows each network's own caption, escaped, within message limits", () => {
    const message = approvalMessage({
      post: post({
        captions: { instagram: '<!channel> only on IG '.repeat(200), tiktok: 'For TikTok', facebook: '  ' },
      }),
      accounts,
      thumbnails: Array.from({ length: 10 }, (_, i) => ({ url: `https://wone.example.com/media/${i}`, name: 'n' })),
      teamTimezone: 'Europe/Berlin',
      checks: post().checks,
      targets: [],
    });
    expect(messageProblems(message)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    // Each network's own caption is shown in that network's section (a blank one is not).
    const sectionOf = (label: string) =>
      message.blocks
        .map((b) => (b.type === 'section' ? (b.text?.text ?? '') : ''))
        .find((t) => t.startsWith(`*${label}*`)) ?? '';
    expect(sectionOf('Instagram')).toContain('Caption here instead:\n> &lt;!channel&gt; only on IG');
    expect(sectionOf('TikTok')).toContain('Caption here instead:\n> For TikTok');
    expect(sectionOf('Facebook')).not.toContain('Caption here instead');
    expect(text).not.toContain('<!channel>');
  });

  it('offers the decisions only while pending, and Retry / It’s live / Publish again per target after publishing', () => {
    const pending = approvalMessage({
      post: post(),
      accounts,
      thumbnails: [],
      teamTimezone: 'UTC',
      checks: [],
      targets: [],
    });
    const ids = (m: typeof pending) =>
      m.blocks.flatMap((b) =>
        b.type === 'actions' ? b.elements.map((e) => ('action_id' in e ? e.action_id : '')) : [],
      );
    // The approval channel's audience is the approvers: the requester edits from their messages and App Home.
    expect(ids(pending)).toEqual([approvalActions.approve, approvalActions.requestChanges, approvalActions.reject]);
    const done = approvalMessage({
      post: post({ state: 'needs_attention' }),
      accounts,
      thumbnails: [],
      teamTimezone: 'UTC',
      checks: [],
      targets: [target('failed', 1), target('unconfirmed', 2), target('published', 3)],
    });
    expect(ids(done)).toEqual([approvalActions.retry, approvalActions.confirmLive, approvalActions.publishAgain]);
    expect(JSON.stringify(done)).toContain('Asia/Tokyo (UTC+09:00) for <@UEDITOR>');
  });

  it('says "Published with problems" only when something was published', () => {
    const headline = (targets: TargetDoc[]) =>
      JSON.stringify(
        approvalMessage({
          post: post({ state: 'needs_attention' }),
          accounts,
          thumbnails: [],
          teamTimezone: 'UTC',
          checks: [],
          targets,
        }).blocks[0],
      );
    expect(headline([target('failed', 1), target('published', 2)])).toContain('Published with problems');
    expect(headline([target('failed', 1), target('failed', 2)])).toContain('Not published');
    expect(headline([target('failed', 1), target('failed', 2)])).not.toContain('Published with problems');
    expect(headline([target('unconfirmed', 1)])).toContain('Not confirmed as published');
  });
});

describe('queue, Home tab and small modals', () => {
  it('stay within limits', () => {
    const posts = Array.from({ length: 10 }, (_, i) =>
      post({ _id: `${i}`.padStart(24, '0'), state: i % 2 ? 'scheduled' : 'overdue' }),
    );
    expect(
      messageProblems(queueMessage({ posts: posts.slice(0, 5), page: 1, total: 40, accounts, timezone: 'UTC' })),
    ).toEqual([]);
    expect(messageProblems(queueMessage({ posts: [], page: 0, total: 0, accounts, timezone: 'UTC' }))).toEqual([]);
    const recent = posts.slice(0, 5).map((p) => ({ post: { ...p, finishedAt: new Date() }, targets: [] }));
    expect(viewProblems(homeTab({ queue: posts, queueTotal: 25, recent, accounts, timezone: 'UTC' }))).toEqual([]);
    expect(viewProblems(requestChangesModal('{}'))).toEqual([]);
    expect(
      viewProblems(rescheduleModal({ date: '2027-01-01', time: '10:00', timezone: 'UTC', privateMetadata: '{}' })),
    ).toEqual([]);
  });
});

describe('/wone queue and the reschedule modal', () => {
  type Block = { type: string; block_id?: string; text?: { text: string }; elements?: Record<string, unknown>[] };
  const few = accounts.slice(-3);
  const board = [
    post({ _id: 'a'.repeat(24), state: 'pending_approval', caption: 'Waiting <!here>', accountIds: ['facebook:1'] }),
    post({ _id: 'b'.repeat(24), state: 'changes_requested', caption: 'Fix me', accountIds: ['tiktok:a'] }),
    post({ _id: 'c'.repeat(24), state: 'scheduled', caption: 'Going out', accountIds: ['facebook:1'] }),
  ];

  it('shows posts waiting for approval, needing changes and scheduled, in words, with actions on scheduled ones', () => {
    const message = queueMessage({ posts: board, page: 0, total: 3, accounts: few, timezone: 'UTC' });
    expect(messageProblems(message)).toEqual([]);
    const blocks = message.blocks as Block[];
    const text = JSON.stringify(blocks);
    expect(text).toContain(':hourglass_flowing_sand: Waiting for approval');
    expect(text).toContain(':pencil2: Needs changes');
    expect(text).toContain(':calendar: Scheduled');
    expect(text).toContain('Waiting &lt;!here&gt;');
    const actionBlocks = blocks.filter((b) => b.type === 'actions' && b.block_id?.startsWith('queue:'));
    expect(actionBlocks.map((b) => b.block_id)).toEqual([`queue:${'c'.repeat(24)}:2:scheduled/0|`]);
  });

  it('filters by account with a select that shows the current choice, and keeps the filter on every control', () => {
    const all = queueMessage({ posts: board, page: 0, total: 3, accounts: few, timezone: 'UTC' });
    const select = (message: typeof all) =>
      ((message.blocks as Block[]).find((b) => b.block_id === 'queue_filter')?.elements ?? [])[0] as {
        action_id: string;
        options: { value: string }[];
        initial_option: { value: string };
      };
    expect(select(all).action_id).toBe(queueFilterAction);
    expect(select(all).options.map((o) => o.value)).toEqual([allAccounts, 'facebook:1', 'tiktok:a', 'tiktok:b']);
    expect(select(all).initial_option.value).toBe(allAccounts);

    const filtered = queueMessage({
      posts: board.slice(2),
      page: 1,
      total: 12,
      accountId: 'facebook:1',
      accounts: few,
      timezone: 'UTC',
    });
    expect(messageProblems(filtered)).toEqual([]);
    expect(select(filtered).initial_option.value).toBe('facebook:1');
    expect(JSON.stringify(filtered.blocks)).toContain('Facebook · Wone Commerce: upcoming posts (12)');
    const values = buttonsIn(filtered);
    expect(values).toContain(queuePageAction);
    const paging = (filtered.blocks as Block[]).find((b) => b.block_id?.startsWith('queue_pages'));
    expect(paging?.elements?.map((e) => e.value)).toEqual(['0|facebook:1', '2|facebook:1']);
    expect(queuePlaceOf('2|facebook:1')).toEqual({ page: 2, accountId: 'facebook:1' });
    expect(queuePlaceOf(`queue:${'c'.repeat(24)}:2:scheduled/1|facebook:1`)).toEqual({
      page: 1,
      accountId: 'facebook:1',
    });
    expect(queuePlaceOf('queue:abc:2:scheduled')).toEqual({ page: 0 });

    const none = queueMessage({ posts: [], page: 0, total: 0, accountId: 'tiktok:b', accounts: few, timezone: 'UTC' });
    expect(JSON.stringify(none.blocks)).toContain('Nothing is waiting or scheduled for TikTok · @wone.shop');
    // Many accounts: the select stays within Slack's 100 options.
    expect(messageProblems(queueMessage({ posts: board, page: 0, total: 3, accounts, timezone: 'UTC' }))).toEqual([]);
  });

  it('names the post being rescheduled: its accounts, its time and the start of its caption, escaped', () => {
    const view = rescheduleModal({
      date: '2027-03-28',
      time: '09:00',
      timezone: 'Asia/Tokyo',
      post: {
        ...post({ caption: '<!channel> *Spring* sale '.repeat(30) }),
        accountIds: ['facebook:1', 'tiktok:a'],
        accounts,
      },
      privateMetadata: '{}',
    });
    expect(viewProblems(view)).toEqual([]);
    const summary = JSON.stringify(view.blocks[0]);
    expect(summary).toContain('Facebook · Wone Commerce, TikTok · @wone');
    expect(summary).toContain('Now: Sun 28 Mar 2027, 09:00 Asia/Tokyo');
    expect(summary).toContain('&lt;!channel&gt;');
    expect(summary).not.toContain('<!channel>');
    expect(summary).not.toContain('*Spring*');
    expect(summary).toContain('…');
  });
});

describe('approval steps, expiry and the brand freeze', () => {
  const many = (prefix: string) => Array.from({ length: 60 }, (_, i) => `U${prefix}${String(i).padStart(4, '0')}`);
  const config = [
    { name: 'B'.repeat(40), rule: 'any' as const, users: many('B'), groups: ['S0BRAND', 'S0SOCIAL'] },
    { name: 'Legal', rule: 'all' as const, users: many('L'), groups: [] },
    { name: 'Final', rule: 'any' as const, users: ['UFINAL'], groups: [] },
  ];

  it('shows each step, who approved it and who is awaited, within Slack limits', () => {
    const pending = post({
      approval: {
        step: 1,
        approvals: [
          { step: 0, by: 'UB0001', at: new Date() },
          { step: 1, by: 'UL0002', at: new Date() },
        ],
      },
    });
    const message = approvalMessage({
      post: pending,
      accounts,
      thumbnails: [],
      teamTimezone: 'Europe/Berlin',
      checks: [],
      targets: [],
      steps: stepStatuses(config, pending),
      deadline: new Date('2027-03-27T23:45:00Z'),
    });
    expect(messageProblems(message)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(':white_check_mark: 1. *BBBB');
    expect(text).toContain('approved by <@UB0001>');
    expect(text).toContain(
      ':eyes: 2. *Legal* (everyone): approved by <@UL0002> · awaiting <@UL0000>, <@UL0001>, <@UL0003>',
    );
    expect(text).toContain(':white_circle: 3. *Final* (anyone): then <@UFINAL>');
    expect(text).toContain('Needs every approval by Sun 28 Mar 2027, 00:45 Europe/Berlin');
  });

  it('never awaits the requester in an all step, and says when no one is left who may approve', () => {
    const own = { ...post(), requestedBy: 'USOLE', approval: { step: 0, approvals: [] } };
    const [status] = stepStatuses([{ name: 'Legal', rule: 'all', users: ['USOLE'], groups: [] }], own);
    expect(status?.awaitedUsers).toEqual([]);
    expect(stepsText(status ? [status, status] : [])).toContain('no one left who may approve it');
  });

  it('offers no approver button on an expired post, and lists expired posts and the freeze first in the queue and Home', () => {
    const expired = post({ state: 'expired', caption: '<!channel> *late*' });
    // Edit is the requester's: in their message and App Home, not on the approvers' card.
    expect(
      buttonsIn(
        approvalMessage({ post: expired, accounts, thumbnails: [], teamTimezone: 'UTC', checks: [], targets: [] }),
      ),
    ).toEqual([]);
    const freeze = { by: 'UADMIN', reason: 'Incident <!here>', since: new Date('2027-03-20T10:00:00Z') };
    const queue = queueMessage({ posts: [], page: 0, total: 0, accounts, timezone: 'UTC', freeze, expired: [expired] });
    expect(messageProblems(queue)).toEqual([]);
    const text = JSON.stringify(queue.blocks);
    expect(JSON.stringify(queue.blocks[0])).toContain('Publishing is frozen* by <@UADMIN>');
    expect(text).toContain('Incident &lt;!here&gt;');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    const home = homeTab({
      queue: [],
      queueTotal: 0,
      recent: [],
      accounts,
      timezone: 'UTC',
      freeze,
      expired: [expired],
    });
    expect(viewProblems(home)).toEqual([]);
    expect(JSON.stringify(home.blocks[0])).toContain('Publishing is frozen');
  });

  it('keeps the freeze notices within Slack limits with many posts', () => {
    const posts = Array.from({ length: 60 }, (_, i) =>
      post({ _id: `${i}`.padStart(24, '0'), caption: `Post ${i} <!channel>` }),
    );
    const frozen = freezeNotice({ freeze: { by: 'UADMIN', reason: 'r'.repeat(3000) }, held: posts, timezone: 'UTC' });
    expect(messageProblems(frozen)).toEqual([]);
    expect(JSON.stringify(frozen.blocks)).not.toContain('<!channel>');
    const lifted = unfreezeNotice({ by: 'UADMIN', passed: posts, resumed: 3, timezone: 'UTC' });
    expect(messageProblems(lifted)).toEqual([]);
    expect(JSON.stringify(lifted.blocks)).toContain('and 40 more');
  });
});

function buttonsIn(message: { blocks: unknown[] }): string[] {
  return message.blocks.flatMap((block) => {
    const b = block as { type: string; elements?: { action_id: string }[] };
    return b.type === 'actions' ? (b.elements ?? []).map((e) => e.action_id) : [];
  });
}
