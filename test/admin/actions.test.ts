/**
 * The schema's actions on cards, on SQLite and on MariaDB: Block, Unblock,
 * Lock, Set status and Move to group from the list's selection and from a
 * card's page, each after a confirmation that says what will change, with
 * the CSRF token, through the caller's Access (one audit entry per card),
 * back to the list with its filters. A read-only role sees no action and is
 * refused; an asked value is checked like the form's.
 */
import t from 'tap';
import { UserStore } from '../../runtime/auth/user-store.js';
import { BACKENDS } from '../helpers/backends.js';
import { adminClient, startAdminService } from './admin-service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const created = async (path: string, body: object) => (await service.create(path, body)).id as number;
    const group = await created('/api/cardgroup/', { name: 'Wholesale' });
    const cards: number[] = [];
    for (let n = 0; n < 4; n++)
      cards.push(
        await created('/api/card/', {
          username: `55100${n}`,
          useralias: `act${n}`,
          uipass: 'pin',
          credit: '1',
          tariff: '1',
          lastname: n < 3 ? 'Okafor' : 'Miller',
        }),
      );
    const client = service.client();
    await client.login();
    const state = async (id: number) => {
      const [row] = await service.backend.raw('SELECT status, block, id_group FROM cc_card WHERE id = ?', [id]);
      return { status: Number(row!.status), block: Number(row!.block), id_group: Number(row!.id_group) };
    };

    await t.test('the list offers the actions for the selected rows', async (t) => {
      const list = await client.get('/admin/card/?lastname=Okafor');
      t.match(list.text, /<button type="submit" formaction="\/admin\/card\/action\/block\/">Block…<\/button>/);
      t.match(list.text, /formaction="\/admin\/card\/action\/move-to-group\/">Move to group…/);
      t.match(list.text, /<input type="hidden" name="next" value="\/admin\/card\/\?lastname=Okafor">/);
    });

    await t.test('Block two cards: a confirmation saying what changes, then the change, audited', async (t) => {
      const ask = await client.get(
        `/admin/card/action/block/?id=${cards[0]}&id=${cards[1]}&next=${encodeURIComponent('/admin/card/?lastname=Okafor')}`,
      );
      t.equal(ask.status, 200);
      t.match(ask.text, /<h1>Block 2 cards\?<\/h1>/);
      t.match(ask.text, /Status becomes SUSPENDED FOR LITIGATION\./);
      t.same(await state(cards[0]!), { status: 1, block: 0, id_group: 1 }, 'nothing changed yet');
      const forged = await client.post('/admin/card/action/block/', { _csrf: 'nope', id: String(cards[0]) });
      t.equal(forged.status, 403, 'no CSRF token, no change');
      const done = await client.post('/admin/card/action/block/', {
        id: [String(cards[0]), String(cards[1])],
        next: '/admin/card/?lastname=Okafor',
      });
      t.equal(done.status, 303);
      t.equal(done.location, '/admin/card/?lastname=Okafor', 'back to the list with its filter');
      t.equal((await state(cards[0]!)).status, 7);
      t.equal((await state(cards[1]!)).status, 7);
      t.equal((await state(cards[2]!)).status, 1, 'the others are untouched');
      const after = await client.get(done.location!);
      t.match(after.text, /Block: 2 cards changed \(Status becomes SUSPENDED FOR LITIGATION\)/);
      const audit = await service.backend.raw(
        "SELECT row_key, new_values FROM a2gen_audit WHERE resource = 'card' AND action = 'update' ORDER BY id",
      );
      t.same(
        audit.map((row) => [String(row.row_key), JSON.parse(String(row.new_values))]),
        [
          [String(cards[0]), { status: 7 }],
          [String(cards[1]), { status: 7 }],
        ],
      );
      const routes = await service.backend.raw(
        "SELECT DISTINCT route FROM a2gen_audit WHERE resource = 'card' AND action = 'update'",
      );
      t.same(
        routes.map((row) => row.route),
        ['POST /admin/card/action/block/'],
        "the entries name the action's route",
      );
    });

    await t.test("Unblock and Lock from a card's page, back to the card", async (t) => {
      const page = await client.get(`/admin/card/${cards[0]}/`);
      t.match(
        page.text,
        new RegExp(
          `href="/admin/card/action/unblock/\\?id=${cards[0]}&amp;next=%2Fadmin%2Fcard%2F${cards[0]}%2F">Unblock…`,
        ),
      );
      const unblock = await client.post('/admin/card/action/unblock/', {
        id: String(cards[0]),
        next: `/admin/card/${cards[0]}/`,
      });
      t.equal(unblock.location, `/admin/card/${cards[0]}/`);
      await client.post('/admin/card/action/lock/', { id: String(cards[0]) });
      t.same(await state(cards[0]!), { status: 1, block: 1, id_group: 1 });
      const elsewhere = await client.post('/admin/card/action/unlock/', {
        id: String(cards[0]),
        next: 'https://evil.example/',
      });
      t.equal(elsewhere.location, '/admin/card/', 'never away from the panel');
    });

    await t.test('Move to group asks for the group, checks it, then moves', async (t) => {
      const ask = await client.get(`/admin/card/action/move-to-group/?id=${cards[2]}&id=${cards[3]}`);
      t.match(ask.text, /id="field-id_group" name="id_group"/);
      t.match(ask.text, /data-lookup="\/admin\/card\/lookup\/id_group\/"/, 'with the group picker');
      const empty = await client.post('/admin/card/action/move-to-group/', { id: [String(cards[2])], id_group: '' });
      t.equal(empty.status, 400);
      t.match(empty.text, /Is required/);
      const status = await client.post('/admin/card/action/set-status/', { id: [String(cards[2])], status: 'x' });
      t.equal(status.status, 400);
      const moved = await client.post('/admin/card/action/move-to-group/', {
        id: [String(cards[2]), String(cards[3])],
        id_group: String(group),
      });
      t.equal(moved.status, 303);
      t.equal((await state(cards[2]!)).id_group, group);
      t.equal((await state(cards[3]!)).id_group, group);
      const set = await client.post('/admin/card/action/set-status/', { id: [String(cards[3])], status: '2' });
      t.equal(set.status, 303);
      t.equal((await state(cards[3]!)).status, 2);
    });

    await t.test('a read-only role sees no action and is refused', async (t) => {
      const users = new UserStore(service.backend.db);
      const id = await users.create({
        username: 'reader',
        email: 'reader@example.com',
        password: 'a long enough password',
        active: true,
        admin: true,
      });
      await users.setRole(id, 'read-only');
      const reader = adminClient(service.baseUrl);
      await reader.login('reader', 'a long enough password');
      const list = await reader.get('/admin/card/');
      t.notMatch(list.text, /action\/block/);
      t.notMatch((await reader.get(`/admin/card/${cards[1]}/`)).text, /action\/unblock/);
      t.equal((await reader.get(`/admin/card/action/unblock/?id=${cards[1]}`)).status, 403);
      t.equal((await reader.post('/admin/card/action/unblock/', { id: String(cards[1]) })).status, 403);
      t.equal((await state(cards[1]!)).status, 7);
    });
  });
}
