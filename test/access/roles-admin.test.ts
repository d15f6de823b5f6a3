/**
 * The admin panel for a signed-in agent, in headless Chromium on both
 * databases: only its models in the navigation, only its rows in lists,
 * forms, pickers and exports, no buttons for what its role may not do,
 * and the same enforced on the server for a hand-made request.
 */
import t from 'tap';
import { launchChromium } from '../helpers/chromium.js';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService } from '../admin/admin-service.js';

const AGENT = 'agent7';
const PASSWORD = 'agent password 7';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const created = (path: string, body: object) => service.create(path, body);
    const own = (await created('/api/cardgroup/', { name: 'Seven resellers', id_agent: 7 })).id;
    const foreign = (await created('/api/cardgroup/', { name: 'Eight resellers', id_agent: 8 })).id;
    const card = (username: string, id_group: number) =>
      created('/api/card/', {
        username,
        useralias: username,
        uipass: 'x',
        credit: 1,
        tariff: 1,
        id_group,
        lastname: 'Smith',
      });
    const mine = (await card('700001', own)).id;
    const theirs = (await card('800001', foreign)).id;
    await created('/api/callerid/', { cid: '4470001', id_cc_card: mine });
    await created('/api/callerid/', { cid: '4480001', id_cc_card: theirs });

    // An agent who may use the panel (the admin flag), with the agent role for agent 7.
    const id = await service.users.create({
      username: AGENT,
      email: 'agent7@example.com',
      password: PASSWORD,
      active: true,
      admin: true,
    });
    t.ok(await service.users.setRole(id, 'agent', { agent: '7' }));

    const browser = await launchChromium(t);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const base = service.baseUrl;
    await page.goto(`${base}/admin/login`);
    await page.fill('#username', AGENT);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');

    await t.test('navigation: its models only; no users, no keys', async (t) => {
      const nav = (await page.locator('nav a').allTextContents()).map((text) => text.trim());
      t.ok(nav.includes('Cards'), 'cards');
      t.ok(nav.includes('Card groups'), 'card groups');
      t.notOk(nav.includes('Countries'), 'no countries: its role has no grant there');
      t.notOk(nav.includes('Users'), 'no users');
      t.notOk(nav.includes('API keys'), 'no API keys');
    });

    await t.test('lists, searches and forms show its rows only', async (t) => {
      await page.goto(`${base}/admin/card/`);
      const listed = await page.locator('tbody tr').allTextContents();
      t.equal(listed.length, 1, 'one card');
      t.match(listed[0], /700001/);
      await page.goto(`${base}/admin/card/?q=800001`);
      t.equal(await page.locator('tbody tr').count(), 0, 'a search does not reach the other agent card');
      await page.goto(`${base}/admin/card/?id_group=${foreign}`);
      t.equal(await page.locator('tbody tr').count(), 0, 'nor a filter');
      await page.goto(`${base}/admin/card/${theirs}/`);
      t.match(new URL(page.url()).pathname, /^\/admin\/card\/$/, 'its edit form: back to the list');
      t.match(await page.textContent('.flash'), new RegExp(`There is no card ${theirs}`), 'as if it did not exist');
      await page.goto(`${base}/admin/callerid/`);
      t.same(
        (await page.locator('tbody tr').allTextContents()).map((row) => /44[78]0001/.exec(row)?.[0]),
        ['4470001'],
        'caller IDs of its cards only',
      );
      await page.goto(`${base}/admin/cardgroup/`);
      t.equal(await page.locator('tbody tr').count(), 1, 'its group');
      t.notOk(await page.locator('th:has-text("Users perms")').count(), 'a hidden column is not shown');
    });

    await t.test('the group picker offers its groups only', async (t) => {
      const lookup = await page.request.get(`${base}/admin/card/lookup/id_group/?q=resellers`);
      t.equal(lookup.status(), 200);
      t.same(
        (await lookup.json()).results.map((result: { label: string }) => result.label),
        ['Seven resellers'],
      );
    });

    await t.test('export: its rows only, without hidden columns', async (t) => {
      const csv = await (await page.request.get(`${base}/admin/card/export/?format=csv`)).text();
      t.match(csv, /700001/);
      t.notMatch(csv, /800001/);
      const groups = await (await page.request.get(`${base}/admin/cardgroup/export/?format=csv`)).text();
      t.notMatch(groups, /users_perms/, 'no hidden column');
    });

    await t.test('buttons for what it may do; refusals on the server for the rest', async (t) => {
      await page.goto(`${base}/admin/card/`);
      t.ok(await page.locator('a:has-text("Add card")').count(), 'it may create cards');
      t.notOk(await page.locator('button:has-text("Delete selected")').count(), 'no bulk delete: it deletes no card');
      t.ok(await page.locator('button:has-text("Block")').count(), 'but the card actions, which update');
      await page.goto(`${base}/admin/cardgroup/`);
      t.notOk(await page.locator('a:has-text("Add card group")').count(), 'no Add where it may not create');
      const users = await page.request.get(`${base}/admin/user/`);
      t.equal(users.status(), 403, 'the users page is the admin role only');
      const countries = await page.request.get(`${base}/admin/country/`);
      t.equal(countries.status(), 403, 'a model outside its grants');
      await page.goto(`${base}/admin/card/${mine}/`);
      t.ok(await page.locator('#field-firstname').count(), 'its own card: the edit form');
      t.notOk(await page.locator('input#field-creditlimit').count(), 'a column its role may not write is not an input');
      t.notOk(await page.locator('a:has-text("Delete…")').count(), 'no Delete… on a card it may not delete');
      await page.fill('#field-firstname', 'Ada');
      await page.click('form.record button[value=save]');
      t.match(await page.textContent('.flash'), /Saved card/);
      t.equal((await service.api(`/api/card/${mine}/`)).json.firstname, 'Ada');
      const audit = await service.api(`/api/audit/?resource=card&row_key=${mine}&action=update`);
      t.equal(audit.json.objects[0]?.username, AGENT, 'the audit trail names the agent');
    });
  });
}
