/**
 * /docs in headless Chromium (Debian's /usr/bin/chromium): Swagger UI
 * renders the document, and "Try it out" on a list sends a field's own
 * parameter and the `filters` object as plain query parameters, which the
 * service answers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { launchChromium } from '../helpers/chromium.js';
import { PROJECT_ROOT } from '../helpers/backends.js';
import { PASSWORD, startService, USERNAME } from '../helpers/service.js';

t.test('Swagger UI: try a list with field=value and a field__op filter from `filters`', async (t) => {
  const service = await startService('sqlite');
  t.teardown(() => service.close());
  const browser = await launchChromium(t);
  const context = await browser.newContext({ httpCredentials: { username: USERNAME, password: PASSWORD } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));

  await page.goto(`${service.baseUrl}/docs/`);
  await page.waitForSelector('#operations-country-listCountry', { timeout: 30_000 });
  const document = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'generated/openapi.json'), 'utf8'));
  const operations = Object.values(document.paths).flatMap((item: any) =>
    Object.keys(item).filter((key) => item[key]?.operationId),
  );
  t.equal(
    await page.locator('.opblock').count(),
    operations.length,
    `every operation of the document is shown (${operations.length})`,
  );
  const list = page.locator('#operations-country-listCountry');
  await list.locator('.opblock-summary').click();
  await list.locator('.try-out__btn').click();
  await list.locator('tr[data-param-name="countryname"] input').fill('France');
  await list
    .locator('tr[data-param-name="filters"] textarea')
    .fill('{"countrycode__in": "FRA,DEU", "countryprefix__startswith": "3"}');
  await list.locator('.execute').click();
  await list.locator('.live-responses-table').waitFor({ timeout: 15_000 });

  const url = new URL(await list.locator('.request-url pre').innerText());
  t.equal(url.searchParams.get('countryname'), 'France', 'the field parameter');
  t.equal(
    url.searchParams.get('countrycode__in'),
    'FRA,DEU',
    'each filters property becomes a query parameter of its own',
  );
  t.equal(url.searchParams.get('countryprefix__startswith'), '3');
  const body = JSON.parse(
    await list.locator('.live-responses-table .response-col_description pre').first().innerText(),
  );
  t.same(
    body.objects,
    [{ id: 77, countrycode: 'FRA', countryprefix: '33', countryname: 'France' }],
    'the service answers with the seeded France',
  );
  t.strictSame(errors, [], 'no script errors');
});
