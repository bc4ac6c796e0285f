import type { Filter } from 'mongodb';
import { escapeMrkdwn } from '../../views/slack-text.ts';
import type { ApprovalStepConfig } from '../config.ts';
import type { PostNotifier } from '../notify/post-notifier.ts';
import { type ApprovalRound, type ApprovalSteps, authorsOf, completesStep, stillAwaited } from './approval-steps.ts';
import type { AuditLog } from './audit.ts';
import { captionFor } from './draft-rules.ts';
import type { MediaStore } from './media-store.ts';
import { platformOf } from './post-types.ts';
import { type PostDoc, PostStateError, type Posts } from './posts.ts';
import { PermissionDeniedError, type Roles } from './roles.ts';
import { formatInZone } from './schedule-time.ts';
import { mediaRetentionMs, type Scheduling } from './scheduling.ts';
import type { Targets } from './targets.ts';

/** Refused because people may not approve what they asked for or wrote themselves (an edit included), in any step. */
export class OwnPostError extends Error {
  readonly code = 'own_post';
  constructor(readonly postId: string) {
    super('You cannot approve your own post or a post you edited. Ask another approver.');
    this.name = 'OwnPostError';
  }
}

/** The preview the click came from shows an older revision than the post has now. */
export class StaleRevisionError extends Error {
  readonly code = 'stale_revision';
  constructor(readonly postId: string) {
    super('This post was edited since that preview was posted. Look at the updated preview.');
    this.name = 'StaleRevisionError';
  }
}

/** Refused because the clicker approves another step than the one the post is waiting on (or already approved it). */
export class ApprovalStepError extends Error {
  readonly code = 'approval_step';
  constructor(
    readonly postId: string,
    readonly step: string,
    readonly reason: 'not_this_step' | 'already_approved',
  ) {
    super(
      reason === 'already_approved'
        ? `You have already approved the ${step} step of this post.`
        : `This post is waiting on the ${step} step; only its approvers can decide on it now.`,
    );
    this.name = 'ApprovalStepError';
  }
}

const decisionFields = ['state', 'revision', 'requestedBy', 'dueAt', 'decisions', 'approval'] as const;
type DecisionView = Pick<PostDoc, '_id' | (typeof decisionFields)[number]>;

/** How often an approval that lost a race to another approval of the same step reads the post again and retries. */
const approvalAttempts = 6;

/**
 * Decisions on posts waiting for approval, step by step (`APPROVAL_STEPS`). Only the current step's approvers decide,
 * never on a post they requested or a revision they wrote. Each approval is one guarded update, guarded by the round
 * it leaves (the step and how many approvals it had): two approvals of an `all` step at once both count (the one that
 * lost reads again and adds itself), two of an `any` step complete it once, and the step that completes the last one
 * schedules the post once.
 */
export class Approvals {
  constructor(
    private readonly deps: {
      posts: Posts;
      targets: Targets;
      media: MediaStore;
      scheduling: Scheduling;
      notifier: PostNotifier;
      roles: Roles;
      audit: AuditLog;
      steps: ApprovalSteps;
      clock: () => Date;
      /** A post must be fully approved this long before its time (0: no deadline). */
      deadlineMinutes: number;
      /** Whether a brand freeze is in force (a post approved during one is held). */
      frozen: () => Promise<boolean>;
    },
  ) {}

  get steps(): readonly ApprovalStepConfig[] {
    return this.deps.steps.steps;
  }

  /** How long before its time a post must be fully approved (0: no deadline). */
  get deadlineMinutes(): number {
    return this.deps.deadlineMinutes;
  }

  /** When the post must be fully approved by, if it has a time and deadlines are on. */
  deadlineOf(post: Pick<PostDoc, 'dueAt'>): Date | undefined {
    if (!post.dueAt || this.deps.deadlineMinutes === 0) return undefined;
    return new Date(post.dueAt.getTime() - this.deps.deadlineMinutes * 60_000);
  }

  /**
   * Approves the post's current step. When that completes the last step, the post is scheduled at its time (or now,
   * for "as soon as approved" and times already past); otherwise the next step's approvers are told.
   */
  async approve(postId: string, revision: number, by: string, now = this.deps.clock()): Promise<PostDoc> {
    let seenStep: number | undefined;
    for (let attempt = 0; ; attempt += 1) {
      const current = await this.current(postId, revision, now);
      const round: ApprovalRound = current.approval ?? { step: 0, approvals: [] };
      if (seenStep !== undefined && round.step !== seenStep) {
        // Another approval completed the step this click was for: it is too late, whoever it was.
        const completed = current.decisions.filter((decision) => decision.action === 'approved').at(-1);
        throw new PostStateError(postId, current.state, 'approved', completed);
      }
      seenStep = round.step;
      const step = await this.requireStepApprover(current, round, by);
      const approvedBy = round.approvals.filter((a) => a.step === round.step).map((a) => a.by);
      if (approvedBy.includes(by)) throw new ApprovalStepError(postId, step.name, 'already_approved');
      const authors = authorsOf(current);
      const stepDone = completesStep(step, approvedBy, by, authors);
      const last = stepDone && round.step === this.steps.length - 1;
      const next: ApprovalRound = {
        step: stepDone && !last ? round.step + 1 : round.step,
        approvals: [...round.approvals, { step: round.step, by, at: now }],
      };
      const guard = {
        revision,
        ...(current.approval
          ? { 'approval.step': round.step, 'approval.approvals': { $size: round.approvals.length } }
          : { approval: { $exists: false } }),
      } as Filter<PostDoc>;
      const decision = {
        action: 'approved' as const,
        by,
        ...(this.steps.length > 1 ? { note: `${step.name} step` } : {}),
      };
      const moved = last
        ? await this.schedule(current, next, decision, guard, now)
        : await this.deps.posts
            .tryMove(postId, ['pending_approval'], 'pending_approval', { decision, set: { approval: next }, guard })
            .then((post) => (post ? { post, scheduled: false, late: false } : null));
      if (!moved) {
        if (attempt + 1 >= approvalAttempts) throw new PostStateError(postId, current.state, 'approved');
        continue;
      }
      await this.deps.audit.record({
        actor: by,
        action: 'approve',
        subject: `post:${postId}`,
        ...(this.steps.length > 1 ? { details: { step: step.name } } : {}),
      });
      await this.deps.notifier.showPreview(moved.post);
      if (moved.scheduled) await this.announceScheduled(moved.post, by, moved.late);
      else {
        await this.deps.notifier.decision(moved.post, 'approved', by, `${step.name} step`);
        if (stepDone) {
          await this.deps.notifier.tellRequester(moved.post, { kind: 'step_approved', by, step: step.name });
          await this.askStep(moved.post, next.step);
        }
      }
      return moved.post;
    }
  }

  /** Sends the post back to its requester with a reason: the round ends here, whatever step it had reached. */
  async requestChanges(postId: string, revision: number, by: string, reason: string): Promise<PostDoc> {
    const current = await this.current(postId, revision);
    const step = await this.requireStepApprover(current, current.approval ?? { step: 0, approvals: [] }, by);
    const post = await this.deps.posts.move(postId, ['pending_approval'], 'changes_requested', {
      decision: { action: 'changes_requested', by, note: reason },
      guard: { revision },
    });
    await this.deps.audit.record({ actor: by, action: 'request_changes', subject: `post:${postId}` });
    await this.deps.notifier.showPreview(post);
    await this.deps.notifier.decision(post, 'changes_requested', by, reason);
    const where = this.steps.length > 1 ? ` (${step.name} step)` : '';
    await this.deps.notifier.askRequester(post, `<@${by}>${where} says: ${escapeMrkdwn(reason)}`);
    return post;
  }

  /** Rejects, with an optional reason: the post will not be published. */
  async reject(postId: string, revision: number, by: string, reason?: string): Promise<PostDoc> {
    const current = await this.current(postId, revision);
    await this.requireStepApprover(current, current.approval ?? { step: 0, approvals: [] }, by);
    const post = await this.deps.posts.move(postId, ['pending_approval'], 'rejected', {
      decision: { action: 'rejected', by, ...(reason ? { note: reason } : {}) },
      set: { finishedAt: new Date() },
      guard: { revision },
    });
    await this.deps.media.expire(
      post.media.map((media) => media.id),
      new Date(Date.now() + mediaRetentionMs),
    );
    await this.deps.audit.record({ actor: by, action: 'reject', subject: `post:${postId}` });
    await this.deps.notifier.showPreview(post);
    await this.deps.notifier.decision(post, 'rejected', by, reason);
    await this.deps.notifier.tellRequester(post, { kind: 'rejected', by, ...(reason ? { reason } : {}) });
    return post;
  }

  /** Whether `userId` may decide on the post now (the Request changes button checks before it opens its modal). */
  async mayDecide(postId: string, userId: string): Promise<void> {
    const post = await this.deps.posts.getFields(postId, decisionFields);
    if (!post) throw new PostStateError(postId, undefined, 'approved');
    await this.requireStepApprover(post, post.approval ?? { step: 0, approvals: [] }, userId);
  }

  /**
   * The posts waiting for `userId` to decide, oldest first: in a step they approve, not written by them, and not yet
   * approved by them in that step (at most `limit`, of the `scan` oldest waiting posts), and how many there are.
   */
  async waitingFor(userId: string, limit: number, scan = 200): Promise<{ posts: PostDoc[]; total: number }> {
    if (!(await this.deps.steps.inAnyStep(userId))) return { posts: [], total: 0 };
    const pending = await this.deps.posts.collection
      .find({ state: 'pending_approval' })
      .sort({ updatedAt: 1, _id: 1 })
      .limit(scan)
      .toArray();
    const mine: PostDoc[] = [];
    for (const post of pending) {
      const round = post.approval ?? { step: 0, approvals: [] };
      if (authorsOf(post).has(userId)) continue;
      if (round.approvals.some((a) => a.step === round.step && a.by === userId)) continue;
      if (await this.deps.steps.isApprover(round.step, userId)) mine.push(post);
    }
    return { posts: mine.slice(0, limit), total: mine.length };
  }

  /** A new round of approval begins (submitted or edited): the first step's approvers are told. */
  async roundStarted(post: PostDoc): Promise<void> {
    await this.askStep(post, 0);
  }

  /**
   * Expires every post still waiting for approval whose deadline has passed (run every minute). Returns how many.
   */
  async expireDue(now = this.deps.clock()): Promise<number> {
    if (this.deps.deadlineMinutes === 0) return 0;
    const cutoff = new Date(now.getTime() + this.deps.deadlineMinutes * 60_000);
    const due = await this.deps.posts.collection
      .find({ state: 'pending_approval', dueAt: { $lte: cutoff } }, { projection: { _id: 1 } })
      .toArray();
    let expired = 0;
    for (const { _id } of due) if (await this.expire(_id, now)) expired += 1;
    return expired;
  }

  /** Moves a post that missed its approval deadline to `expired` and tells its requester and waiting approvers. */
  private async expire(postId: string, now: Date): Promise<PostDoc | undefined> {
    const post = await this.deps.posts.get(postId);
    const deadline = post ? this.deadlineOf(post) : undefined;
    if (!post || !deadline || deadline.getTime() > now.getTime()) return undefined;
    const expired = await this.deps.posts.tryMove(postId, ['pending_approval'], 'expired', {
      decision: { action: 'expired', by: 'system', note: formatInZone(deadline, post.requesterTimezone) },
      guard: { revision: post.revision },
    });
    if (!expired) return undefined;
    await this.deps.audit.record({ actor: 'system', action: 'expire', subject: `post:${postId}` });
    await this.deps.notifier.showPreview(expired);
    await this.deps.notifier.decision(expired, 'expired', 'system', formatInZone(deadline, expired.requesterTimezone));
    const minutes = this.deps.deadlineMinutes;
    await this.deps.notifier.askRequester(
      expired,
      `it was not fully approved ${minutes} minute${minutes === 1 ? '' : 's'} before its time, so it will not be published. Edit it to choose a new time and send it for approval again.`,
    );
    const round = expired.approval ?? { step: 0, approvals: [] };
    const step = this.steps[round.step];
    if (step) {
      const waiting = await this.awaitedPeople(expired, round);
      const link = await this.deps.notifier.permalink(expired);
      for (const person of waiting) {
        await this.deps.notifier.tell(person, {
          text: `A post from <@${expired.requestedBy}> waiting for your approval (${step.name} step) expired: it was not fully approved in time. It no longer needs you${link ? `: ${link}` : ''}.`,
        });
      }
    }
    return expired;
  }

  /** Schedules a post whose last step is complete, in the same guarded update that records the approval. */
  private async schedule(
    current: DecisionView,
    next: ApprovalRound,
    decision: { action: 'approved'; by: string; note?: string },
    guard: Filter<PostDoc>,
    now: Date,
  ): Promise<{ post: PostDoc; scheduled: true; late: boolean } | null> {
    const late = Boolean(current.dueAt && current.dueAt.getTime() < now.getTime());
    const dueAt = !current.dueAt || late ? now : current.dueAt;
    const held = await this.deps.frozen();
    const post = await this.deps.posts.tryMove(current._id, ['pending_approval'], 'scheduled', {
      decision,
      set: { dueAt, approval: next, ...(held ? { heldByFreeze: true } : {}) },
      guard,
    });
    if (!post) return null;
    await this.deps.targets.queue(
      post._id,
      post.accountIds.flatMap((accountId) => {
        const platform = accountId.split(':')[0];
        const postType = Object.values(post.postTypes).find((type) => type && platformOf(type) === platform);
        return postType
          ? [{ accountId, platform: platformOf(postType), postType, caption: captionFor(post, platformOf(postType)) }]
          : [];
      }),
      dueAt,
    );
    if (!held) await this.deps.scheduling.plan(post._id, dueAt);
    return { post, scheduled: true, late };
  }

  private async announceScheduled(post: PostDoc, by: string, late: boolean): Promise<void> {
    const dueAt = post.dueAt ?? new Date();
    const freeze = post.heldByFreeze ? ' (held while publishing is frozen)' : '';
    const when = late
      ? `its time had passed, so it goes out now${freeze}`
      : `goes out ${formatInZone(dueAt, post.requesterTimezone)}${freeze}`;
    await this.deps.notifier.decision(post, 'approved', by, this.steps.length > 1 ? `all steps; it ${when}` : when);
    await this.deps.notifier.tellRequester(post, { kind: 'approved', by, when });
  }

  /** Tells the approvers of step `index` that the post waits on them (not its authors, nor who already approved). */
  private async askStep(post: PostDoc, index: number): Promise<void> {
    const step = this.steps[index];
    if (!step) return;
    const round = post.approval ?? { step: index, approvals: [] };
    const people = await this.awaitedPeople(post, round);
    const link = await this.deps.notifier.permalink(post);
    const label = this.steps.length > 1 ? ` (${step.name} step, ${index + 1} of ${this.steps.length})` : '';
    const deadline = this.deadlineOf(post);
    const by = deadline ? ` Approve by ${formatInZone(deadline, post.requesterTimezone)}.` : '';
    for (const person of people) {
      await this.deps.notifier.tell(person, {
        text: `A post from <@${post.requestedBy}> is waiting for your approval${label}${link ? `: ${link}` : ''}.${by}`,
      });
    }
  }

  private async awaitedPeople(post: Pick<PostDoc, 'requestedBy' | 'decisions'>, round: ApprovalRound) {
    const step = this.steps[round.step];
    if (!step) return [];
    const authors = authorsOf(post);
    const approvedBy = round.approvals.filter((a) => a.step === round.step).map((a) => a.by);
    if (step.rule === 'all') return stillAwaited(step, approvedBy, authors);
    return this.deps.steps.peopleOf(round.step, new Set([...authors, ...approvedBy])).catch(() => []);
  }

  /** The step the post waits on, if `by` may decide on it: not an author, and one of that step's approvers. */
  private async requireStepApprover(post: DecisionView, round: ApprovalRound, by: string) {
    const step = this.steps[round.step] ?? this.steps[0];
    if (!step) throw new PermissionDeniedError(by, 'approve', 'approver');
    if (await this.deps.steps.isApprover(round.step, by)) {
      if (authorsOf(post).has(by)) throw new OwnPostError(post._id);
      return step;
    }
    if (await this.deps.steps.inAnyStep(by)) throw new ApprovalStepError(post._id, step.name, 'not_this_step');
    throw new PermissionDeniedError(by, 'approve', this.deps.roles.needed('approve'));
  }

  /** What a decision checks first: the post's state, revision and deadline, read without the rest of it. */
  private async current(postId: string, revision: number, now = this.deps.clock()): Promise<DecisionView> {
    const post = await this.deps.posts.getFields(postId, decisionFields);
    if (!post) throw new PostStateError(postId, undefined, 'approved');
    if (post.state !== 'pending_approval') {
      throw new PostStateError(postId, post.state, 'decided', post.decisions.at(-1));
    }
    if (post.revision !== revision) throw new StaleRevisionError(postId);
    const deadline = this.deadlineOf(post);
    if (deadline && deadline.getTime() <= now.getTime()) {
      // Too late to approve: the post expires now (if the minute's sweep has not done it already).
      const expired = (await this.expire(postId, now)) ?? (await this.deps.posts.get(postId));
      throw new PostStateError(postId, expired?.state, 'decided', expired?.decisions.at(-1));
    }
    return post;
  }
}
