// Debian's Chromium driven by playwright-core (Playwright's own browser download cannot run on these machines): one
// headless browser per test file, a fresh profile each time, screenshots kept under reports/ui/ (gitignored).

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.OSS_MOCK_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** set by .ci/run: a missing browser fails the browser tests instead of skipping them */
export const CHROMIUM_REQUIRED = process.env.OSS_MOCK_REQUIRE_CHROMIUM === '1';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../reports/ui/', import.meta.url));

export interface Browser {
  /** a new page, the browser's cookies cleared first: a test never inherits another's console session */
  page(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing and OSS_MOCK_REQUIRE_CHROMIUM=1: apt-get install -y chromium`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'oss-mock-chromium-'));
  // a fresh --user-data-dir: playwright takes it as launchPersistentContext's directory (the flag itself is refused)
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
  });
  return {
    page: async () => {
      await context.clearCookies();
      return context.newPage();
    },
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as reports/ui/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
