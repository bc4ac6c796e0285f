import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); CI installs it before the tests. */
export const chromiumPath = '/usr/bin/chromium';

export const hasChromium = (): boolean => existsSync(chromiumPath);

/** Headless Chromium with a fresh profile, offline-friendly flags, and a way to close and forget it. */
export async function launchChromium(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'wone-sandbox-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The sandbox page as a person uses it: pick who you are, pick a channel, type, click. */
export class SandboxPage {
  constructor(
    readonly page: Page,
    readonly url: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`${this.url}/sandbox`);
    await this.page.locator('body[data-ready="true"]').waitFor();
  }

  async actAs(name: 'Eddie' | 'April' | 'Ada'): Promise<void> {
    const role = { Eddie: 'editor', April: 'approver', Ada: 'admin' }[name];
    await this.page.getByLabel('Acting as').selectOption({ label: `${name} (${role})` });
  }

  async openChannel(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `# ${name}` }).click();
    await this.page.getByRole('heading', { name: `#${name}` }).waitFor();
  }

  /** The app's Messages tab: its direct messages to the acting person. */
  async openMessages(): Promise<void> {
    await this.page.getByRole('button', { name: 'Wone Social · Messages' }).click();
    await this.page.getByRole('heading', { name: 'Wone Social · Messages' }).waitFor();
  }

  async openPlatforms(): Promise<void> {
    await this.page.getByRole('button', { name: 'Platforms (simulated)' }).click();
    await this.page.getByRole('heading', { name: 'Platforms (simulated)' }).waitFor();
  }

  async command(text: string): Promise<void> {
    await this.page.getByLabel('Message').fill(text);
    await this.page.getByLabel('Message').press('Enter');
  }

  modal(title: string): Locator {
    return this.page.getByRole('dialog', { name: title });
  }

  feed(): Locator {
    return this.page.locator('#feed');
  }

  /** A message in the open channel that contains `text`. */
  message(text: string | RegExp): Locator {
    return this.feed().locator('article.msg').filter({ hasText: text }).last();
  }
}

/** One draft as the editor fills the draft modal in: accounts, a post type for each, caption, one file, privacy. */
export interface DraftInput {
  accounts: { id: string; platform: string }[];
  /** Post type per platform, e.g. `{ instagram: 'instagram_feed', tiktok: 'tiktok_photo:direct' }`. */
  types: Record<string, string>;
  caption: string;
  file: { name: string; mimeType: string; buffer: Buffer };
  /** `asap` publishes as soon as approved; `at` keeps the suggested date and time. */
  when: 'asap' | 'at';
}

/** Fills the open draft (or edit) modal in and sends it for approval. */
export async function fillDraft(
  ui: SandboxPage,
  title: string,
  input: DraftInput,
  options: { beforeSending?: () => Promise<void> } = {},
): Promise<void> {
  await ui.modal(title).waitFor();
  // Drawn again as choices change (dispatch_action), the modal may change its title too: follow the open one.
  const draft = ui.page.getByRole('dialog');
  // The modal is drawn again as the TikTok creator's settings arrive and as choices change (dispatch_action); the page
  // keeps what was chosen and typed meanwhile, as Slack does.
  await draft.locator('select[name="accounts:value"]').selectOption(input.accounts.map((account) => account.id));
  if (input.accounts.some((account) => account.platform === 'tiktok'))
    await draft.getByText('Who can see it on').first().waitFor();
  await draft.locator('textarea[name="caption:value"]').fill(input.caption);
  await draft.locator('input[name="media:value"]').setInputFiles(input.file);
  await draft.getByText(`✓ ${input.file.name}`).waitFor();
  for (const [platform, type] of Object.entries(input.types))
    await draft.locator(`select[name="post_type_${platform}:value"]`).selectOption(type);
  for (const account of input.accounts.filter((candidate) => candidate.platform === 'tiktok'))
    await draft.locator(`select[name="tiktok_privacy:${account.id}:value"]`).selectOption('PUBLIC_TO_EVERYONE');
  await draft
    .getByLabel(input.when === 'asap' ? 'As soon as it is approved' : 'At a date and time', { exact: true })
    .check();
  await options.beforeSending?.();
  await draft.getByRole('button', { name: 'Send for approval' }).click();
  await draft.waitFor({ state: 'detached', timeout: 30_000 });
}

/** Draws a summer-coloured card on a canvas in the page and returns it as a JPEG data URL (runs in the browser). */
const drawCard = `({ width, height, label }) => {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  const gradient = context.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, '#ffb347');
  gradient.addColorStop(1, '#ff5e62');
  context.fillStyle = gradient;
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#fff6d5';
  context.beginPath();
  context.arc(width * 0.72, height * 0.28, width * 0.16, 0, Math.PI * 2);
  context.fill();
  context.fillStyle = '#ffffff';
  context.font = 'bold ' + Math.round(width / 9) + 'px sans-serif';
  context.fillText(label, width * 0.08, height * 0.82);
  return canvas.toDataURL('image/jpeg', 0.85);
}`;

/** A real, decodable JPEG drawn by the browser itself, for media a person can look at. */
export async function drawnJpeg(page: Page, width: number, height: number, label: string): Promise<Buffer> {
  const dataUrl = String(await page.evaluate(`(${drawCard})(${JSON.stringify({ width, height, label })})`));
  return Buffer.from(dataUrl.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
}
