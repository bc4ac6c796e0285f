import type { Agenda } from 'agenda';
import { z } from 'zod';
import type { Services } from '../services/index.ts';
import { publishJobName } from '../services/scheduling.ts';

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
      const next = await services.publisher.run(parsed.data.postId);
      if (next) job.schedule(next);
    },
    { concurrency: services.config.PUBLISH_CONCURRENCY, lockLifetime: 15 * 60 * 1000 },
  );
}
