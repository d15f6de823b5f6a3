/**
 * A delete shows its consequences, on SQLite and on MariaDB: the rows that
 * reference what is deleted, counted by model and linked to the filtered
 * list. A reference marked `onDelete: "protect"` keeps its target (a group
 * its cards use, a card with refills), on the confirmation and on a hand-made
 * POST alike; any other is left pointing at no row, and the page says how many.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService } from './admin-service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const created = async (path: string, body: object) => (await service.create(path, body)).id as number;
    const used = await created('/api/cardgroup/', { name: 'Used' });
    const empty = await created('/api/cardgroup/', { name: 'Empty' });
    const card = (n: number, extra: object = {}) =>
      created('/api/card/', {
        username: `88100${n}`,
        useralias: `del${n}`,
        uipass: 'pin',
        credit: '1',
        tariff: '1',
        ...extra,
      });
    for (let n = 0; n < 3; n++) await card(n, { id_group: used });
    const withCids = await card(5);
    await created('/api/callerid/', { cid: '5551', id_cc_card: withCids });
    await created('/api/callerid/', { cid: '5552', id_cc_card: withCids });
    const withRefill = await card(6);
    await created('/api/logrefill/', { card: withRefill, credit: '5' });
    const client = service.client();
    await client.login();
    const exists = async (table: string, id: number) =>
      (await service.backend.raw(`SELECT id FROM ${table} WHERE id = ?`, [id])).length === 1;

    await t.test('a group its cards use is not deleted, and the page says why and links to them', async (t) => {
      const page = await client.get(`/admin/cardgroup/delete/?id=${used}`);
      t.equal(page.status, 200);
      t.match(page.text, /<h1>Nothing to delete<\/h1>/);
      t.match(page.text, new RegExp(`Card group ${used} cannot be deleted: 3 cards refer to it\\.`));
      t.match(
        page.text,
        new RegExp(`<a href="/admin/card/\\?id_group=${used}">3 cards</a> \\(by Group\\) refer to it`),
      );
      t.notMatch(page.text, /Yes, delete/);
      const forced = await client.post('/admin/cardgroup/delete/', { id: String(used) });
      t.equal(forced.status, 303);
      t.ok(await exists('cc_card_group', used), 'a hand-made POST is refused too');
      t.match((await client.get(forced.location!)).text, /cannot be deleted: 3 cards refer to it/);
    });

    await t.test('of a selection, the rows in use stay and the others go', async (t) => {
      const page = await client.get(`/admin/cardgroup/delete/?id=${used}&id=${empty}`);
      t.match(page.text, /<h1>Delete 1 card group\?<\/h1>/);
      t.match(page.text, /<tr class="kept">/);
      const done = await client.post('/admin/cardgroup/delete/', { id: [String(used), String(empty)] });
      t.equal(done.status, 303);
      t.ok(await exists('cc_card_group', used));
      t.notOk(await exists('cc_card_group', empty));
    });

    await t.test("a card's caller IDs are counted and left; a card with refills is kept", async (t) => {
      const page = await client.get(`/admin/card/delete/?id=${withCids}`);
      t.match(page.text, /<h1>Delete 1 card\?<\/h1>/);
      t.match(
        page.text,
        new RegExp(
          `<a href="/admin/callerid/\\?id_cc_card=${withCids}">2 caller IDs</a> \\(by Card\\) will be left pointing at no card`,
        ),
      );
      const refill = await client.get(`/admin/card/delete/?id=${withRefill}`);
      t.match(refill.text, /cannot be deleted: 1 refill refers to it/);
      const both = await client.get(`/admin/card/delete/?id=${withCids}&id=${withRefill}`);
      t.match(both.text, new RegExp(`/admin/callerid/\\?id_cc_card=${withCids}"`), 'one card: its own filter');
      const done = await client.post('/admin/card/delete/', { id: [String(withCids), String(withRefill)] });
      t.equal(done.status, 303);
      t.notOk(await exists('cc_card', withCids));
      t.ok(await exists('cc_card', withRefill));
      const left = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_callerid WHERE id_cc_card = ?', [withCids]);
      t.equal(Number(left[0]!.n), 2, 'the caller IDs are left');
    });
  });
}
