import { escapeMrkdwn } from '../../views/slack-text.ts';
import { platformLabels } from '../platforms/index.ts';
import type { CreatorInfo, PlatformName } from '../platforms/types.ts';
import type { Approvals } from './approvals.ts';
import { checkDraft, type DraftCheckInput, type DraftErrors, pruneDraft, publishRequestOf } from './draft-rules.ts';
import { MediaError } from './media-store.ts';
import type { PostWork } from './post-work.ts';
import {
  type DraftContent,
  editableStates,
  type MediaRef,
  type PostDoc,
  PostStateError,
  type SlackFileRef,
} from './posts.ts';
import { snapshotOf } from './revision-changes.ts';
import { PermissionDeniedError } from './roles.ts';
import { resolveLocalTime } from './schedule-time.ts';

/** What the draft modal offers a person: the connected accounts and each TikTok creator's settings. */
export interface DraftOptions {
  accounts: { id: string; platform: PlatformName; name: string }[];
  creators: Record<string, CreatorInfo>;
}

export interface DraftSubmission {
  /** Set when an existing post is edited. */
  postId?: string;
  draft: DraftContent;
  files: SlackFileRef[];
  timezone: string;
  by: string;
}

/**
 * Drafting: what the modal offers, every rule a submission must meet, and the work after the modal closes (media
 * downloaded and checked, then the preview posted for approval). Editing a post sends it back for approval.
 */
export class Drafts {
  constructor(private readonly deps: PostWork & { approvals: Pick<Approvals, 'roundStarted' | 'deadlineMinutes'> }) {}

  /** Connected accounts that can post now (a quick read, fit to run before a modal opens). */
  async usableAccounts(): Promise<DraftOptions['accounts']> {
    const usable = (await this.deps.accounts.list()).filter(
      (account) => account.status === 'ok' && this.deps.clients[account.platform],
    );
    return usable.map((account) => ({ id: account._id, platform: account.platform, name: account.name }));
  }

  /** What each TikTok creator among `accounts` allows (asked of TikTok now; a failure leaves that account out). */
  async creators(accounts: DraftOptions['accounts']): Promise<Record<string, CreatorInfo>> {
    const creators: Record<string, CreatorInfo> = {};
    await Promise.all(
      accounts
        .filter((account) => account.platform === 'tiktok')
        .map(async (account) => {
          const creator = await this.creatorInfo(account.id);
          if (creator) creators[account.id] = creator;
        }),
    );
    return creators;
  }

  private async creatorInfo(accountId: string): Promise<CreatorInfo | undefined> {
    const client = this.deps.clients.tiktok;
    if (!client?.getCreatorInfo) return undefined;
    try {
      return await client.getCreatorInfo(await this.deps.accounts.access(accountId));
    } catch (error) {
      this.deps.logger.warn({ err: error, accountId }, 'TikTok creator info unavailable');
      return undefined;
    }
  }

  /**
   * Checks a submission against every rule, without I/O (it runs before the modal is acknowledged): the accounts,
   * creator settings and kept media come from what the modal was opened with. Empty when it may go to approval.
   */
  check(input: Omit<DraftCheckInput, 'clients' | 'now'>, now = new Date()): DraftErrors {
    return checkDraft({
      ...input,
      clients: this.deps.clients,
      now,
      approvalDeadlineMinutes: this.deps.approvals.deadlineMinutes,
    });
  }

  /** Whether `userId` may edit the post: its requester, or an admin, and only while they may draft at all. */
  async mayEdit(post: Pick<PostDoc, 'requestedBy'>, userId: string): Promise<boolean> {
    const role = await this.deps.roles.roleOf(userId);
    if (!this.deps.roles.allows(role, 'draft')) return false;
    return post.requestedBy === userId || role === 'admin';
  }

  /**
   * Stores a checked submission (a new post, or an edit that sends the post back for approval) and returns its id.
   * The slow part, `prepare`, runs after.
   */
  async save(input: DraftSubmission): Promise<string> {
    const submission = { ...input, draft: draftContentOf(input.draft) };
    const now = new Date();
    const dueAt = dueOf(submission.draft, submission.timezone);
    if (!submission.postId) {
      await this.deps.roles.require(submission.by, 'draft');
      const id = this.deps.posts.newId();
      const post: PostDoc = {
        _id: id,
        ...submission.draft,
        state: 'drafted',
        requestedBy: submission.by,
        requesterTimezone: submission.timezone,
        ...(dueAt ? { dueAt } : {}),
        media: [],
        pendingFiles: submission.files,
        checks: [],
        decisions: [{ action: 'submitted', by: submission.by, at: now }],
        revision: 1,
        createdAt: now,
        updatedAt: now,
      };
      await this.deps.posts.insert(post);
      await this.deps.audit.record({ actor: submission.by, action: 'draft', subject: `post:${id}` });
      return id;
    }
    const existing = await this.deps.posts.get(submission.postId);
    if (!existing) throw new PostStateError(submission.postId, undefined, 'edited');
    if (!(await this.mayEdit(existing, submission.by))) {
      throw new PermissionDeniedError(submission.by, 'draft', 'admin');
    }
    const replaceMedia = submission.files.length > 0 || !sameUrls(existing, submission.draft);
    // What the approvers saw last: this revision, unless it never reached them (still being prepared, or sent back).
    const reachedApprovers = existing.state !== 'drafted' && existing.decisions.at(-1)?.action !== 'media_refused';
    const moved = await this.deps.posts.move(existing._id, editableStates, 'drafted', {
      decision: { action: 'edited', by: submission.by },
      set: {
        ...submission.draft,
        requesterTimezone: submission.timezone,
        ...(dueAt ? { dueAt } : {}),
        revision: existing.revision + 1,
        ...(reachedApprovers ? { previous: snapshotOf(existing) } : {}),
        ...(replaceMedia ? { pendingFiles: submission.files, media: [], replacedMedia: existing.media } : {}),
      },
      unset: dueAt ? [] : ['dueAt'],
      guard: { revision: existing.revision },
    });
    if (existing.state === 'scheduled' || existing.state === 'overdue') {
      await this.deps.scheduling.unplan(existing._id);
      await this.deps.targets.dropQueued(existing._id);
    }
    await this.deps.audit.record({ actor: submission.by, action: 'edit', subject: `post:${moved._id}` });
    return moved._id;
  }

  /**
   * After the modal closed: downloads and checks the media, checks each platform's rules on the real files, then
   * puts the post up for approval, or sends it back to the requester saying what is wrong. Nothing typed is lost.
   */
  async prepare(postId: string): Promise<PostDoc | undefined> {
    let post = await this.deps.posts.get(postId);
    if (post?.state !== 'drafted') return undefined;
    const stored: MediaRef[] = [...post.media];
    try {
      if (stored.length === 0) {
        for (const file of post.pendingFiles) stored.push(await this.deps.media.storeSlackFile(file, postId));
        for (const url of post.mediaUrls) stored.push(await this.deps.media.storeUrl(url, postId));
      }
    } catch (error) {
      await this.deps.media.remove(stored.map((media) => media.id));
      if (!(error instanceof MediaError)) throw error;
      return this.sendBack(post, error.message);
    }
    const checks = await this.platformChecks(post, stored);
    const problems = checks.flatMap((check) =>
      check.problems.map((problem) => `${platformLabels[check.platform]}: ${problem}`),
    );
    if (problems.length > 0) {
      await this.deps.media.remove(stored.map((media) => media.id));
      return this.sendBack({ ...post }, problems.join('; '));
    }
    const replaced = post.replacedMedia ?? [];
    const edited = post.decisions.some((decision) => decision.action === 'edited');
    post = await this.deps.posts.move(postId, ['drafted'], 'pending_approval', {
      // A new round of approval: every step again, from the first.
      set: { media: stored, pendingFiles: [], checks, approval: { step: 0, approvals: [] } },
      unset: ['replacedMedia'],
      guard: { revision: post.revision },
    });
    await this.deps.media.remove(replaced.map((media) => media.id).filter((id) => !stored.some((m) => m.id === id)));
    try {
      post = await this.deps.notifier.showPreview(post);
    } catch (error) {
      // The approval channel refused the first preview (the app is not in it, ...) or Slack was away: no card means
      // nobody can approve, so the post goes back to drafted, and the requester is told why and can send it again.
      this.deps.logger.warn({ err: error, postId }, 'the approval preview could not be posted');
      const back = await this.deps.posts.tryMove(postId, ['pending_approval'], 'drafted', {
        guard: { revision: post.revision },
      });
      await this.deps.notifier.previewRefused(post, error);
      return back ?? undefined;
    }
    if (edited) await this.deps.notifier.decision(post, 'edited', post.decisions.at(-1)?.by ?? post.requestedBy);
    await this.deps.approvals.roundStarted(post);
    return post;
  }

  private async sendBack(post: PostDoc, why: string): Promise<PostDoc> {
    const moved = await this.deps.posts.move(post._id, ['drafted'], 'changes_requested', {
      decision: { action: 'media_refused', by: 'system', note: why },
      set: { pendingFiles: [] },
    });
    await this.deps.notifier.askRequester(moved, escapeMrkdwn(why));
    await this.deps.notifier.showPreview(moved).catch(() => moved);
    return moved;
  }

  /** Each platform's rules, checked on the stored files (real sizes, dimensions and durations). */
  private async platformChecks(post: PostDoc, media: MediaRef[]): Promise<PostDoc['checks']> {
    const checks: PostDoc['checks'] = [];
    const accounts = await this.deps.accounts.list();
    for (const platform of Object.keys(post.postTypes) as PlatformName[]) {
      const postType = post.postTypes[platform];
      const client = this.deps.clients[platform];
      const account = accounts.find((a) => a.platform === platform && post.accountIds.includes(a._id));
      if (!postType || !client || !account) continue;
      const creator = platform === 'tiktok' ? await this.creatorInfo(account._id) : undefined;
      const items = media.map((ref) => this.deps.media.toMediaItem(ref));
      const violations = client.validate(publishRequestOf(post, postType, items, account._id), creator);
      checks.push({ platform, problems: violations.map((violation) => violation.message) });
    }
    return checks;
  }
}

/** Only the draft's own fields, whatever else the caller's object carries, and only for the chosen accounts. */
export function draftContentOf(source: DraftContent): DraftContent {
  return pruneDraft({
    accountIds: source.accountIds,
    postTypes: source.postTypes,
    tiktokMode: source.tiktokMode,
    caption: source.caption,
    // Always written, so an edit that clears a network's caption clears the stored one.
    captions: source.captions ?? {},
    ...(source.firstComment ? { firstComment: source.firstComment } : {}),
    ...(source.link ? { link: source.link } : {}),
    mediaUrls: source.mediaUrls,
    schedule: source.schedule,
    tiktok: source.tiktok,
  });
}

function sameUrls(post: PostDoc, draft: DraftContent): boolean {
  return post.mediaUrls.join('\n') === draft.mediaUrls.join('\n');
}

function dueOf(draft: DraftContent, timezone: string): Date | undefined {
  if (draft.schedule.kind !== 'at') return undefined;
  const resolved = resolveLocalTime(draft.schedule.date, draft.schedule.time, timezone);
  return resolved.ok ? resolved.at : undefined;
}
