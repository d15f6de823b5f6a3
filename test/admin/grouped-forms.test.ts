/**
 * The schema's x-admin groups, maintained columns, read-only models and
 * default orderings in the panel, on SQLite and on MariaDB: the card form in
 * sections (Account first, Group in it) with Save at the top and the bottom;
 * the engine's counters shown, never written, not even by a hand-made form;
 * call records listed and shown but never added, edited or deleted here (the
 * API still writes them); refills, calls and the audit trail newest first.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService } from './admin-service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const created = async (path: string, body: object) => (await service.create(path, body)).id as number;
    const card = await created('/api/card/', {
      username: '660001',
      useralias: 'grouped1',
      uipass: 'pin',
      credit: '3',
      tariff: '1',
    });
    await service.backend.raw('UPDATE cc_card SET inuse = 2, nbused = 40 WHERE id = ?', [card]);
    const calls: number[] = [];
    for (let n = 0; n < 3; n++) calls.push(await created('/api/call/', { card_id: card, calledstation: `4420${n}` }));
    const refills: number[] = [];
    for (let n = 1; n <= 3; n++) refills.push(await created('/api/logrefill/', { card, credit: String(n) }));
    const client = service.client();
    await client.login();

    await t.test(
      'the card form in sections, Account first with the group, Save at the top and the bottom',
      async (t) => {
        const page = await client.get(`/admin/card/${card}/`);
        t.equal(page.status, 200);
        const legends = [...page.text.matchAll(/<legend>([^<]+)<\/legend>/g)].map((m) => m[1]);
        t.same(legends, ['Account', 'Balance and billing', 'Contact', 'Calling options', 'VoIP', 'Limits and usage']);
        const account = /<fieldset class="group" id="group-1">.*?<\/fieldset>/s.exec(page.text)?.[0] ?? '';
        t.match(account, /id="field-id_group"/, 'the group is in the first section');
        t.match(account, /id="field-status"/);
        t.equal(
          [...page.text.matchAll(/<button class="primary" type="submit" name="_action" value="save">Save<\/button>/g)]
            .length,
          2,
        );
        t.ok(page.text.indexOf('value="save"') < page.text.indexOf('<fieldset'), 'a Save before the first section');
        t.match(
          page.text,
          /<nav class="group-index" aria-label="Sections of the form"><a href="#group-1">Account<\/a>/,
        );
        const plain = await client.get('/admin/cardgroup/add/');
        t.notMatch(plain.text, /<fieldset/, 'a model without groups keeps one grid');
      },
    );

    await t.test("the engine's counters are shown, not edited, and a hand-made form cannot write them", async (t) => {
      const page = await client.get(`/admin/card/${card}/`);
      t.match(page.text, /<div class="static" id="field-inuse">2<\/div>/);
      t.match(page.text, /<div class="static" id="field-nbused">40<\/div>/);
      t.notMatch(page.text, /name="inuse"/);
      t.match(page.text, /Kept up to date by the system/);
      const add = await client.get('/admin/card/add/');
      t.notMatch(add.text, /id="field-inuse"/, 'not on the add form');
      const saved = await client.post(`/admin/card/${card}/`, {
        inuse: '0',
        '_orig.inuse': '2',
        nbused: '0',
        firstname: 'Ada',
        '_orig.firstname': '',
        _action: 'continue',
      });
      t.equal(saved.status, 303);
      const [row] = await service.backend.raw('SELECT inuse, nbused, firstname FROM cc_card WHERE id = ?', [card]);
      t.same(
        { ...row, inuse: Number(row!.inuse), nbused: Number(row!.nbused) },
        { inuse: 2, nbused: 40, firstname: 'Ada' },
      );
    });

    await t.test(
      'call records are shown, never added, edited or deleted here; the API still writes them',
      async (t) => {
        const list = await client.get('/admin/call/');
        t.equal(list.status, 200);
        t.notMatch(list.text, /href="\/admin\/call\/add\/"/);
        t.notMatch(list.text, /name="id"/, 'no row checkboxes');
        const record = await client.get(`/admin/call/${calls[0]}/`);
        t.equal(record.status, 200);
        t.notMatch(record.text, /<form class="record/);
        t.match(record.text, /Read-only: calls cannot be changed here/);
        t.equal((await client.get('/admin/call/add/')).status, 404);
        t.equal((await client.post(`/admin/call/${calls[0]}/`, { calledstation: '1' })).status, 404);
        t.equal((await client.post('/admin/call/delete/', { id: String(calls[0]) })).status, 404);
        const cardPage = await client.get(`/admin/card/${card}/`);
        t.notMatch(cardPage.text, /href="\/admin\/call\/add\//, 'no Add call on the card either');
        t.equal(
          (await service.api(`/api/call/${calls[0]}/`, { method: 'PATCH', body: { calledstation: '99' } })).status,
          200,
        );
      },
    );

    await t.test('refills, calls and the audit trail are newest first unless the URL says otherwise', async (t) => {
      const ids = (text: string) =>
        [...text.matchAll(/<tr>(?:<td class="check">.*?<\/td>)?<td[^>]*><a href="\/admin\/\w+\/(\d+)\/">/g)].map((m) =>
          Number(m[1]),
        );
      const refillList = await client.get('/admin/logrefill/');
      t.same(ids(refillList.text), [...refills].reverse());
      t.match(refillList.text, /aria-sort="descending"><a class="sorted" href="[^"]*ordering=id">ID ▼/);
      t.same(ids((await client.get('/admin/logrefill/?ordering=id')).text), refills, 'the URL wins');
      t.same(ids((await client.get('/admin/call/')).text), [...calls].reverse());
      const trail = ids((await client.get('/admin/audit/')).text);
      t.ok(trail.length > 1 && trail[0]! > trail[1]!, 'the newest entry first');
    });
  });
}
