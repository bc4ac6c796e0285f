import type { Config } from '../config.ts';

export type Role = 'admin' | 'approver' | 'editor';

/** A role, or `none` for a workspace member left out of a configured editor list. */
export type RoleOrNone = Role | 'none';

/** What someone may do, and the least role that allows it. */
export const permissions = {
  help: 'editor',
  draft: 'editor',
  view_queue: 'editor',
  view_accounts: 'editor',
  view_insights: 'editor',
  reply_comment: 'editor',
  hide_comment: 'editor',
  approve: 'approver',
  reschedule: 'approver',
  cancel: 'approver',
  retry_publish: 'approver',
  connect: 'admin',
  disconnect: 'admin',
  audit: 'admin',
  delete_data: 'admin',
  freeze: 'admin',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof permissions;

const rank: Record<RoleOrNone, number> = { none: 0, editor: 1, approver: 2, admin: 3 };

/** Looks up Slack user group members (the handler layer supplies it with the Slack client). */
export type UsergroupLookup = (usergroupId: string) => Promise<string[]>;

/** Refused because the user's role is below what the action needs. */
export class PermissionDeniedError extends Error {
  readonly code = 'permission_denied';
  constructor(
    readonly userId: string,
    readonly permission: Permission,
    readonly needed: Role,
  ) {
    super(`This needs the ${needed} role.`);
    this.name = 'PermissionDeniedError';
  }
}

/**
 * The one place that decides who may do what. Admins and approvers come from configuration and the approver user
 * group (members cached briefly); editors are every member of the workspace, or only those in `EDITOR_USER_IDS` when
 * it is set (other workspaces are refused before any handler runs).
 */
export class Roles {
  private cache: { members: Set<string>; until: number } | undefined;

  constructor(
    private readonly config: Pick<
      Config,
      'ADMIN_USER_IDS' | 'APPROVER_USER_IDS' | 'APPROVER_USERGROUP_ID' | 'EDITOR_USER_IDS'
    >,
    private readonly lookupUsergroup: UsergroupLookup,
    private readonly cacheMs = 60_000,
    /** Permissions the operator moved to another role (e.g. `COMMENT_ROLE`). */
    private readonly overrides: Partial<Record<Permission, Role>> = {},
  ) {}

  /** The least role that allows `permission`, with the operator's overrides applied. */
  needed(permission: Permission): Role {
    return this.overrides[permission] ?? permissions[permission];
  }

  async roleOf(userId: string): Promise<RoleOrNone> {
    if (this.config.ADMIN_USER_IDS.includes(userId)) return 'admin';
    if (this.config.APPROVER_USER_IDS.includes(userId)) return 'approver';
    if ((await this.usergroupMembers()).has(userId)) return 'approver';
    const editors = this.config.EDITOR_USER_IDS ?? [];
    return editors.length === 0 || editors.includes(userId) ? 'editor' : 'none';
  }

  /** The admins, who are told about account problems. */
  get admins(): readonly string[] {
    return this.config.ADMIN_USER_IDS;
  }

  /**
   * The user's role when it is known without asking Slack (no approver group, or its members are cached), else
   * `undefined`. Lets a handler answer inside Slack's acknowledgement when it can.
   */
  knownRoleOf(userId: string): RoleOrNone | undefined {
    if (this.config.ADMIN_USER_IDS.includes(userId)) return 'admin';
    if (this.config.APPROVER_USER_IDS.includes(userId)) return 'approver';
    if (this.config.APPROVER_USERGROUP_ID) {
      if (!this.cache || this.cache.until <= Date.now()) return undefined;
      if (this.cache.members.has(userId)) return 'approver';
    }
    const editors = this.config.EDITOR_USER_IDS ?? [];
    return editors.length === 0 || editors.includes(userId) ? 'editor' : 'none';
  }

  /** Whether `role` allows `permission`. */
  allows(role: RoleOrNone, permission: Permission): boolean {
    return rank[role] >= rank[this.needed(permission)];
  }

  async can(userId: string, permission: Permission): Promise<boolean> {
    return rank[await this.roleOf(userId)] >= rank[this.needed(permission)];
  }

  /** Throws `PermissionDeniedError` unless the user may do it. */
  async require(userId: string, permission: Permission): Promise<void> {
    if (!(await this.can(userId, permission))) {
      throw new PermissionDeniedError(userId, permission, this.needed(permission));
    }
  }

  private async usergroupMembers(): Promise<Set<string>> {
    const group = this.config.APPROVER_USERGROUP_ID;
    if (!group) return new Set();
    if (this.cache && this.cache.until > Date.now()) return this.cache.members;
    const members = new Set(await this.lookupUsergroup(group));
    this.cache = { members, until: Date.now() + this.cacheMs };
    return members;
  }
}
