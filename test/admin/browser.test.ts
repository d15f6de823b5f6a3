/**
 * End to end in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core), on the embedded SQLite backend: sign in, list cards,
 * sort, filter, search, create a card with a validation error then fix it,
 * edit it, export CSV, bulk delete, sign out. Screenshots of the list and
 * edit pages go to test-artifacts/ (not committed). With JavaScript on:
 * select-all on the list and the reference picker (type, choose, save),
 * with no script error or CSP refusal.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { launchChromium } from '../helpers/chromium.js';
import { PROJECT_ROOT } from '../helpers/backends.js';
import { PASSWORD, startAdminService, USERNAME } from './admin-service.js';

const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts');

t.test('the admin panel in a real browser', async (t) => {
  const service = await startAdminService('sqlite');
  t.teardown(() => service.close());
  for (let n = 0; n < 24; n++) {
    await service.api('/api/card/', {
      method: 'POST',
      body: {
        username: `5550${String(n).padStart(2, '0')}`,
        useralias: `web${n}`,
        uipass: 'pin',
        credit: String(n),
        tariff: '1',
        lastname: n % 3 ? 'Miller' : 'Okafor',
      },
    });
  }
  const browser = await launchChromium(t);
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    javaScriptEnabled: false,
  });
  const page = await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
  const base = service.baseUrl;
  const ids = async () =>
    page
      .locator('tbody input[name=id]')
      .evaluateAll((boxes) => boxes.map((box) => (box as unknown as { value: string }).value));

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
    t.equal(await page.inputValue('#field-id_group'), '1', 'without JavaScript the group is a plain id input');
    t.equal(await page.textContent('.reference-label'), 'DEFAULT', "with the group's name beside it");
    t.equal(await page.getAttribute('.lookup-link', 'href'), '/admin/cardgroup/', 'and a link to look groups up');
    t.equal(await page.locator('.reference-search').count(), 0, 'no picker without JavaScript');
    await page.fill('#field-firstname', 'Ada');
    await page.selectOption('#field-status', { label: 'NEW' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-edit.png'), fullPage: true });
    await page.click('button[value=save]');
    t.equal(new URL(page.url()).pathname, '/admin/card/');
    t.match(await page.textContent('.flash.success'), /Saved card \d+: Status, First name\./);
    const [row] = await service.backend.raw(
      "SELECT firstname, credit, lastname FROM cc_card WHERE username = '777001'",
    );
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
    t.equal(
      (await service.backend.raw(`SELECT COUNT(*) AS n FROM cc_card WHERE id IN (${selected.join(',')})`))[0]!.n,
      0,
    );
  });

  await t.test('with JavaScript: select all, and the group picker that searches as you type', async (t) => {
    const wholesale = (await service.api('/api/cardgroup/', { method: 'POST', body: { name: 'Wholesale' } })).json
      .id as number;
    const scripted = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: true });
    t.teardown(() => scripted.close());
    const tab = await scripted.newPage();
    const problems: string[] = [];
    tab.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    tab.on('pageerror', (error) => problems.push(error.message));
    await tab.goto(`${base}/admin/login?next=%2Fadmin%2Fcard%2F`);
    await tab.fill('#username', USERNAME);
    await tab.fill('#password', PASSWORD);
    await tab.click('button[type=submit]');
    t.equal(new URL(tab.url()).pathname, '/admin/card/');

    const rows = tab.locator('tbody input[name=id]');
    const all = tab.locator('input.select-all');
    t.ok(await all.isVisible(), 'the select-all box appears with JavaScript');
    await all.check();
    t.strictSame(
      await rows.evaluateAll((boxes) => boxes.map((box) => (box as unknown as { checked: boolean }).checked)),
      Array(20).fill(true),
      'every row of the page selected',
    );
    await rows.first().uncheck();
    t.equal(
      await all.evaluate((box) => (box as unknown as { indeterminate: boolean }).indeterminate),
      true,
      'some selected: indeterminate',
    );
    await tab.click('text=Delete selected…');
    t.match(await tab.textContent('h1'), /Delete 19 cards\?/, 'the selection reaches the confirmation page');
    await tab.click('text=Cancel');
    await all.check();
    await all.uncheck();
    t.equal(
      await rows.evaluateAll((boxes) => boxes.filter((box) => (box as unknown as { checked: boolean }).checked).length),
      0,
      'and none again',
    );

    const card = Number((await service.backend.raw("SELECT id FROM cc_card WHERE username = '777001'"))[0]!.id);
    await tab.goto(`${base}/admin/card/${card}/`);
    const picker = tab.getByRole('combobox', { name: 'Group' });
    t.ok(await picker.isVisible(), 'the label "Group" now names the picker');
    t.equal(await picker.inputValue(), 'DEFAULT', 'showing the group by name');
    t.equal(await tab.isVisible('#field-id_group'), false, 'the id input is hidden, still in the form');
    await picker.fill('whole');
    const option = tab.getByRole('option', { name: new RegExp(`Wholesale · #${wholesale}`) });
    await option.waitFor();
    // The bounding box is relative to the viewport; a full-page clip is relative to the page.
    const box = (await picker.boundingBox())!;
    const scrolled = await tab.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY);
    await tab.screenshot({
      path: path.join(ARTIFACTS, 'admin-picker.png'),
      fullPage: true,
      clip: { x: box.x - 340, y: box.y + scrolled - 40, width: 720, height: 300 },
    });
    await picker.press('Enter');
    t.equal(await picker.inputValue(), 'Wholesale');
    t.equal(await tab.inputValue('#field-id_group'), String(wholesale), 'the chosen id goes into the form');
    await tab.click('button[value=continue]');
    t.match(await tab.textContent('.flash.success'), /Saved card \d+: Group\./);
    t.equal((await service.backend.raw('SELECT id_group FROM cc_card WHERE id = ?', [card]))[0]!.id_group, wholesale);
    t.equal(await tab.getByRole('combobox', { name: 'Group' }).inputValue(), 'Wholesale', 'shown by name after saving');

    await picker.fill('def');
    await tab.getByRole('option', { name: /DEFAULT · #1/ }).click();
    t.equal(await tab.inputValue('#field-id_group'), '1', 'a click chooses too');
    await picker.fill('no such group at all');
    await tab.getByText('No matches').waitFor();
    await picker.press('Escape');
    t.equal(await picker.inputValue(), 'DEFAULT', 'Escape keeps the chosen group');
    await tab.click('button[value=save]');
    t.equal((await service.backend.raw('SELECT id_group FROM cc_card WHERE id = ?', [card]))[0]!.id_group, 1);
    t.strictSame(problems, [], 'no script errors and nothing refused by the CSP');
  });

  await t.test('sign out', async (t) => {
    await page.click('text=Sign out');
    t.match(page.url(), /\/admin\/login\?signed_out=1/);
    await page.goto(`${base}/admin/`);
    t.match(page.url(), /\/admin\/login/);
  });
});
