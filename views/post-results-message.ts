import type { KnownBlock } from '@slack/types';
import type { PostType } from '../src/platforms/types.ts';
import type { Checkpoint, PostResultFacts, PostResultNoteFacts, ResultFigure } from '../src/services/post-results.ts';
import { escapeMrkdwn, platformLabel, slackLink, truncate } from './slack-text.ts';

/** Short words for the figures a results reply shows. */
const figureLabels: Record<string, string> = {
  views: 'views',
  reach: 'reach',
  likes: 'likes',
  reactions: 'reactions',
  comments: 'comments',
  shares: 'shares',
  saved: 'saves',
  view_count: 'views',
  like_count: 'likes',
  comment_count: 'comments',
  share_count: 'shares',
};

/** What a post type is called in "your usual reel reach". */
const typeWords: Record<PostType, string> = {
  instagram_feed: 'feed post',
  instagram_carousel: 'carousel',
  instagram_reel: 'reel',
  instagram_story: 'story',
  facebook_text: 'text post',
  facebook_photo: 'photo post',
  facebook_video: 'video',
  tiktok_video: 'video',
  tiktok_photo: 'photo post',
};

/** "reel" → "reels", "story" → "stories". */
function plural(word: string): string {
  return word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`;
}

const checkpointWords: Record<Checkpoint, string> = { '24h': 'after 24 hours', '7d': 'after 7 days' };

export function figureLabel(metric: string): string {
  return figureLabels[metric] ?? metric;
}

/** "2.1× your usual reel reach", or nothing when there is no usual figure yet. */
export function comparisonText(figure: ResultFigure, postType: PostType): string | undefined {
  if (figure.ratio === undefined) return undefined;
  const ratio = figure.ratio >= 10 ? figure.ratio.toFixed(0) : figure.ratio.toFixed(1);
  return `${ratio}× your usual ${typeWords[postType]} ${figureLabel(figure.metric)}`;
}

const number = (value: number) => Math.round(value).toLocaleString('en-US');

/** The reply in a post's approval thread with its figures at a checkpoint. */
export function postResultsMessage(facts: PostResultFacts): { text: string; blocks: KnownBlock[] } {
  const where = `${platformLabel[facts.platform]} ${escapeMrkdwn(truncate(facts.accountName, 80))}`;
  const heading = `*Results ${checkpointWords[facts.checkpoint]}* on ${where}`;
  const link = facts.permalink ? ` · ${slackLink(facts.permalink, 'open the post')}` : '';
  const lines = facts.figures.map((figure) => {
    const comparison = comparisonText(figure, facts.postType);
    const usual =
      comparison && figure.median !== undefined
        ? ` — ${comparison} (usual ${number(figure.median)}, ${figure.compared} ${plural(typeWords[facts.postType])})`
        : '';
    return `• *${capitalise(figureLabel(figure.metric))}* ${number(figure.value)}${usual}`;
  });
  if (lines.length === 0) lines.push(`${platformLabel[facts.platform]} gave no figures for this post yet.`);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`${heading}${link}\n${lines.join('\n')}`, 3000) } },
  ];
  const context: string[] = [];
  if (facts.figures.length > 0 && facts.figures.every((figure) => figure.ratio === undefined)) {
    context.push(
      `Not enough ${plural(typeWords[facts.postType])} in the last 90 days to say what is usual for this account yet.`,
    );
  }
  if (facts.refused.length > 0) {
    const refused = facts.refused
      .map((r) => `${figureLabel(r.metric)} (${escapeMrkdwn(truncate(r.reason, 120))})`)
      .join('; ');
    context.push(`${platformLabel[facts.platform]} does not give ${truncate(refused, 1500)}, so it is left out.`);
  }
  if (context.length > 0) {
    blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn' as const, text })) });
  }
  const text = `Results ${checkpointWords[facts.checkpoint]} on ${where}`;
  return { text: truncate(text, 3000), blocks };
}

/** The note in a post's thread when its account's login was refused, so no figures could be read. */
export function postResultsNote(facts: PostResultNoteFacts): { text: string; blocks: KnownBlock[] } {
  const where = `${platformLabel[facts.platform]} ${escapeMrkdwn(truncate(facts.accountName, 80))}`;
  const text = `No results ${checkpointWords[facts.checkpoint]} on ${where}: ${escapeMrkdwn(truncate(facts.problem, 500))}`;
  return {
    text: `No results ${checkpointWords[facts.checkpoint]} on ${where}`,
    blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }],
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
