/**
 * Search that finds people, on SQLite and on MariaDB: every word of the box
 * in one of the search columns ("Ivan Wang"), a caller ID finding its card
 * (x-admin.searchRelated), and the card picker searching names too, not only
 * the account number.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService } from './admin-service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const card = async (n: number, firstname: string, lastname: string) =>
      (
        await service.api('/api/card/', {
          method: 'POST',
          body: {
            username: `61000${n}`,
            useralias: `find${n}`,
            uipass: 'pin',
            credit: '1',
            tariff: '1',
            firstname,
            lastname,
          },
        })
      ).json.id as number;
    const wang = await card(1, 'Ivan', 'Wang');
    const petrov = await card(2, 'Ivan', 'Petrov');
    const mary = await card(3, 'Mary', 'Wang');
    await service.api('/api/callerid/', { method: 'POST', body: { cid: '31337', id_cc_card: petrov } });
    const client = service.client();
    await client.login();
    const found = async (q: string) => {
      const page = await client.get(`/admin/card/?q=${encodeURIComponent(q)}`);
      t.equal(page.status, 200);
      return [...page.text.matchAll(/<input type="checkbox" name="id" value="(\d+)"/g)].map((m) => Number(m[1])).sort();
    };

    await t.test('every word, in any of the search columns', async (t) => {
      t.same(await found('Ivan Wang'), [wang]);
      t.same(await found('  wang   ivan '), [wang], 'any order, any case, any spaces');
      t.same(await found('wang'), [mary, wang].sort());
      t.same(await found('Ivan Smith'), []);
    });

    await t.test('a caller ID finds its card', async (t) => {
      t.same(await found('31337'), [petrov]);
      t.same(await found('ivan 313'), [petrov]);
      const list = await client.get('/admin/card/');
      t.match(list.text, /placeholder="Search Account number, [^"]*Caller ID"/);
    });

    await t.test('the card picker searches names too', async (t) => {
      const answer = await client.get(`/admin/callerid/lookup/id_cc_card/?q=${encodeURIComponent('ivan wang')}`);
      t.equal(answer.status, 200);
      t.same(JSON.parse(answer.text).results, [{ id: wang, label: '610001' }]);
      const byNumber = await client.get('/admin/callerid/lookup/id_cc_card/?q=610002');
      t.same(JSON.parse(byNumber.text).results, [{ id: petrov, label: '610002' }]);
    });
  });
}
