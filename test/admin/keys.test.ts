/**
 * The admin panel with keys of other shapes, on SQLite and MariaDB: a CHAR
 * key (languages, cc_iso639) and a two-column key (call plan rate cards,
 * cc_tariffgroup_plan). Lists link each row by its key in URL form, the edit
 * form saves by it and shows the key read-only, and bulk delete takes it.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService } from './admin-service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const client = service.client();
    await client.login();
    const plan = (await service.api('/api/tariffgroup/', { method: 'POST', body: { tariffgroupname: 'Nordics' } })).json
      .id as number;
    for (const idtariffplan of [4, 5]) {
      t.equal(
        (await service.api('/api/tariffgroupplan/', { method: 'POST', body: { idtariffgroup: plan, idtariffplan } }))
          .status,
        200,
      );
    }
    t.equal((await service.api('/api/iso639/', { method: 'POST', body: { code: 'qq', name: 'Quenya' } })).status, 200);

    await t.test('a two-column key: the list links and selects each row by both parts', async (t) => {
      const list = await client.get(`/admin/tariffgroupplan/?idtariffgroup=${plan}`);
      t.equal(list.status, 200);
      const link = `<a href="/admin/tariffgroupplan/${plan},4/"><span title="call plan ${plan}">Nordics</span></a>`;
      t.ok(list.text.includes(link), 'the row links by its key, its call plan by name');
      t.match(
        list.text,
        new RegExp(`<input type="checkbox" name="id" value="${plan},5"`),
        'and is selected by its key',
      );
      const page = await client.get(`/admin/tariffgroupplan/${plan},4/`);
      t.equal(page.status, 200, 'the row’s page opens');
      t.match(page.text, /Call plan rate card/);
      t.notMatch(page.text, /name="idtariffplan"/, 'the key is shown, not editable');
      t.equal((await client.get(`/admin/tariffgroupplan/${plan}/`)).status, 404, 'half a key names no row');
    });

    await t.test('a two-column key: bulk delete by key', async (t) => {
      const confirm = await client.get(`/admin/tariffgroupplan/delete/?id=${plan},4&id=${plan},5`);
      t.equal(confirm.status, 200);
      t.match(confirm.text, /Delete 2 call plan rate cards\?/);
      t.match(confirm.text, new RegExp(`<input type="hidden" name="id" value="${plan},4">`));
      const done = await client.post('/admin/tariffgroupplan/delete/', { id: [`${plan},4`, `${plan},5`] });
      t.equal(done.status, 303);
      t.equal(
        (await service.api(`/api/tariffgroupplan/?idtariffgroup=${plan}`)).json.objects.length,
        0,
        'both rows deleted',
      );
      const trail = (await service.api('/api/audit/?resource=tariffgroupplan&action=delete&fields=row_key,route')).json
        .objects;
      t.same(
        trail.map((entry: { row_key: string }) => entry.row_key).sort(),
        [`${plan},4`, `${plan},5`],
        'each audited by its key',
      );
    });

    await t.test('a CHAR key: add, edit and delete by the code', async (t) => {
      const list = await client.get('/admin/iso639/?q=quenya');
      t.match(list.text, /<a href="\/admin\/iso639\/qq\/">qq<\/a>/, 'listed and linked by code');
      const form = await client.get('/admin/iso639/qq/');
      t.equal(form.status, 200);
      t.notMatch(form.text, /<input[^>]*name="code"/, 'the code is not editable once created');
      t.match(form.text, /<input[^>]*name="name"[^>]*value="Quenya"/);
      const saved = await client.post('/admin/iso639/qq/', { name: 'Quenya', lname: 'Eldarin', charset: 'UTF-8' });
      t.equal(saved.status, 303, 'saved', { found: saved.text.slice(0, 400) });
      t.same((await service.api('/api/iso639/qq/')).json, {
        code: 'qq',
        name: 'Quenya',
        lname: 'Eldarin',
        charset: 'UTF-8',
      });

      await client.get('/admin/iso639/add/');
      const added = await client.post('/admin/iso639/add/', {
        code: 'sj',
        name: 'Sindarin',
        lname: '',
        charset: 'ISO-8859-1',
      });
      t.equal(added.status, 303, 'a language added with the code chosen in the form');
      t.equal((await service.api('/api/iso639/sj/')).json.name, 'Sindarin');

      const confirm = await client.get('/admin/iso639/delete/?id=qq&id=sj');
      t.match(confirm.text, /Delete 2 languages\?/);
      t.equal((await client.post('/admin/iso639/delete/', { id: ['qq', 'sj'] })).status, 303);
      t.equal((await service.api('/api/iso639/qq/')).status, 404, 'deleted');
      t.equal((await service.api('/api/iso639/sj/')).status, 404, 'deleted');
    });
  });
}
