import { escapeHtml } from '../../src/http/route.ts';
import { htmlPage } from './page.ts';

/**
 * The privacy policy as HTML, from its plain-text file: the first line is the title, a "Last updated" line stays a
 * paragraph, short lines without closing punctuation are section headings, `- ` lines are list items.
 */
export function privacyPage(policyText: string): string {
  const lines = policyText
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim());
  const [title = 'Privacy Policy', ...rest] = lines;
  const html: string[] = [`<h1>${escapeHtml(title)}</h1>`];
  let list: string[] = [];
  const flush = () => {
    if (list.length > 0) html.push(`<ul>\n${list.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</ul>`);
    list = [];
  };
  for (const line of rest) {
    if (!line) continue;
    if (line.startsWith('- ')) {
      list.push(line.slice(2));
      continue;
    }
    flush();
    if (/^last updated/i.test(line)) html.push(`<p class="muted">${escapeHtml(line)}</p>`);
    else if (isHeading(line)) html.push(`<h2>${escapeHtml(line)}</h2>`);
    else html.push(`<p>${linkEmails(escapeHtml(line))}</p>`);
  }
  flush();
  html.push('<p><a href="/data-deletion">How to request deletion of your data</a></p>');
  return htmlPage(title, html.join('\n'));
}

function isHeading(line: string): boolean {
  return line.length <= 40 && !/[.:;,!?]$/.test(line);
}

function linkEmails(html: string): string {
  return html.replace(/[\w.+-]+@[\w-]+\.[\w.]+\w/g, (email) => `<a href="mailto:${email}">${email}</a>`);
}
