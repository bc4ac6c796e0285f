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

/** A baseline JPEG header with its frame size (what the content check reads), the pixels left out. */
export function jpegBytes(width: number, height: number, padding = 2048): Buffer {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0, 0];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03];
  sof.push(0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01);
  return Buffer.from([0xff, 0xd8, ...app0, ...sof, ...new Array(padding).fill(0), 0xff, 0xd9]);
}
