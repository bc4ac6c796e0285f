import type { PlatformClients } from '../platforms/index.ts';
import { platformLabels } from '../platforms/index.ts';
import type {
  CreatorInfo,
  MediaItem,
  PlatformName,
  PostType,
  PublishRequest,
  RuleViolation,
  TikTokPostOptions,
} from '../platforms/types.ts';
import type { AccountDoc } from './accounts.ts';
import { textOnlyTypes } from './post-types.ts';
import type { DraftContent, MediaRef, SlackFileRef } from './posts.ts';
import { resolveLocalTime } from './schedule-time.ts';

/**
 * The draft's fields, named as the modal's inputs are, so a problem shows on the input it concerns.
 * TikTok privacy is per account: `tiktok_privacy:<accountId>`.
 */
export type DraftField =
  | 'accounts'
  | `post_type_${PlatformName}`
  | 'caption'
  | `caption_${PlatformName}`
  | 'first_comment'
  | 'link'
  | 'media'
  | 'media_urls'
  | 'when'
  | 'date'
  | 'time'
  | `tiktok_privacy:${string}`
  | `tiktok_interactions:${string}`
  | 'tiktok_interactions'
  | 'tiktok_disclose'
  | 'tiktok_disclosure'
  | 'tiktok_photo_title';

export type DraftErrors = Partial<Record<DraftField, string>>;

type ConnectedAccount = Pick<AccountDoc, '_id' | 'platform' | 'name' | 'status'>;

export interface DraftCheckInput {
  draft: DraftContent;
  /** Newly attached Slack files (not yet downloaded): checked by what Slack says about them. */
  files: SlackFileRef[];
  /** Media already stored (an edit that keeps them): checked by their content. */
  media: MediaRef[];
  timezone: string;
  accounts: ConnectedAccount[];
  clients: PlatformClients;
  /** Per TikTok account id, what its creator may do (from `creator_info`), when known. */
  creators: Record<string, CreatorInfo>;
  now: Date;
  /** A post must be fully approved this many minutes before its time (`APPROVAL_DEADLINE_MINUTES`; 0: none). */
  approvalDeadlineMinutes?: number;
}

const acceptedTypes = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'video/mp4', 'video/quicktime'];

/** Every rule a draft must meet before it goes to approval; an empty result means it may. */
export function checkDraft(input: DraftCheckInput): DraftErrors {
  const errors: DraftErrors = {};
  const add = (field: DraftField, message: string) => {
    errors[field] ??= message;
  };
  const { draft } = input;
  const selected = draft.accountIds.map((id) => input.accounts.find((account) => account._id === id));
  if (draft.accountIds.length === 0) add('accounts', 'Choose at least one account.');
  for (const [index, account] of selected.entries()) {
    if (!account) add('accounts', `${draft.accountIds[index]} is no longer connected.`);
    else if (account.status !== 'ok') add('accounts', `${account.name} needs reconnecting before it can post.`);
    else if (!input.clients[account.platform]) {
      add('accounts', `${platformLabels[account.platform]} is switched off in this installation.`);
    }
  }
  const accounts = selected.filter((account): account is ConnectedAccount => Boolean(account));
  const platforms = [...new Set(accounts.map((account) => account.platform))];

  for (const platform of platforms) {
    const type = draft.postTypes[platform];
    if (!type) add(`post_type_${platform}`, `Choose what kind of ${platformLabels[platform]} post this is.`);
    else if (!type.startsWith(`${platform}_`)) add(`post_type_${platform}`, 'That type is not for this platform.');
  }

  const mediaCount = input.files.length + draft.mediaUrls.length + (input.files.length ? 0 : input.media.length);
  if (mediaCount > 10) add('media', 'Attach at most 10 files and links together.');
  for (const file of input.files) {
    if (!acceptedTypes.includes(file.mimetype)) {
      add('media', `${file.name} is not a JPEG, PNG, WebP, GIF, MP4 or MOV file.`);
    }
  }
  for (const url of draft.mediaUrls) {
    if (!isHttpsUrl(url)) add('media_urls', `${url.slice(0, 80)} is not an https link.`);
  }
  const needsMedia = platforms.some((p) => {
    const type = draft.postTypes[p];
    return type !== undefined && !textOnlyTypes.includes(type);
  });
  if (needsMedia && mediaCount === 0) add('media', 'Attach the image or video to post.');

  if (draft.schedule.kind === 'at' && !draft.schedule.date)
    add('date', 'Choose a date, or "As soon as it is approved".');
  else if (draft.schedule.kind === 'at' && !draft.schedule.time) add('time', 'Choose a time.');
  else if (draft.schedule.kind === 'at') {
    const resolved = resolveLocalTime(draft.schedule.date, draft.schedule.time, input.timezone);
    if (!resolved.ok) add(resolved.field, resolved.message);
    else if (resolved.at.getTime() < input.now.getTime() + 60_000) add('time', 'Choose a time in the future.');
    else if (input.approvalDeadlineMinutes) {
      const minutes = input.approvalDeadlineMinutes;
      // Leave the approvers at least a minute before the deadline, or the post would expire as it is submitted.
      if (resolved.at.getTime() < input.now.getTime() + (minutes + 1) * 60_000) {
        add('time', `Choose a later time: every approval is needed ${minutes} minutes before a post goes out.`);
      }
    }
  }

  if (draft.firstComment && platforms.length > 0 && platforms.every((p) => p === 'tiktok')) {
    add('first_comment', 'TikTok posts have no first comment. Leave this empty.');
  }

  if (draft.link && !platforms.some((p) => draft.postTypes[p] === 'facebook_text')) {
    add('link', 'A link goes with a Facebook text post only. Put it in the caption instead.');
  }

  const tiktokAccounts = accounts.filter((account) => account.platform === 'tiktok');
  for (const account of tiktokAccounts) {
    const creator = input.creators[account._id];
    const field: DraftField = `tiktok_privacy:${account._id}`;
    const privacy = draft.tiktok.privacy[account._id];
    if (!creator) {
      add(field, `Could not load ${account.name}'s TikTok settings. Close this and try again.`);
      continue;
    }
    if (draft.tiktokMode === 'direct' && !privacy) add(field, 'Choose who can see this post.');
    else if (privacy && !creator.privacyLevelOptions.includes(privacy)) add(field, 'This account does not offer that.');
    const allowed = interactionsOf(draft, account._id);
    const interactionsField: DraftField = `tiktok_interactions:${account._id}`;
    if (allowed.comment && creator.commentDisabled) {
      add(interactionsField, `${account.name} has comments turned off in TikTok.`);
    }
    if (allowed.duet && creator.duetDisabled) add(interactionsField, `${account.name} has duets turned off in TikTok.`);
    if (allowed.stitch && creator.stitchDisabled) {
      add(interactionsField, `${account.name} has stitches turned off in TikTok.`);
    }
    if (draft.postTypes.tiktok === 'tiktok_photo' && (allowed.duet || allowed.stitch)) {
      add(interactionsField, 'TikTok photo posts take comments only: untick Duet and Stitch.');
    }
    if (draft.tiktok.brandContent && privacy === 'SELF_ONLY') {
      add(field, 'Branded content visibility cannot be set to private.');
    }
  }
  if (tiktokAccounts.length > 0 && draft.tiktok.disclose && !draft.tiktok.brandOrganic && !draft.tiktok.brandContent) {
    add('tiktok_disclosure', 'You need to indicate if your content promotes yourself, a third party, or both.');
  }

  const media = [...input.files.map(fileAsMedia), ...draft.mediaUrls.map(urlAsMedia)];
  if (input.files.length === 0) media.unshift(...input.media.map(refAsMedia));
  for (const account of accounts) {
    const client = input.clients[account.platform];
    const postType = draft.postTypes[account.platform];
    if (!client || !postType) continue;
    const request = publishRequestOf(draft, postType, media, account._id);
    const violations = client.validate(request, input.creators[account._id]);
    for (const violation of violations) {
      add(
        fieldOf(violation, account, input.files.length > 0 || draft.mediaUrls.length === 0, draft),
        labelled(violation, platforms, account.platform),
      );
    }
  }
  return errors;
}

/** The platform of an account id (`<platform>:<external id>`). */
export function platformOfAccount(accountId: string): string {
  return accountId.split(':')[0] ?? '';
}

/**
 * The draft with only what its chosen accounts use: a post type or caption for a network that was then deselected, and
 * TikTok settings of an account no longer chosen, are dropped, so they are neither saved nor shown.
 */
export function pruneDraft(draft: DraftContent): DraftContent {
  const platforms = new Set(draft.accountIds.map(platformOfAccount));
  const chosen = new Set(draft.accountIds);
  const postTypes: DraftContent['postTypes'] = {};
  for (const [platform, type] of Object.entries(draft.postTypes) as [PlatformName, PostType | undefined][]) {
    if (type && platforms.has(platform)) postTypes[platform] = type;
  }
  const ofChosen = <T>(record: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(record).filter(([accountId]) => chosen.has(accountId)));
  const { interactions, ...tiktok } = draft.tiktok;
  const captions = draft.captions
    ? Object.fromEntries(Object.entries(draft.captions).filter(([platform]) => platforms.has(platform)))
    : undefined;
  return {
    ...draft,
    postTypes,
    ...(captions ? { captions } : {}),
    tiktok: {
      ...tiktok,
      privacy: ofChosen(draft.tiktok.privacy),
      ...(interactions ? { interactions: ofChosen(interactions) } : {}),
    },
  };
}

/** The platform request a draft becomes for one account. */
export function publishRequestOf(
  draft: DraftContent,
  postType: PublishRequest['postType'],
  media: MediaItem[],
  accountId: string,
): PublishRequest {
  const platform = postType.split('_')[0];
  const request: PublishRequest = {
    postType,
    caption: captionFor(draft, platform as PlatformName),
    media: textOnlyTypes.includes(postType) ? [] : media,
  };
  if (draft.link && postType === 'facebook_text') request.link = draft.link;
  if (draft.firstComment && platform !== 'tiktok') request.firstComment = draft.firstComment;
  if (platform === 'tiktok') request.tiktok = tiktokOptions(draft, accountId, postType);
  return request;
}

/** The caption that goes out on `platform`: the network's own when one was written, else the main caption. */
export function captionFor(draft: Pick<DraftContent, 'caption' | 'captions'>, platform: PlatformName): string {
  const own = draft.captions?.[platform];
  return own?.trim() ? own : draft.caption;
}

/** The interactions the requester allowed on one TikTok account. */
function interactionsOf(draft: DraftContent, accountId: string): { comment: boolean; duet: boolean; stitch: boolean } {
  return (
    draft.tiktok.interactions?.[accountId] ?? {
      comment: draft.tiktok.allowComment,
      duet: draft.tiktok.allowDuet,
      stitch: draft.tiktok.allowStitch,
    }
  );
}

function tiktokOptions(draft: DraftContent, accountId: string, postType: PostType): TikTokPostOptions {
  const privacy = draft.tiktok.privacy[accountId];
  const allowed = interactionsOf(draft, accountId);
  const photo = postType === 'tiktok_photo';
  return {
    mode: draft.tiktokMode,
    // Videos are uploaded from storage (no domain verification needed); TikTok takes photos by URL only.
    source: postType === 'tiktok_video' ? 'file_upload' : 'pull_from_url',
    ...(privacy ? { privacyLevel: privacy } : {}),
    disableComment: !allowed.comment,
    disableDuet: !allowed.duet,
    disableStitch: !allowed.stitch,
    brandContentToggle: draft.tiktok.brandContent,
    brandOrganicToggle: draft.tiktok.brandOrganic,
    ...(photo && draft.tiktok.photoTitle ? { photoTitle: draft.tiktok.photoTitle } : {}),
    ...(photo ? { autoAddMusic: draft.tiktok.autoAddMusic === true } : {}),
  };
}

function fieldOf(
  violation: RuleViolation,
  account: ConnectedAccount,
  mediaFromFiles: boolean,
  draft: DraftContent,
): DraftField {
  switch (violation.field) {
    case 'caption':
      return draft.captions?.[account.platform]?.trim() ? `caption_${account.platform}` : 'caption';
    case 'post_type':
      return `post_type_${account.platform}`;
    case 'media':
      return mediaFromFiles ? 'media' : 'media_urls';
    case 'privacy_level':
      return `tiktok_privacy:${account._id}`;
    case 'interactions':
      return `tiktok_interactions:${account._id}`;
    case 'disclosure':
      return `tiktok_privacy:${account._id}`;
    case 'photo_title':
      return 'tiktok_photo_title';
    default:
      return violation.field;
  }
}

function labelled(violation: RuleViolation, platforms: PlatformName[], platform: PlatformName): string {
  return platforms.length > 1 ? `${platformLabels[platform]}: ${violation.message}` : violation.message;
}

function fileAsMedia(file: SlackFileRef): MediaItem {
  return {
    url: `https://slack.invalid/${file.id}`,
    kind: file.mimetype.startsWith('video/') ? 'video' : 'image',
    mimeType: file.mimetype,
    sizeBytes: file.size,
  };
}

function urlAsMedia(url: string): MediaItem {
  const image = /\.(jpe?g|png|webp|gif)$/i.test(safePath(url));
  return {
    url,
    kind: image ? 'image' : 'video',
    mimeType: image ? 'image/jpeg' : /\.mov$/i.test(safePath(url)) ? 'video/quicktime' : 'video/mp4',
    sizeBytes: 0,
  };
}

function refAsMedia(ref: MediaRef): MediaItem {
  return { url: `https://stored.invalid/${ref.id}`, ...ref };
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
