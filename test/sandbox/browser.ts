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
