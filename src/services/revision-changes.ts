import type { PlatformName, PostType } from '../platforms/types.ts';
import type { PostDoc, TikTokChoices } from './posts.ts';

/** What a revision sent for approval looked like: only what the approvers saw, kept to say what an edit changed. */
export interface RevisionSnapshot {
  revision: number;
  caption: string;
  /** Each network's own caption, where it has one. */
  captions?: Partial<Record<PlatformName, string>>;
  firstComment?: string;
  link?: string;
  accountIds: string[];
  postTypes: Partial<Record<PlatformName, PostType>>;
  tiktokMode: 'direct' | 'inbox';
  tiktok: TikTokChoices;
  /** Unset for "as soon as approved". */
  dueAt?: Date;
  /** The media's names and sizes, in order. */
  media: { name: string; sizeBytes: number }[];
}

/** One thing an edit changed since the revision the approvers saw before. */
export type RevisionChange =
  | { kind: 'caption'; before: string; after: string }
  | { kind: 'network_caption'; platform: PlatformName; before?: string; after?: string }
  | { kind: 'time'; before?: Date; after?: Date }
  | { kind: 'accounts'; added: string[]; removed: string[] }
  | { kind: 'media'; before: string[]; after: string[] }
  | { kind: 'type'; platform: PlatformName; before?: PostType; after?: PostType }
  | { kind: 'first_comment' | 'link'; before?: string; after?: string }
  | { kind: 'tiktok'; settings: TikTokSetting[] };

export type TikTokSetting = 'audience' | 'interactions' | 'disclosure' | 'delivery' | 'photo';

type Revision = Pick<
  PostDoc,
  | 'revision'
  | 'caption'
  | 'captions'
  | 'firstComment'
  | 'link'
  | 'accountIds'
  | 'postTypes'
  | 'tiktokMode'
  | 'tiktok'
  | 'dueAt'
  | 'media'
  | 'pendingFiles'
>;

/** The snapshot of a revision as it was sent for approval. */
export function snapshotOf(post: Revision): RevisionSnapshot {
  return {
    revision: post.revision,
    caption: post.caption,
    ...(post.captions && Object.keys(post.captions).length > 0 ? { captions: { ...post.captions } } : {}),
    ...(post.firstComment ? { firstComment: post.firstComment } : {}),
    ...(post.link ? { link: post.link } : {}),
    accountIds: [...post.accountIds],
    postTypes: { ...post.postTypes },
    tiktokMode: post.tiktokMode,
    tiktok: post.tiktok,
    ...(post.dueAt ? { dueAt: post.dueAt } : {}),
    media: mediaOf(post),
  };
}

function mediaOf(post: Pick<PostDoc, 'media' | 'pendingFiles'>): RevisionSnapshot['media'] {
  if (post.media.length > 0) return post.media.map((m) => ({ name: m.name, sizeBytes: m.sizeBytes }));
  return post.pendingFiles.map((file) => ({ name: file.name, sizeBytes: file.size }));
}

const platforms: PlatformName[] = ['instagram', 'facebook', 'tiktok'];

/** What changed from `previous` to `post`, in the order the card shows them; empty when nothing did. */
export function changesSince(previous: RevisionSnapshot, post: Revision): RevisionChange[] {
  const changes: RevisionChange[] = [];
  if (previous.caption !== post.caption)
    changes.push({ kind: 'caption', before: previous.caption, after: post.caption });
  for (const platform of platforms) {
    const was = previous.captions?.[platform]?.trim() ?? '';
    const is = post.captions?.[platform]?.trim() ?? '';
    if (was !== is) {
      changes.push({
        kind: 'network_caption',
        platform,
        ...(was ? { before: was } : {}),
        ...(is ? { after: is } : {}),
      });
    }
  }
  if (previous.dueAt?.getTime() !== post.dueAt?.getTime()) {
    changes.push({
      kind: 'time',
      ...(previous.dueAt ? { before: previous.dueAt } : {}),
      ...(post.dueAt ? { after: post.dueAt } : {}),
    });
  }
  const added = post.accountIds.filter((id) => !previous.accountIds.includes(id));
  const removed = previous.accountIds.filter((id) => !post.accountIds.includes(id));
  if (added.length + removed.length > 0) changes.push({ kind: 'accounts', added, removed });
  const before = previous.media.map((m) => `${m.name}\u0000${m.sizeBytes}`).join('\n');
  const now = mediaOf(post);
  if (before !== now.map((m) => `${m.name}\u0000${m.sizeBytes}`).join('\n')) {
    changes.push({ kind: 'media', before: previous.media.map((m) => m.name), after: now.map((m) => m.name) });
  }
  const on = (ids: string[], platform: PlatformName) => ids.some((id) => id.startsWith(`${platform}:`));
  for (const platform of platforms) {
    const was = previous.postTypes[platform];
    const is = post.postTypes[platform];
    // A network added or dropped is said by the accounts' change.
    if (!on(previous.accountIds, platform) || !on(post.accountIds, platform)) continue;
    if (was !== is)
      changes.push({ kind: 'type', platform, ...(was ? { before: was } : {}), ...(is ? { after: is } : {}) });
  }
  for (const kind of ['first_comment', 'link'] as const) {
    const was = kind === 'link' ? previous.link : previous.firstComment;
    const is = kind === 'link' ? post.link : post.firstComment;
    if ((was ?? '') !== (is ?? ''))
      changes.push({ kind, ...(was ? { before: was } : {}), ...(is ? { after: is } : {}) });
  }
  const settings = tiktokChanges(previous, post);
  if (settings.length > 0) changes.push({ kind: 'tiktok', settings });
  return changes;
}

function tiktokChanges(previous: RevisionSnapshot, post: Revision): TikTokSetting[] {
  const a = previous.tiktok;
  const b = post.tiktok;
  const same = (x: unknown, y: unknown) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
  const settings: TikTokSetting[] = [];
  if (!same(sorted(a.privacy), sorted(b.privacy))) settings.push('audience');
  const interactions = (t: TikTokChoices) => [t.allowComment, t.allowDuet, t.allowStitch, sorted(t.interactions ?? {})];
  if (!same(interactions(a), interactions(b))) settings.push('interactions');
  if (!same([a.disclose, a.brandOrganic, a.brandContent], [b.disclose, b.brandOrganic, b.brandContent])) {
    settings.push('disclosure');
  }
  if (previous.tiktokMode !== post.tiktokMode) settings.push('delivery');
  if (!same([a.photoTitle, a.autoAddMusic], [b.photoTitle, b.autoAddMusic])) settings.push('photo');
  return settings;
}

function sorted<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([x], [y]) => x.localeCompare(y));
}
