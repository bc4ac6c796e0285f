import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { approvalActions } from '../../views/approval-message.ts';
import { freezeBanner } from '../../views/freeze-message.ts';
import { homeCommentBlocks } from '../../views/home-comments.ts';
import { homeTab, noAccessHomeTab, queueMessage, queuePageAction, queuePageSize } from '../../views/queue-message.ts';
import { rescheduleCallback, rescheduleModal } from '../../views/reschedule-modal.ts';
import type { Services } from '../services/index.ts';
import { isKnownZone, localParts, resolveLocalTime, suggestedTime } from '../services/schedule-time.ts';
import { ScheduleError } from '../services/scheduling.ts';
import { authorizeClick } from './authorize-click.ts';
import { type Click, clickSchema, explainFailure, onPostButton } from './clicks.ts';
import type { Listeners } from './router.ts';
import type { Subcommand } from './subcommand.ts';

async function zoneOf(services: Services, client: WebClient, userId: string): Promise<string> {
  const answer = await client.users.info({ user: userId }).catch(() => undefined);
  const zone = answer?.user?.tz;
  return isKnownZone(zone) ? zone : services.config.TEAM_TIMEZONE;
}

async function accountNames(services: Services) {
  return (await services.accounts.list()).map((a) => ({ id: a._id, platform: a.platform, name: a.name }));
}

async function renderQueue(services: Services, client: WebClient, userId: string, page: number) {
  const total = await services.posts.countQueue();
  const last = Math.max(0, Math.ceil(total / queuePageSize) - 1);
  const current = Math.min(Math.max(0, page), last);
  const [posts, freeze, expired] = await Promise.all([
    services.posts.queue({ skip: current * queuePageSize, limit: queuePageSize }),
    services.freeze.current(),
    current === 0 ? services.posts.expired(5) : Promise.resolve([]),
  ]);
  return queueMessage({
    posts,
    page: current,
    total,
    ...(freeze ? { freeze } : {}),
    expired,
    accounts: await accountNames(services),
    timezone: await zoneOf(services, client, userId),
  });
}

/** `/wone queue [page]`: upcoming posts (only the person who asked sees it). */
export const queueSubcommand: Subcommand = {
  names: ['queue'],
  usage: '/wone queue',
  description: 'See upcoming posts; reschedule or cancel them.',
  permission: 'view_queue',
  run: async ({ args, client, respond, command, services }) => {
    const page = Math.max(0, (Number.parseInt(args, 10) || 1) - 1);
    await respond({ response_type: 'ephemeral', ...(await renderQueue(services, client, command.user_id, page)) });
  },
};

/** Refreshes a person's App Home tab. */
export async function publishHome(services: Services, client: WebClient, userId: string): Promise<void> {
  const [queue, queueTotal, recentPosts, accounts, timezone, commentWork, freeze, expired] = await Promise.all([
    services.posts.queue({ limit: 10 }),
    services.posts.countQueue(),
    services.posts.recent(5),
    accountNames(services),
    zoneOf(services, client, userId),
    services.commentOwnership.workFor(userId),
    services.freeze.current(),
    services.posts.expired(5),
  ]);
  const recent = await Promise.all(
    recentPosts.map(async (post) => ({ post, targets: await services.targets.ofPost(post) })),
  );
  const home = homeTab({ queue, queueTotal, recent, accounts, timezone, expired });
  const comments = homeCommentBlocks(commentWork);
  // A brand freeze is the first thing anyone sees.
  const top = freeze ? [freezeBanner(freeze, timezone)] : [];
  await client.views.publish({
    user_id: userId,
    view: { ...home, blocks: [...top, ...comments, ...home.blocks].slice(0, 100) },
  });
}

const rescheduleMetadata = z.object({ postId: z.string(), timezone: z.string() });

/** Queue paging, Reschedule (with its modal), Cancel and Publish now, from the queue, the Home tab or the preview. */
export function registerQueueHandlers(app: Listeners, services: Services): void {
  app.action(queuePageAction, async ({ ack, body, client, respond }) => {
    await ack();
    const click = clickSchema.safeParse(body);
    if (!click.success) return;
    if (!(await authorizeClick(services, click.data.user.id, 'view_queue', 'queue', respond))) return;
    const page = Number(click.data.actions[0]?.value ?? 0) || 0;
    await respond({ replace_original: true, ...(await renderQueue(services, client, click.data.user.id, page)) });
  });

  const afterChange = async (click: Click, client: WebClient) => {
    if (click.container?.type === 'view') await publishHome(services, client, click.user.id).catch(() => {});
  };

  onPostButton(app, services, approvalActions.cancel, async ({ target, click, client, respond }) => {
    await services.scheduling.cancel(target.postId, click.user.id);
    if (click.container?.is_ephemeral && respond) {
      await respond({ replace_original: true, ...(await renderQueue(services, client, click.user.id, 0)) });
    }
    await afterChange(click, client);
  });

  onPostButton(app, services, approvalActions.publishNow, async ({ target, click, client }) => {
    await services.scheduling.publishNow(target.postId, click.user.id);
    await afterChange(click, client);
  });

  onPostButton(app, services, approvalActions.reschedule, async ({ target, click, client }) => {
    await services.roles.require(click.user.id, 'reschedule');
    const post = await services.posts.get(target.postId);
    const timezone = await zoneOf(services, client, click.user.id);
    const parts = post?.dueAt ? localParts(post.dueAt, timezone) : suggestedTime(new Date(), timezone);
    await client.views.open({
      trigger_id: click.trigger_id,
      view: rescheduleModal({
        ...parts,
        timezone,
        privateMetadata: JSON.stringify({ postId: target.postId, timezone }),
      }),
    });
  });

  app.view(rescheduleCallback, async ({ ack, body, view, client }) => {
    const date = view.state.values.date?.value?.selected_date ?? '';
    const time = view.state.values.time?.value?.selected_time ?? '';
    let metadata: z.infer<typeof rescheduleMetadata> | undefined;
    try {
      metadata = rescheduleMetadata.parse(JSON.parse(view.private_metadata));
    } catch {
      metadata = undefined;
    }
    if (!metadata || !date || !time) {
      await ack({ response_action: 'errors', errors: { date: 'Choose a date and a time.' } });
      return;
    }
    // The time rules are pure, so a bad time is shown on its input before the modal closes.
    const resolved = resolveLocalTime(date, time, metadata.timezone);
    if (!resolved.ok || resolved.at.getTime() < Date.now() + 60_000) {
      const message = resolved.ok ? 'Choose a time in the future.' : resolved.message;
      await ack({ response_action: 'errors', errors: { [resolved.ok ? 'time' : resolved.field]: message } });
      return;
    }
    await ack();
    const by = body.user.id;
    try {
      await services.scheduling.reschedule(metadata.postId, by, date, time, metadata.timezone);
    } catch (error) {
      const click = { user: { id: by }, trigger_id: '', actions: [{ action_id: rescheduleCallback }] };
      if (error instanceof ScheduleError) {
        await client.chat.postMessage({ channel: by, text: error.message }).catch(() => {});
        return;
      }
      await explainFailure(error, { services, click, client, subject: `post:${metadata.postId}` });
    }
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    if (!(await services.roles.can(event.user, 'view_queue'))) {
      await services.audit.record({
        actor: event.user,
        action: 'role_denied',
        subject: 'home',
        details: { permission: 'view_queue' },
      });
      await client.views
        .publish({ user_id: event.user, view: noAccessHomeTab() })
        .catch((error) => services.logger.error({ err: error }, 'home tab failed'));
      return;
    }
    await publishHome(services, client, event.user).catch((error) =>
      services.logger.error({ err: error }, 'home tab failed'),
    );
  });
}
