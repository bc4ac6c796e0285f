import { z } from 'zod';
import { draftValue } from '../../views/draft-modal.ts';
import type { CreatorInfo, PlatformName, PostType } from '../platforms/types.ts';
import type { DraftContent, MediaRef, SlackFileRef } from '../services/posts.ts';

const platformName = z.enum(['instagram', 'facebook', 'tiktok']);

const creatorSchema = z.object({
  username: z.string(),
  nickname: z.string(),
  privacyLevelOptions: z.array(z.string()),
  commentDisabled: z.boolean(),
  duetDisabled: z.boolean(),
  stitchDisabled: z.boolean(),
  maxVideoPostDurationSec: z.number(),
});

const keptMediaSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['image', 'video']),
  mimeType: z.string(),
  sizeBytes: z.number(),
  width: z.number().optional(),
  height: z.number().optional(),
  durationSec: z.number().optional(),
});

/** What the draft modal carries from opening to submission (`private_metadata`, at most 3000 characters). */
export const draftMetadataSchema = z.object({
  /** The post being edited. */
  postId: z.string().optional(),
  timezone: z.string(),
  accounts: z.array(z.object({ id: z.string(), platform: platformName, name: z.string() })),
  creators: z.record(z.string(), creatorSchema),
  keptMedia: z.array(keptMediaSchema),
  /** The media links of the post being edited: unchanged links keep their stored media. */
  keptUrls: z.array(z.string()),
  /** The suggested times offered, so a redrawn form offers them again. */
  suggestions: z
    .array(
      z.object({
        at: z.coerce.date(),
        date: z.string(),
        time: z.string(),
        weekday: z.number(),
        accountNames: z.array(z.string()),
      }),
    )
    .optional(),
});

export type DraftMetadata = z.infer<typeof draftMetadataSchema>;

/** Encodes the metadata, leaving out what does not fit Slack's 3000 characters (media names first). */
export function encodeDraftMetadata(metadata: DraftMetadata): string {
  let text = JSON.stringify(metadata);
  if (text.length > 3000) {
    text = JSON.stringify({
      ...metadata,
      keptMedia: metadata.keptMedia.map((m) => ({ ...m, name: m.name.slice(0, 20) })),
    });
  }
  if (text.length > 3000 && metadata.suggestions) {
    // The suggestions are a convenience: a redrawn form goes without them rather than lose the rest.
    const { suggestions: _left, ...rest } = metadata;
    return encodeDraftMetadata(rest);
  }
  return text;
}

export function decodeDraftMetadata(text: string): DraftMetadata | undefined {
  try {
    const parsed = draftMetadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const fileSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  mimetype: z.string().nullish(),
  size: z.number().nullish(),
  url_private_download: z.string().nullish(),
  url_private: z.string().nullish(),
});

const optionSchema = z.object({ value: z.string() });

const stateValueSchema = z.looseObject({
  type: z.string(),
  value: z.string().nullish(),
  selected_option: optionSchema.nullish(),
  selected_options: z.array(optionSchema).nullish(),
  selected_date: z.string().nullish(),
  selected_time: z.string().nullish(),
  files: z.array(fileSchema).nullish(),
});

/** `view.state.values` as Slack sends it: block id → action id → value. */
export const viewStateSchema = z.record(z.string(), z.record(z.string(), stateValueSchema));
export type ViewState = z.infer<typeof viewStateSchema>;

const tiktokTypes = ['tiktok_video', 'tiktok_photo'];

/** Reads the draft modal's inputs into a draft and the newly attached Slack files. */
export function readDraftForm(
  state: ViewState,
  metadata: DraftMetadata,
): { draft: DraftContent; files: SlackFileRef[] } {
  const field = (block: string) => state[block]?.[draftValue];
  const text = (block: string) => field(block)?.value?.trim() ?? '';
  const accountIds = field('accounts')?.selected_options?.map((o) => o.value) ?? [];
  // Only the networks chosen keep a post type and a caption of their own: a type chosen for a network that was then
  // deselected is not saved (the form no longer shows it).
  const chosen = new Set(
    metadata.accounts.filter((account) => accountIds.includes(account.id)).map((account) => account.platform),
  );
  const postTypes: Partial<Record<PlatformName, PostType>> = {};
  const captions: Partial<Record<PlatformName, string>> = {};
  let tiktokMode: DraftContent['tiktokMode'] = 'direct';
  for (const platform of platformName.options) {
    if (!chosen.has(platform)) continue;
    const own = field(`caption_${platform}`)?.value;
    if (own?.trim()) captions[platform] = own;
    const value = field(`post_type_${platform}`)?.selected_option?.value;
    if (!value) continue;
    const [type, mode] = value.split(':');
    if (platform === 'tiktok' && type && tiktokTypes.includes(type)) tiktokMode = mode === 'inbox' ? 'inbox' : 'direct';
    postTypes[platform] = type as PostType;
  }
  const privacy: Record<string, string> = {};
  for (const account of metadata.accounts.filter((a) => a.platform === 'tiktok')) {
    const value = field(`tiktok_privacy:${account.id}`)?.selected_option?.value;
    if (value) privacy[account.id] = value;
  }
  const legacy = new Set(field('tiktok_interactions')?.selected_options?.map((o) => o.value) ?? []);
  const interactions: NonNullable<DraftContent['tiktok']['interactions']> = {};
  for (const account of metadata.accounts.filter((a) => a.platform === 'tiktok')) {
    const block = field(`tiktok_interactions:${account.id}`);
    if (!block) continue;
    const ticked = new Set(block.selected_options?.map((o) => o.value) ?? []);
    interactions[account.id] = {
      comment: ticked.has('comment'),
      duet: ticked.has('duet'),
      stitch: ticked.has('stitch'),
    };
  }
  const any = (kind: 'comment' | 'duet' | 'stitch') =>
    legacy.has(kind) || Object.values(interactions).some((allowed) => allowed[kind]);
  const disclosure = new Set(field('tiktok_disclosure')?.selected_options?.map((o) => o.value) ?? []);
  const toggle = field('tiktok_disclose');
  // Without the toggle in the form (an older form), a ticked kind is the disclosure.
  const disclose = toggle ? (toggle.selected_options ?? []).some((o) => o.value === 'on') : disclosure.size > 0;
  const photoTitle = text('tiktok_photo_title');
  const music = (field('tiktok_music')?.selected_options ?? []).some((o) => o.value === 'music');
  const when = field('when')?.selected_option?.value === 'asap' ? 'asap' : 'at';
  // A suggested time, when one was picked, replaces the date and time pickers.
  const suggested = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(field('suggested_time')?.selected_option?.value ?? '');
  const draft: DraftContent = {
    accountIds,
    postTypes,
    tiktokMode,
    caption: field('caption')?.value ?? '',
    ...(Object.keys(captions).length > 0 ? { captions } : {}),
    mediaUrls: text('media_urls')
      .split(/\s+/)
      .map((url) => url.trim())
      .filter(Boolean),
    schedule:
      when === 'asap'
        ? { kind: 'asap' }
        : {
            kind: 'at',
            date: suggested?.[1] ?? field('date')?.selected_date ?? '',
            time: suggested?.[2] ?? field('time')?.selected_time ?? '',
            timezone: metadata.timezone,
          },
    tiktok: {
      privacy,
      allowComment: any('comment'),
      allowDuet: any('duet'),
      allowStitch: any('stitch'),
      brandOrganic: disclose && disclosure.has('organic'),
      brandContent: disclose && disclosure.has('branded'),
      ...(Object.keys(interactions).length > 0 ? { interactions } : {}),
      ...(disclose ? { disclose } : {}),
      ...(photoTitle ? { photoTitle } : {}),
      ...(music ? { autoAddMusic: true } : {}),
    },
  };
  const firstComment = text('first_comment');
  if (firstComment) draft.firstComment = firstComment;
  const link = text('link');
  if (link) draft.link = link;
  const files: SlackFileRef[] = (field('media')?.files ?? []).map((file) => ({
    id: file.id,
    name: file.name ?? file.id,
    mimetype: file.mimetype ?? 'application/octet-stream',
    size: file.size ?? 0,
    url: file.url_private_download ?? file.url_private ?? '',
  }));
  return { draft, files };
}

/** Kept media as the metadata carries them. */
export function keptMediaOf(media: MediaRef[]): DraftMetadata['keptMedia'] {
  return media.map((m) => ({ ...m, name: m.name.slice(0, 60) }));
}

export type { CreatorInfo };
