import type { Db, IndexDescription } from 'mongodb';
import { pendingConnectionIndexes } from '../services/account-connect.ts';
import { accountIndexes } from '../services/accounts.ts';
import { auditIndexes } from '../services/audit.ts';
import { commentIndexes } from '../services/comment-docs.ts';
import { elsewherePostIndexes } from '../services/comment-posts.ts';
import { commentRouteIndexes } from '../services/comment-routing.ts';
import { insightSnapshotIndexes } from '../services/insights.ts';
import { savedReportIndexes } from '../services/insights-publisher.ts';
import { mediaIndexes } from '../services/media-store.ts';
import { oauthStateIndexes } from '../services/oauth-states.ts';
import { postResultIndexes } from '../services/post-results.ts';
import { postIndexes } from '../services/posts.ts';
import { replyDraftIndexes } from '../services/reply-drafts.ts';
import { storyInsightIndexes } from '../services/story-insights.ts';
import { targetIndexes } from '../services/targets.ts';
import { claimIndexes } from './claims.ts';

/** A collection's indexes, declared by the service that owns the collection. */
export interface CollectionIndexes {
  collection: string;
  indexes: IndexDescription[];
}

/** Every collection's indexes, created at startup. */
const allIndexes: CollectionIndexes[] = [
  auditIndexes,
  accountIndexes,
  postIndexes,
  targetIndexes,
  mediaIndexes,
  claimIndexes,
  insightSnapshotIndexes,
  savedReportIndexes,
  commentIndexes,
  commentRouteIndexes,
  elsewherePostIndexes,
  replyDraftIndexes,
  oauthStateIndexes,
  pendingConnectionIndexes,
  postResultIndexes,
  storyInsightIndexes,
];

/**
 * Creates the indexes one at a time: FerretDB 1.24 drops the connection when one `createIndexes` command names several
 * indexes that already exist, which made every restart on an existing database fail.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const { collection, indexes } of allIndexes) {
    for (const index of indexes) await db.collection(collection).createIndexes([index]);
  }
}
