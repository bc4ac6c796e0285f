import type { Db } from 'mongodb';
import type { CollectionIndexes } from '../db/indexes.ts';

export type AuditAction =
  | 'connect'
  | 'disconnect'
  | 'approve'
  | 'reject'
  | 'request_changes'
  | 'reply'
  | 'hide'
  | 'unhide'
  | 'delete_data'
  | 'role_denied'
  | (string & {});

/** Who did what, when. Never holds a token or other secret: `details` carries ids and names only. */
export interface AuditEntry {
  at: Date;
  /** Slack user id, or `system` / `meta` for automatic actions. */
  actor: string;
  action: AuditAction;
  /** What it concerned, e.g. `post:<id>` or `account:<id>`. */
  subject?: string;
  details?: Record<string, string | number | boolean>;
}

export const auditIndexes: CollectionIndexes = {
  collection: 'audit',
  indexes: [{ key: { at: -1 } }, { key: { actor: 1, at: -1 } }],
};

/** The append-only audit log. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    await this.db.collection<AuditEntry>('audit').insertOne({ at: new Date(), ...entry });
  }

  async recent(limit = 20): Promise<AuditEntry[]> {
    return this.db
      .collection<AuditEntry>('audit')
      .find({}, { projection: { _id: 0 } })
      .sort({ at: -1 })
      .limit(limit)
      .toArray();
  }
}
