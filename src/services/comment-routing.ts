import { type Db, MongoServerError } from 'mongodb';
import { commentRoutedMessage } from '../../views/comment-routed-message.ts';
import type { CommentRoute } from '../config.ts';
import { claimOnce } from '../db/claims.ts';
import type { CollectionIndexes } from '../db/indexes.ts';
import type { Logger } from '../logger.ts';
import type { CommentNotifier } from '../notify/comment-notifier.ts';
import type { Accounts } from './accounts.ts';
import type { CommentDoc } from './comment-docs.ts';
import { KeywordMatcher } from './comment-keywords.ts';
import { CommentPosts } from './comment-posts.ts';

/**
 * One comment's message in one expert channel. `_id` is `<comment key>><channel>`: inserting it is the claim, so a
 * comment reaches each channel once. `posting` → `posted` (with `ts`) | `failed` (retried by the next poll cycle).
 */
export interface CommentRouteDoc {
  _id: string;
  commentKey: string;
  channel: string;
  keyword: string;
  state: 'posting' | 'posted' | 'failed';
  ts?: string;
  /** Posting attempts so far; each retry claims its number once. */
  attempts?: number;
  createdAt: Date;
}

export const commentRouteIndexes: CollectionIndexes = {
  collection: 'comment_routes',
  indexes: [{ key: { channel: 1, ts: 1 } }, { key: { commentKey: 1 } }, { key: { state: 1 } }],
};

/**
 * `COMMENT_ROUTES`: a comment whose text has a route's keyword is also posted to that route's channel, with the post's
 * preview and a link to the comment's thread; answers in that message's thread come back as proposed replies.
 */
export class CommentRouting {
  private readonly routes: { channel: string; matcher: KeywordMatcher }[];

  constructor(
    private readonly deps: {
      db: Db;
      routes: readonly CommentRoute[];
      accounts: Accounts;
      notifier: CommentNotifier;
      logger: Logger;
    },
  ) {
    this.routes = deps.routes.map((route) => ({ channel: route.channel, matcher: new KeywordMatcher(route.keywords) }));
  }

  private get collection() {
    return this.deps.db.collection<CommentRouteDoc>('comment_routes');
  }

  /** The channels a text goes to, with the keyword that sent it there. */
  matches(text: string): { channel: string; keyword: string }[] {
    const found: { channel: string; keyword: string }[] = [];
    for (const route of this.routes) {
      const keyword = route.matcher.firstIn(text);
      if (keyword && !found.some((f) => f.channel === route.channel)) found.push({ channel: route.channel, keyword });
    }
    return found;
  }

  /** Whether `channel` is one of the expert channels. */
  isExpertChannel(channel: string): boolean {
    return this.routes.some((route) => route.channel === channel);
  }

  /** Posts a comment (already in the comments channel) to every expert channel it matches. Never throws. */
  async route(doc: CommentDoc): Promise<void> {
    if (doc.own || doc.removed || doc.hiddenByRule || !doc.slackChannel || !doc.slackTs) return;
    const matches = this.matches(doc.text);
    for (const { channel, keyword } of matches) {
      const id = `${doc._id}>${channel}`;
      try {
        await this.collection.insertOne({
          _id: id,
          commentKey: doc._id,
          channel,
          keyword,
          state: 'posting',
          attempts: 1,
          createdAt: new Date(),
        });
      } catch (error) {
        if (error instanceof MongoServerError && error.code === 11000) continue;
        this.deps.logger.warn({ err: error, comment: doc._id }, 'comment routing failed');
        continue;
      }
      await this.post(doc, { _id: id, channel, keyword });
    }
  }

  /** Posts again the routed messages whose posting failed (Slack was down); each retry is claimed by one instance. */
  async retryFailed(): Promise<number> {
    const failed = await this.collection.find({ state: 'failed' }).sort({ createdAt: 1 }).limit(20).toArray();
    let posted = 0;
    for (const route of failed) {
      const attempts = (route.attempts ?? 1) + 1;
      if (!(await claimOnce(this.deps.db, `comment_route:${route._id}:${attempts}`))) continue;
      await this.collection.updateOne({ _id: route._id, state: 'failed' }, { $set: { state: 'posting', attempts } });
      const doc = await this.deps.db.collection<CommentDoc>('comments').findOne({ _id: route.commentKey });
      if (!doc || doc.removed || !doc.slackChannel || !doc.slackTs) {
        await this.collection.updateOne({ _id: route._id, state: 'posting' }, { $set: { state: 'failed' } });
        continue;
      }
      if (await this.post(doc, route)) posted += 1;
    }
    return posted;
  }

  /** Posts one routed message; the caller holds its `posting` state. */
  private async post(doc: CommentDoc, route: Pick<CommentRouteDoc, '_id' | 'channel' | 'keyword'>): Promise<boolean> {
    try {
      const [account, post, threadLink] = await Promise.all([
        this.deps.accounts.get(doc.accountId),
        new CommentPosts(this.deps.db).byId(doc.targetId),
        this.deps.notifier.permalink({ channel: doc.slackChannel ?? '', ts: doc.slackTs ?? '' }).catch(() => undefined),
      ]);
      const place = await this.deps.notifier.postTo(
        route.channel,
        commentRoutedMessage({
          platform: doc.platform,
          accountName: account?.name ?? doc.accountId,
          authorName: doc.authorName,
          text: doc.text,
          createdAt: doc.createdAt,
          keyword: route.keyword,
          caption: post?.caption ?? '',
          ...(post?.permalink ? { postPermalink: post.permalink } : {}),
          ...(threadLink ? { threadLink } : {}),
        }),
      );
      await this.collection.updateOne(
        { _id: route._id, state: 'posting' },
        { $set: { state: 'posted', ts: place.ts } },
      );
      return true;
    } catch (error) {
      this.deps.logger.warn(
        { err: error, comment: doc._id, channel: route.channel },
        'comment not routed yet; will retry',
      );
      await this.collection
        .updateOne({ _id: route._id, state: 'posting' }, { $set: { state: 'failed' } })
        .catch(() => undefined);
      return false;
    }
  }

  /** The comment whose routed message starts the thread `threadTs` in `channel`, if any. */
  async commentOfThread(channel: string, threadTs: string): Promise<string | undefined> {
    const route = await this.collection.findOne({ channel, ts: threadTs, state: 'posted' });
    return route?.commentKey;
  }
}
