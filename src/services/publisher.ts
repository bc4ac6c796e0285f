import { randomUUID } from 'node:crypto';
import { escapeMrkdwn, slackLink } from '../../views/slack-text.ts';
import { type PublishOutcome, publishOutcome, publishStarted } from '../metrics/events.ts';
import { PlatformError } from '../platforms/errors.ts';
import { platformLabels } from '../platforms/index.ts';
import type { AccountAccess, PlatformClient, PublishContext } from '../platforms/types.ts';
import { AccountNotConnectedError } from './accounts.ts';
import { publishRequestOf } from './draft-rules.ts';
import type { PostWork } from './post-work.ts';
import { type PostDoc, PostStateError } from './posts.ts';
import { mediaRetentionMs } from './scheduling.ts';
import { LeaseLostError, type TargetDoc } from './targets.ts';

/** How long after its time a post keeps being retried on transient errors before its targets fail. */
export const publishRetryWindowMs = 2 * 60 * 60 * 1000;

/** When starting or finishing a post did not take, the job runs again this much later. */
const finishRetryMs = 5_000;

export interface PublisherOptions {
  /** First wait after a transient error; doubles each attempt (capped at 15 minutes). */
  retryBaseMs?: number;
}

/** A target this worker claimed, with its account's access read ahead (none: the account needs reconnecting). */
export interface ClaimedTarget {
  target: TargetDoc;
  label: string;
  access?: AccountAccess;
}

/** A due post ready to go out: in `publishing`, with the targets this worker claimed. */
export interface PreparedPost {
  post: PostDoc;
  targets: ClaimedTarget[];
  dueAt: Date;
}

/**
 * What preparing a post found: not due yet (`at`), nothing to do, or ready to start. `held`: the post is already in a
 * run's hands (its targets leased, or waiting for a retry that run planned), so its job is that run's to move.
 */
export type Preparation =
  | { kind: 'later'; at: Date; held?: boolean }
  | { kind: 'done' }
  | ({ kind: 'ready' } & PreparedPost);

/**
 * Publishing: runs a due post's targets through their platform clients exactly once each. Targets move
 * queued → publishing → published | failed | unconfirmed | held by guarded updates; progress is saved between steps so
 * a restart resumes. Transient and rate-limited errors are retried within `publishRetryWindowMs`; auth errors hold the
 * account's targets and tell the admins; permanent errors fail the target with the platform's words.
 */
export class Publisher {
  private readonly retryBaseMs: number;
  /** This process, as the holder it writes on the targets it claims. */
  private readonly holder = randomUUID();
  /**
   * The targets a preparation or run of this process is working on. A target this process claimed that none of its
   * runs works on any more (the run ended without writing the outcome: the database went away mid-step, or a claim's
   * answer was lost) is taken up again by this process at once, instead of waiting out its own lease; any other
   * process still waits for the lease to lapse.
   */
  private readonly active = new Set<string>();

  constructor(
    private readonly deps: PostWork & {
      /** Marks the account reconnect-needed, holds its other posts and tells the admins (once). */
      reportAuthFailure: (accountId: string, problem: string) => Promise<unknown>;
      /** Whether a brand freeze is in force: no post starts while it is. */
      frozen: () => Promise<boolean>;
    },
    options: PublisherOptions = {},
  ) {
    this.retryBaseMs = options.retryBaseMs ?? 30_000;
  }

  /**
   * The publish job's work for one post: prepares it and starts it at once. Returns when the job should run again (a
   * later time, a retry), or `undefined` when there is nothing more to do.
   */
  async run(postId: string, now = new Date()): Promise<Date | undefined> {
    const prepared = await this.prepare(postId, now);
    if (prepared.kind === 'later') return prepared.at;
    if (prepared.kind === 'done') return undefined;
    return this.start(prepared);
  }

  /**
   * Makes a post that is due by `until` ready to go out: moves it to `publishing` (edits and cancelling end here) and
   * claims its targets for this worker. Starting it is then platform calls only, so it can start on the second.
   */
  async prepare(postId: string, now = new Date(), until = now): Promise<Preparation> {
    let post = await this.deps.posts.get(postId);
    if (!post) return { kind: 'done' };
    if (post.state === 'scheduled') {
      const dueAt = post.dueAt ?? now;
      if (dueAt.getTime() > Math.max(until.getTime(), now.getTime() + 1000)) return { kind: 'later', at: dueAt };
      if (post.heldByFreeze || (await this.deps.frozen())) {
        await this.holdForFreeze(post);
        return { kind: 'done' };
      }
      if (!this.deps.scheduling.withinGrace(dueAt, now)) {
        await this.deps.scheduling.flagOverdue(post);
        return { kind: 'done' };
      }
      try {
        post = await this.deps.posts.move(postId, ['scheduled'], 'publishing', {
          guard: { heldByFreeze: { $ne: true } },
        });
      } catch (error) {
        if (!(error instanceof PostStateError)) throw error;
        // Another worker moved it first (its targets are claimed one by one below), or the move did not take (a busy
        // database: look again soon).
        const fresh = await this.deps.posts.get(postId);
        if (fresh?.state === 'scheduled')
          return { kind: 'later', at: new Date(Date.now() + finishRetryMs), held: true };
        if (fresh?.state !== 'publishing') return { kind: 'done' };
        post = fresh;
      }
      // Slack's rate limits must not hold up publishing: the preview catches up on its own.
      const moved = post;
      void this.deps.notifier
        .showPreview(moved)
        .catch((error) => this.deps.logger.error({ err: error, postId: moved._id }, 'preview update failed'));
    }
    if (post.state !== 'publishing') return { kind: 'done' };
    const claimed: ClaimedTarget[] = [];
    let claiming: string | undefined;
    try {
      for (const target of await this.deps.targets.ofPost(post)) {
        if (target.state !== 'queued' && target.state !== 'publishing') continue;
        if (this.active.has(target._id)) continue;
        claiming = target._id;
        this.active.add(target._id);
        const mine = await this.deps.targets.claim(target._id, now, this.holder);
        if (!mine) {
          this.active.delete(target._id);
          continue;
        }
        claimed.push(await this.readAhead(mine));
      }
    } catch (error) {
      // Nothing of this preparation will run: what it claimed is free for this process's next look at once.
      if (claiming) this.active.delete(claiming);
      for (const { target } of claimed) this.active.delete(target._id);
      throw error;
    }
    if (claimed.length === 0) {
      // Nothing to start now (a retry not yet due, another worker's lease): look again when the first one is.
      const first = this.nextLook(await this.deps.targets.ofPost(post), now);
      if (first) return { kind: 'later', at: first, held: true };
    }
    return { kind: 'ready', post, targets: claimed, dueAt: post.dueAt ?? now };
  }

  /** When a post's waiting targets are next worth looking at (never sooner than a second from now), if any wait. */
  private nextLook(targets: TargetDoc[], now: Date): Date | undefined {
    const waiting = targets
      .map((target) =>
        target.state === 'queued'
          ? (target.retryAt ?? now)
          : target.state === 'publishing'
            ? target.leaseUntil
            : undefined,
      )
      .filter((at): at is Date => at instanceof Date);
    if (waiting.length === 0) return undefined;
    return new Date(Math.max(Math.min(...waiting.map((at) => at.getTime())), Date.now() + 1_000));
  }

  /**
   * Publishes a prepared post's claimed targets (each account at once), then finishes the post when no target is left
   * waiting. Returns when to look at it again, or `undefined`.
   */
  async start(prepared: PreparedPost): Promise<Date | undefined> {
    const { post } = prepared;
    // A freeze that began after the post was prepared still holds it, unless it has already begun on a platform.
    if (await this.deps.frozen()) {
      const targets = await this.deps.targets.ofPost(post);
      const begun = targets.some(
        (target) =>
          (target.state !== 'queued' && target.state !== 'publishing') || Object.keys(target.progress ?? {}).length > 0,
      );
      if (!begun) {
        await this.release(prepared);
        const back = await this.deps.posts.tryMove(post._id, ['publishing'], 'scheduled', {
          set: { heldByFreeze: true },
        });
        if (back) {
          this.deps.logger.info({ postId: post._id }, 'post held by the brand freeze');
          return undefined;
        }
      }
    }
    // Every target's attempt ends before anything else happens, even when one of them throws.
    const attempts = await Promise.allSettled(prepared.targets.map((claimed) => this.publishTarget(post, claimed)));
    // Every attempt has ended: an attempt that threw (its outcome unwritten) left its target to this process's next look.
    for (const { target } of prepared.targets) this.active.delete(target._id);
    const failed = attempts.find((attempt) => attempt.status === 'rejected');
    if (failed) throw failed.reason;
    const targets = await this.deps.targets.ofPost(post);
    // Never sooner than a second from now: a lapsed lease or a claim still held is looked at again, not spun on.
    const later = this.nextLook(targets, new Date());
    if (later) return later;
    await this.finish(post, targets);
    // A post left in `publishing` (its finishing write was lost) is finished by the next run.
    const after = await this.deps.posts.get(post._id);
    return after?.state === 'publishing' ? new Date(Date.now() + finishRetryMs) : undefined;
  }

  /**
   * Gives back the claimed targets of a prepared post that have not begun (the instance is stopping, or starting it
   * failed on the way), so a worker can publish them at once instead of after the lease.
   */
  async release(prepared: PreparedPost): Promise<void> {
    for (const {
      target: { _id, lease },
    } of prepared.targets) {
      this.active.delete(_id);
      try {
        const target = await this.deps.targets.get(_id);
        // A target with saved progress may be live or half made: it is resumed from there (by this process at once,
        // by any other after the lease). Progress is written only under this lease, so none can appear between this
        // read and the move.
        if (target?.state !== 'publishing' || Object.keys(target.progress ?? {}).length > 0) continue;
        await this.deps.targets.move(_id, ['publishing'], 'queued', {}, ['retryAt'], lease);
      } catch (error) {
        // The database is away: the target stays under this lease, and this process takes it up again once it is back.
        this.deps.logger.warn({ err: error, targetId: _id }, 'giving back a publishing target failed');
      }
    }
  }

  /** Keeps a due post from starting while a freeze lasts; lifting the freeze plans it again. */
  private async holdForFreeze(post: PostDoc): Promise<void> {
    if (!post.heldByFreeze) await this.deps.posts.patch(post._id, ['scheduled'], { heldByFreeze: true });
    this.deps.logger.info({ postId: post._id }, 'post held by the brand freeze');
  }

  private async finish(post: PostDoc, targets: TargetDoc[]): Promise<void> {
    const allPublished = targets.every((target) => target.state === 'published');
    try {
      const finished = await this.deps.posts.move(
        post._id,
        ['publishing'],
        allPublished ? 'published' : 'needs_attention',
        {
          set: { finishedAt: new Date() },
        },
      );
      await this.deps.media.expire(
        finished.media.map((media) => media.id),
        new Date(Date.now() + mediaRetentionMs),
      );
      await this.deps.notifier.showPreview(finished);
      await this.deps.notifier.tellRequester(finished, { kind: 'published', problems: !allPublished });
    } catch (error) {
      if (!(error instanceof PostStateError)) throw error;
    }
  }

  /** What a claimed target's first platform call needs, read when it is claimed (not when it starts). */
  private async readAhead(target: TargetDoc): Promise<ClaimedTarget> {
    const label = `${platformLabels[target.platform]} · ${escapeMrkdwn(await this.accountName(target.accountId))}`;
    try {
      return { target, label, access: await this.deps.accounts.access(target.accountId) };
    } catch (error) {
      if (!(error instanceof AccountNotConnectedError)) throw error;
      return { target, label };
    }
  }

  private async publishTarget(post: PostDoc, { target, label, access }: ClaimedTarget): Promise<void> {
    const client: PlatformClient | undefined = this.deps.clients[target.platform];
    if (!client) {
      await this.fail(post, target, label, `${platformLabels[target.platform]} is switched off in this installation.`);
      return;
    }
    if (!access) {
      await this.hold(post, target, label, 'The account needs reconnecting.');
      return;
    }
    try {
      const media = post.media.map((ref) => this.deps.media.toMediaItem(ref));
      const request = publishRequestOf(post, target.postType, media, target.accountId);
      // The post's own rules; what a TikTok creator allows is read by the client just before it starts a post (one
      // creator_info read per post, and none when it resumes one already started).
      const violations = client.validate(request);
      if (violations.length > 0) {
        await this.fail(post, target, label, violations.map((violation) => violation.message).join('; '));
        return;
      }
      if (Object.keys(target.progress ?? {}).length === 0) {
        const dueAt = target.dueAt ?? post.dueAt;
        publishStarted.report(() => ({
          platform: target.platform,
          latenessSeconds: dueAt ? (Date.now() - dueAt.getTime()) / 1000 : 0,
        }));
      }
      const lease = this.keepLease(target);
      let outcome: Awaited<ReturnType<PlatformClient['publish']>>;
      try {
        outcome = await client.publish(access, request, { progress: target.progress ?? {}, save: lease.save });
      } finally {
        lease.stop();
      }
      this.reportOutcome(target, outcome.status);
      if (outcome.status === 'published') {
        const done = await this.deps.targets.move(
          target._id,
          ['publishing'],
          'published',
          {
            remoteId: outcome.remoteId,
            publishedAt: new Date(),
            ...(outcome.permalink ? { permalink: outcome.permalink } : {}),
            ...(outcome.firstCommentError ? { error: `First comment not posted: ${outcome.firstCommentError}` } : {}),
          },
          outcome.firstCommentError ? ['retryAt'] : ['error', 'retryAt'],
          target.lease,
        );
        if (!done) return this.lostLease(target);
        const link = outcome.permalink ? ` ${slackLink(outcome.permalink, 'view')}` : '';
        await this.deps.notifier.thread(post, `:white_check_mark: Published on ${label}.${link}`);
        if (outcome.firstCommentError) {
          await this.deps.notifier.thread(
            post,
            `:warning: ${label}: the first comment was not posted: ${escapeMrkdwn(outcome.firstCommentError)}`,
          );
        }
      } else if (outcome.status === 'sent_to_inbox') {
        const done = await this.deps.targets.move(
          target._id,
          ['publishing'],
          'published',
          { deliveredTo: 'inbox', publishedAt: new Date() },
          [],
          target.lease,
        );
        if (!done) return this.lostLease(target);
        await this.deps.notifier.thread(
          post,
          `:inbox_tray: Sent to the TikTok inbox of ${label}; finish it in the TikTok app.`,
        );
      } else {
        const done = await this.deps.targets.move(
          target._id,
          ['publishing'],
          'unconfirmed',
          { error: outcome.reason },
          [],
          target.lease,
        );
        if (!done) return this.lostLease(target);
        await this.deps.notifier.thread(
          post,
          `:grey_question: ${label}: not confirmed: ${escapeMrkdwn(outcome.reason)} Check the account, then choose "It's live" or "Publish again".`,
        );
      }
    } catch (error) {
      await this.handleError(post, target, label, error);
    }
  }

  /**
   * Holds a target's lease while its platform client works: renewed every third of the lease, however long a step
   * takes (a video processed, an upload, status polls), so no other worker takes over a live worker's target. Once a
   * renewal finds the lease taken over, the next save throws `LeaseLostError` without writing, so the client stops
   * before its next platform call; every save is also checked against the lease generation in the database.
   */
  private keepLease(target: TargetDoc): { save: PublishContext['save']; stop: () => void } {
    let lost = false;
    const timer = setInterval(
      () => {
        this.deps.targets.renew(target._id, target.lease).catch((error) => {
          if (error instanceof LeaseLostError) {
            lost = true;
            clearInterval(timer);
          } else {
            this.deps.logger.warn({ err: error, targetId: target._id }, 'renewing a publishing lease failed');
          }
        });
      },
      Math.max(100, Math.floor(this.deps.targets.leaseMs / 3)),
    );
    timer.unref();
    return {
      save: async (progress) => {
        if (lost) throw new LeaseLostError(target._id);
        await this.deps.targets.saveProgress(target._id, target.lease, progress);
      },
      stop: () => clearInterval(timer),
    };
  }

  /** This worker's lease was taken over: the worker that holds it now owns every write and message. */
  private lostLease(target: TargetDoc): void {
    this.deps.logger.warn({ targetId: target._id, lease: target.lease }, 'lease taken over; this worker stops');
  }

  private async handleError(post: PostDoc, target: TargetDoc, label: string, error: unknown): Promise<void> {
    if (error instanceof LeaseLostError) return this.lostLease(target);
    if (!(error instanceof PlatformError)) {
      this.deps.logger.error({ err: error, targetId: target._id }, 'publishing failed unexpectedly');
      const fresh = await this.deps.targets.get(target._id);
      if (fresh?.lease !== target.lease) return this.lostLease(target);
      if (fresh?.progress?.publishSentAt) {
        const done = await this.deps.targets.move(
          target._id,
          ['publishing'],
          'unconfirmed',
          { error: 'Publishing was interrupted after the post was sent.' },
          [],
          target.lease,
        );
        if (!done) return this.lostLease(target);
        this.reportOutcome(target, 'unconfirmed');
        await this.deps.notifier.thread(post, `:grey_question: ${label}: not confirmed; check the account.`);
        return;
      }
      await this.retryOrFail(post, target, label, 'An unexpected error happened.', undefined);
      return;
    }
    this.deps.logger.warn({ kind: error.kind, code: error.code, targetId: target._id }, error.message);
    const words = error.userMessage ?? error.message;
    switch (error.kind) {
      case 'auth':
        if (await this.hold(post, target, label, `The account's login stopped working: ${words}`)) {
          await this.deps.reportAuthFailure(target.accountId, words);
        }
        return;
      case 'permanent':
        await this.fail(post, target, label, words);
        return;
      default:
        await this.retryOrFail(
          post,
          target,
          label,
          words,
          error.kind === 'rate_limited' ? error.retryAfterMs : undefined,
        );
    }
  }

  private async retryOrFail(
    post: PostDoc,
    target: TargetDoc,
    label: string,
    words: string,
    retryAfterMs: number | undefined,
  ): Promise<void> {
    const wait = retryAfterMs ?? Math.min(this.retryBaseMs * 2 ** Math.max(0, target.attempts - 1), 15 * 60_000);
    const retryAt = new Date(Date.now() + wait);
    const deadline = (post.dueAt?.getTime() ?? Date.now()) + publishRetryWindowMs;
    if (retryAt.getTime() > deadline) {
      await this.fail(post, target, label, `Gave up after ${target.attempts} attempts: ${words}`);
      return;
    }
    const done = await this.deps.targets.move(
      target._id,
      ['publishing'],
      'queued',
      { retryAt, error: words },
      [],
      target.lease,
    );
    if (!done) return this.lostLease(target);
    this.reportOutcome(target, 'retry');
  }

  private async fail(post: PostDoc, target: TargetDoc, label: string, words: string): Promise<void> {
    const done = await this.deps.targets.move(
      target._id,
      ['publishing'],
      'failed',
      { error: words },
      ['retryAt'],
      target.lease,
    );
    if (!done) return this.lostLease(target);
    this.reportOutcome(target, 'failed');
    await this.deps.notifier.thread(post, `:x: Failed on ${label}: ${escapeMrkdwn(words)}`);
  }

  /** True when this worker held the target and moved it. */
  private async hold(post: PostDoc, target: TargetDoc, label: string, words: string): Promise<boolean> {
    const done = await this.deps.targets.move(
      target._id,
      ['publishing'],
      'held',
      { error: words },
      ['retryAt'],
      target.lease,
    );
    if (!done) {
      this.lostLease(target);
      return false;
    }
    this.reportOutcome(target, 'held');
    await this.deps.notifier.thread(post, `:double_vertical_bar: Held on ${label}: ${escapeMrkdwn(words)}`);
    return true;
  }

  private reportOutcome(target: TargetDoc, outcome: PublishOutcome): void {
    publishOutcome.report(() => ({ platform: target.platform, outcome }));
  }

  /** Retry a failed or held target (approvers): it is queued again and published now. */
  retry(targetId: string, by: string): Promise<TargetDoc> {
    return this.requeue(targetId, by, ['failed', 'held'], 'retry', false);
  }

  /** An unconfirmed target turned out to be live (approvers). */
  async confirmLive(targetId: string, by: string): Promise<TargetDoc> {
    await this.deps.roles.require(by, 'retry_publish');
    const target = await this.deps.targets.move(targetId, ['unconfirmed'], 'published', {
      publishedAt: new Date(),
      error: `Confirmed live by a person (<@${by}>).`,
    });
    if (!target) throw new PostStateError(targetId, undefined, 'confirmed');
    await this.deps.audit.record({ actor: by, action: 'confirm_live', subject: `target:${targetId}` });
    await this.afterManualChange(target, `<@${by}> confirmed the post is live on ${target.platform}.`);
    return target;
  }

  /** An unconfirmed target is published again from scratch (approvers; they checked it is not live). */
  publishAgain(targetId: string, by: string): Promise<TargetDoc> {
    return this.requeue(targetId, by, ['unconfirmed'], 'publish_again', true);
  }

  private async requeue(
    targetId: string,
    by: string,
    from: TargetDoc['state'][],
    action: string,
    fresh: boolean,
  ): Promise<TargetDoc> {
    await this.deps.roles.require(by, 'retry_publish');
    const before = await this.deps.targets.get(targetId);
    if (!before) throw new PostStateError(targetId, undefined, 'retried');
    const account = await this.deps.accounts.get(before.accountId);
    if (account?.status !== 'ok') {
      throw new PostStateError(targetId, undefined, 'retried until the account is reconnected');
    }
    const target = await this.deps.targets.move(
      targetId,
      from,
      'queued',
      { ...(fresh ? { progress: {} } : {}), dueAt: new Date() },
      ['retryAt', 'error'],
    );
    if (!target) throw new PostStateError(targetId, undefined, 'retried');
    await this.deps.posts.collection.updateOne(
      { _id: target.postId, state: { $in: ['published', 'needs_attention', 'publishing'] } },
      { $set: { state: 'publishing', updatedAt: new Date(), dueAt: new Date() }, $unset: { finishedAt: '' } },
    );
    await this.deps.scheduling.plan(target.postId, new Date());
    await this.deps.audit.record({ actor: by, action, subject: `target:${targetId}` });
    await this.afterManualChange(
      target,
      `<@${by}> ${fresh ? 'is publishing it again' : 'is retrying'} on ${target.platform}.`,
    );
    return target;
  }

  private async afterManualChange(target: TargetDoc, note: string): Promise<void> {
    const post = await this.deps.posts.get(target.postId);
    if (!post) return;
    if (post.state === 'needs_attention') {
      const targets = await this.deps.targets.ofPost(post);
      if (targets.every((t) => t.state === 'published')) {
        await this.deps.posts.move(post._id, ['needs_attention'], 'published').catch(() => undefined);
      }
    }
    await this.deps.notifier.thread(post, note);
    await this.deps.notifier.refresh(post._id);
  }

  private async accountName(accountId: string): Promise<string> {
    return (await this.deps.accounts.get(accountId))?.name ?? accountId;
  }
}
