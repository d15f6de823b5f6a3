/**
 * References in the admin (x-references), on SQLite and on MariaDB: lists
 * and edit pages show the referenced row's label, fetched with one IN query
 * per relation and page; the edit form keeps a plain id input with a lookup
 * link and the picker's data; the JSON lookup is for signed-in admins only,
 * limited, searched by label or id, and inert as HTML.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService, type AdminClient } from './admin-service.js';

const newCard = (n: number, extra: Record<string, unknown> = {}) => ({
  username: `8100${n}`,
  useralias: `rel${n}`,
  uipass: 'pin',
  credit: '1',
  tariff: '1',
  ...extra,
});

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const client: AdminClient = service.client();
    await client.login();
    const createGroup = async (groupName: string) =>
      (await service.api('/api/cardgroup/', { method: 'POST', body: { name: groupName } })).json.id as number;
    const resellers = await createGroup('Resellers');
    const markup = await createGroup('<b>VIP</b>');
    for (let n = 0; n < 12; n++) await createGroup(`Batch ${String(n).padStart(2, '0')}`);
    const groups = [1, resellers, markup];
    const cards: number[] = [];
    for (let n = 0; n < 21; n++)
      cards.push(
        (
          await service.api('/api/card/', {
            method: 'POST',
            body: newCard(n, { id_group: groups[n % 3], lastname: `Rel${n}` }),
          })
        ).json.id,
      );
    const dangling = (await service.api('/api/card/', { method: 'POST', body: newCard(99, { id_group: 9999 }) })).json
      .id as number;

    await t.test('the card list shows each group by name, with one query for all the groups of the page', async (t) => {
      service.statements.length = 0;
      const page = await client.get('/admin/card/?ordering=id');
      t.equal(page.status, 200);
      t.match(page.text, /<a href="\/admin\/cardgroup\/1\/" title="Card group 1">DEFAULT<\/a>/);
      t.match(
        page.text,
        new RegExp(`<a href="/admin/cardgroup/${resellers}/" title="Card group ${resellers}">Resellers</a>`),
      );
      t.match(page.text, /&lt;b&gt;VIP&lt;\/b&gt;<\/a>/, 'labels are escaped');
      t.notMatch(page.text, /<b>VIP<\/b>/);
      t.match(
        page.text,
        /<th scope="col"><a href="[^"]*ordering=id_group">Group<\/a><\/th>/,
        'a column of names, aligned as text',
      );
      const groupQueries = service.statements.filter((sql) => sql.includes('cc_card_group'));
      t.equal(groupQueries.length, 1, 'one query for the labels of 20 rows');
      t.match(groupQueries[0], /IN \(\?, \?, \?\)/, 'the three distinct groups, asked for once each');
    });

    await t.test("the Group filter finds cards by the group's name, through the join the API builds", async (t) => {
      const list = await client.get('/admin/card/');
      t.match(
        list.text,
        /<select name="op\.id_group"[^>]*><option value="name__icontains">name contains, any case<\/option><option value="name">name is<\/option><option value="eq">is<\/option>/,
        'by name first, then by id',
      );
      const applied = await client.get('/admin/card/?_filter=1&op.id_group=name__icontains&v.id_group=RESELL');
      t.equal(applied.location, '/admin/card/?id_group__name__icontains=RESELL');
      const page = await client.get(applied.location!);
      t.equal(page.status, 200);
      t.equal([...page.text.matchAll(/<input type="checkbox" name="id"/g)].length, 7, 'the 7 cards of Resellers');
      t.match(page.text, /<span class="chip">Group name contains, any case RESELL <a/);
      t.match(page.text, /<option value="name__icontains" selected>/, 'the panel shows the filter in use');
      const byId = await client.get('/admin/card/?_filter=1&op.id_group=eq&v.id_group=1');
      t.equal(byId.location, '/admin/card/?id_group=1', 'by id still works');
    });

    await t.test('a reference to a missing row says so', async (t) => {
      const page = await client.get(`/admin/card/?id=${dangling}`);
      t.match(page.text, /9999 <span class="muted">\(no such card group\)<\/span>/);
      const form = await client.get(`/admin/card/${dangling}/`);
      t.match(form.text, /class="reference-label missing"[^>]*>no such card group</);
    });

    await t.test("caller ids show the card's account number", async (t) => {
      await service.api('/api/callerid/', { method: 'POST', body: { cid: '4930123', id_cc_card: cards[4] } });
      const page = await client.get('/admin/callerid/');
      t.match(page.text, new RegExp(`<a href="/admin/card/${cards[4]}/" title="Card ${cards[4]}">81004</a>`));
      const id = (await service.backend.raw("SELECT id FROM cc_callerid WHERE cid = '4930123'"))[0]!.id;
      const confirm = await client.get(`/admin/callerid/delete/?id=${id}`);
      t.match(
        confirm.text,
        /<td><span title="card \d+">81004<\/span><\/td>/,
        'the delete confirmation names the card too',
      );
    });

    await t.test("the edit form: a plain id input with the label, a lookup link and the picker's data", async (t) => {
      const form = await client.get(`/admin/card/${cards[1]}/`);
      t.match(
        form.text,
        /<div class="reference" data-lookup="\/admin\/card\/lookup\/id_group\/" data-label="Resellers" data-label-name="name" data-nullable="false">/,
      );
      t.match(
        form.text,
        new RegExp(
          `<input id="field-id_group" name="id_group"[^>]* class="reference-id" type="number" value="${resellers}"`,
        ),
      );
      t.match(form.text, /<span class="reference-label" aria-live="polite">Resellers<\/span>/);
      t.match(
        form.text,
        /<a class="lookup-link" href="\/admin\/cardgroup\/" target="_blank" rel="noopener">Look up card groups ↗<\/a>/,
      );
      const add = await client.get('/admin/card/add/');
      t.match(add.text, /data-label="DEFAULT"/, 'the default group by name on the create form');
    });

    await t.test('saving a typed id works without JavaScript, and the form shows the new label', async (t) => {
      const form = await client.get(`/admin/card/${cards[0]}/`);
      t.match(form.text, /name="_orig.id_group" value="1"/);
      const saved = await client.post(`/admin/card/${cards[0]}/`, {
        id_group: String(resellers),
        '_orig.id_group': '1',
        _action: 'continue',
      });
      t.equal(saved.status, 303);
      t.equal(
        (await service.backend.raw('SELECT id_group FROM cc_card WHERE id = ?', [cards[0]]))[0]!.id_group,
        resellers,
      );
      t.match((await client.get(`/admin/card/${cards[0]}/`)).text, /data-label="Resellers"/);
      const invalid = await client.post(`/admin/card/${cards[0]}/`, {
        id_group: 'abc',
        '_orig.id_group': String(resellers),
      });
      t.equal(invalid.status, 400);
      t.match(invalid.text, /name="id_group"[^>]*value="abc"/, 'the entered text is kept');
    });

    await t.test("lookup: JSON of the target's rows by label, limited, for signed-in admins only", async (t) => {
      const anonymous = await service.client().get('/admin/card/lookup/id_group/?q=res');
      t.equal(anonymous.status, 401);
      t.match(anonymous.headers.get('content-type'), /application\/json/);
      t.match(JSON.parse(anonymous.text), { code: 'unauthorized' });

      const found = await client.get('/admin/card/lookup/id_group/?q=RES');
      t.equal(found.status, 200);
      t.match(found.headers.get('content-type'), /application\/json/);
      t.equal(found.headers.get('cache-control'), 'no-store');
      t.strictSame(
        JSON.parse(found.text),
        { results: [{ id: resellers, label: 'Resellers' }], more: false },
        'any case, anywhere in the name',
      );

      const many = JSON.parse((await client.get('/admin/card/lookup/id_group/?q=batch')).text);
      t.equal(many.results.length, 10, 'at most 10 rows');
      t.equal(many.more, true);
      t.strictSame(
        many.results.slice(0, 2).map((row: { label: string }) => row.label),
        ['Batch 00', 'Batch 01'],
        'ordered by name',
      );

      t.ok(
        JSON.parse((await client.get('/admin/card/lookup/id_group/?q=1')).text).results.some(
          (row: { id: number; label: string }) => row.id === 1 && row.label === 'DEFAULT',
        ),
        'digits also match the id',
      );
      const escaped = await client.get('/admin/card/lookup/id_group/?q=vip');
      t.notMatch(escaped.text, /<b>/, 'no markup in the JSON text');
      t.match(escaped.text, /\\u003cb\\u003eVIP/);
      t.strictSame(JSON.parse(escaped.text).results, [{ id: markup, label: '<b>VIP</b>' }]);
      t.equal(
        JSON.parse((await client.get('/admin/card/lookup/id_group/?q=%25')).text).results.length,
        0,
        'a % is a literal, not a wildcard',
      );

      const tooLong = await client.get(`/admin/card/lookup/id_group/?q=${'x'.repeat(101)}`);
      t.equal(tooLong.status, 400);
      t.match(JSON.parse(tooLong.text), { code: 'invalid_query', fields: [{ field: 'q' }] });
      t.equal(
        (await client.get('/admin/card/lookup/lastname/?q=a')).status,
        404,
        'only reference columns have a lookup',
      );
      t.match(
        JSON.parse((await client.get('/admin/callerid/lookup/id_cc_card/?q=8100')).text),
        { more: true },
        'caller id → cards by account number',
      );
    });

    await t.test('a lookup that fails answers JSON too', async (t) => {
      await service.backend.raw('DROP TABLE cc_card_group');
      const failed = await client.get('/admin/card/lookup/id_group/?q=x');
      t.equal(failed.status, 503);
      t.match(failed.headers.get('content-type'), /application\/json/);
      t.match(JSON.parse(failed.text), { code: 'table_missing', error: /cc_card_group is missing/ });
    });
  });
}
