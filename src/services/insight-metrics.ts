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
  /** The per-day metric the chart draws: views where the platform gives them per day. */
  dailyMetric: string;
}

export const platformMetrics: Record<PlatformName, PlatformMetricSet> = {
  instagram: {
    item: ['views', 'reach', 'likes', 'comments', 'saved', 'shares', 'total_interactions'],
    account: ['views', 'reach'],
    itemViews: 'views',
    accountViews: 'views',
    accountReach: 'reach',
    // Instagram gives account views only as a period total; reach is its per-day series.
    dailyMetric: 'reach',
  },
  // The Facebook client names Page and post metrics by meaning: post_media_view → views,
  // post_total_media_view_unique → reach, post_reactions_by_type_total → reactions (likewise for the Page).
  facebook: {
    item: ['views', 'reach', 'reactions', 'comments', 'shares'],
    account: ['views', 'reach'],
    itemViews: 'views',
    accountViews: 'views',
    accountReach: 'reach',
    dailyMetric: 'views',
  },
  tiktok: {
    item: ['view_count', 'like_count', 'comment_count', 'share_count'],
    account: ['view_count'],
    itemViews: 'view_count',
    accountViews: 'view_count',
    dailyMetric: 'view_count',
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
  reactions: 'reactions',
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
