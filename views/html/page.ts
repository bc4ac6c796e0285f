import { escapeHtml } from '../../src/http/route.ts';

/** A plain, readable HTML page (no scripts, inline style only) around already-escaped body HTML. */
export function htmlPage(title: string, bodyHtml: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.55;color:#1f2937}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.6rem}code{background:#f3f4f6;padding:0 .25rem;border-radius:3px}
.muted{color:#6b7280}
</style>
</head>
<body>
${bodyHtml}
</body>
</html>
`;
}

/** A short page saying what happened (OAuth callbacks, errors). */
export function messagePage(title: string, paragraphs: string[]): string {
  return htmlPage(
    title,
    `<h1>${escapeHtml(title)}</h1>\n${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}`,
  );
}
