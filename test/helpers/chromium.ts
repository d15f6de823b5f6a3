/**
 * Debian's Chromium, headless, driven by playwright-core (which downloads no
 * browser): the one way the admin, docs and cross-site tests start it.
 * Closed when the test ends.
 */
import { chromium, type Browser } from 'playwright-core';

export async function launchChromium(t: { teardown(fn: () => unknown): void }): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  t.teardown(() => browser.close());
  return browser;
}
