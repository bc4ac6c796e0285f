import type { InputBlock, KnownBlock, ModalView, Option, PlainTextOption } from '@slack/types';
import { CAPTION_LIMITS, platformLabels } from '../src/platforms/index.ts';
import type { CreatorInfo, PlatformName } from '../src/platforms/types.ts';
import type { SuggestedTime } from '../src/services/best-time.ts';
import { postTypeOptions, textOnlyTypes } from '../src/services/post-types.ts';
import type { DraftContent } from '../src/services/posts.ts';
import { suggestedTimeLabel } from './best-time-message.ts';
import { escapeMrkdwn } from './slack-text.ts';

export const draftModalCallback = 'draft_modal';
/** Every input's action id: the block id says which field it is. */
export const draftValue = 'value';

export interface DraftModalAccount {
  id: string;
  platform: PlatformName;
  name: string;
}

export interface DraftModalData {
  accounts: DraftModalAccount[];
  /** Per TikTok account id, what the creator may do; missing when it could not be loaded. */
  creators: Record<string, CreatorInfo>;
  timezone: string;
  /** Suggested date and time in the user's zone when nothing was entered before. */
  suggested: { date: string; time: string };
  /** The next best times for the accounts, from how our posts did, offered as quick choices. */
  suggestedTimes?: SuggestedTime[];
  /** The draft being edited (or reopened), so nothing typed is lost. */
  initial?: DraftContent;
  /** Whether an existing post is edited (else: whether `initial` is set); a redrawn new post has `initial` too. */
  editing?: boolean;
  /** Names of media already stored for the draft being edited. */
  keptMedia?: string[];
  /** Opaque state for the submission (post id, zone, creator settings). */
  privateMetadata: string;
}

const privacyLabels: Record<string, string> = {
  PUBLIC_TO_EVERYONE: 'Everyone',
  MUTUAL_FOLLOW_FRIENDS: 'Friends (followers you follow back)',
  FOLLOWER_OF_CREATOR: 'Followers',
  SELF_ONLY: 'Only me',
};

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const option = (text: string, value: string): PlainTextOption => ({ text: plain(text.slice(0, 75)), value });

/** The `/wone schedule` modal: accounts, post types, caption, media, time and TikTok settings. */
export function draftModal(data: DraftModalData): ModalView {
  const title = (data.editing ?? Boolean(data.initial)) ? 'Edit post' : 'New post';
  if (data.accounts.length === 0) {
    return {
      type: 'modal',
      callback_id: draftModalCallback,
      title: plain(title),
      close: plain('Close'),
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*No accounts are connected yet.* An admin can connect Instagram, Facebook and TikTok accounts with `/wone connect`. Then try again.',
          },
        },
      ],
    };
  }
  const initial = data.initial;
  const blocks: KnownBlock[] = [];
  const accountOptions = data.accounts.map((account) =>
    option(`${platformLabels[account.platform]} · ${account.name}`, account.id),
  );
  const chosenAccounts = accountOptions.filter((o) => initial?.accountIds.includes(o.value ?? ''));
  blocks.push(
    input(
      'accounts',
      'Post to',
      {
        type: 'multi_static_select',
        action_id: draftValue,
        placeholder: plain('Choose accounts'),
        options: accountOptions,
        ...(chosenAccounts.length ? { initial_options: chosenAccounts } : {}),
      },
      // The rest of the form follows the networks chosen here.
      { dispatch: true },
    ),
  );

  const chosen = data.accounts.filter((account) => initial?.accountIds.includes(account.id));
  const platforms = allPlatforms.filter((platform) => chosen.some((account) => account.platform === platform));
  if (platforms.length === 0) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'Choose the accounts first: the post type and settings of each network then appear.' },
      ],
    });
  }
  for (const platform of platforms) {
    const options =
      platform === 'tiktok'
        ? postTypeOptions.tiktok.flatMap((type) => [
            option(`${type.label}, posted directly`, `${type.type}:direct`),
            option(`${type.label}, sent to the TikTok inbox`, `${type.type}:inbox`),
          ])
        : postTypeOptions[platform].map((type) => option(type.label, type.type));
    const chosenType = initial?.postTypes[platform];
    const chosenValue = platform === 'tiktok' && chosenType ? `${chosenType}:${initial?.tiktokMode}` : chosenType;
    const chosenOption = options.find((o) => o.value === chosenValue);
    blocks.push(
      input(
        `post_type_${platform}`,
        `${platformLabels[platform]} post type`,
        {
          type: 'static_select',
          action_id: draftValue,
          placeholder: plain('Choose a type'),
          options,
          ...(chosenOption ? { initial_option: chosenOption } : {}),
        },
        // Facebook's link and TikTok's settings depend on the type (a link goes with text posts; photo posts take
        // comments only, a title and music).
        platform === 'instagram' ? {} : { dispatch: true },
      ),
    );
  }

  blocks.push(
    input(
      'caption',
      'Caption',
      {
        type: 'plain_text_input',
        action_id: draftValue,
        multiline: true,
        ...(initial?.caption ? { initial_value: initial.caption } : {}),
      },
      {
        optional: true,
        ...(platforms.length > 0 ? { hint: captionHint(platforms, platforms.length > 1) } : {}),
      },
    ),
  );
  if (platforms.length > 1) {
    for (const platform of platforms) {
      const own = initial?.captions?.[platform];
      blocks.push(
        input(
          `caption_${platform}`,
          `${platformLabels[platform]} caption`,
          {
            type: 'plain_text_input',
            action_id: draftValue,
            multiline: true,
            ...(own ? { initial_value: own } : {}),
          },
          { optional: true, hint: `Leave empty to post the caption above. ${captionLimitText(platform)}` },
        ),
      );
    }
  }
  const commented = platforms.filter((platform) => platform !== 'tiktok');
  if (commented.length > 0) {
    blocks.push(
      input(
        'first_comment',
        'First comment',
        {
          type: 'plain_text_input',
          action_id: draftValue,
          multiline: true,
          ...(initial?.firstComment ? { initial_value: initial.firstComment } : {}),
        },
        {
          optional: true,
          hint: `Posted on ${commented.map((p) => platformLabels[p]).join(' and ')} as a comment as soon as the post is live, e.g. for hashtags.`,
        },
      ),
    );
  }
  if (initial?.postTypes.facebook === 'facebook_text' && platforms.includes('facebook')) {
    blocks.push(
      input(
        'link',
        'Link (Facebook)',
        {
          type: 'url_text_input',
          action_id: draftValue,
          ...(initial?.link ? { initial_value: initial.link } : {}),
        },
        { optional: true, hint: 'Shown as a link preview under the Facebook text post.' },
      ),
    );
  }
  const kept = data.keptMedia ?? [];
  const types = platforms.map((platform) => initial?.postTypes[platform]).filter((type) => type !== undefined);
  const needsMedia = types.some((type) => !textOnlyTypes.includes(type));
  blocks.push(
    input(
      'media',
      'Images and videos',
      {
        type: 'file_input',
        action_id: draftValue,
        max_files: 10,
        filetypes: ['jpg', 'jpeg', 'png', 'webp', 'gif', 'mp4', 'mov'],
      },
      {
        // Files or links below: either one will do, so neither input can be required on its own.
        optional: true,
        hint: kept.length
          ? `Keeping ${kept.length} file(s) already attached (${kept.join(', ').slice(0, 300)}). Upload files here to replace them.`
          : `${needsMedia ? 'Needed for this post: upload files here or paste links below. ' : ''}Up to 10 files of at most 10 MB each. For larger videos, paste links below.`,
      },
    ),
    input(
      'media_urls',
      'Links to large videos',
      {
        type: 'plain_text_input',
        action_id: draftValue,
        multiline: true,
        placeholder: plain('One https link per line'),
        ...(initial?.mediaUrls.length ? { initial_value: initial.mediaUrls.join('\n') } : {}),
      },
      { optional: true },
    ),
  );

  const whenOptions = [option('At a date and time', 'at'), option('As soon as it is approved', 'asap')];
  const asap = initial?.schedule.kind === 'asap';
  const at = initial?.schedule.kind === 'at' ? initial.schedule : undefined;
  blocks.push(
    input(
      'when',
      'When',
      {
        type: 'radio_buttons',
        action_id: draftValue,
        options: whenOptions,
        initial_option: asap ? whenOptions[1] : whenOptions[0],
      },
      // The date and time are asked only for "At a date and time".
      { dispatch: true },
    ),
  );
  if (!asap) {
    blocks.push(
      input('date', 'Date', {
        type: 'datepicker',
        action_id: draftValue,
        initial_date: at?.date || data.suggested.date,
      }),
      input(
        'time',
        'Time',
        { type: 'timepicker', action_id: draftValue, initial_time: at?.time || data.suggested.time },
        { hint: `In your time zone, ${data.timezone}.` },
      ),
    );
    if (data.suggestedTimes?.length) {
      blocks.push(
        input(
          'suggested_time',
          'Or a suggested time',
          {
            type: 'static_select',
            action_id: draftValue,
            placeholder: plain('Best times for these accounts'),
            options: data.suggestedTimes.map((s) => option(suggestedTimeLabel(s), `${s.date}T${s.time}`)),
          },
          {
            optional: true,
            hint: 'From how our posts did (see /wone besttime). Picking one replaces the date and time.',
          },
        ),
      );
    }
  }

  const tiktokAccounts = chosen.filter((account) => account.platform === 'tiktok');
  if (tiktokAccounts.length > 0) blocks.push(...tiktokBlocks(tiktokAccounts, data.creators, initial));

  return {
    type: 'modal',
    callback_id: draftModalCallback,
    title: plain(title),
    submit: plain('Send for approval'),
    close: plain('Cancel'),
    private_metadata: data.privateMetadata,
    blocks,
  };
}

const allPlatforms: PlatformName[] = ['instagram', 'facebook', 'tiktok'];
const count = (n: number) => n.toLocaleString('en-US');

/** What one network takes as a caption, in words. */
function captionLimitText(platform: PlatformName): string {
  switch (platform) {
    case 'instagram':
      return `Instagram: up to ${count(CAPTION_LIMITS.instagram)} characters and ${CAPTION_LIMITS.instagramHashtags} hashtags.`;
    case 'facebook':
      return `Facebook: up to ${count(CAPTION_LIMITS.facebook)} characters.`;
    case 'tiktok':
      return `TikTok: up to ${count(CAPTION_LIMITS.tiktokVideo)} characters for videos, ${count(CAPTION_LIMITS.tiktokPhoto)} for photo posts.`;
  }
}

function captionHint(platforms: PlatformName[], perNetwork: boolean): string {
  const limits = platforms.map(captionLimitText).join(' ');
  return perNetwork ? `${limits} A network's own caption below replaces this one there.` : limits;
}

function input(
  blockId: string,
  label: string,
  element: InputBlock['element'],
  options: { optional?: boolean; hint?: string; dispatch?: boolean } = {},
): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element,
    ...(options.optional ? { optional: true } : {}),
    ...(options.hint ? { hint: plain(options.hint) } : {}),
    ...(options.dispatch ? { dispatch_action: true } : {}),
  };
}

const musicUsage = '<https://www.tiktok.com/legal/page/global/music-usage-confirmation/en|Music Usage Confirmation>';
const brandedPolicy = '<https://www.tiktok.com/legal/page/global/bc-policy/en|Branded Content Policy>';

/**
 * TikTok's settings, as its content sharing guidelines ask them: per account the creator's nickname, an audience from
 * the creator's own options with none preselected (never "Only me" with branded content), and the interactions the
 * creator has not turned off (photo posts: comments only); then the photo title, the music choice, and the commercial
 * content disclosure, off until turned on, with the label and declarations that go with it.
 */
function tiktokBlocks(
  accounts: DraftModalAccount[],
  creators: Record<string, CreatorInfo>,
  initial: DraftContent | undefined,
): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'header', text: plain('TikTok settings') }];
  const photo = initial?.postTypes.tiktok === 'tiktok_photo';
  const branded = initial?.tiktok.brandContent === true;
  for (const account of accounts) {
    const creator = creators[account.id];
    if (!creator) {
      blocks.push({
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `Could not load ${escapeMrkdwn(account.name)}'s TikTok settings right now.` },
        ],
      });
      continue;
    }
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Posting to *${escapeMrkdwn(creator.nickname)}* (@${escapeMrkdwn(creator.username)}) · videos up to ${creator.maxVideoPostDurationSec} seconds`,
      },
    });
    const levels = creator.privacyLevelOptions.filter((level) => !(branded && level === 'SELF_ONLY'));
    const options = levels.map((level) => option(privacyLabels[level] ?? level, level));
    const chosen = options.find((o) => o.value === initial?.tiktok.privacy[account.id]);
    blocks.push(
      input(
        `tiktok_privacy:${account.id}`,
        `Who can see it on ${creator.nickname}`,
        {
          type: 'static_select',
          action_id: draftValue,
          placeholder: plain('Choose an audience'),
          options,
          ...(chosen ? { initial_option: chosen } : {}),
        },
        {
          // Posts sent to the creator's inbox are finished in TikTok, audience included.
          optional: initial?.tiktokMode === 'inbox',
          hint: branded
            ? 'Branded content visibility cannot be set to private, so "Only me" is not offered.'
            : initial?.tiktokMode === 'inbox'
              ? 'Posts sent to the TikTok inbox get their audience in TikTok. Nothing is chosen for you.'
              : 'Nothing is chosen for you.',
        },
      ),
    );
    const allowed = initial?.tiktok.interactions?.[account.id] ?? {
      comment: initial?.tiktok.allowComment ?? false,
      duet: initial?.tiktok.allowDuet ?? false,
      stitch: initial?.tiktok.allowStitch ?? false,
    };
    const kinds = [
      { value: 'comment', label: 'Allow comment', off: creator.commentDisabled, photo: true },
      { value: 'duet', label: 'Allow Duet', off: creator.duetDisabled, photo: false },
      { value: 'stitch', label: 'Allow Stitch', off: creator.stitchDisabled, photo: false },
    ] as const;
    const offered = kinds.filter((kind) => !kind.off && (!photo || kind.photo));
    const turnedOff = kinds.filter((kind) => kind.off && (!photo || kind.photo)).map((kind) => kind.label.slice(6));
    if (offered.length > 0) {
      const interactionOptions = offered.map((kind) => option(kind.label, kind.value));
      const ticked = interactionOptions.filter((o) => allowed[o.value as 'comment' | 'duet' | 'stitch']);
      blocks.push(
        input(
          `tiktok_interactions:${account.id}`,
          `Interactions on ${creator.nickname}`,
          {
            type: 'checkboxes',
            action_id: draftValue,
            options: interactionOptions,
            ...(ticked.length ? { initial_options: ticked } : {}),
          },
          { optional: true, hint: photo ? 'Photo posts take comments only.' : 'All off unless you turn them on.' },
        ),
      );
    }
    if (turnedOff.length > 0) {
      blocks.push({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${turnedOff.join(', ')}: turned off in this account's TikTok settings, so not offered.`,
          },
        ],
      });
    }
  }

  if (photo) blocks.push(...photoBlocks(initial));
  blocks.push(...disclosureBlocks(initial, branded));
  return blocks;
}

/** A TikTok photo post's title and music. */
function photoBlocks(initial: DraftContent | undefined): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  blocks.push(
    input(
      'tiktok_photo_title',
      'Photo title',
      {
        type: 'plain_text_input',
        action_id: draftValue,
        max_length: 90,
        ...(initial?.tiktok.photoTitle ? { initial_value: initial.tiktok.photoTitle } : {}),
      },
      { optional: true, hint: 'Up to 90 characters; the caption becomes the description.' },
    ),
  );
  const music = option('Add recommended music', 'music');
  blocks.push(
    input(
      'tiktok_music',
      'Music',
      {
        type: 'checkboxes',
        action_id: draftValue,
        options: [music],
        ...(initial?.tiktok.autoAddMusic ? { initial_options: [music] } : {}),
      },
      { optional: true, hint: 'Off unless you turn it on: TikTok then adds music it recommends.' },
    ),
  );
  return blocks;
}

/** The commercial content disclosure, its kinds, the label they give, and the declaration. */
function disclosureBlocks(initial: DraftContent | undefined, branded: boolean): KnownBlock[] {
  const blocks: KnownBlock[] = [];

  const disclose = initial?.tiktok.disclose ?? Boolean(initial?.tiktok.brandOrganic || initial?.tiktok.brandContent);
  const toggle: Option = {
    ...option('Disclose commercial content', 'on'),
    description: plain('Turn on if this promotes yourself, a brand, product or service.'),
  };
  blocks.push(
    input(
      'tiktok_disclose',
      'Commercial content disclosure',
      {
        type: 'checkboxes',
        action_id: draftValue,
        options: [toggle],
        ...(disclose ? { initial_options: [toggle] } : {}),
      },
      { optional: true, dispatch: true },
    ),
  );
  if (disclose) {
    const kinds: Option[] = [
      {
        ...option('Your brand', 'organic'),
        description: plain('You are promoting yourself or your own business.'),
      },
      {
        ...option('Branded content', 'branded'),
        description: plain('You are promoting another brand or a third party.'),
      },
    ];
    const ticked = kinds.filter(
      (o) =>
        (o.value === 'organic' && initial?.tiktok.brandOrganic) ||
        (o.value === 'branded' && initial?.tiktok.brandContent),
    );
    blocks.push(
      input(
        'tiktok_disclosure',
        'What the content promotes',
        {
          type: 'checkboxes',
          action_id: draftValue,
          options: kinds,
          ...(ticked.length ? { initial_options: ticked } : {}),
        },
        { dispatch: true, hint: 'Choose at least one.' },
      ),
    );
    const label = branded
      ? 'Your photo/video will be labeled as "Paid partnership".'
      : initial?.tiktok.brandOrganic
        ? 'Your photo/video will be labeled as "Promotional content".'
        : 'You need to indicate if your content promotes yourself, a third party, or both.';
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: label }] });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: branded
          ? `By posting, you agree to TikTok's ${brandedPolicy} and ${musicUsage}.`
          : `By posting, you agree to TikTok's ${musicUsage}.`,
      },
    ],
  });
  return blocks;
}
