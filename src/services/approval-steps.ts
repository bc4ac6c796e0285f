import type { ApprovalStepConfig, Config } from '../config.ts';
import type { UsergroupLookup } from './roles.ts';

/** One approval given in a round: which step, who, when. */
export interface StepApproval {
  step: number;
  by: string;
  at: Date;
}

/** Where a post's current round of approval is: the step it waits on and the approvals given so far. */
export interface ApprovalRound {
  step: number;
  approvals: StepApproval[];
}

/** What the card shows of one step. */
export interface StepStatus {
  name: string;
  rule: 'any' | 'all';
  state: 'done' | 'current' | 'waiting';
  approvedBy: string[];
  /** People still awaited (an `all` step: each one; an `any` step: any of them). */
  awaitedUsers: string[];
  /** User groups whose members may approve (an `any` step). */
  awaitedGroups: string[];
}

/** The steps the operator set, or one step whose approvers are today's: admins, approvers and the approver group. */
export function approvalStepsOf(
  config: Pick<Config, 'APPROVAL_STEPS' | 'ADMIN_USER_IDS' | 'APPROVER_USER_IDS' | 'APPROVER_USERGROUP_ID'>,
): ApprovalStepConfig[] {
  if (config.APPROVAL_STEPS && config.APPROVAL_STEPS.length > 0) return config.APPROVAL_STEPS;
  return [
    {
      name: 'Approval',
      rule: 'any',
      users: [...new Set([...config.ADMIN_USER_IDS, ...config.APPROVER_USER_IDS])],
      groups: config.APPROVER_USERGROUP_ID ? [config.APPROVER_USERGROUP_ID] : [],
    },
  ];
}

/** The people who may not approve a post in any step: its requester and everyone who wrote one of its revisions. */
export function authorsOf(post: { requestedBy: string; decisions: { action: string; by: string }[] }): Set<string> {
  const authors = new Set([post.requestedBy]);
  for (const decision of post.decisions) if (decision.action === 'edited') authors.add(decision.by);
  return authors;
}

/** Who must still approve an `all` step: every named person but the post's authors, less those who have. */
export function stillAwaited(
  step: ApprovalStepConfig,
  approvedBy: readonly string[],
  authors: ReadonlySet<string>,
): string[] {
  return step.users.filter((user) => !authors.has(user) && !approvedBy.includes(user));
}

/** Whether one more approval by `by` completes the step. */
export function completesStep(
  step: ApprovalStepConfig,
  approvedBy: readonly string[],
  by: string,
  authors: ReadonlySet<string>,
): boolean {
  if (step.rule === 'any') return true;
  return stillAwaited(step, [...approvedBy, by], authors).length === 0;
}

/** Each step's state for the card, from the post's round (a post submitted before steps existed is at step 1). */
export function stepStatuses(
  steps: readonly ApprovalStepConfig[],
  post: {
    state: string;
    requestedBy: string;
    decisions: { action: string; by: string }[];
    approval?: ApprovalRound;
  },
): StepStatus[] {
  const round = post.approval ?? { step: 0, approvals: [] };
  const authors = authorsOf(post);
  const finished = post.state !== 'pending_approval' && post.state !== 'drafted' && post.state !== 'expired';
  const approvedAll = finished && post.state !== 'changes_requested' && post.state !== 'rejected';
  return steps.map((step, index) => {
    const approvedBy = round.approvals.filter((approval) => approval.step === index).map((approval) => approval.by);
    const done = index < round.step || (approvedAll && index === round.step);
    const current = !done && index === round.step && !finished;
    const awaitedUsers =
      step.rule === 'all' ? stillAwaited(step, approvedBy, authors) : step.users.filter((user) => !authors.has(user));
    return {
      name: step.name,
      rule: step.rule,
      state: done ? 'done' : current ? 'current' : 'waiting',
      approvedBy,
      awaitedUsers: done ? [] : awaitedUsers,
      awaitedGroups: done ? [] : step.groups,
    };
  });
}

/**
 * The steps and who belongs to each: named people, and members of named user groups (asked of Slack, cached briefly).
 */
export class ApprovalSteps {
  private readonly groups = new Map<string, { members: Set<string>; until: number }>();

  constructor(
    readonly steps: readonly ApprovalStepConfig[],
    private readonly lookupUsergroup: UsergroupLookup,
    private readonly cacheMs = 60_000,
  ) {}

  /** Whether `userId` is one of the approvers of step `index`. */
  async isApprover(index: number, userId: string): Promise<boolean> {
    const step = this.steps[index];
    if (!step) return false;
    if (step.users.includes(userId)) return true;
    for (const group of step.groups) if ((await this.members(group)).has(userId)) return true;
    return false;
  }

  /** Whether `userId` approves in any step (so a refusal can say "not at this step" instead of "not an approver"). */
  async inAnyStep(userId: string): Promise<boolean> {
    for (const index of this.steps.keys()) if (await this.isApprover(index, userId)) return true;
    return false;
  }

  /** Everyone who may approve step `index`, people and group members, less `excluded`. */
  async peopleOf(index: number, excluded: ReadonlySet<string>): Promise<string[]> {
    const step = this.steps[index];
    if (!step) return [];
    const people = new Set(step.users);
    for (const group of step.groups) for (const member of await this.members(group)) people.add(member);
    return [...people].filter((person) => !excluded.has(person));
  }

  private async members(group: string): Promise<Set<string>> {
    const cached = this.groups.get(group);
    if (cached && cached.until > Date.now()) return cached.members;
    // A failed lookup is not cached: the next click asks Slack again.
    const members = new Set(await this.lookupUsergroup(group));
    this.groups.set(group, { members, until: Date.now() + this.cacheMs });
    return members;
  }
}
