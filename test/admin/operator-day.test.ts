/**
 * An operator's day in headless Chromium, on SQLite and on MariaDB: the
 * customer at a glance (related rows, Add prefilled), the grouped card form
 * with Save on top and the engine's counters read-only, blocking two cards
 * from the list, a group in use that is not deleted, the card's history in
 * words, a total and a page size, a save that keeps the list's filter, the
 * list at 390 px without a sideways scroll, and the skip link. Screenshots
 * at 1280 and 390 px go to test-artifacts/ (not committed). Then 10,000 cards
 * and the time of the pages an operator opens most, written to
 * test-artifacts/page-times-<database>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { launchChromium } from '../helpers/chromium.js';
import { BACKENDS, PROJECT_ROOT } from '../helpers/backends.js';
import { PASSWORD, startAdminService, USERNAME } from './admin-service.js';

const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts');

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const created = async (url: string, body: object) => {
      const response = await service.api(url, { method: 'POST', body });
      if (response.status !== 200 && response.status !== 201)
        throw new Error(`${url}: ${response.status} ${JSON.stringify(response.json)}`);
      return response.json.id as number;
    };
    const group = await created('/api/cardgroup/', { name: 'Resellers' });
    const cards: number[] = [];
    for (let n = 0; n < 30; n++)
      cards.push(
        await created('/api/card/', {
          username: `4040${String(n).padStart(2, '0')}`,
          useralias: `day${n}`,
          uipass: 'pin',
          credit: n === 0 ? '-5.9' : String(n),
          tariff: '1',
          firstname: n % 10 === 0 ? 'Ivan' : 'Mary',
          lastname: n % 10 === 0 ? 'Wang' : 'Okafor',
          id_group: n < 5 ? group : 1,
        }),
      );
    const card = cards[0]!;
    for (let n = 0; n < 3; n++) await created('/api/callerid/', { cid: `7300${n}`, id_cc_card: card });
    for (let n = 1; n <= 6; n++)
      await created('/api/logrefill/', { card, credit: String(n), description: `top-up ${n}` });
    for (let n = 0; n < 2; n++) await created('/api/call/', { card_id: card, calledstation: `4420${n}` });
    await created('/api/charge/', { id_cc_card: card, amount: '1.5', description: 'setup' });

    const browser = await launchChromium(t);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      // A failed request is reported by the response handler below, with its URL.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        problems.push(message.text());
    });
    page.on('response', (response) => {
      // The browser asks for /favicon.ico on its own; the panel has none.
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico'))
        problems.push(`${response.status()} ${response.url()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = (file: string) =>
      page.screenshot({ path: path.join(ARTIFACTS, `day-${name}-${file}.png`), fullPage: true });
    const base = service.baseUrl;

    await t.test('sign in; the skip link is the first stop of the keyboard', async (t) => {
      await page.goto(`${base}/admin/login`);
      await page.fill('#username', USERNAME);
      await page.fill('#password', PASSWORD);
      await page.click('button[type=submit]');
      await page.goto(`${base}/admin/card/`);
      await page.keyboard.press('Tab');
      t.equal(await page.evaluate('document.activeElement && document.activeElement.textContent'), 'Skip to content');
      await page.keyboard.press('Enter');
      t.match(page.url(), /#main$/);
    });

    await t.test('1. the customer at a glance: related rows, newest first, Add prefilled', async (t) => {
      await page.goto(`${base}/admin/card/${card}/`);
      t.match(await page.textContent('.related-index'), /Caller IDs 3.*Refills 5\+/s);
      await page.click('.related-index >> text=Refills');
      const refills = page.locator('#related-logrefill-card');
      t.match(await refills.textContent(), /The newest 5 of more/);
      t.match(await refills.locator('tbody tr').first().textContent(), /top-up 6$/, 'the newest refill first');
      await shot('card-1280');
      await refills.locator('text=Add refill').click();
      t.equal(await page.inputValue('#field-card'), String(card), 'the card is filled in');
      await page.fill('#field-credit', '7');
      await page.click('.actions:not(.top) button[value=save]');
      await page.goto(`${base}/admin/card/${card}/`);
      t.match(await page.textContent('.related-index'), /Refills 5\+/);
      const newest = await page.locator('#related-logrefill-card tbody tr').first().textContent();
      t.match(newest, /^7\d{4}-/, 'the refill just added, first');
    });

    await t.test('2. the card form in sections with Save on top; the counters read-only', async (t) => {
      t.equal(await page.locator('fieldset.group legend').first().textContent(), 'Account');
      t.equal(await page.locator('#group-1 #field-id_group').count(), 1, 'the group in the first section');
      const top = await page.locator('.actions.top button[value=save]').boundingBox();
      t.ok(top !== null && top.y < 700, 'a Save button in the first screen');
      t.equal(await page.locator('input[name=inuse]').count(), 0);
      t.equal(await page.locator('#field-inuse.static').count(), 1);
      await page.fill('#field-firstname', 'Ivan J.');
      await page.click('.actions.top button[value=continue]');
      t.match(await page.textContent('.flash.success'), /Saved card \d+: First name/);
    });

    await t.test('3. block two customers from the list, after a confirmation', async (t) => {
      await page.goto(`${base}/admin/card/?lastname=Wang`);
      await page.check(`input[name=id][value="${cards[10]}"]`);
      await page.check(`input[name=id][value="${cards[20]}"]`);
      await page.click('button:has-text("Block…")');
      t.match(await page.textContent('h1'), /Block 2 cards\?/);
      t.match(await page.textContent('.flash.warning'), /Status becomes SUSPENDED FOR LITIGATION/);
      await shot('block-confirm-1280');
      await page.click('button:has-text("Block 2 cards")');
      t.match(page.url(), /\/admin\/card\/\?lastname=Wang$/, 'back to the filtered list');
      t.match(await page.textContent('.flash.success'), /Block: 2 cards changed/);
      t.equal(await page.locator('.badge:has-text("SUSPENDED FOR LITIGATION")').count(), 2, 'statuses as badges');
    });

    await t.test('4. a group in use is not deleted, and the page says by what', async (t) => {
      await page.goto(`${base}/admin/cardgroup/${group}/`);
      await page.click('text=Delete…');
      t.match(await page.textContent('h1'), /Nothing to delete/);
      t.match(await page.textContent('.consequences'), /5 cards \(by Group\) refer to it/);
      await shot('delete-group-1280');
      await page.click('.consequences a');
      t.match(page.url(), new RegExp(`/admin/card/\\?id_group=${group}$`));
    });

    await t.test('5. the history in words, newest first, each entry linked', async (t) => {
      await page.goto(`${base}/admin/card/${cards[10]}/`);
      await page.click('a.button:has-text("History")');
      const first = page.locator('.history-entry').first();
      t.match(await first.textContent(), /Changed Status from ACTIVE to SUSPENDED FOR LITIGATION/);
      t.match(await page.locator('.history-entry').last().textContent(), /Created with \d+ values/);
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      t.ok(width <= 1280, 'no entry wider than the window');
      await shot('history-1280');
      await first.locator('a.history-link').click();
      t.match(page.url(), /\/admin\/audit\/\d+\/$/);
    });

    await t.test('7. a total and a page size; a save keeps the filter', async (t) => {
      await page.goto(`${base}/admin/card/`);
      t.match(await page.textContent('.pager'), /of 30 cards/);
      await page.selectOption('#page-size', '50');
      await page.click('.page-size button');
      t.equal(await page.locator('tbody input[name=id]').count(), 30);
      await shot('list-1280');
      await page.goto(`${base}/admin/card/?lastname=Okafor`);
      await page.click(`a[href="/admin/card/${cards[1]}/"]`);
      await page.fill('#field-firstname', 'Mary Ann');
      await page.click('.actions.top button[value=save]');
      t.match(page.url(), /\/admin\/card\/\?lastname=Okafor$/);
    });

    await t.test('8. at 390 px the list needs no sideways scroll; balance and status are on screen', async (t) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base}/admin/card/?ordering=id`);
      t.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= 390, 'no sideways scroll');
      const balance = await page.locator('tbody tr').first().locator('td[data-label="Balance"]').boundingBox();
      const status = await page.locator('tbody tr').first().locator('td[data-label="Status"]').boundingBox();
      t.ok(balance !== null && balance.x + balance.width <= 390, 'the balance is on screen');
      t.ok(status !== null && status.x + status.width <= 390, 'the status is on screen');
      t.match(await page.locator('tbody tr').first().locator('td[data-label="Balance"]').textContent(), /-5\.90/);
      await shot('list-390');
      await page.goto(`${base}/admin/card/${card}/`);
      t.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= 390, 'nor on the card');
      await shot('card-390');
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    await t.test('6. search finds people: two words, a caller ID, and the card picker by name', async (t) => {
      await page.goto(`${base}/admin/card/`);
      await page.fill('input[name=q]', 'Ivan Wang');
      await page.click('button:has-text("Search")');
      t.equal(await page.locator('tbody input[name=id]').count(), 3, 'the three cards of Ivan Wang');
      await page.fill('input[name=q]', '73001');
      await page.click('button:has-text("Search")');
      t.same(
        await page
          .locator('tbody input[name=id]')
          .evaluateAll((boxes) => boxes.map((box) => (box as unknown as { value: string }).value)),
        [String(card)],
        'a caller ID finds its card',
      );
      await page.goto(`${base}/admin/callerid/add/`);
      await page.locator('.reference-search').fill('ivan wang');
      const option = page.locator('.reference-options li[role=option]').first();
      await option.waitFor();
      t.match(await option.textContent(), /40400/, 'the picker finds a card by its holder');
    });

    await t.test('no script error and no CSP refusal on any page', async (t) => {
      t.same(problems, []);
    });

    await t.test('page times with 10,000 cards', async (t) => {
      const rows = Array.from({ length: 1000 }, (_, n) => n);
      for (let batch = 0; batch < 10; batch++) {
        const response = await service.api('/api/card/', {
          method: 'POST',
          body: rows.map((n) => ({
            username: `5${String(batch).padStart(2, '0')}${String(n).padStart(4, '0')}`,
            useralias: `bulk${batch}-${n}`,
            uipass: 'pin',
            credit: String((n % 97) + 0.25),
            tariff: '1',
            lastname: n % 50 === 0 ? 'Wang' : 'Bulk',
          })),
        });
        if (response.status !== 200 && response.status !== 201) throw new Error(`bulk: ${response.status}`);
      }
      const client = service.client();
      await client.login();
      const time = async (url: string) => {
        const times: number[] = [];
        for (let n = 0; n < 5; n++) {
          const start = performance.now();
          const answer = await client.get(url);
          times.push(performance.now() - start);
          if (answer.status !== 200) throw new Error(`${url}: ${answer.status}`);
        }
        return Math.round(times.sort((a, b) => a - b)[2]!);
      };
      const times = {
        list: await time('/admin/card/'),
        'list, page 200': await time('/admin/card/?page=200'),
        'list, 200 a page': await time('/admin/card/?limit=200'),
        'list, search Wang': await time('/admin/card/?q=Wang'),
        'list, filter balance >= 50': await time('/admin/card/?credit__gte=50'),
        'card page (related rows)': await time(`/admin/card/${card}/`),
        'card history': await time(`/admin/card/${card}/history/`),
        'audit trail': await time('/admin/audit/'),
      };
      writeFileSync(path.join(ARTIFACTS, `page-times-${name}.json`), `${JSON.stringify(times, null, 2)}\n`);
      t.comment(`median of 5, ms: ${JSON.stringify(times)}`);
      for (const [label, ms] of Object.entries(times)) t.ok(ms < 2000, `${label}: ${ms} ms`);
      await page.goto(`${base}/admin/card/`);
      t.match(await page.textContent('.pager'), /of (about )?10,0\d\d cards/);
      await shot('list-10000-1280');
    });
  });
}
