/**
 * End to end in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core), on the embedded SQLite backend: sign in, list cards,
 * sort, filter, search, create a card with a validation error then fix it,
 * edit it, export CSV, bulk delete, sign out. Screenshots of the list and
 * edit pages go to test-artifacts/ (not committed).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { chromium, type Browser } from 'playwright-core';
import { PROJECT_ROOT } from '../helpers/backends.js';
import { PASSWORD, startAdminService, USERNAME } from './admin-service.js';

const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts');

t.test('the admin panel in a real browser', async (t) => {
  const service = await startAdminService('sqlite');
  t.teardown(() => service.close());
  for (let n = 0; n < 24; n++) {
    await service.api('/api/card/', {
      method: 'POST',
      body: { username: `5550${String(n).padStart(2, '0')}`, useralias: `web${n}`, uipass: 'pin', credit: String(n), tariff: '1', lastname: n % 3 ? 'Miller' : 'Okafor' },
    });
  }
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, javaScriptEnabled: false });
  const page = await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
  const base = service.baseUrl;
  const ids = async () => page.locator('tbody input[name=id]').evaluateAll((boxes) => boxes.map((box) => (box as unknown as { value: string }).value));

  await t.test('sign in', async (t) => {
    await page.goto(`${base}/admin/card/`);
    t.match(page.url(), /\/admin\/login\?next=/);
    await page.fill('#username', USERNAME);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    t.equal(new URL(page.url()).pathname, '/admin/card/', 'back to the page asked for');
    t.match(await page.textContent('.topbar'), /Signed in as operator/);
  });

  await t.test('list cards, page, sort', async (t) => {
    t.equal((await ids()).length, 20);
    await page.click('a[rel=next]');
    t.equal((await ids()).length, 4);
    await page.click('a[rel=prev]');
    await page.click('th >> text=Balance');
    await page.click('th >> text=Balance');
    t.match(await page.getAttribute('th[aria-sort]', 'aria-sort'), 'descending');
    t.match(await page.textContent('tbody tr:first-child'), /555023/, 'highest balance first');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-list.png'), fullPage: true });
  });

  await t.test('filter and search', async (t) => {
    await page.goto(`${base}/admin/card/`);
    await page.click('details.filters summary');
    await page.selectOption('select[name="op.credit"]', 'gte');
    await page.fill('input[name="v.credit"]', '20');
    await page.click('text=Apply filters');
    t.match(page.url(), /credit__gte=20/);
    t.equal((await ids()).length, 4);
    t.match(await page.textContent('.chips'), /Balance is at least 20/);
    await page.fill('input[name=q]', 'okafor');
    await page.click('button:has-text("Search")');
    t.equal((await ids()).length, 1, 'search within the filter: 21 is the only Okafor at 20 or more');
    await page.click('text=Clear all');
    t.equal((await ids()).length, 20);
  });

  await t.test('create a card with a validation error, then fix it', async (t) => {
    await page.click('text=Add card');
    await page.fill('#field-username', '777001');
    await page.fill('#field-useralias', 'browser');
    await page.fill('#field-uipass', 'secret');
    await page.fill('#field-credit', '12.1234567');
    await page.fill('#field-lastname', '<b>Bold</b>');
    await page.click('button[value=save]');
    t.match(await page.textContent('#field-credit-error'), /at most 5 allowed/);
    t.equal(await page.inputValue('#field-lastname'), '<b>Bold</b>', 'entered values kept, as text');
    await page.fill('#field-credit', '12.5');
    await page.fill('#field-uipass', 'secret');
    await page.click('button[value=continue]');
    t.match(page.url(), /\/admin\/card\/\d+\/$/);
    t.match(await page.textContent('.flash.success'), /Created card \d+/);
  });

  await t.test('edit it', async (t) => {
    await page.fill('#field-firstname', 'Ada');
    await page.selectOption('#field-status', { label: 'NEW' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-edit.png'), fullPage: true });
    await page.click('button[value=save]');
    t.equal(new URL(page.url()).pathname, '/admin/card/');
    t.match(await page.textContent('.flash.success'), /Saved card \d+: Status, First name\./);
    const [row] = await service.backend.raw("SELECT firstname, credit, lastname FROM cc_card WHERE username = '777001'");
    t.same({ ...row, credit: Number(row!.credit) }, { firstname: 'Ada', credit: 12.5, lastname: '<b>Bold</b>' });
  });

  await t.test('export CSV', async (t) => {
    await page.goto(`${base}/admin/card/?lastname=Okafor`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Export CSV')]);
    const file = path.join(ARTIFACTS, 'cards.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split('\r\n');
    t.equal(lines.length, 1 + 8, 'header and the 8 Okafor cards');
  });

  await t.test('bulk delete', async (t) => {
    await page.goto(`${base}/admin/card/?lastname=Okafor`);
    const selected = (await ids()).slice(0, 3);
    for (const id of selected) await page.check(`tbody input[value="${id}"]`);
    await page.click('text=Delete selected…');
    t.match(await page.textContent('h1'), /Delete 3 cards\?/);
    await page.click('text=Yes, delete 3 cards');
    t.match(await page.textContent('.flash.success'), /Deleted 3 cards/);
    t.equal((await service.backend.raw(`SELECT COUNT(*) AS n FROM cc_card WHERE id IN (${selected.join(',')})`))[0]!.n, 0);
  });

  await t.test('sign out', async (t) => {
    await page.click('text=Sign out');
    t.match(page.url(), /\/admin\/login\?signed_out=1/);
    await page.goto(`${base}/admin/`);
    t.match(page.url(), /\/admin\/login/);
  });
});
