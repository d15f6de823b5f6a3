/**
 * /admin/keys/ and users' roles in the admin panel, on SQLite and MariaDB
 * with the form-posting client, then in headless Chromium: a key created on
 * the page shows its token once (and works on the API), never again; a
 * revocation asks first, needs the CSRF token, and bites on the API within
 * a second. The users page sets a role and its attributes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { launchChromium } from '../helpers/chromium.js';
import { waitFor } from '../helpers/wait-for.js';
import { PASSWORD, startAdminService, USERNAME, type AdminService } from './admin-service.js';

const WITHIN_MS = 1000;
const TOKEN = /a2k_[A-Za-z0-9_-]{43}/;

/** Polls the API with the key until `status` answers, and says how long that took. */
async function timeUntilStatus(service: AdminService, token: string, status: number): Promise<number> {
  const start = performance.now();
  await waitFor(
    async () => (await service.api('/api/cardgroup/', { auth: `Bearer ${token}` })).status === status || undefined,
    { what: `status ${status}`, timeoutMs: 10_000 },
  );
  return performance.now() - start;
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name, { authMaxFailures: 1000 });
    t.teardown(() => service.close());
    const client = service.client();
    await client.login();

    await t.test('the nav and the dashboard link the page; an empty list says so', async (t) => {
      const page = await client.get('/admin/keys/');
      t.equal(page.status, 200);
      t.match(page.text, /<a href="\/admin\/keys\/" aria-current="page">API keys<\/a>/);
      t.match(page.text, /No API keys yet/);
      t.match((await client.get('/admin/')).text, /href="\/admin\/keys\/add\/"/);
    });

    await t.test('signed out: the page is behind the sign-in', async (t) => {
      const stranger = service.client();
      const page = await stranger.get('/admin/keys/');
      t.equal(page.status, 303);
      t.match(page.location, /^\/admin\/login\?next=/);
      const post = await stranger.post('/admin/keys/add/', { name: 'sneaky', role: 'admin' });
      t.not(post.status, 201, 'no key without a session');
      t.equal((await service.backend.raw("SELECT 1 FROM `a2gen_api_key` WHERE `name` = 'sneaky'")).length, 0);
    });

    let token = '';
    await t.test('create: checked, then the token once', async (t) => {
      await client.get('/admin/keys/add/');
      const bad = await client.post('/admin/keys/add/', {
        name: 'bad name',
        role: 'Admin',
        attributes: 'agent',
        expires: 'soon',
      });
      t.equal(bad.status, 400);
      for (const message of [/a key name is 1 to 64/, /a role is 1 to 64/, /is not NAME=VALUE/, /neither a duration/])
        t.match(bad.text, message);
      t.match(bad.text, /value="bad name"/, 'the entered values kept');
      const created = await client.post('/admin/keys/add/', {
        name: 'web-1',
        role: 'agent',
        attributes: 'agent=7\r\nregion=north\r\n',
        owner: 'Ops <ops@example.com>',
        expires: '30d',
      });
      t.equal(created.status, 201);
      t.match(created.text, /Copy the token now: it will not be shown again/);
      token = TOKEN.exec(created.text)![0];
      t.equal(created.headers.get('cache-control'), 'no-store', 'never cached');
      const [row] = await service.backend.raw(
        'SELECT `owner`, `role`, `attributes` FROM `a2gen_api_key` WHERE `name` = ?',
        ['web-1'],
      );
      t.match(row, { owner: 'Ops <ops@example.com>', role: 'agent', attributes: '{"agent":"7","region":"north"}' });
      const elapsed = await timeUntilStatus(service, token, 200);
      t.ok(elapsed <= WITHIN_MS, `the key works after ${Math.round(elapsed)} ms`);

      const list = await client.get('/admin/keys/');
      t.notMatch(list.text, TOKEN, 'the list never shows a token');
      t.match(list.text, /Ops &lt;ops@example.com&gt;/, 'escaped');
      t.match(list.text, /agent=7, region=north/);

      await client.get('/admin/keys/add/');
      const again = await client.post('/admin/keys/add/', { name: 'WEB-1', role: 'agent', attributes: 'agent=7' });
      t.equal(again.status, 409, 'a taken name (in any case)');
      t.match(again.text, /A key with this name exists already/);
      t.notMatch(again.text, TOKEN);
    });

    await t.test('revoke: a confirmation, the CSRF token, refused on the API within a second', async (t) => {
      const confirm = await client.get('/admin/keys/web-1/revoke/');
      t.equal(confirm.status, 200);
      t.match(confirm.text, /Revoke API key web-1\?/);
      t.equal(
        (await service.api('/api/cardgroup/', { auth: `Bearer ${token}` })).status,
        200,
        'asking revokes nothing',
      );
      const forged = await client.post('/admin/keys/web-1/revoke/', { _csrf: 'forged' });
      t.equal(forged.status, 403, 'no CSRF token, no revocation');
      await client.get('/admin/keys/web-1/revoke/');
      const revoked = await client.post('/admin/keys/web-1/revoke/');
      t.equal(revoked.status, 303);
      const elapsed = await timeUntilStatus(service, token, 401);
      t.ok(elapsed <= WITHIN_MS, `refused after ${Math.round(elapsed)} ms`);
      const list = await client.get('/admin/keys/');
      t.match(list.text, /Revoked API key web-1\./);
      t.match(list.text, /badge no">revoked 20/);
      t.notMatch(list.text, /href="\/admin\/keys\/web-1\/revoke\/"/, 'no second Revoke');
      t.equal((await client.get('/admin/keys/nope/revoke/')).status, 303, 'an unknown key goes back to the list');
    });

    await t.test('users: a role and its attributes set on the users page', async (t) => {
      await client.get('/admin/user/');
      const clerk = await service.users.create({
        username: 'clerk',
        email: 'clerk@example.com',
        password: 'clerk password',
        active: true,
        admin: false,
      });
      const form = (role: string, attributes: string) => ({
        email: 'clerk@example.com',
        active: '1',
        role,
        attributes,
      });
      await client.get(`/admin/user/${clerk}/`);
      const bad = await client.post(`/admin/user/${clerk}/`, form('Bad Role', ''));
      t.equal(bad.status, 400);
      t.match(bad.text, /A role is 1 to 64 characters/);
      const orphan = await client.post(`/admin/user/${clerk}/`, form('', 'agent=7'));
      t.match(orphan.text, /Attributes need a role/);
      const saved = await client.post(`/admin/user/${clerk}/`, form('agent', 'agent=7'));
      t.equal(saved.status, 303);
      t.match((await client.get('/admin/user/')).text, /Saved user clerk: role agent\./);
      t.match(await service.users.findById(clerk), { role: 'agent', roleSet: true, attributes: { agent: '7' } });
      const page = await client.get(`/admin/user/${clerk}/`);
      t.match(page.text, /id="user-role" name="role" value="agent"/);
      t.match(page.text, /<textarea id="user-attributes" name="attributes" rows="3">agent=7<\/textarea>/);
      // A form without the role fields (hand-made) leaves the role alone.
      await client.post(`/admin/user/${clerk}/`, { email: 'clerk2@example.com', active: '1' });
      t.match(await service.users.findById(clerk), { email: 'clerk2@example.com', role: 'agent' });
      await client.get(`/admin/user/${clerk}/`);
      await client.post(`/admin/user/${clerk}/`, form('', ''));
      t.match(
        await service.users.findById(clerk),
        { role: 'admin', roleSet: false, attributes: {} },
        'back to the default',
      );
      t.match((await client.get('/admin/user/')).text, /admin <span class="badge">default<\/span>/);
    });
  });
}

t.test('in Chromium: create a key, copy its token, revoke it', async (t) => {
  const service = await startAdminService('sqlite');
  t.teardown(() => service.close());
  const browser = await launchChromium(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    // Chromium asks for /favicon.ico on its own; the service has none, and that is no fault of the page.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
      problems.push(`${message.text()} (${message.location().url})`);
  });
  const base = service.baseUrl;

  await page.goto(`${base}/admin/keys/`);
  await page.fill('#username', USERNAME);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  t.equal(new URL(page.url()).pathname, '/admin/keys/', 'back to the keys page after signing in');

  await page.click('text=Add key');
  await page.fill('#key-name', 'browser-key');
  await page.fill('#key-role', 'admin');
  await page.fill('#key-attributes', 'agent=9');
  await page.fill('#key-owner', 'the browser test');
  await page.click('button:has-text("Create key")');
  t.match(await page.textContent('main'), /Copy the token now: it will not be shown again/);
  const token = await page.inputValue('#api-key-token');
  t.match(token, new RegExp(`^${TOKEN.source}$`), 'the token, in a field to copy from');
  await sleep(WITHIN_MS);
  t.equal((await service.api('/api/cardgroup/', { auth: `Bearer ${token}` })).status, 200, 'it works on the API');

  await page.click('text=Done');
  t.equal(new URL(page.url()).pathname, '/admin/keys/');
  t.notOk((await page.content()).includes(token), 'not shown again');
  t.match(await page.textContent('tr[data-key="browser-key"]'), /agent=9/);

  await page.click('tr[data-key="browser-key"] >> text=Revoke');
  t.match(await page.textContent('h1'), /Revoke API key browser-key\?/);
  await page.click('button:has-text("Yes, revoke browser-key")');
  t.equal(new URL(page.url()).pathname, '/admin/keys/');
  t.match(await page.textContent('main'), /Revoked API key browser-key\./);
  t.match(await page.textContent('tr[data-key="browser-key"]'), /revoked/);
  await sleep(WITHIN_MS);
  t.equal((await service.api('/api/cardgroup/', { auth: `Bearer ${token}` })).status, 401, 'refused on the API');
  t.strictSame(problems, [], 'no script error or CSP refusal');
});
