import type { Db } from 'mongodb';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { PlatformName, RecentItem } from '../platforms/types.ts';
import type { TargetDoc } from './targets.ts';

/** The post a comment is on: one we published (a target), or a recent one the account published elsewhere. */
export interface CommentPost {
  /** The target's `_id`, or `elsewhere:<platform>:<item id>`; comment threads are keyed by it. */
  _id: string;
  platform: PlatformName;
  accountId: string;
  remoteId: string;
  caption: string;
  permalink?: string;
  publishedAt?: Date;
  /** Published outside this app. */
  elsewhere?: boolean;
}

/** A recent post of a connected account that was not published through this app, seen when its comments were read. */
export interface ElsewherePostDoc {
  _id: string;
  platform: PlatformName;
  accountId: string;
  remoteId: string;
  caption: string;
  permalink?: string;
  publishedAt: Date;
  firstSeenAt: Date;
}

export const elsewherePostIndexes: CollectionIndexes = {
  collection: 'elsewhere_posts',
  indexes: [{ key: { platform: 1, remoteId: 1 }, unique: true, name: 'platform_remote_unique' }],
};

const fromTarget = (target: TargetDoc): CommentPost => ({
  _id: target._id,
  platform: target.platform,
  accountId: target.accountId,
  remoteId: target.remoteId ?? '',
  caption: target.caption,
  ...(target.permalink ? { permalink: target.permalink } : {}),
  ...(target.publishedAt ? { publishedAt: target.publishedAt } : {}),
});

const fromElsewhere = (doc: ElsewherePostDoc): CommentPost => ({
  _id: doc._id,
  platform: doc.platform,
  accountId: doc.accountId,
  remoteId: doc.remoteId,
  caption: doc.caption,
  ...(doc.permalink ? { permalink: doc.permalink } : {}),
  publishedAt: doc.publishedAt,
  elsewhere: true,
});

/** Finds the post a comment is on, among our published targets and the posts published elsewhere. */
export class CommentPosts {
  constructor(private readonly db: Db) {}

  private get targets() {
    return this.db.collection<TargetDoc>('targets');
  }

  private get elsewhere() {
    return this.db.collection<ElsewherePostDoc>('elsewhere_posts');
  }

  async byRemoteId(platform: PlatformName, remoteId: string): Promise<CommentPost | null> {
    const target = await this.targets.findOne({ platform, remoteId, state: 'published' });
    if (target) return fromTarget(target);
    const other = await this.elsewhere.findOne({ _id: elsewhereId(platform, remoteId) });
    return other ? fromElsewhere(other) : null;
  }

  async byId(id: string): Promise<CommentPost | null> {
    if (id.startsWith('elsewhere:')) {
      const other = await this.elsewhere.findOne({ _id: id });
      return other ? fromElsewhere(other) : null;
    }
    const target = await this.targets.findOne({ _id: id });
    return target ? fromTarget(target) : null;
  }

  /**
   * Records a post the account published elsewhere when it was published at or after `since`
   * (`COMMENT_LOOKBACK_DAYS`); returns it, or `null` when it is older or its time is unknown.
   */
  async recordElsewhere(
    input: { platform: PlatformName; accountId: string; item: RecentItem },
    since: Date,
  ): Promise<CommentPost | null> {
    const { item } = input;
    if (!item.publishedAt || item.publishedAt < since) return null;
    const _id = elsewhereId(input.platform, item.id);
    await this.elsewhere.updateOne(
      { _id },
      {
        $setOnInsert: {
          platform: input.platform,
          accountId: input.accountId,
          remoteId: item.id,
          publishedAt: item.publishedAt,
          firstSeenAt: new Date(),
        },
        $set: { caption: item.caption ?? '', ...(item.permalink ? { permalink: item.permalink } : {}) },
      },
      { upsert: true },
    );
    const stored = await this.elsewhere.findOne({ _id });
    return stored ? fromElsewhere(stored) : null;
  }
}

const elsewhereId = (platform: PlatformName, remoteId: string) => `elsewhere:${platform}:${remoteId}`;
