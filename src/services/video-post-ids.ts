import type { Db } from 'mongodb';
import type { Logger } from '../logger.ts';
import type { PlatformClients } from '../platforms/index.ts';
import type { Accounts } from './accounts.ts';
import type { TargetDoc } from './targets.ts';

/** What one run did, for logs and tests. */
export interface VideoPostIdsReport {
  /** Published Facebook videos still known by their video id. */
  found: number;
  /** Moved to their post's id (the video id kept beside it). */
  moved: number;
  /** Not moved this time (account not connected, Facebook refused or down): tried again on the next run. */
  left: number;
}

/**
 * Facebook videos published before their post was kept have the video id as their remote id; insights and `feed`
 * comment webhooks name the post (`{page}_{post}`), so those videos had no figures and dropped their comments. Each
 * run looks up the post of every such video (`GET /{video-id}?fields=post_id`) and moves the target to it, keeping the
 * video id in its progress, in one update guarded by the remote id it leaves.
 */
export class VideoPostIds {
  constructor(private readonly deps: { db: Db; accounts: Accounts; clients: PlatformClients; logger: Logger }) {}

  async run(): Promise<VideoPostIdsReport> {
    const report: VideoPostIdsReport = { found: 0, moved: 0, left: 0 };
    const facebook = this.deps.clients.facebook;
    const targets = this.deps.db.collection<TargetDoc>('targets');
    const videos = (
      await targets.find({ platform: 'facebook', postType: 'facebook_video', state: 'published' }).toArray()
    ).filter((target) => target.remoteId && !target.remoteId.includes('_'));
    report.found = videos.length;
    if (videos.length === 0 || !facebook) {
      report.left = videos.length;
      return report;
    }
    for (const target of videos) {
      const videoId = target.remoteId ?? '';
      try {
        const access = await this.deps.accounts.access(target.accountId);
        const postId = await facebook.videoPostId(access, videoId);
        const moved = await targets.updateOne(
          { _id: target._id, remoteId: videoId },
          { $set: { remoteId: postId, 'progress.videoId': videoId } },
        );
        if (moved.modifiedCount > 0) report.moved++;
      } catch (error) {
        this.deps.logger.warn(
          { err: error, targetId: target._id },
          'the post of a Facebook video could not be looked up; trying again on the next run',
        );
        report.left++;
      }
    }
    return report;
  }
}
