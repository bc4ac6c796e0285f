import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { approvalActions } from '../../views/approval-message.ts';
import { freezeBanner } from '../../views/freeze-message.ts';
import { homeCommentBlocks } from '../../views/home-comments.ts';
import { fitHome } from '../../views/home-posts.ts';
import {
  allAccounts,
  homeTab,
  noAccessHomeTab,
  type QueuePlace,
  type QueueViewer,
  queueFilterAction,
  queueMessage,
  queuePageAction,
  queuePageSize,
  queuePlaceOf,
} from '../../views/queue-message.ts';
import { rescheduleCallback, rescheduleModal } from '../../views/reschedule-modal.ts';
import type { Services } from '../services/index.ts';
import { isKnownZone, localParts, resolveLocalTime, suggestedTime } from '../services/schedule-time.ts';
import { ScheduleError } from '../services/scheduling.ts';
import { authorizeClick } from './authorize-click.ts';
import { type Click, clickSchema, explainFailure, onPostButton } from './clicks.ts';
import { homePostsFor } from './home-posts.ts';
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

/** Who is looking, so the queue and Home show only the buttons they may use (the server checks each click anyway). */
async function viewerOf(services: Services, userId: string): Promise<QueueViewer> {
  const [manage, role] = await Promise.all([services.roles.can(userId, 'cancel'), services.roles.roleOf(userId)]);
  return { id: userId, manage, admin: role === 'admin' };
}

async function renderQueue(services: Services, client: WebClient, userId: string, place: QueuePlace) {
  const accounts = await accountNames(services);
  // A filter on an account that is no longer connected shows every account.
  const accountId = accounts.some((a) => a.id === place.accountId) ? place.accountId : undefined;
  const total = await services.posts.countBoard(accountId);
  const last = Math.max(0, Math.ceil(total / queuePageSize) - 1);
  const current = Math.min(Math.max(0, place.page), last);
  const [posts, freeze, expired] = await Promise.all([
    services.posts.board({ skip: current * queuePageSize, limit: queuePageSize, ...(accountId ? { accountId } : {}) }),
    services.freeze.current(),
    current === 0 && !accountId ? services.posts.expired(5) : Promise.resolve([]),
  ]);
  return queueMessage({
    posts,
    page: current,
    total,
    ...(accountId ? { accountId } : {}),
    ...(freeze ? { freeze } : {}),
    expired,
    accounts,
    timezone: await zoneOf(services, client, userId),
    viewer: await viewerOf(services, userId),
  });
}

/** The queue message's page and filter, as its control (or the block holding it) carries them. */
function placeOfClick(body: unknown): QueuePlace {
  const parsed = queueClickSchema.safeParse(body);
  const action = parsed.success ? parsed.data.actions[0] : undefined;
  if (!action) return { page: 0 };
  if (action.action_id === queueFilterAction) {
    const value = action.selected_option?.value;
    return { page: 0, ...(value && value !== allAccounts ? { accountId: value } : {}) };
  }
  if (action.action_id === queuePageAction) return queuePlaceOf(action.value);
  return queuePlaceOf(action.block_id);
}

const queueClickSchema = z.object({
  actions: z
    .array(
      z.object({
        action_id: z.string(),
        block_id: z.string().optional(),
        value: z.string().optional(),
        selected_option: z.object({ value: z.string() }).nullish(),
      }),
    )
    .min(1),
});

/**
 * Slack's own hosts for `response_url`s (and, in the sandbox and tests, the simulated Slack's), so a response URL
 * carried in a modal's metadata can only ever be answered on Slack.
 */
function slackResponseUrl(services: Services, url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const api = new URL(services.config.SLACK_API_URL);
    const slack = parsed.protocol === 'https:' && parsed.hostname === 'hooks.slack.com';
    if (slack || parsed.origin === api.origin) return parsed.toString();
    services.logger.warn({ host: parsed.host }, 'response URL not on Slack, not answered');
    return undefined;
  } catch {
    return undefined;
  }
}

/** Redraws an ephemeral queue message through its `response_url` (ephemeral messages have no `chat.update`). */
async function refreshQueue(
  services: Services,
  client: WebClient,
  userId: string,
  responseUrl: string,
  place: QueuePlace,
): Promise<void> {
  const message = await renderQueue(services, client, userId, place);
  const answer = await fetch(responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ replace_original: true, ...message }),
  }).catch(() => undefined);
  if (!answer?.ok) services.logger.warn({ status: answer?.status }, 'queue message not refreshed');
}

/** `/wone queue [page]`: upcoming posts (only the person who asked sees it). */
export const queueSubcommand: Subcommand = {
  names: ['queue'],
  usage: '/wone queue',
  description: 'See posts waiting for approval, needing changes or scheduled, by account; reschedule or cancel them.',
  permission: 'view_queue',
  run: async ({ args, client, respond, command, services }) => {
    const page = Math.max(0, (Number.parseInt(args, 10) || 1) - 1);
    await respond({ response_type: 'ephemeral', ...(await renderQueue(services, client, command.user_id, { page })) });
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
  const viewer = await viewerOf(services, userId);
  const home = homeTab({ queue, queueTotal, recent, accounts, timezone, expired, viewer });
  const comments = homeCommentBlocks(commentWork);
  const posts = await homePostsFor(services, userId, timezone);
  // A brand freeze is the first thing anyone sees.
  const top = freeze ? [freezeBanner(freeze, timezone)] : [];
  await client.views.publish({
    user_id: userId,
    view: { ...home, blocks: fitHome([...top, ...posts, ...comments, ...home.blocks]) },
  });
}

const rescheduleMetadata = z.object({
  postId: z.string(),
  timezone: z.string(),
  /** Set when the modal was opened from a queue message: redrawn there after the change. */
  responseUrl: z.string().optional(),
  place: z.object({ page: z.number().int().min(0), accountId: z.string().optional() }).optional(),
});

/** Queue paging, Reschedule (with its modal), Cancel and Publish now, from the queue, the Home tab or the preview. */
export function registerQueueHandlers(app: Listeners, services: Services): void {
  // Paging and the account filter redraw the (ephemeral) message in place.
  for (const actionId of [queuePageAction, queueFilterAction]) {
    app.action(actionId, async ({ ack, body, client, respond }) => {
      await ack();
      const click = clickSchema.safeParse(body);
      if (!click.success) return;
      if (!(await authorizeClick(services, click.data.user.id, 'view_queue', 'queue', respond))) return;
      const place = placeOfClick(body);
      await respond({ replace_original: true, ...(await renderQueue(services, client, click.data.user.id, place)) });
    });
  }

  /** After a change from the queue message or the Home tab, that screen is drawn again to show it. */
  const afterChange = async (click: Click, client: WebClient) => {
    if (click.container?.type === 'view') await publishHome(services, client, click.user.id).catch(() => {});
    const responseUrl = click.container?.is_ephemeral ? slackResponseUrl(services, click.response_url) : undefined;
    if (responseUrl) await refreshQueue(services, client, click.user.id, responseUrl, placeOfClick(click));
  };

  onPostButton(app, services, approvalActions.cancel, async ({ target, click, client }) => {
    await services.scheduling.cancel(target.postId, click.user.id);
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
    // From the queue message: its response URL and place, so the message shows the new time once it is set.
    const responseUrl = click.container?.is_ephemeral ? slackResponseUrl(services, click.response_url) : undefined;
    const metadata: z.infer<typeof rescheduleMetadata> = {
      postId: target.postId,
      timezone,
      ...(responseUrl ? { responseUrl, place: placeOfClick(click) } : {}),
    };
    await client.views.open({
      trigger_id: click.trigger_id,
      view: rescheduleModal({
        ...parts,
        timezone,
        ...(post ? { post: { ...post, accounts: await accountNames(services) } } : {}),
        privateMetadata: JSON.stringify(metadata),
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
      const responseUrl = slackResponseUrl(services, metadata.responseUrl);
      if (responseUrl) await refreshQueue(services, client, by, responseUrl, metadata.place ?? { page: 0 });
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
