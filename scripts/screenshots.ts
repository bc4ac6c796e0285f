// Takes the README's screenshots of the sandbox: connecting a Page on the simulated Facebook login, the draft modal,
// the approval channel with a draft, the app's Messages, the platform panel with the published post, and the digest's
// chart in its thread. Runs the sandbox on a free port with its own throwaway data, and Debian's Chromium.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../src/logger.ts';
import { startSandbox } from '../src/sandbox/sandbox.ts';
import {
  chromiumPath,
  drawnJpeg,
  fillDraft,
  hasChromium,
  launchChromium,
  SandboxPage,
} from '../test/sandbox/browser.ts';

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
  const accounts = ['instagram', 'facebook', 'tiktok'].flatMap((platform) =>
    sandbox.simulators.accounts.filter((account) => account.platform === platform),
  );
  const facebook = accounts.find((account) => account.platform === 'facebook');

  // Connecting: the admin's /wone connect link opens the simulated Facebook Login; the choice arrives as a DM.
  await ui.actAs('Ada');
  await ui.openChannel('social-approvals');
  await ui.command('/wone connect');
  const popup = browser.context.waitForEvent('page');
  await ui.message('Connect an account').getByRole('button', { name: 'Facebook Pages + Instagram' }).click();
  const login = await popup;
  await login.setViewportSize({ width: 1280, height: 860 });
  await login.getByRole('button', { name: 'Allow' }).waitFor();
  await login.screenshot({ path: join(out, 'consent-page.png') });
  await login.getByRole('button', { name: 'Allow' }).click();
  await login.getByRole('heading', { name: 'Almost done' }).waitFor();
  await login.close();
  await ui.openMessages();
  const choice = ui.message('Tick the ones Wone Social should connect');
  await choice.getByRole('checkbox', { name: /Wone Outlet/ }).check();
  await choice.getByRole('button', { name: 'Connect the ticked accounts' }).click();
  await ui.message(/Connected Wone Outlet/).waitFor();

  // Drafting for the three networks, at the suggested time.
  await ui.actAs('Eddie');
  await ui.openChannel('social-approvals');
  await ui.command('/wone schedule');
  const draft = {
    accounts,
    types: { instagram: 'instagram_feed', facebook: 'facebook_photo', tiktok: 'tiktok_photo:direct' },
    caption: 'Summer is here ☀️ Our linen collection is back. #wone',
    file: { name: 'summer.jpg', mimeType: 'image/jpeg', buffer: await drawnJpeg(page, 1080, 1350, 'Summer') },
    when: 'at' as const,
  };
  await fillDraft(ui, 'New post', draft, {
    beforeSending: () => page.screenshot({ path: join(out, 'draft-modal.png') }).then(() => {}),
  });

  // The approver asks for changes; the editor reads why in the app's Messages.
  await ui.actAs('April');
  const preview = ui.message('Summer is here');
  await preview.getByRole('button', { name: 'Approve' }).waitFor();
  await page.screenshot({ path: join(out, 'approval-channel.png') });
  await preview.getByRole('button', { name: 'Request changes' }).click();
  await ui.modal('Request changes').getByLabel('What should change?').fill('Please add the shop’s opening hours.');
  await ui.modal('Request changes').getByRole('button', { name: 'Send' }).click();
  await ui.modal('Request changes').waitFor({ state: 'detached' });
  await ui.actAs('Eddie');
  await ui.openMessages();
  await ui.message('Your post needs changes').waitFor();
  await page.screenshot({ path: join(out, 'messages.png') });
  await ui.message('Your post needs changes').getByRole('button', { name: 'Edit the post' }).click();
  const edit = ui.page.getByRole('dialog');
  await edit.getByText('Who can see it on').first().waitFor();
  await edit.locator('textarea[name="caption:value"]').fill('Summer is here ☀️ Linen is back, open 9 to 6. #wone');
  await edit.getByRole('button', { name: 'Send for approval' }).click();
  await edit.waitFor({ state: 'detached' });

  // Approved, then run now from the platform panel: out on all three networks.
  await ui.actAs('April');
  await ui.openChannel('social-approvals');
  await ui.message('open 9 to 6').getByRole('button', { name: 'Approve' }).click();
  await ui.message('open 9 to 6').getByRole('button', { name: 'Approve' }).waitFor({ state: 'detached' });
  await ui.openPlatforms();
  await page
    .locator('tr[data-job-post]')
    .filter({ hasText: 'open 9 to 6' })
    .getByRole('button', { name: 'Run now' })
    .click();
  for (const account of accounts)
    await page
      .locator(`section.pub-account[data-account="${account.id}"] article.pub-post`)
      .first()
      .waitFor({ timeout: 30_000 });
  const post = page.locator(`section.pub-account[data-account="${facebook?.id}"] article.pub-post`).first();
  await post.getByLabel('Comment', { exact: true }).fill('Love it! Do you ship to Austria?');
  await post.getByRole('button', { name: 'Add comment' }).click();
  await post.locator('.pub-comments li').filter({ hasText: 'ship to Austria' }).waitFor();
  await page.locator('#toast').waitFor({ state: 'hidden' });
  await page.screenshot({ path: join(out, 'platforms.png') });

  // The weekly digest, run now: its chart is in the thread.
  await page.locator('tr').filter({ hasText: 'weekly-digest' }).getByRole('button', { name: 'Run now' }).click();
  await ui.openChannel('social-digest');
  await ui.feed().locator('.thread figure.msg-file img').waitFor({ timeout: 30_000 });
  await ui.feed().locator('.thread figure.msg-file img').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, 'digest-chart.png') });
  console.log(`Screenshots written to ${out}`);
} finally {
  await browser.close();
  await sandbox.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
// Everything this script started is closed above; some handle left by a library loaded on the way keeps Node alive.
process.exit(0);
