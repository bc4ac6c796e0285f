import type { PlatformName } from '../src/platforms/types.ts';

const zwsp = '\u200B';

/**
 * Escapes text from outside (captions, comments, names, reasons, platform errors) so Slack shows it as written: never
 * a mention, a link, bold or italic, code, a quote or an emoji. Slack has no escape for its formatting marks, so a
 * zero-width space is set beside each one; what the reader sees is the text itself.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\u200B]/g, '')
    .replace(/[*_~`]/g, (mark) => `${zwsp}${mark}${zwsp}`)
    .replace(/@(?=(channel|here|everyone)\b)/gi, `@${zwsp}`)
    .replace(/#(?=[\p{L}\p{N}])/gu, `#${zwsp}`)
    .replace(/:(?=[\w+-]+:)/g, `:${zwsp}`)
    .replace(/^&gt;/gm, `${zwsp}&gt;`);
}

/** Shortens text to at most `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Quotes text as a Slack block quote, line by line. */
export function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

/** A time Slack shows in each reader's own zone, with a UTC fallback. */
export function slackTime(at: Date): string {
  const seconds = Math.floor(at.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${at.toISOString().replace('T', ' ').slice(0, 16)} UTC>`;
}

export const platformLabel: Record<PlatformName, string> = {
  instagram: 'Instagram',
  facebook: 'Facebook',
  tiktok: 'TikTok',
};

/** A Slack link to a web address from outside; anything but an http(s) address is shown as the label alone. */
export function slackLink(url: string, label: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return escapeMrkdwn(label);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return escapeMrkdwn(label);
  const href = parsed.href.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
  return `<${href}|${escapeMrkdwn(label)}>`;
}
