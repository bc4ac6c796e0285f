/** Names for `<@U…>` and `<#C…>` references, as the Slack client would show them. */
export interface Directory {
  users?: Record<string, string>;
  channels?: Record<string, string>;
}

/** The emoji the app's messages use, shown as the characters; other `:names:` stay as typed. */
const emoji: Record<string, string> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  warning: '⚠️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  calendar: '📅',
  clock3: '🕒',
  memo: '📝',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  rocket: '🚀',
  speech_balloon: '💬',
  leftwards_arrow_with_hook: '↩️',
  eyes: '👀',
  bar_chart: '📊',
  chart_with_upwards_trend: '📈',
  link: '🔗',
  lock: '🔒',
  arrows_counterclockwise: '🔄',
  pencil2: '✏️',
  wastebasket: '🗑️',
  see_no_evil: '🙈',
  information_source: 'ℹ️',
  question: '❓',
  tada: '🎉',
  sunny: '☀️',
  frame_with_picture: '🖼️',
  movie_camera: '🎥',
  film_frames: '🎞️',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Slack escapes only these three in message text; they are shown as the characters they stand for. */
function decodeSlackEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Whether a URL may become a link or image source: web and mail links only (no `javascript:`, no `data:`). */
export function safeUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol) ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** One `<…>` reference of Slack's markup: links, user and channel mentions, special mentions, dates. */
function renderReference(inner: string, directory: Directory): string {
  const [target = '', label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<span class="mention">@${escapeHtml(directory.users?.[id] ?? label ?? id)}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return `<span class="mention">#${escapeHtml(directory.channels?.[id] ?? label ?? id)}</span>`;
  }
  if (target.startsWith('!')) {
    const [keyword = ''] = target.slice(1).split('^');
    if (keyword === 'date') return escapeHtml(decodeSlackEntities(label ?? ''));
    return `<span class="mention">@${escapeHtml(label ?? keyword)}</span>`;
  }
  const href = safeUrl(decodeSlackEntities(target));
  const text = escapeHtml(decodeSlackEntities(label ?? target));
  return href ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${text}</a>` : text;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * Slack `mrkdwn` as HTML: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, code blocks, `>` quotes, line breaks,
 * links and mentions. Every piece of text is escaped; markup only ever adds fixed tags. A mark next to a zero-width
 * space is text, not markup.
 */
export function mrkdwnToHtml(text: string, directory: Directory = {}): string {
  const held: string[] = [];
  const hold = (html: string) => `\uE000${held.push(html) - 1}\uE001`;
  let source = text.replace(/[\uE000\uE001]/g, '');
  source = source.replace(/```([\s\S]*?)```/g, (_, code: string) =>
    hold(`<pre>${escapeHtml(decodeSlackEntities(code.replace(/^\n/, '')))}</pre>`),
  );
  source = source.replace(/(?<!\u200B)`([^`\n]+)`(?!\u200B)/g, (_, code: string) =>
    hold(`<code>${escapeHtml(decodeSlackEntities(code))}</code>`),
  );
  source = source.replace(/<([^<>\n]+)>/g, (_, inner: string) => hold(renderReference(inner, directory)));
  let html = escapeHtml(decodeSlackEntities(source)).replace(/:([a-z0-9_+-]+):/g, (whole, name: string) =>
    emoji[name] ? emoji[name] : whole,
  );
  html = html
    .replace(/(^|[^\w*\u200B])\*(?=[^\s\u200B])([^*\n]*?[^\s\u200B])\*(?![\w\u200B])/g, '$1<strong>$2</strong>')
    .replace(/(^|[^\w_\u200B])_(?=[^\s\u200B])([^_\n]*?[^\s\u200B])_(?![\w\u200B])/g, '$1<em>$2</em>')
    .replace(/(^|[^\w~\u200B])~(?=[^\s\u200B])([^~\n]*?[^\s\u200B])~(?![\w\u200B])/g, '$1<del>$2</del>');
  html = html
    .split('\n')
    .map((line) => (line.startsWith('&#62;') ? `<blockquote>${line.slice(5).trimStart()}</blockquote>` : line))
    .join('\n')
    .replace(/<\/blockquote>\n/g, '</blockquote>')
    .replace(/\n/g, '<br>');
  return html.replace(/\uE000(\d+)\uE001/g, (_, index: string) => held[Number(index)] ?? '');
}
