/**
 * List manners, on SQLite and on MariaDB: a total (exact, or MySQL's own
 * figure marked "about"), page sizes from the URL and a menu, a save that
 * returns to the list as it was filtered, balances with the same decimals,
 * choices as badges, a label on every cell for phones, and a skip link.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService } from './admin-service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const ids: number[] = [];
    for (let n = 0; n < 25; n++) {
      const response = await service.api('/api/card/', {
        method: 'POST',
        body: {
          username: `99200${String(n).padStart(2, '0')}`,
          useralias: `manners${n}`,
          uipass: 'pin',
          credit: n === 0 ? '-5.9' : n === 1 ? '26' : '1.125',
          tariff: '1',
          lastname: n % 5 === 0 ? 'Miller' : 'Okafor',
        },
      });
      ids.push(response.json.id as number);
    }
    const client = service.client();
    await client.login();
    const rowCount = (text: string) => [...text.matchAll(/<input type="checkbox" name="id"/g)].length;

    await t.test('a total, and page sizes', async (t) => {
      const first = await client.get('/admin/card/');
      t.equal(rowCount(first.text), 20);
      t.match(first.text, /rows 1–20 of <strong class="total">25 cards<\/strong>/);
      const filtered = await client.get('/admin/card/?lastname=Miller');
      t.match(filtered.text, /of <strong class="total">5 cards<\/strong>/, 'one page: its rows are the total');
      const big = await client.get('/admin/card/?limit=50');
      t.equal(rowCount(big.text), 25);
      t.match(big.text, /<option value="50" selected>50<\/option>/);
      t.equal(rowCount((await client.get('/admin/card/?limit=7')).text), 20, 'an unknown size is the default');
      const second = await client.get('/admin/card/?page=2');
      t.match(second.text, /rows 21–25 of <strong class="total">(about )?25 cards<\/strong>/);
      const applied = await client.get('/admin/card/?_filter=1&limit=50&op.lastname=icontains&v.lastname=mill');
      t.match(applied.location, /limit=50/, 'the filter form keeps the page size');
    });

    await t.test('a save returns to the list as it was filtered', async (t) => {
      await client.get('/admin/card/?lastname=Miller&ordering=-id');
      await client.get(`/admin/card/${ids[5]}/`);
      const saved = await client.post(`/admin/card/${ids[5]}/`, {
        firstname: 'Zed',
        '_orig.firstname': '',
        _action: 'save',
      });
      t.equal(saved.status, 303);
      t.equal(saved.location, '/admin/card/?lastname=Miller&ordering=-id');
      const page = await client.get(`/admin/card/${ids[5]}/`);
      t.match(page.text, /href="\/admin\/card\/\?lastname=Miller&amp;ordering=-id">Back to cards<\/a>/);
      await client.get('/admin/card/');
      const again = await client.post(`/admin/card/${ids[5]}/`, {
        firstname: 'Zoe',
        '_orig.firstname': 'Zed',
        _action: 'save',
      });
      t.equal(again.location, '/admin/card/', 'the plain list once the filter was cleared');
    });

    await t.test(
      'numbers aligned with the same decimals, statuses as badges, labelled cells, a skip link',
      async (t) => {
        const page = await client.get('/admin/card/?ordering=id');
        t.match(page.text, /<td class="num" data-label="Balance">-5\.900<\/td>/, 'as many places as the page needs');
        t.match(page.text, /<td class="num" data-label="Balance">26\.000<\/td>/);
        t.match(page.text, /<td class="num" data-label="Balance">1\.125<\/td>/);
        t.match(page.text, /<span class="badge choice" data-value="1">ACTIVE<\/span>/);
        t.match(page.text, /<table class="stack">/);
        t.match(page.text, /<body>\s*<a class="skip-link" href="#main">Skip to content<\/a>/);
        const round = await client.get('/admin/card/?credit__lt=0');
        t.match(round.text, /<td class="num" data-label="Balance">-5\.90<\/td>/, 'two places at least');
      },
    );

    await t.test('a failed save keeps what was typed except the secret, and says so the same way', async (t) => {
      const add = await client.get('/admin/card/add/');
      t.match(add.text, /id="field-uipass-help">Required\. Never shown, so after a failed save type it again\./);
      t.match(add.text, /<label for="field-uipass" class="required">/);
      const failed = await client.post('/admin/card/add/', {
        username: '9920099',
        useralias: 'failing',
        uipass: 'secret',
        credit: 'lots',
        tariff: '1',
        lastname: 'Kept',
      });
      t.equal(failed.status, 400);
      t.match(failed.text, /id="field-lastname" name="lastname"[^>]*value="Kept"/);
      t.match(failed.text, /id="field-uipass" name="uipass"[^>]*type="password" value=""/);
      const edit = await client.get(`/admin/card/${ids[0]}/`);
      t.match(edit.text, /id="field-uipass-help">Never shown: unchanged unless filled\./);
      t.notMatch(edit.text, /<label for="field-uipass" class="required">/);
    });

    await t.test('an email column takes email addresses only, in the form and the API alike', async (t) => {
      await client.get(`/admin/card/${ids[2]}/`);
      const bad = await client.post(`/admin/card/${ids[2]}/`, {
        email: 'not-an-email',
        '_orig.email': '',
        _action: 'continue',
      });
      t.equal(bad.status, 400);
      t.match(bad.text, /id="field-email-error">Is not an email address \(name@example\.com\)/);
      t.match(
        bad.text,
        /id="field-email" name="email"[^>]*type="email" value="not-an-email"/,
        'what was typed is kept',
      );
      const good = await client.post(`/admin/card/${ids[2]}/`, {
        email: 'ivan@example.com',
        '_orig.email': '',
        _action: 'continue',
      });
      t.equal(good.status, 303);
      const api = await service.api(`/api/card/${ids[2]}/`, { method: 'PATCH', body: { email: 'nope' } });
      t.equal(api.status, 400);
      t.same(api.json.fields, [{ field: 'email', message: 'is not an email address (name@example.com)' }]);
      t.equal(
        (await service.api(`/api/card/${ids[2]}/`, { method: 'PATCH', body: { email: '' } })).status,
        200,
        'empty is none',
      );
    });

    await t.test('ranges in two boxes, dates with a date picker', async (t) => {
      const applied = await client.get(
        '/admin/card/?_filter=1&from.creationdate=2020-01-01&to.creationdate=2037-12-31&from.credit=1&to.credit=2',
      );
      t.equal(
        applied.location,
        '/admin/card/?credit__gte=1&credit__lte=2&creationdate__gte=2020-01-01+00%3A00%3A00&creationdate__lte=2037-12-31+23%3A59%3A59',
      );
      const page = await client.get(applied.location!);
      t.equal(page.status, 200);
      t.match(page.text, /of <strong class="total">23 cards<\/strong>/, 'the cards with a balance from 1 to 2');
      t.match(page.text, /<input name="from\.creationdate" type="date" value="2020-01-01"/);
      t.match(page.text, /<input name="to\.creationdate" type="date" value="2037-12-31"/);
      t.match(page.text, /<input name="from\.credit" type="text" value="1" inputmode="decimal"/);
      const panel = /<form class="panel" method="get".*?<\/form>/s.exec(page.text)?.[0];
      t.notMatch(panel, /<input type="hidden" name="credit__gte"/, 'shown in its box, not carried twice');
    });
  });
}
