import type { KnownBlock } from '@slack/types';
import { homeGroups, homePostBlocks, homePostsPerGroup } from '../../views/home-posts.ts';
import type { Services } from '../services/index.ts';

/** App Home's post sections for one person: their own posts by state and, for approvers, what waits for them. */
export async function homePostsFor(services: Services, userId: string, timezone: string): Promise<KnownBlock[]> {
  const [mine, waiting] = await Promise.all([
    Promise.all(
      homeGroups.map(async ({ group, states }) => ({
        group,
        ...(await services.posts.ofRequester(userId, [...states], homePostsPerGroup)),
      })),
    ),
    services.approvals.waitingFor(userId, 5),
  ]);
  const withLinks = await Promise.all(
    waiting.posts.map(async (post) => {
      const link = await services.notifier.permalink(post);
      return { post, ...(link ? { link } : {}) };
    }),
  );
  return homePostBlocks({
    mine,
    timezone,
    ...(waiting.total > 0 ? { waitingForYou: { posts: withLinks, total: waiting.total } } : {}),
  });
}
