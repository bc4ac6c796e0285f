import { describe, expect, it } from 'vitest';
import { messageProblems, viewProblems } from '../../src/sandbox/block-kit-rules.ts';
import type { PostDoc, PostState } from '../../src/services/posts.ts';
import { approvalActions } from '../../views/approval-message.ts';
import { changeRequestBlock, changeRequestBlockId, withChangeRequest } from '../../views/change-request-note.ts';
import { draftModal } from '../../views/draft-modal.ts';
import { fitHome, homeGroups, homePostBlocks } from '../../views/home-posts.ts';
import { homeTab, queueMessage } from '../../views/queue-message.ts';
import { rejectModal } from '../../views/reason-modal.ts';
import { requesterMessage } from '../../views/requester-message.ts';
import { withdrawAction } from '../../views/withdraw-button.ts';

const hostile = 'Flash *sale* <!channel> <https://evil.example|wone.com>';
const now = new Date('2027-03-20T10:00:00Z');

function post(state: PostState, i = 0, overrides: Partial<PostDoc> = {}): PostDoc {
  return {
    _id: `${i}`.padStart(24, 'a'),
    accountIds: ['facebook:1'],
    postTypes: { facebook: 'facebook_text' },
    tiktokMode: 'direct',
    caption: `${hostile} ${'x'.repeat(3000)}`,
    mediaUrls: [],
    schedule: { kind: 'asap' },
    tiktok: {
      privacy: {},
      allowComment: false,
      allowDuet: false,
      allowStitch: false,
      brandOrganic: false,
      brandContent: false,
    },
    state,
    requestedBy: 'UEDITOR',
    requesterTimezone: 'UTC',
    dueAt: now,
    media: [],
    pendingFiles: [],
    checks: [],
    decisions: [{ action: 'changes_requested', by: 'UAPPROVER', at: now, note: `${hostile} ${'n'.repeat(4000)}` }],
    revision: 3,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

const buttonIds = (blocks: unknown[]) =>
  JSON.stringify(blocks)
    .match(/"action_id":"[^"]+"/g)
    ?.map((m) => m.slice(13, -1)) ?? [];

describe('App Home: own posts by state and what waits for approvers', () => {
  const full = homePostBlocks({
    mine: homeGroups.map(({ group, states }) => ({
      group,
      // The states with the most buttons (Edit and Withdraw) where a group has them.
      posts: Array.from({ length: 3 }, (_, i) =>
        post(states.find((s) => s === 'pending_approval' || s === 'scheduled') ?? states[0], i),
      ),
      total: 57,
    })),
    waitingForYou: {
      posts: Array.from({ length: 5 }, (_, i) => ({
        post: post('pending_approval', i),
        link: `https://wone.slack.com/archives/C0APPROVAL/p${i}`,
      })),
      total: 12,
    },
    timezone: 'Asia/Tokyo',
  });

  it('stays within 45 blocks at its fullest, says how many more, and fits a Home tab with the rest', () => {
    expect(full.length).toBeLessThanOrEqual(45);
    expect(viewProblems({ type: 'home', blocks: full })).toEqual([]);
    const text = JSON.stringify(full);
    expect(text).toContain('and 54 more');
    expect(text).toContain('and 7 more in the approval channel');
    expect(text).toContain('Waiting for your approval (12)');
    for (const { title } of homeGroups) expect(text).toContain(`*${title}* (57)`);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil.example');
    const home = homeTab({
      queue: Array.from({ length: 10 }, (_, i) => post('scheduled', i)),
      queueTotal: 40,
      recent: [],
      accounts: [],
      timezone: 'UTC',
      expired: Array.from({ length: 5 }, (_, i) => post('expired', i)),
    });
    expect(viewProblems({ type: 'home', blocks: [...full, ...home.blocks] })).toEqual([]);
  });

  it('offers Withdraw only while a post waits, and Edit while it can be edited', () => {
    const blocks = homePostBlocks({
      mine: [
        { group: 'waiting', posts: [post('pending_approval', 1)], total: 1 },
        { group: 'scheduled', posts: [post('scheduled', 2), post('overdue', 3)], total: 2 },
        { group: 'needs_changes', posts: [post('changes_requested', 4)], total: 1 },
        { group: 'published', posts: [post('published', 5)], total: 1 },
        { group: 'rejected', posts: [post('rejected', 6)], total: 1 },
      ],
      timezone: 'UTC',
    });
    // Groups in order: waiting, needs changes, scheduled (overdue waits for an approver), …
    expect(buttonIds(blocks)).toEqual([
      approvalActions.edit,
      withdrawAction,
      approvalActions.edit,
      approvalActions.edit,
      withdrawAction,
    ]);
    expect(JSON.stringify(blocks)).not.toContain('Waiting for your approval');
  });

  it('says so when the person has no posts', () => {
    expect(JSON.stringify(homePostBlocks({ mine: [], timezone: 'UTC' }))).toContain('You have no posts yet');
  });
});

describe('queue and Home buttons follow the viewer', () => {
  const scheduled = [post('scheduled', 1), post('scheduled', 2, { requestedBy: 'UOTHER' })];
  const expired = [post('expired', 3), post('expired', 4, { requestedBy: 'UOTHER' })];

  it('shows editors no Reschedule or Cancel, Withdraw on their own, and Edit only on their own', () => {
    const editor = { id: 'UEDITOR', manage: false, admin: false };
    const queue = queueMessage({
      posts: scheduled,
      page: 0,
      total: 2,
      accounts: [],
      timezone: 'UTC',
      expired,
      viewer: editor,
    });
    expect(messageProblems(queue)).toEqual([]);
    expect(buttonIds(queue.blocks)).toEqual([withdrawAction, approvalActions.edit]);
    const home = homeTab({
      queue: scheduled,
      queueTotal: 2,
      recent: [],
      accounts: [],
      timezone: 'UTC',
      expired,
      viewer: editor,
    });
    expect(buttonIds(home.blocks)).toEqual([withdrawAction, approvalActions.edit]);
  });

  it('shows approvers Reschedule and Cancel, and admins Edit on every expired post', () => {
    const admin = { id: 'UADMIN', manage: true, admin: true };
    const queue = queueMessage({
      posts: scheduled,
      page: 0,
      total: 2,
      accounts: [],
      timezone: 'UTC',
      expired,
      viewer: admin,
    });
    expect(buttonIds(queue.blocks)).toEqual([
      approvalActions.reschedule,
      approvalActions.cancel,
      approvalActions.reschedule,
      approvalActions.cancel,
      approvalActions.edit,
      approvalActions.edit,
    ]);
  });
});

describe('the requester’s direct messages', () => {
  it('words each decision, escapes what came from outside, links the thread, and offers what fits', () => {
    const link = 'https://wone.slack.com/archives/C0APPROVAL/p1700000000000100';
    const cases = [
      [post('pending_approval'), { kind: 'submitted' }, [approvalActions.edit, withdrawAction]],
      [post('scheduled'), { kind: 'approved', by: 'UAPPROVER', when: 'goes out Mon 10:00' }, [withdrawAction]],
      [post('pending_approval'), { kind: 'step_approved', by: 'UAPPROVER', step: 'Legal' }, [withdrawAction]],
      [post('changes_requested'), { kind: 'changes_requested', why: 'Shorter' }, [approvalActions.edit]],
      [post('rejected'), { kind: 'rejected', by: 'UAPPROVER', reason: hostile }, []],
      [post('scheduled'), { kind: 'rescheduled', by: 'UAPPROVER', when: 'Tue 10:00' }, [withdrawAction]],
      [post('cancelled'), { kind: 'cancelled', by: 'UAPPROVER' }, []],
      [post('published'), { kind: 'published', problems: false }, []],
      [post('needs_attention'), { kind: 'published', problems: true }, []],
    ] as const;
    for (const [p, news, buttons] of cases) {
      const message = requesterMessage(p, news, link);
      expect(messageProblems(message)).toEqual([]);
      expect(buttonIds(message.blocks)).toEqual(buttons);
      const text = JSON.stringify(message);
      expect(text).toContain(`<${link}|Open the approval thread>`);
      expect(text).not.toContain('<!channel>');
    }
    expect(requesterMessage(post('rejected'), { kind: 'rejected', by: 'U1', reason: hostile }).text).toContain(
      'Reason: Flash ',
    );
  });
});

describe('reasons', () => {
  it('the reject modal asks an optional reason, within limits', () => {
    const modal = rejectModal('{"postId":"x","revision":1}');
    expect(viewProblems(modal)).toEqual([]);
    const input = modal.blocks.find((b) => b.type === 'input');
    expect(input).toMatchObject({ block_id: 'reason', optional: true });
  });

  it('the Edit modal starts with the change request, escaped, once', () => {
    const note = changeRequestBlock(post('changes_requested').decisions.at(-1));
    const modal = draftModal({
      accounts: [{ id: 'facebook:1', platform: 'facebook', name: 'Wone' }],
      creators: {},
      timezone: 'UTC',
      suggested: { date: '2027-01-01', time: '10:00' },
      initial: post('changes_requested'),
      privateMetadata: '{}',
    });
    const withNote = withChangeRequest(modal, note);
    expect(viewProblems(withNote)).toEqual([]);
    expect(withNote.blocks[0]?.block_id).toBe(changeRequestBlockId);
    expect(JSON.stringify(withNote.blocks[0])).not.toContain('<!channel>');
    expect(withChangeRequest(withNote, note).blocks).toHaveLength(withNote.blocks.length);
    expect(changeRequestBlock({ action: 'approved', by: 'U1', at: now, note: 'x' })).toBeUndefined();
  });
});

describe('a Home tab that would be too long', () => {
  it('keeps 100 blocks and says how many more there were', () => {
    const blocks = Array.from({ length: 130 }, (_, i) => ({
      type: 'section' as const,
      text: { type: 'mrkdwn' as const, text: `${i}` },
    }));
    const fitted = fitHome(blocks);
    expect(fitted).toHaveLength(100);
    expect(JSON.stringify(fitted.at(-1))).toContain('and 31 more');
    expect(viewProblems({ type: 'home', blocks: fitted })).toEqual([]);
    expect(fitHome(blocks.slice(0, 100))).toHaveLength(100);
  });
});
