import { type Agenda, Job, type JobParameters, type JobsQueryOptions } from 'agenda';
import type { Db } from 'mongodb';
import { ObjectId } from 'mongodb';
import type { SimulatedAccount, Simulators } from './simulators.ts';

/** One post that went public on a simulated account, with its media and comments. */
export interface PublishedPost {
  id: string;
  caption: string;
  kind: string;
  at: Date;
  media: string[];
  comments: { id: string; text: string; author: string; reply: boolean }[];
}

export interface AccountActivity {
  account: SimulatedAccount;
  posts: PublishedPost[];
}

/** What each simulated account has published, newest first, read from the platform simulators. */
export function publishedPosts(simulators: Simulators): AccountActivity[] {
  return simulators.accounts.map((account) => {
    if (account.platform === 'tiktok') {
      const posts = simulators.tiktok.postsOf(account.externalId).map((post) => ({
        id: post.postId,
        caption: post.title,
        kind: `${post.kind} (${post.source === 'FILE_UPLOAD' ? 'uploaded' : 'pulled from URL'})`,
        at: new Date(post.at),
        media: post.sourceUrls,
        comments: simulators.tiktok.commentsOn(post.postId).map((comment) => ({
          id: comment.comment_id,
          text: comment.text,
          author: comment.owner ? account.name : `@${comment.username}`,
          reply: Boolean(comment.parent_comment_id),
        })),
      }));
      return { account, posts: posts.reverse() };
    }
    const posts = simulators.graph.published(account.externalId).map((item) => ({
      id: item.id,
      caption: item.caption ?? '',
      kind: item.kind,
      at: new Date(item.at),
      media: simulators.graph.mediaUrlsOf(item.id),
      comments: simulators.graph.commentsOn(item.id).map((comment) => ({
        id: comment.id,
        text: comment.text,
        author: comment.fromId === account.externalId ? account.name : 'a customer',
        reply: Boolean(comment.parentId),
      })),
    }));
    return { account, posts: posts.reverse() };
  });
}

/** How a new comment reached the app. */
export type CommentDelivery = 'webhook' | 'poll';

/**
 * Someone comments on a published post. The comment is created on the platform, then reaches the app the way a real
 * one would: Instagram and Facebook send a signed Meta webhook (when the app serves `/webhooks/meta`); otherwise, and
 * for TikTok, the app's comment poll is run now.
 */
export async function addComment(input: {
  simulators: Simulators;
  scheduler: Agenda;
  appUrl: string;
  accountId: string;
  postId: string;
  text: string;
  author: string;
}): Promise<{ commentId: string; delivery: CommentDelivery }> {
  const { simulators } = input;
  const account = simulators.accounts.find((candidate) => candidate.id === input.accountId);
  if (!account) throw new Error('no such account');
  const authorId = `9${Date.now()}`;
  if (account.platform === 'tiktok') {
    const comment = simulators.tiktok.seedComment(input.postId, {
      text: input.text,
      username: input.author,
      user_id: authorId,
    });
    await runJobsNow(input.scheduler, /comment/i);
    return { commentId: comment.comment_id, delivery: 'poll' };
  }
  // Meta notifies the app only when it is subscribed for the account (connecting subscribes it).
  const { id: commentId, delivered } = await simulators.graph.commentAndNotify({
    itemId: input.postId,
    text: input.text,
    author: input.author,
    authorId,
  });
  if (delivered && simulators.graph.deliveries.at(-1)?.status === 200) return { commentId, delivery: 'webhook' };
  await runJobsNow(input.scheduler, /comment/i);
  return { commentId, delivery: 'poll' };
}

/** A job on the app's schedule (Agenda's `jobs` collection). */
export interface ScheduledJob {
  id: string;
  name: string;
  nextRunAt?: Date;
  lastRunAt?: Date;
  repeatInterval?: string;
  running: boolean;
  /** A post's publish job: the post it publishes, its caption's start and state. */
  post?: { id: string; caption: string; state: string };
}

interface JobDoc {
  _id: ObjectId;
  name: string;
  nextRunAt?: Date | null;
  lastRunAt?: Date;
  repeatInterval?: string;
  lockedAt?: Date | null;
  disabled?: boolean;
  data?: { postId?: unknown };
}

/** The app's scheduled jobs, next first; a post's publish job names its post. */
export async function scheduledJobs(db: Db): Promise<ScheduledJob[]> {
  const jobs = await db.collection<JobDoc>('jobs').find({}).toArray();
  const postIds = jobs.map((job) => job.data?.postId).filter((id): id is string => typeof id === 'string');
  const posts = await db
    .collection<{ _id: string; caption?: string; state: string }>('posts')
    .find({ _id: { $in: postIds } }, { projection: { caption: 1, state: 1 } })
    .toArray();
  return jobs
    .map((job) => ({
      id: String(job._id),
      name: job.name,
      ...postOf(posts, job.data?.postId),
      ...(job.nextRunAt ? { nextRunAt: job.nextRunAt } : {}),
      ...(job.lastRunAt ? { lastRunAt: job.lastRunAt } : {}),
      ...(job.repeatInterval ? { repeatInterval: String(job.repeatInterval) } : {}),
      running: Boolean(job.lockedAt),
    }))
    .sort((a, b) => (a.nextRunAt?.getTime() ?? Infinity) - (b.nextRunAt?.getTime() ?? Infinity));
}

function postOf(posts: { _id: string; caption?: string; state: string }[], id: unknown) {
  const post = posts.find((candidate) => candidate._id === id);
  return post ? { post: { id: post._id, caption: (post.caption ?? '').slice(0, 60), state: post.state } } : {};
}

/**
 * Moves the jobs found to run now, through Agenda's own API (the job is scheduled and saved, as the app plans any job):
 * running and disabled jobs are left alone. Returns how many moved.
 */
async function runNow(
  scheduler: Agenda,
  query: JobsQueryOptions,
  due = (_job: JobParameters) => true,
): Promise<number> {
  const { jobs } = await scheduler.queryJobs({ ...query, includeDisabled: false });
  let moved = 0;
  for (const { state: _state, ...attrs } of jobs) {
    if (attrs.lockedAt || !attrs.nextRunAt || !due(attrs)) continue;
    await new Job(scheduler, { ...attrs, type: attrs.type ?? 'normal' }).schedule(new Date()).save();
    moved += 1;
  }
  return moved;
}

/**
 * The clock control: jobs that are due (or, with `upTo`, due before then) run now, so the scheduler (or, for posts,
 * the publish dispatcher) runs them at its next look instead of waiting. Returns how many moved.
 */
export function runDueJobs(scheduler: Agenda, upTo = new Date()): Promise<number> {
  return runNow(scheduler, {}, (job) => job.nextRunAt instanceof Date && job.nextRunAt <= upTo);
}

/** Runs one scheduled job now, whenever it was due. */
export async function runJobNow(scheduler: Agenda, id: string): Promise<boolean> {
  if (!ObjectId.isValid(id)) return false;
  return (await runNow(scheduler, { id })) === 1;
}

/** Runs every job whose name matches now (e.g. the comment poll). */
export function runJobsNow(scheduler: Agenda, name: RegExp): Promise<number> {
  return runNow(scheduler, {}, (job) => name.test(job.name));
}
