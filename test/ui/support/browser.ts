/**
 * Headless Chromium for the UI tests, driven by playwright-core: Debian's /usr/bin/chromium
 * (install it with `apt-get install -y chromium`; no browser is ever downloaded). One browser
 * per test file; each test opens its own context (cookies) and page.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where the browser is; BATON_TEST_CHROMIUM overrides it. */
export const CHROMIUM_PATH = process.env.BATON_TEST_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`The UI tests need Chromium at ${CHROMIUM_PATH}: install it with 'apt-get install -y chromium' (or set BATON_TEST_CHROMIUM).`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A page that records uncaught page errors and console errors (a test can assert there were none). */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return { context, page, errors };
}

/** Signs in through the login form and waits for the DAG list. */
export async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=dags-page]');
}
