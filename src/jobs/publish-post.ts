import type { Agenda } from 'agenda';
import { z } from 'zod';
import type { Services } from '../services/index.ts';
import { publishJobName } from '../services/scheduling.ts';

/** After a run that failed unexpectedly, the job runs again this much later. */
const publishRunRetryMs = 10_000;

const publishJobData = z.object({ postId: z.string().regex(/^[0-9a-f]{24}$/) });

/** `publish-post` (data: the post id): publishes a due post; runs again when the publisher asks (later time, retry). */
export function definePublishPost(agenda: Agenda, services: Services): void {
  agenda.define(
    publishJobName,
    async (job) => {
      const parsed = publishJobData.safeParse(job.attrs.data);
      if (!parsed.success) {
        services.logger.error({ jobId: String(job.attrs._id) }, 'publish job with invalid data skipped');
        return;
      }
      // Agenda clears a one-off job's next run as it starts it: if this process died now, nothing would run the post
      // again. So the job first comes due again when the publishing lease lapses, and the end of the run sets the
      // real next time (or none).
      job.attrs.nextRunAt = new Date(Date.now() + services.config.PUBLISH_LEASE_SECONDS * 1000);
      await job.save();
      let next: Date | undefined;
      try {
        next = await services.publisher.run(parsed.data.postId);
      } catch (error) {
        // A database or Slack hiccup must not strand the post: every step is guarded, so running again is safe.
        services.logger.error({ err: error, postId: parsed.data.postId }, 'publish run failed; trying again soon');
        next = new Date(Date.now() + publishRunRetryMs);
      }
      job.attrs.nextRunAt = next ?? null;
    },
    { concurrency: services.config.PUBLISH_CONCURRENCY, lockLifetime: services.config.PUBLISH_LEASE_SECONDS * 1000 },
  );
}
