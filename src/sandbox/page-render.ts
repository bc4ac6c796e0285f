import { renderBlocks } from './block-kit-html.ts';
import { type Directory, escapeHtml, mrkdwnToHtml, safeUrl } from './mrkdwn-html.ts';
import type { AccountActivity, ScheduledJob } from './platform-world.ts';
import type { StoredView } from './slack-payloads.ts';
import type { ChannelMessage, PrivateMessage } from './workspace.ts';

const appName = 'Wone Social';

/** A message body: its blocks when it has any, else its text as mrkdwn. */
function body(text: string, blocks: unknown[] | undefined, directory: Directory): string {
  return Array.isArray(blocks) && blocks.length > 0
    ? renderBlocks(blocks, directory)
    : `<div class="bk-text">${mrkdwnToHtml(text, directory)}</div>`;
}

function origin(value: Record<string, string>): string {
  return escapeHtml(JSON.stringify(value));
}

/** Files a message shares: images shown inline (as Slack previews them), other files as a link to download. */
function sharedFiles(message: ChannelMessage): string {
  return (message.files ?? [])
    .map((file) => {
      const src = `/sandbox/files/${encodeURIComponent(file.id)}`;
      return /\.(png|jpe?g|gif)$/i.test(file.name)
        ? `<figure class="msg-file"><img src="${escapeHtml(src)}" alt="${escapeHtml(file.title)}"><figcaption>${escapeHtml(file.title)}</figcaption></figure>`
        : `<a class="msg-file" href="${escapeHtml(src)}" download>${escapeHtml(file.name)}</a>`;
    })
    .join('');
}

function publicMessage(message: ChannelMessage, directory: Directory, thread: string): string {
  const text = message.text || !message.files ? body(message.text, message.blocks, directory) : '';
  return (
    `<article class="msg" data-message data-ts="${escapeHtml(message.ts)}" data-origin="${origin({ kind: 'message', channel: message.channel, ts: message.ts })}">` +
    `<header class="msg-head"><span class="msg-author">${appName}</span><span class="badge">APP</span>` +
    `${message.updates > 0 ? '<span class="msg-edited">(edited)</span>' : ''}</header>` +
    `<div class="msg-body">${text}${sharedFiles(message)}</div>${thread}</article>`
  );
}

function privateMessage(message: PrivateMessage, directory: Directory): string {
  return (
    `<article class="msg msg-private" data-message data-private="${escapeHtml(message.id)}" data-origin="${origin({ kind: 'private', id: message.id })}">` +
    `<header class="msg-head"><span class="msg-author">${appName}</span><span class="badge">APP</span>` +
    '<span class="msg-only-you">Only visible to you</span></header>' +
    `<div class="msg-body">${body(message.text, message.blocks, directory)}</div></article>`
  );
}

/**
 * A channel as the acting person sees it: every public message in order with its thread replies beneath it, and the
 * person's own private messages (ephemerals, command answers) where they arrived.
 */
export function renderChannel(
  messages: ChannelMessage[],
  privates: PrivateMessage[],
  directory: Directory,
  emptyText: string,
): string {
  const topLevel = messages.filter((message) => !message.thread_ts || message.thread_ts === message.ts);
  const entries: { order: number; html: string }[] = topLevel.map((message) => {
    const replies = messages.filter((reply) => reply.thread_ts === message.ts && reply.ts !== message.ts);
    const privateReplies = privates.filter((reply) => reply.threadTs === message.ts);
    const threadParts = [
      ...replies.map((reply) => ({ order: reply.order, html: publicMessage(reply, directory, '') })),
      ...privateReplies.map((reply) => ({ order: reply.order, html: privateMessage(reply, directory) })),
    ].sort((a, b) => a.order - b.order);
    const thread =
      threadParts.length > 0
        ? `<div class="thread" data-thread><div class="thread-count">${threadParts.length} ${threadParts.length === 1 ? 'reply' : 'replies'}</div>${threadParts.map((part) => part.html).join('')}</div>`
        : '';
    return { order: message.order, html: publicMessage(message, directory, thread) };
  });
  const threadTs = new Set(topLevel.map((message) => message.ts));
  for (const message of privates) {
    if (message.threadTs && threadTs.has(message.threadTs)) continue;
    entries.push({ order: message.order, html: privateMessage(message, directory) });
  }
  if (entries.length === 0) return `<p class="empty">${escapeHtml(emptyText)}</p>`;
  return entries
    .sort((a, b) => a.order - b.order)
    .map((entry) => entry.html)
    .join('');
}

/** The top modal of a stack, with its title, inputs, errors and buttons. */
export function renderModal(
  stack: StoredView[],
  errors: Record<string, string>,
  options: Directory & { timezone: string },
): { key: string; html: string } | null {
  const view = stack.at(-1);
  if (!view) return null;
  const definition = view.definition;
  const title = plain(definition.title) || 'Modal';
  const submit = plain(definition.submit);
  const close = plain(definition.close) || 'Cancel';
  const depth = stack.length > 1 ? `<span class="modal-depth">${stack.length} of ${stack.length}</span>` : '';
  const html =
    `<div class="modal-backdrop"><section class="modal" role="dialog" aria-modal="true" aria-label="${escapeHtml(title)}" data-view-id="${escapeHtml(view.id)}">` +
    `<header class="modal-head">${stack.length > 1 ? '<button type="button" class="modal-back" data-close aria-label="Back">←</button>' : ''}` +
    `<h2>${escapeHtml(title)}</h2>${depth}<button type="button" class="modal-x" data-close aria-label="Dismiss">×</button></header>` +
    `<div class="modal-body" data-view-body>${renderBlocks(definition.blocks, { ...options, errors })}</div>` +
    `<footer class="modal-foot"><button type="button" class="btn" data-close>${escapeHtml(close)}</button>` +
    `${submit ? `<button type="button" class="btn btn-primary" data-submit>${escapeHtml(submit)}</button>` : ''}</footer>` +
    '</section></div>';
  return { key: `${view.id}:${view.hash}:${JSON.stringify(errors)}:${stack.length}`, html };
}

/** The App Home tab the app published for the person. */
export function renderHome(view: StoredView | undefined, options: Directory & { timezone: string }): string {
  if (!view) return '<p class="empty">Nothing here yet: the app has not published a Home tab for you.</p>';
  return `<div class="home" data-view-id="${escapeHtml(view.id)}">${renderBlocks(view.definition.blocks, options)}</div>`;
}

const platformLabel: Record<string, string> = { instagram: 'Instagram', facebook: 'Facebook Page', tiktok: 'TikTok' };

/** The platforms panel: each simulated account's public posts with media and comments, and the app's job schedule. */
export function renderPlatforms(activity: AccountActivity[], jobs: ScheduledJob[]): string {
  const accounts = activity
    .map(({ account, posts }) => {
      const list =
        posts.length === 0
          ? '<p class="empty">Nothing published yet.</p>'
          : posts
              .map((post) => {
                const media = post.media
                  .map((url) => {
                    const safe = safeUrl(url);
                    if (!safe) return '';
                    return /video|reels/i.test(post.kind)
                      ? `<video class="pub-media" src="${escapeHtml(safe)}" controls preload="metadata"></video>`
                      : `<img class="pub-media" src="${escapeHtml(safe)}" alt="">`;
                  })
                  .join('');
                const comments = post.comments
                  .map(
                    (comment) =>
                      `<li class="${comment.reply ? 'pub-reply' : ''}"><b>${escapeHtml(comment.author)}</b> ${escapeHtml(comment.text)}</li>`,
                  )
                  .join('');
                return (
                  `<article class="pub-post" data-post="${escapeHtml(post.id)}">` +
                  `<div class="pub-meta">${escapeHtml(post.kind)} · ${escapeHtml(post.at.toISOString().slice(0, 16).replace('T', ' '))} UTC</div>` +
                  `<div class="pub-caption">${escapeHtml(post.caption) || '<i>(no caption)</i>'}</div>` +
                  `${media ? `<div class="pub-media-row">${media}</div>` : ''}` +
                  `<ul class="pub-comments">${comments}</ul>` +
                  `<form class="pub-comment-form" data-comment data-account="${escapeHtml(account.id)}" data-post="${escapeHtml(post.id)}">` +
                  '<input name="author" value="happy.customer" aria-label="Commenter" required maxlength="40">' +
                  '<input name="text" placeholder="Write a comment as a customer" aria-label="Comment" required maxlength="500">' +
                  '<button type="submit" class="btn">Add comment</button></form></article>'
                );
              })
              .join('');
      return (
        `<section class="pub-account" data-account="${escapeHtml(account.id)}"><h3>${escapeHtml(platformLabel[account.platform] ?? account.platform)} · ${escapeHtml(account.name)}</h3>` +
        `${list}</section>`
      );
    })
    .join('');
  const jobRows = jobs
    .map(
      (job) =>
        `<tr${job.post ? ` data-job-post="${escapeHtml(job.post.id)}"` : ''}><td>${escapeHtml(job.name)}${job.post ? `<div class="job-post">“${escapeHtml(job.post.caption)}” · ${escapeHtml(job.post.state)}</div>` : ''}</td><td>${job.running ? 'running' : job.nextRunAt ? escapeHtml(job.nextRunAt.toISOString().slice(0, 19).replace('T', ' ')) : '—'}</td>` +
        `<td>${job.repeatInterval ? `every ${escapeHtml(job.repeatInterval)}` : 'once'}</td>` +
        `<td>${job.nextRunAt && !job.running ? runNow(job) : ''}</td></tr>`,
    )
    .join('');
  return (
    `<div class="pub-accounts">${accounts}</div>` +
    '<section class="clock"><h3>Clock</h3><p>Jobs wait for their time; run the due ones now instead of waiting for the scheduler to look.</p>' +
    '<button type="button" class="btn btn-primary" data-run-due>Run due jobs now</button>' +
    `<table class="jobs"><thead><tr><th>Job</th><th>Next run (UTC)</th><th>Repeats</th><th></th></tr></thead><tbody>${jobRows || '<tr><td colspan="4">No jobs scheduled.</td></tr>'}</tbody></table></section>`
  );
}

/**
 * A post's publish job runs now through the app's own "publish now" (as the acting person, who must be an approver);
 * other jobs are made due now.
 */
function runNow(job: ScheduledJob): string {
  if (job.post && (job.post.state === 'scheduled' || job.post.state === 'overdue'))
    return `<button type="button" class="btn btn-small" data-publish-now="${escapeHtml(job.post.id)}">Run now</button>`;
  if (job.post) return '';
  return `<button type="button" class="btn btn-small" data-run-job="${escapeHtml(job.id)}">Run now</button>`;
}

function plain(text: unknown): string {
  return typeof text === 'object' && text !== null && 'text' in text ? String((text as { text: unknown }).text) : '';
}
