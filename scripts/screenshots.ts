// Takes the README's screenshots of the sandbox: the draft modal, the approval channel with a draft, and the platform
// panel with the published post. Runs the sandbox on a free port with its own throwaway data, and Debian's Chromium.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../src/logger.ts';
import { startSandbox } from '../src/sandbox/sandbox.ts';
import { chromiumPath, drawnJpeg, hasChromium, launchChromium, SandboxPage } from '../test/sandbox/browser.ts';

if (!hasChromium()) {
  console.error(`Chromium is missing at ${chromiumPath}: apt-get update && apt-get install -y chromium`);
  process.exit(1);
}
const out = resolve('docs/screenshots');
mkdirSync(out, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'wone-sandbox-screenshots-'));
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const sandbox = await startSandbox(process.env, { dataDir, logger: createLogger('warn', quiet) });
const browser = await launchChromium();
try {
  const page = browser.page;
  page.setDefaultTimeout(20_000);
  const ui = new SandboxPage(page, sandbox.url);
  await ui.open();
  const instagram = sandbox.simulators.accounts.find((account) => account.platform === 'instagram');
  const facebook = sandbox.simulators.accounts.find((account) => account.platform === 'facebook');

  await ui.actAs('Eddie');
  await ui.openChannel('social-approvals');
  await ui.command('/wone schedule');
  const draft = ui.modal('New post');
  await draft
    .getByText(/Who can see it on|Could not load/)
    .first()
    .waitFor();
  await draft.locator('select[name="accounts:value"]').selectOption([instagram?.id ?? '', facebook?.id ?? '']);
  await draft.locator('select[name="post_type_instagram:value"]').selectOption('instagram_feed');
  await draft.locator('select[name="post_type_facebook:value"]').selectOption('facebook_photo');
  await draft.locator('textarea[name="caption:value"]').fill('Summer is here ☀️ Our linen collection is back. #wone');
  await draft.locator('input[name="media:value"]').setInputFiles({
    name: 'summer.jpg',
    mimeType: 'image/jpeg',
    buffer: await drawnJpeg(page, 1080, 1350, 'Summer'),
  });
  await draft.getByText('✓ summer.jpg').waitFor();
  await draft.getByLabel('As soon as it is approved').check();
  await page.screenshot({ path: join(out, 'draft-modal.png') });
  await draft.getByRole('button', { name: 'Send for approval' }).click();
  await draft.waitFor({ state: 'detached' });

  await ui.actAs('April');
  const preview = ui.message('Summer is here');
  await preview.getByRole('button', { name: 'Approve' }).waitFor();
  await page.screenshot({ path: join(out, 'approval-channel.png') });

  await preview.getByRole('button', { name: 'Approve' }).click();
  await preview.getByRole('button', { name: 'Approve' }).waitFor({ state: 'detached' });
  await ui.openPlatforms();
  await page.getByRole('button', { name: 'Run due jobs now' }).click();
  await page.locator('article.pub-post').first().waitFor({ timeout: 30_000 });
  await page.locator('article.pub-post').nth(1).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(out, 'platforms.png') });
  console.log(`Screenshots written to ${out}`);
} finally {
  await browser.close();
  await sandbox.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
