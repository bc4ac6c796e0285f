import type { BlockAction } from '@slack/bolt';
import type { KnownBlock, ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { approvalActions } from '../../views/approval-message.ts';
import { changeRequestBlock, changeRequestBlockId, withChangeRequest } from '../../views/change-request-note.ts';
import { type DraftModalData, draftModal, draftModalCallback, draftValue } from '../../views/draft-modal.ts';
import { previewRefusedActions } from '../../views/preview-refused-message.ts';
import type { SuggestedTime } from '../services/best-time.ts';
import type { Services } from '../services/index.ts';
import { type DraftContent, editableStates, type PostDoc } from '../services/posts.ts';
import { PermissionDeniedError } from '../services/roles.ts';
import { isKnownZone, suggestedTime } from '../services/schedule-time.ts';
import { explainFailure, onPostButton, tellClicker } from './clicks.ts';
import {
  type DraftMetadata,
  decodeDraftMetadata,
  encodeDraftMetadata,
  keptMediaOf,
  readDraftForm,
  viewStateSchema,
} from './draft-form.ts';
import type { Listeners } from './router.ts';
import type { Subcommand } from './subcommand.ts';

/** `/wone schedule` (or `/wone new`): opens the draft modal. */
export const scheduleSubcommand: Subcommand = {
  names: ['schedule', 'new'],
  usage: '/wone schedule',
  description: 'Draft a post for Instagram, Facebook or TikTok and send it for approval.',
  permission: 'draft',
  run: async ({ command, client, services }) => {
    await openDraftModal(services, client, command.trigger_id, command.user_id);
  },
};

/** The person's own time zone from Slack (`users.info`), or the team's when Slack does not say. */
export async function timezoneOf(services: Services, client: WebClient, userId: string): Promise<string> {
  const answer = await client.users.info({ user: userId }).catch(() => undefined);
  const zone = answer?.user?.tz;
  return isKnownZone(zone) ? zone : services.config.TEAM_TIMEZONE;
}

/**
 * Opens the modal at once (the trigger expires in 3 seconds) with the connected accounts, then fills in each TikTok
 * creator's privacy options when TikTok has answered.
 */
async function openDraftModal(
  services: Services,
  client: WebClient,
  triggerId: string,
  userId: string,
  existing?: PostDoc,
): Promise<void> {
  const [timezone, accounts] = await Promise.all([
    existing ? Promise.resolve(existing.requesterTimezone) : timezoneOf(services, client, userId),
    services.drafts.usableAccounts(),
  ]);
  const metadata: DraftMetadata = {
    ...(existing ? { postId: existing._id } : {}),
    timezone,
    accounts,
    creators: {},
    keptMedia: existing ? keptMediaOf(existing.media) : [],
    keptUrls: existing?.mediaUrls ?? [],
  };
  const data = (meta: DraftMetadata, suggestedTimes: SuggestedTime[] = []): DraftModalData => ({
    accounts,
    creators: meta.creators,
    timezone,
    suggested: suggestedTime(new Date(), timezone),
    ...(suggestedTimes.length > 0 ? { suggestedTimes } : {}),
    ...(existing ? { initial: contentOf(existing), keptMedia: existing.media.map((m) => m.name) } : {}),
    privateMetadata: encodeDraftMetadata(meta),
  });
  const note = changeRequestBlock(existing?.decisions.at(-1));
  const modal = (view: ModalView) => withChangeRequest(view, note);
  const opened = await client.views.open({ trigger_id: triggerId, view: modal(draftModal(data(metadata))) });
  // Then what takes platform calls: TikTok creators' settings and the suggested times, in one update.
  const withTikTok = accounts.some((account) => account.platform === 'tiktok');
  const [creators, suggestions] = await Promise.all([
    withTikTok ? services.drafts.creators(accounts) : Promise.resolve(metadata.creators),
    services.bestTime
      .suggest(timezone, existing?.accountIds ?? accounts.map((account) => account.id))
      .catch((error: unknown) => {
        services.logger.warn({ err: error }, 'suggested times not available');
        return [];
      }),
  ]);
  if (!opened.view?.id || (!withTikTok && suggestions.length === 0)) return;
  const withCreators = { ...metadata, creators, ...(suggestions.length > 0 ? { suggestions } : {}) };
  await client.views
    .update({
      view_id: opened.view.id,
      hash: opened.view.hash,
      view: modal(draftModal(data(withCreators, suggestions))),
    })
    .catch((error) => services.logger.warn({ err: error }, 'draft modal update skipped'));
}

function contentOf(post: PostDoc): DraftContent {
  return {
    accountIds: post.accountIds,
    postTypes: post.postTypes,
    tiktokMode: post.tiktokMode,
    caption: post.caption,
    ...(post.captions ? { captions: post.captions } : {}),
    ...(post.firstComment ? { firstComment: post.firstComment } : {}),
    ...(post.link ? { link: post.link } : {}),
    mediaUrls: post.mediaUrls,
    schedule: post.schedule,
    tiktok: post.tiktok,
  };
}

/**
 * A change in a draft modal input that shapes the rest of the form (the accounts, a post type, "When", TikTok's
 * disclosure): the modal is drawn again from what is in it, so it shows only the fields the current choices need.
 * Every input keeps its block and action id, so Slack keeps what was typed in it; the view's hash makes an update
 * based on an older state fail (`hash_conflict`) instead of overwriting a newer one.
 */
async function redrawDraftModal(services: Services, client: WebClient, body: BlockAction): Promise<void> {
  const view = body.view;
  if (!view || view.callback_id !== draftModalCallback) return;
  const metadata = decodeDraftMetadata(view.private_metadata);
  const state = viewStateSchema.safeParse(view.state?.values ?? {});
  if (!metadata || !state.success) return;
  if (!(await services.roles.can(body.user.id, 'draft'))) return;
  const { draft } = readDraftForm(state.data, metadata);
  // A TikTok account chosen before its creator settings arrived (or whose settings failed to load): ask TikTok now.
  const missing = metadata.accounts.filter(
    (account) =>
      account.platform === 'tiktok' && draft.accountIds.includes(account.id) && !metadata.creators[account.id],
  );
  const creators = missing.length > 0 ? await services.drafts.creators(missing) : {};
  const current =
    Object.keys(creators).length > 0 ? { ...metadata, creators: { ...metadata.creators, ...creators } } : metadata;
  const modal = draftModal({
    accounts: current.accounts,
    creators: current.creators,
    timezone: current.timezone,
    suggested: suggestedTime(new Date(), current.timezone),
    ...(current.suggestions?.length ? { suggestedTimes: current.suggestions } : {}),
    initial: draft,
    editing: Boolean(current.postId),
    keptMedia: current.keptMedia.map((m) => m.name),
    privateMetadata: current === metadata ? view.private_metadata : encodeDraftMetadata(current),
  });
  // The change request shown at the top stays through a redraw.
  const note = view.blocks.find((block) => block.block_id === changeRequestBlockId) as KnownBlock | undefined;
  await client.views
    .update({ view_id: view.id, hash: view.hash, view: withChangeRequest(modal, note) })
    .catch((error) => services.logger.warn({ err: error }, 'draft modal redraw skipped'));
}

/** The draft modal's submission and the Edit button. */
export function registerDraftHandlers(app: Listeners, services: Services): void {
  app.action<BlockAction>(draftValue, async ({ ack, body, client }) => {
    await ack();
    await redrawDraftModal(services, client, body);
  });

  app.view(draftModalCallback, async ({ ack, body, view, client }) => {
    if (!(await services.roles.can(body.user.id, 'draft'))) {
      await ack({
        response_action: 'errors',
        errors: { accounts: `Only ${services.roles.needed('draft')}s can draft posts.` },
      });
      await services.audit.record({
        actor: body.user.id,
        action: 'role_denied',
        subject: 'post:new',
        details: { permission: 'draft' },
      });
      return;
    }
    const metadata = decodeDraftMetadata(view.private_metadata);
    const state = viewStateSchema.safeParse(view.state.values);
    if (!metadata || !state.success) {
      await ack({
        response_action: 'errors',
        errors: { accounts: 'This form could not be read. Close it and run /wone schedule again.' },
      });
      return;
    }
    const { draft, files } = readDraftForm(state.data, metadata);
    const keepMedia = files.length === 0 && draft.mediaUrls.join('\n') === metadata.keptUrls.join('\n');
    const errors = services.drafts.check({
      draft,
      files,
      media: keepMedia ? metadata.keptMedia : [],
      timezone: metadata.timezone,
      accounts: metadata.accounts.map((account) => ({ _id: account.id, ...account, status: 'ok' as const })),
      creators: metadata.creators,
    });
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors: errors as Record<string, string> });
      return;
    }
    await ack();
    const userId = body.user.id;
    try {
      const postId = await services.drafts.save({
        ...(metadata.postId ? { postId: metadata.postId } : {}),
        draft,
        files,
        timezone: metadata.timezone,
        by: userId,
      });
      const post = await services.drafts.prepare(postId);
      if (post?.state === 'pending_approval') await services.notifier.tellRequester(post, { kind: 'submitted' });
    } catch (error) {
      const click = { user: { id: userId }, trigger_id: '', actions: [{ action_id: 'draft_submit' }] };
      await explainFailure(error, { services, click, client, subject: `post:${metadata.postId ?? 'new'}` });
    }
  });

  onPostButton(app, services, previewRefusedActions.sendAgain, async ({ target, click, client, respond }) => {
    const post = await services.posts.get(target.postId);
    if (!post) {
      await tellClicker(click, respond, client, 'That post no longer exists.');
      return;
    }
    if (!(await services.drafts.mayEdit(post, click.user.id))) {
      throw new PermissionDeniedError(click.user.id, 'draft', 'admin');
    }
    if (post.state !== 'drafted' || post.revision !== target.revision) {
      await tellClicker(click, respond, client, `This post is ${post.state.replace('_', ' ')}; nothing to send again.`);
      return;
    }
    const sent = await services.drafts.prepare(post._id);
    if (sent?.state === 'pending_approval') {
      const link = await services.notifier.permalink(sent);
      await tellClicker(click, respond, client, `Your post is waiting for approval${link ? `: ${link}` : ''}.`);
    }
  });

  onPostButton(app, services, approvalActions.edit, async ({ target, click, client, respond }) => {
    const post = await services.posts.get(target.postId);
    if (!post) {
      await tellClicker(click, respond, client, 'That post no longer exists.');
      return;
    }
    if (!(await services.drafts.mayEdit(post, click.user.id))) {
      throw new PermissionDeniedError(click.user.id, 'draft', 'admin');
    }
    if (!editableStates.includes(post.state)) {
      await tellClicker(
        click,
        respond,
        client,
        `This post is ${post.state.replace('_', ' ')}; it can no longer be edited.`,
      );
      return;
    }
    await openDraftModal(services, client, click.trigger_id, click.user.id, post);
  });
}
