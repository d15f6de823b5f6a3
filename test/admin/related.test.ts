/**
 * A card's page as the customer at a glance, on SQLite and on MariaDB: the
 * rows that reference it (caller IDs, refills, payments, calls, charges),
 * newest first, a few each with their count, a link to the filtered list and
 * an Add link prefilled with the card; a card group's page lists its cards.
 * An agent's page keeps to its scope: another agent's rows are neither shown
 * nor counted. History: a link on every object page, entries in words with
 * labels and choice names, newest first, linked to the entry and the row.
 */
import t from 'tap';
import { UserStore } from '../../runtime/auth/user-store.js';
import { RELATED_LIMITS } from '../../runtime/admin/related.js';
import { BACKENDS } from '../helpers/backends.js';
import { adminClient, startAdminService } from './admin-service.js';

const PASSWORD = 'a long enough password';

const newCard = (n: number, extra: Record<string, unknown> = {}) => ({
  username: `7700${n}`,
  useralias: `glance${n}`,
  uipass: 'pin',
  credit: '10',
  tariff: '1',
  ...extra,
});

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const created = async (path: string, body: object) => (await service.create(path, body)).id as number;
    const mine = await created('/api/cardgroup/', { name: 'Agent seven', id_agent: 7 });
    const theirs = await created('/api/cardgroup/', { name: 'Agent eight', id_agent: 8 });
    const card = await created('/api/card/', newCard(1, { id_group: mine, lastname: 'Wang', firstname: 'Ivan' }));
    const other = await created('/api/card/', newCard(2, { id_group: theirs }));
    const cids: number[] = [];
    for (let n = 0; n < 3; n++) cids.push(await created('/api/callerid/', { cid: `3100${n}`, id_cc_card: card }));
    await created('/api/callerid/', { cid: '99999', id_cc_card: other });
    const refills: number[] = [];
    for (let n = 1; n <= 8; n++)
      refills.push(await created('/api/logrefill/', { card, credit: String(n), description: `refill ${n}` }));
    for (let n = 0; n < 2; n++) await created('/api/call/', { card_id: card, calledstation: `4420${n}` });
    for (let n = 1; n <= 7; n++)
      await created('/api/charge/', { id_cc_card: card, amount: '1.5', description: `charge ${n}` });

    const client = service.client();
    await client.login();

    await t.test("a card's page shows the rows that reference it, newest first, with counts and links", async (t) => {
      const page = await client.get(`/admin/card/${card}/`);
      t.equal(page.status, 200);
      const index = /<nav class="related-index"[^>]*>(.*?)<\/nav>/s.exec(page.text)?.[1] ?? '';
      t.match(index, /href="#related-callerid-id_cc_card">Caller IDs <span class="count">3<\/span>/);
      t.match(index, /Refills <span class="count">5\+<\/span>/, 'more than shown, not counted: no index on the card');
      t.match(index, /Calls <span class="count">2<\/span>/);
      t.match(index, /Charges <span class="count">7<\/span>/, 'counted: cc_charge has an index on the card');
      t.match(index, /Payments <span class="count">0<\/span>/);
      t.ok(page.text.indexOf('related-index') < page.text.indexOf('<form class="record'), 'the counts above the form');
      const refillPanel = /<section class="panel related-panel" id="related-logrefill-card".*?<\/section>/s.exec(
        page.text,
      )?.[0];
      t.ok(refillPanel, 'a refills panel');
      t.match(refillPanel, /The newest 5 of more/);
      t.match(refillPanel, /href="\/admin\/logrefill\/\?card=\d+">View all<\/a>/);
      const chargePanel = /id="related-charge-id_cc_card".*?<\/section>/s.exec(page.text)?.[0];
      t.match(chargePanel, /The newest 5 of 7/);
      t.match(chargePanel, /href="\/admin\/charge\/\?id_cc_card=\d+">View all 7<\/a>/);
      t.match(refillPanel, new RegExp(`href="/admin/logrefill/add/\\?card=${card}">Add refill</a>`));
      const shown = [...refillPanel!.matchAll(/<a href="\/admin\/logrefill\/(\d+)\/">/g)].map((m) => Number(m[1]));
      t.same(shown, refills.slice(3).reverse(), 'the five newest, newest first');
      t.notMatch(refillPanel, /<th scope="col">Card<\/th>/, 'the card itself is not a column');
      const cidPanel = /id="related-callerid-id_cc_card".*?<\/section>/s.exec(page.text)?.[0];
      t.notMatch(cidPanel, /99999/, "another card's caller ID is not there");
      t.match(cidPanel, /View in list/);
      t.match(page.text, /<p class="empty">No payments yet\.<\/p>/);
    });

    await t.test(
      'the Add link opens the form prefilled with the card, and the filtered list shows the rows',
      async (t) => {
        const add = await client.get(`/admin/callerid/add/?id_cc_card=${card}`);
        t.equal(add.status, 200);
        t.match(add.text, new RegExp(`id="field-id_cc_card" name="id_cc_card"[^>]*value="${card}"`));
        const saved = await client.post('/admin/callerid/add/', {
          cid: '31009',
          id_cc_card: String(card),
          _action: 'save',
        });
        t.equal(saved.status, 303);
        const page = await client.get(`/admin/card/${card}/`);
        t.match(page.text, /Caller IDs <span class="count">4<\/span>/);
        const list = await client.get(`/admin/logrefill/?card=${card}`);
        t.equal([...list.text.matchAll(/<input type="checkbox" name="id"/g)].length, 8);
      },
    );

    await t.test('a big table without an index on the reference is linked, not searched', async (t) => {
      const saved = { ...RELATED_LIMITS };
      t.teardown(() => Object.assign(RELATED_LIMITS, saved));
      Object.assign(RELATED_LIMITS, { largeTable: 3, sizeTtlMs: 0 });
      service.statements.length = 0;
      const page = await client.get(`/admin/card/${card}/`);
      t.match(page.text, /Refills <span class="count">…<\/span>/);
      const refillPanel = /id="related-logrefill-card".*?<\/section>/s.exec(page.text)?.[0];
      t.match(
        refillPanel,
        /Not listed here: with no index on card, finding them means reading every one of the refills/,
      );
      t.match(refillPanel, /href="\/admin\/logrefill\/\?card=\d+">View all<\/a>/);
      t.notOk(
        service.statements.some((sql) => /FROM `?cc_logrefill`? WHERE/.test(sql)),
        'no query looks for the card in cc_logrefill',
      );
      t.match(page.text, /Charges <span class="count">7<\/span>/, 'an indexed reference is still listed and counted');
    });

    await t.test("a card group's page lists its cards", async (t) => {
      const page = await client.get(`/admin/cardgroup/${mine}/`);
      t.match(page.text, /Cards <span class="count">1<\/span>/);
      t.match(page.text, new RegExp(`href="/admin/card/${card}/"`));
      t.match(page.text, new RegExp(`href="/admin/card/add/\\?id_group=${mine}">Add card</a>`));
    });

    await t.test("an agent sees only its scope's related rows, and no Add where its role may not create", async (t) => {
      const users = new UserStore(service.backend.db);
      const id = await users.create({
        username: 'agent7',
        email: 'agent7@example.com',
        password: PASSWORD,
        active: true,
        admin: true,
      });
      await users.setRole(id, 'agent', { agent: '7' });
      const agent = adminClient(service.baseUrl);
      t.equal((await agent.login('agent7', PASSWORD)).status, 303);
      const page = await agent.get(`/admin/card/${card}/`);
      t.equal(page.status, 200);
      t.match(page.text, /Charges <span class="count">7<\/span>/);
      t.match(page.text, /href="\/admin\/callerid\/add\/\?id_cc_card=\d+">Add caller ID/, 'agents add caller IDs');
      t.notMatch(page.text, /href="\/admin\/logrefill\/add\//, 'but no refills: their role only reads them');
      const foreign = await agent.get(`/admin/card/${other}/`);
      t.equal(foreign.status, 303, "another agent's card is out of reach");
      const group = await agent.get(`/admin/cardgroup/${mine}/`);
      t.match(group.text, /Cards <span class="count">1<\/span>/);
      t.notMatch(group.text, /History/, 'no History link: the agent may not read the audit trail');
    });

    await t.test('History: a link on the page, entries in words, newest first, linked', async (t) => {
      await client.get(`/admin/card/${card}/`);
      const page = await client.get(`/admin/card/${card}/`);
      t.match(page.text, new RegExp(`href="/admin/card/${card}/history/">History</a>`));
      const edit = await client.post(`/admin/card/${card}/`, {
        status: '7',
        '_orig.status': '1',
        _action: 'continue',
      });
      t.equal(edit.status, 303);
      const history = await client.get(`/admin/card/${card}/history/`);
      t.equal(history.status, 200);
      const entries = [...history.text.matchAll(/<li class="history-entry">(.*?)<\/li>/gs)].map((m) => m[1]!);
      t.equal(entries.length, 2, 'the create and the update');
      const text = (entry: string) => entry.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
      t.match(text(entries[0]!), /Updated .* by operator/);
      t.match(text(entries[0]!), /Changed Status from ACTIVE to SUSPENDED FOR LITIGATION/, 'labels and choice names');
      t.match(text(entries[1]!), /Created with \d+ values/);
      t.match(entries[1], /<details class="history-values">/, 'a create lists its values under a disclosure');
      t.match(text(entries[1]!), /Last name\s*Wang/);
      const entryId = /href="\/admin\/audit\/(\d+)\/">Entry/.exec(entries[0]!)?.[1];
      const entry = await client.get(`/admin/audit/${entryId}/`);
      t.match(text(entry.text), /Changed Status from ACTIVE to SUSPENDED FOR LITIGATION/);
      t.match(entry.text, new RegExp(`href="/admin/card/${card}/">Open card ${card}</a>`));
      const trail = await client.get('/admin/audit/?resource=card');
      t.match(trail.text, new RegExp(`<a href="/admin/card/${card}/">${card}</a>`), 'the trail links rows');
    });

    await t.test('creating a user and granting admin are in the trail, the password masked', async (t) => {
      await client.get('/admin/user/add/');
      const added = await client.post('/admin/user/add/', {
        username: 'clerk',
        email: 'clerk@example.com',
        password: 'long enough',
        password2: 'long enough',
        active: '1',
      });
      t.equal(added.status, 303);
      const [row] = await service.backend.raw("SELECT id FROM `user` WHERE username = 'clerk'");
      const id = Number(row!.id);
      await client.get(`/admin/user/${id}/`);
      const granted = await client.post(`/admin/user/${id}/`, { email: 'clerk@example.com', active: '1', admin: '1' });
      t.equal(granted.status, 303);
      const entries = await service.backend.raw(
        "SELECT action, old_values, new_values FROM a2gen_audit WHERE resource = 'user' AND row_key = ? ORDER BY id",
        [String(id)],
      );
      t.equal(entries.length, 2);
      t.equal(entries[0]!.action, 'create');
      t.match(String(entries[0]!.new_values), /"password":"\*\*\*\*\*\*\*\*"/);
      t.notMatch(String(entries[0]!.new_values), /long enough/);
      t.same(JSON.parse(String(entries[1]!.old_values)), { admin: false });
      t.same(JSON.parse(String(entries[1]!.new_values)), { admin: true });
      const page = await client.get(`/admin/user/${id}/`);
      t.match(page.text, new RegExp(`href="/admin/audit/\\?resource=user&amp;row_key=${id}&amp;ordering=-id">History`));
    });
  });
}
