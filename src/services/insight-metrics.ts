import type { PlatformName } from '../platforms/types.ts';

/**
 * The metrics the digest reports per platform: only those the platforms document as valid today (deprecated ones such
 * as `impressions`, `plays`, `video_views`, `page_impressions*` and `page_fans*` are never asked for or shown).
 */
export interface PlatformMetricSet {
  /** Per-post metrics, in the order they are shown. */
  item: readonly string[];
  /** Account-level totals over the period. */
  account: readonly string[];
  /** The per-post metric that ranks top posts and sums to "post views". */
  itemViews: string;
  /** The account-level metric charted per day and compared week over week as "views". */
  accountViews: string;
  /** The account-level unique-audience metric, where the platform has one. */
  accountReach?: string;
}

export const platformMetrics: Record<PlatformName, PlatformMetricSet> = {
  instagram: {
    item: ['views', 'reach', 'likes', 'comments', 'saved', 'shares', 'total_interactions'],
    account: ['views', 'reach'],
    itemViews: 'views',
    accountViews: 'views',
    accountReach: 'reach',
  },
  facebook: {
    item: ['post_media_view', 'post_total_media_view_unique', 'reactions', 'comments', 'shares'],
    account: ['page_media_view', 'page_total_media_view_unique'],
    itemViews: 'post_media_view',
    accountViews: 'page_media_view',
    accountReach: 'page_total_media_view_unique',
  },
  tiktok: {
    item: ['view_count', 'like_count', 'comment_count', 'share_count'],
    account: ['view_count'],
    itemViews: 'view_count',
    accountViews: 'view_count',
  },
};

/** Short words for metric names, as the team reads them. */
export const metricLabels: Record<string, string> = {
  views: 'views',
  reach: 'reach',
  likes: 'likes',
  comments: 'comments',
  saved: 'saves',
  shares: 'shares',
  total_interactions: 'interactions',
  post_media_view: 'views',
  post_total_media_view_unique: 'viewers',
  reactions: 'reactions',
  page_media_view: 'views',
  page_total_media_view_unique: 'viewers',
  view_count: 'views',
  like_count: 'likes',
  comment_count: 'comments',
  share_count: 'shares',
};

export const platformLabels: Record<PlatformName, string> = {
  instagram: 'Instagram',
  facebook: 'Facebook',
  tiktok: 'TikTok',
};

/** Keeps only the metrics the digest reports for this scope; anything else a client returned is dropped. */
export function pickMetrics(values: Record<string, number>, allowed: readonly string[]): Record<string, number> {
  const picked: Record<string, number> = {};
  for (const name of allowed) {
    const value = values[name];
    if (typeof value === 'number' && Number.isFinite(value)) picked[name] = value;
  }
  return picked;
}
