/**
 * Every admin page and action for the schema's models, on SQLite and on
 * MariaDB: dashboard, list (paging, sorting, filters, search), create and
 * edit (validation, changed fields only, conflicts, write-only and NULL
 * rules), export (CSV, JSON) and bulk delete.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService, type AdminClient, type Page } from './admin-service.js';

/** The hidden originals and visible values of an edit form, as a browser would send them back. */
function formOf(page: Page): Record<string, string> {
  const form: Record<string, string> = {};
  for (const match of page.text.matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]+)"/.exec(match[1]!)?.[1];
    const value = /value="([^"]*)"/.exec(match[1]!)?.[1] ?? '';
    if (name && name !== '_csrf' && !/type="checkbox"/.test(match[1]!)) form[name] = unescape(value);
  }
  for (const match of page.text.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    form[match[1]!] = unescape(
      /<option value="([^"]*)" selected>/.exec(match[2]!)?.[1] ?? /<option value="([^"]*)"/.exec(match[2]!)?.[1] ?? '',
    );
  }
  for (const match of page.text.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g))
    form[match[1]!] = unescape(match[2]!);
  return form;
}

function unescape(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&');
}

const newCard = (n: number, extra: Record<string, string> = {}) => ({
  username: `7000${n}`,
  useralias: `alias${n}`,
  uipass: `pin${n}`,
  credit: '5',
  tariff: '1',
  ...extra,
});

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const raw = (sql: string, params: unknown[] = []) => service.backend.raw(sql, params);
    let client: AdminClient;

    t.beforeEach(async () => {
      client = service.client();
      await client.login();
    });

    await t.test('dashboard: the models with list and add links, and who is signed in', async (t) => {
      const page = await client.get('/admin/');
      t.equal(page.status, 200);
      for (const link of [
        '/admin/card/',
        '/admin/card/add/',
        '/admin/cardgroup/',
        '/admin/cardgroup/add/',
        '/admin/user/',
      ])
        t.match(page.text, `href="${link}"`);
      t.match(page.text, /Signed in as <strong>operator<\/strong>/);
      const css = await client.get(/href="(\/admin\/static\/[^"]+\.css)"/.exec(page.text)![1]!);
      t.equal(css.status, 200);
      t.match(css.headers.get('content-type'), /text\/css/);
    });

    await t.test(
      'the stylesheet and the script: the files in runtime/admin/static/, at URLs with their hash, cached for good, public',
      async (t) => {
        const page = await client.get('/admin/');
        const files = [
          [
            /href="(\/admin\/static\/admin-[0-9a-f]{12}\.css)"/.exec(page.text)![1]!,
            'admin.css',
            'text/css; charset=utf-8',
          ],
          [
            /src="(\/admin\/static\/admin-[0-9a-f]{12}\.js)"/.exec(page.text)![1]!,
            'admin.js',
            'text/javascript; charset=utf-8',
          ],
        ] as const;
        for (const [url, name, type] of files) {
          // The tests run from dist/test/admin/: the project root is three levels up.
          const onDisk = readFileSync(new URL(`../../../runtime/admin/static/${name}`, import.meta.url), 'utf8');
          t.ok(
            url.includes(createHash('sha256').update(onDisk).digest('hex').slice(0, 12)),
            `${url} carries the hash of ${name}`,
          );
          const served = await service.client().get(url);
          t.equal(served.status, 200, `${name} without signing in`);
          t.equal(served.headers.get('content-type'), type);
          t.equal(served.headers.get('cache-control'), 'public, max-age=31536000, immutable');
          t.equal(served.text, onDisk, `${name} as it is on disk`);
        }
      },
    );

    await t.test('create: server-side errors next to each field with the values kept, then fixed', async (t) => {
      const form = await client.get('/admin/card/add/');
      t.match(form.text, /<select id="field-status" name="status"/);
      t.match(form.text, /<option value="1" selected>ACTIVE<\/option>/, 'choices with labels, the default selected');
      t.match(
        form.text,
        /id="field-credit" name="credit"[^>]*type="number" value="0" step="0.00001"/,
        'step from the scale',
      );
      t.match(form.text, /id="field-username" name="username"[^>]*maxlength="50"/);
      t.match(form.text, /id="field-expirationdate" name="expirationdate"[^>]*type="datetime-local"/);
      t.match(form.text, /id="field-uipass" name="uipass"[^>]*type="password" value=""/);
      const bad = await client.post('/admin/card/add/', {
        ...formOf(form),
        username: '',
        useralias: 'aliasbad',
        uipass: 'pin',
        credit: '1.1234567',
        lastname: 'Keep me',
      });
      t.equal(bad.status, 400);
      t.match(bad.text, /Please correct the 2 fields/);
      t.match(bad.text, /id="field-credit-error">Has 7 decimal places; at most 5 allowed/);
      t.match(bad.text, /id="field-username-error">Is required/);
      t.match(bad.text, /name="credit"[^>]*value="1.1234567"/, 'the entered value is kept');
      t.match(bad.text, /name="lastname"[^>]*value="Keep me"/);
      t.equal((await raw("SELECT COUNT(*) AS n FROM cc_card WHERE useralias = 'aliasbad'"))[0]!.n, 0);
      const good = await client.post('/admin/card/add/', {
        ...formOf(bad),
        username: '70000',
        uipass: 'pin',
        credit: '1.12345',
      });
      t.equal(good.status, 303);
      t.equal(good.location, '/admin/card/');
      const list = await client.get('/admin/card/');
      t.match(list.text, /Created card \d+\./, 'flash message');
      const [row] = await raw(
        "SELECT username, uipass, credit, status, country, expirationdate, lastname FROM cc_card WHERE username = '70000'",
      );
      t.match(row, {
        username: '70000',
        uipass: 'pin',
        status: 1,
        country: 'USA',
        expirationdate: '0000-00-00 00:00:00',
        lastname: 'Keep me',
      });
      t.equal(Number(row!.credit), 1.12345);
    });

    await t.test('create: "Save and continue editing", "Save and add another", duplicates', async (t) => {
      const more = await client.post('/admin/card/add/', { ...newCard(1), _action: 'continue' });
      t.match(more.location, /^\/admin\/card\/\d+\/$/);
      const another = await client.post('/admin/card/add/', { ...newCard(2), _action: 'add' });
      t.equal(another.location, '/admin/card/add/');
      const duplicate = await client.post('/admin/card/add/', { ...newCard(3), username: '70001' });
      t.equal(duplicate.status, 409);
      t.match(duplicate.text, /id="field-username-error">Is already taken/);
      const group = await client.post('/admin/cardgroup/add/', {
        name: 'Resellers',
        description: '',
        users_perms: '7',
      });
      t.equal(group.status, 303);
      const [stored] = await raw("SELECT name, description, users_perms FROM cc_card_group WHERE name = 'Resellers'");
      t.same(stored, { name: 'Resellers', description: null, users_perms: 7 }, 'an empty nullable field is NULL');
    });

    await t.test("edit: writes only what changed; the telephony side's credit is not overwritten", async (t) => {
      const id = (await service.api('/api/card/', { method: 'POST', body: newCard(10, { lastname: 'Old' }) })).json.id;
      const form = await client.get(`/admin/card/${id}/`);
      t.equal(form.status, 200);
      t.notMatch(form.text, /pin10/, 'a write-only value is never shown');
      t.match(form.text, `name="_orig.credit" value="5"`);
      // A call is debited while the operator has the form open.
      await raw('UPDATE cc_card SET credit = 3.5 WHERE id = ?', [id]);
      const saved = await client.post(`/admin/card/${id}/`, { ...formOf(form), lastname: 'New', _action: 'continue' });
      t.equal(saved.status, 303);
      t.equal(saved.location, `/admin/card/${id}/`);
      const [row] = await raw('SELECT lastname, credit, uipass FROM cc_card WHERE id = ?', [id]);
      t.equal(row!.lastname, 'New');
      t.equal(Number(row!.credit), 3.5, 'credit was not written back');
      t.equal(row!.uipass, 'pin10', 'an empty write-only input keeps the stored value');
      t.match((await client.get(`/admin/card/${id}/`)).text, /Saved card \d+: Last name\./);
    });

    await t.test('edit: a field changed in the form and in the database is a conflict, not an overwrite', async (t) => {
      const id = (await service.api('/api/card/', { method: 'POST', body: newCard(11) })).json.id;
      const form = await client.get(`/admin/card/${id}/`);
      await raw('UPDATE cc_card SET credit = 2 WHERE id = ?', [id]);
      const conflict = await client.post(`/admin/card/${id}/`, { ...formOf(form), credit: '10', firstname: 'Ann' });
      t.equal(conflict.status, 409);
      t.match(conflict.text, /also changed by someone else/);
      t.match(conflict.text, /<td>Balance<\/td><td>5<\/td><td><strong>2<\/strong><\/td><td>10<\/td>/);
      let [row] = await raw('SELECT credit, firstname FROM cc_card WHERE id = ?', [id]);
      t.equal(Number(row!.credit), 2, 'nothing saved');
      t.equal(row!.firstname, '');
      const confirmed = await client.post(`/admin/card/${id}/`, formOf(conflict));
      t.equal(confirmed.status, 303, 'saving again, with the new value in view, writes');
      [row] = await raw('SELECT credit, firstname FROM cc_card WHERE id = ?', [id]);
      t.equal(Number(row!.credit), 10);
      t.equal(row!.firstname, 'Ann');
      const same = await client.get(`/admin/card/${id}/`);
      await raw('UPDATE cc_card SET credit = 7 WHERE id = ?', [id]);
      const noop = await client.post(`/admin/card/${id}/`, formOf(same));
      t.equal(noop.status, 303);
      t.match((await client.get('/admin/card/')).text, /No changes to card/);
    });

    await t.test('edit: write-only set, zero dates, validation, NULL and ""', async (t) => {
      const id = (await service.api('/api/card/', { method: 'POST', body: newCard(12) })).json.id;
      let form = formOf(await client.get(`/admin/card/${id}/`));
      t.equal(form.expirationdate, '', 'a zero date shows empty');
      t.equal(
        (
          await client.post(`/admin/card/${id}/`, {
            ...form,
            uipass: 'newpin',
            expirationdate: '2024-01-02T03:04:05',
            vat_rn: '',
          })
        ).status,
        303,
      );
      let [row] = await raw('SELECT uipass, expirationdate, vat_rn FROM cc_card WHERE id = ?', [id]);
      t.same(row, { uipass: 'newpin', expirationdate: '2024-01-02 03:04:05', vat_rn: null });
      form = formOf(await client.get(`/admin/card/${id}/`));
      t.equal(form.expirationdate, '2024-01-02T03:04:05');
      t.equal((await client.post(`/admin/card/${id}/`, { ...form, expirationdate: '', vat_rn: 'X1' })).status, 303);
      [row] = await raw('SELECT expirationdate, vat_rn FROM cc_card WHERE id = ?', [id]);
      t.same(row, { expirationdate: '0000-00-00 00:00:00', vat_rn: 'X1' }, 'empty stores the zero date again');
      form = formOf(await client.get(`/admin/card/${id}/`));
      const bad = await client.post(`/admin/card/${id}/`, {
        ...form,
        status: 'abc',
        lastname: 'x'.repeat(51),
        email: '😀',
      });
      t.equal(bad.status, 400);
      t.match(bad.text, /id="field-status-error">Must be a whole number/);
      t.match(bad.text, /id="field-lastname-error">Is 51 characters long; at most 50 allowed/);
      t.match(bad.text, /id="field-email-error">Contains a 4-byte character/);
      t.equal((await client.get('/admin/card/999999/')).status, 303, 'a missing row goes back to the list');
      t.equal((await client.get('/admin/card/abc/')).status, 404);
      t.match((await client.get('/admin/nothing-here/')).text, /There is no admin page/);
    });

    await t.test('list: 20 a page with Previous/Next, sorting, filters in words, search', async (t) => {
      for (let n = 0; n < 25; n++) {
        await service.api('/api/card/', {
          method: 'POST',
          body: { ...newCard(100 + n), lastname: n % 2 ? 'Odd' : 'Even', credit: String(n) },
        });
      }
      const first = await client.get('/admin/card/');
      t.equal([...first.text.matchAll(/name="id" value=/g)].length, 20);
      t.match(first.text, /rel="next" href="\/admin\/card\/\?page=2"/);
      t.notMatch(first.text, /rel="prev"/);
      const count = async (path: string) => [...(await client.get(path)).text.matchAll(/name="id" value=/g)].length;
      t.ok((await count('/admin/card/?page=2')) > 0);
      t.match((await client.get('/admin/card/?page=2')).text, /rel="prev" href="\/admin\/card\/"/);
      const sorted = await client.get('/admin/card/?ordering=-credit');
      t.match(sorted.text, /aria-sort="descending"/);
      t.match(
        /name="id" value="(\d+)"/.exec(sorted.text)![1],
        String((await raw("SELECT id FROM cc_card WHERE username = '7000124'"))[0]!.id),
      );
      t.equal(await count('/admin/card/?credit__gte=20&lastname=Odd'), 2, 'credit 21 and 23');
      const applied = await client.get(
        '/admin/card/?_filter=1&q=&op.credit=gte&v.credit=20&op.lastname=eq&v.lastname=Odd&op.status=eq&v.status=',
      );
      t.equal(applied.status, 303);
      t.equal(
        applied.location,
        '/admin/card/?lastname=Odd&credit__gte=20',
        "the filter form becomes the API's parameters",
      );
      const filtered = await client.get(applied.location!);
      t.match(filtered.text, /Balance is at least 20/, 'the operator in words');
      t.match(filtered.text, /export\/\?format=csv&amp;lastname=Odd&amp;credit__gte=20/, 'export carries the filters');
      t.equal(
        await count('/admin/card/?q=oDD&credit__lt=5'),
        2,
        'search is case-insensitive over the searchable columns',
      );
      t.equal(await count('/admin/card/?q=7000101'), 1);
      const bad = await client.get('/admin/card/?status=abc&nosuch=1');
      t.equal(bad.status, 400);
      t.match(bad.text, /These filters cannot be used, so no rows were looked up: /);
      t.match(bad.text, /&quot;Status is abc&quot;: must be a whole number/, 'the filter in words');
      t.match(bad.text, /Correct the filter to see cards\./);
      t.notMatch(bad.text, /No cards match/, 'nothing ran, so nothing is said to match');
      t.match(bad.text, /nosuch is not a known parameter/);
      t.match((await client.get('/admin/cardgroup/')).text, /DEFAULT/);
    });

    await t.test('export: the filtered selection as CSV (formula-safe) and JSON', async (t) => {
      await service.api('/api/card/', {
        method: 'POST',
        body: newCard(200, { lastname: '=HYPERLINK("http://x","y")', firstname: 'a,b' }),
      });
      const csv = await client.get('/admin/card/export/?format=csv&username=7000200');
      t.equal(csv.status, 200);
      t.match(csv.headers.get('content-type'), /text\/csv/);
      t.match(csv.headers.get('content-disposition'), /attachment; filename="card-\d{8}-\d{6}\.csv"/);
      const lines = csv.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      t.equal(lines.length, 2);
      t.match(lines[0], /^id,creationdate,/);
      t.notMatch(lines[0], /uipass|lock_pin|loginkey/, 'write-only columns are never exported');
      t.match(lines[1], `"'=HYPERLINK(""http://x"",""y"")"`);
      t.match(lines[1], '"a,b"');
      t.match(lines[1], /,-1,/, 'negative numbers stay numbers');
      const all = await client.get('/admin/card/export/?format=json&lastname=Odd&ordering=-credit');
      const rows = JSON.parse(all.text);
      t.equal(rows.length, 12);
      t.equal(rows[0].credit, 23);
      t.notOk('uipass' in rows[0]);
      t.equal((await client.get('/admin/card/export/?format=xml')).status, 400);
      t.equal((await client.get('/admin/card/export/?format=csv&credit=abc')).status, 400);
    });

    await t.test('bulk delete: confirmation page, then POST', async (t) => {
      const ids = [];
      for (let n = 0; n < 3; n++)
        ids.push((await service.api('/api/card/', { method: 'POST', body: newCard(300 + n) })).json.id);
      const confirm = await client.get(`/admin/card/delete/?id=${ids[0]}&id=${ids[1]}&id=999999&id=abc`);
      t.equal(confirm.status, 200);
      t.match(confirm.text, /Delete 2 cards\?/);
      t.match(confirm.text, /7000300/);
      t.equal(
        (await raw(`SELECT COUNT(*) AS n FROM cc_card WHERE id IN (${ids.join(',')})`))[0]!.n,
        3,
        'nothing deleted by the GET',
      );
      const done = await client.post('/admin/card/delete/', { id: [String(ids[0]), String(ids[1])] });
      t.equal(done.status, 303);
      t.equal(done.location, '/admin/card/');
      t.match((await client.get('/admin/card/')).text, /Deleted 2 cards/);
      t.same(
        (await raw(`SELECT id FROM cc_card WHERE id IN (${ids.join(',')})`)).map((row) => Number(row.id)),
        [ids[2]],
      );
      t.equal((await client.get('/admin/card/delete/')).status, 303, 'nothing selected: back to the list');
    });
  });
}
