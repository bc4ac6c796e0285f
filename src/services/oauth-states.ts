import { createHash, randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { claimOnce } from '../db/claims.ts';
import type { CollectionIndexes } from '../db/indexes.ts';

/** Which login a state was made for. */
export type LoginFlow = 'facebook' | 'instagram' | 'tiktok' | 'tiktok_business';

/** How long an authorize link works. */
export const STATE_LIFETIME_MS = 10 * 60_000;

/** A state as stored: only its hash, so reading the database does not give a usable link. */
export interface OAuthStateDoc {
  _id: string;
  flow: LoginFlow;
  slackUserId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt?: Date;
}

export type StateCheck =
  | { ok: true; slackUserId: string; flow: LoginFlow }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'wrong_flow' };

export const oauthStateIndexes: CollectionIndexes = {
  collection: 'oauth_states',
  indexes: [{ key: { expiresAt: 1 } }],
};

/**
 * OAuth `state` values: random (256 bits), bound to the Slack user who asked and to one login, valid 10 minutes,
 * and single-use: consuming is one atomic update that only an unused state passes.
 */
export class OAuthStates {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get collection() {
    return this.db.collection<OAuthStateDoc>('oauth_states');
  }

  async create(slackUserId: string, flow: LoginFlow): Promise<{ state: string; expiresAt: Date }> {
    const state = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const expiresAt = new Date(createdAt.getTime() + STATE_LIFETIME_MS);
    await this.collection.deleteMany({ expiresAt: { $lt: createdAt } });
    await this.collection.insertOne({ _id: hashState(state), flow, slackUserId, createdAt, expiresAt });
    return { state, expiresAt };
  }

  /** Looks a state up without using it (the start route, before sending the browser on). */
  async peek(state: string): Promise<StateCheck> {
    const doc = await this.collection.findOne({ _id: hashState(state) });
    return this.check(doc, undefined);
  }

  /** Uses a state up. Whatever the outcome, the state cannot be used again; of two uses at once, one wins. */
  async consume(state: string, flow: LoginFlow): Promise<StateCheck> {
    const id = hashState(state);
    const doc = await this.collection.findOne({ _id: id });
    if (!doc) return { ok: false, reason: 'unknown' };
    if (doc.usedAt || !(await claimOnce(this.db, `oauth_state:${id}`))) return { ok: false, reason: 'used' };
    await this.collection.updateOne({ _id: id }, { $set: { usedAt: this.now() } });
    return this.check(doc, flow);
  }

  private check(doc: OAuthStateDoc | null, flow: LoginFlow | undefined): StateCheck {
    if (!doc) return { ok: false, reason: 'unknown' };
    if (doc.usedAt && !flow) return { ok: false, reason: 'used' };
    if (doc.expiresAt.getTime() <= this.now().getTime()) return { ok: false, reason: 'expired' };
    if (flow && doc.flow !== flow) return { ok: false, reason: 'wrong_flow' };
    return { ok: true, slackUserId: doc.slackUserId, flow: doc.flow };
  }
}

export function hashState(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}
