import { escapeHtml } from '../../src/http/route.ts';
import type { DeletionRequestDoc } from '../../src/services/data-deletion.ts';
import { htmlPage } from './page.ts';

/** `GET /data-deletion`: how deletion is requested. */
export function dataDeletionInstructionsPage(contactEmail: string): string {
  const email = escapeHtml(contactEmail);
  return htmlPage(
    'Wone Social: data deletion',
    `<h1>Requesting deletion of your data</h1>
<p>Wone Social connects only our own brand accounts. It keeps an account's access token while the account
is connected, and the comments and insights of our own posts. You can have all of it deleted at any time:</p>
<ul>
<li><strong>Facebook or Instagram:</strong> in your Facebook settings open <em>Apps and Websites</em> (or in Instagram
<em>Settings → Apps and websites</em>), remove Wone Social and choose to delete your data. Meta tells us, we delete the
tokens of every account your login connected and the data tied to them, and you receive a confirmation code with a
link to a status page.</li>
<li><strong>TikTok:</strong> remove Wone Social in TikTok under <em>Settings → Security → Manage app permissions</em>,
and write to us so we delete what we kept.</li>
<li><strong>Any platform:</strong> write to <a href="mailto:${email}">${email}</a> naming the account. A Wone Social
admin deletes it with its data and sends you the confirmation code.</li>
</ul>
<p>Deletion removes the access tokens (and asks the platform to revoke them where it can), the account record, and
the comments and insights kept for it. It is done at once.</p>
<p><a href="/privacy">Privacy policy</a></p>`,
  );
}

/** `GET /data-deletion/status?code=`: what a deletion request did. */
export function deletionStatusPage(request: DeletionRequestDoc | null, code: string): string {
  if (!request) {
    return htmlPage(
      'Deletion request not found',
      `<h1>Deletion request not found</h1><p>No deletion request has the code <code>${escapeHtml(code)}</code>. Check the
code, or write to us.</p>`,
    );
  }
  const accounts =
    request.accounts.length === 0
      ? '<p>No connected account was tied to this request, so there was nothing to delete.</p>'
      : `<p>Deleted accounts and their data:</p><ul>${request.accounts
          .map((account) => `<li>${escapeHtml(account.name)} (${escapeHtml(account.platform)})</li>`)
          .join('')}</ul>`;
  return htmlPage(
    'Deletion request',
    `<h1>Deletion request ${escapeHtml(request._id)}</h1>
<p><strong>Status:</strong> ${request.status === 'completed' ? 'completed' : escapeHtml(request.status)}</p>
<p><strong>Requested:</strong> ${request.requestedAt.toISOString()}<br><strong>Completed:</strong> ${request.completedAt.toISOString()}</p>
${accounts}
<p>Access tokens were deleted; ${request.deletedRecords} record(s) were removed in all.</p>`,
  );
}
