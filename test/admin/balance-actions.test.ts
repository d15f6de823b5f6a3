/**
 * The card page's Refill and Extra charge: the same journalled operations as
 * the old API's endpoints, by the signed-in admin, through forms with CSRF.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService } from './admin-service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const created = await service.api('/api/card/', {
      method: 'POST',
      body: { username: '5550201', useralias: '5550201-web', uipass: '4321', credit: '10', tariff: 1 },
    });
    const id = created.json.id as number;
    const client = service.client();
    t.equal((await client.login()).status, 303);
    const credit = async () =>
      String((await service.backend.raw('SELECT credit FROM cc_card WHERE id = ?', [id]))[0]!.credit);

    const page = await client.get(`/admin/card/${id}/`);
    t.match(page.text, `href="/admin/card/${id}/refill/"`, 'the card page links to Refill');
    t.match(page.text, `href="/admin/card/${id}/extra-charge/"`, 'and to Extra charge');

    t.equal((await client.get(`/admin/card/${id}/refill/`)).status, 200, 'the refill form');
    const refilled = await client.post(`/admin/card/${id}/refill/`, { amount: '5', note: 'cash at the counter' });
    t.equal(refilled.status, 303, 'done: back to the card');
    t.equal(refilled.location, `/admin/card/${id}/`);
    t.match((await client.get(refilled.location!)).text, 'Refilled card', 'with a message');
    t.match(await credit(), /^15(\.0+)?$/, 'the balance went up by 5');
    const [log] = await service.backend.raw('SELECT description FROM cc_logrefill WHERE card_id = ?', [id]);
    t.equal(log!.description, 'cash at the counter', 'the note is kept with the refill');

    await client.get(`/admin/card/${id}/extra-charge/`);
    const wrong = await client.post(`/admin/card/${id}/extra-charge/`, { amount: 'five', note: '' });
    t.equal(wrong.status, 400, 'a wrong amount');
    t.match(wrong.text, 'The amount must be a decimal number');
    const charged = await client.post(`/admin/card/${id}/extra-charge/`, { amount: '2.5', note: '' });
    t.equal(charged.status, 303);
    t.match(await credit(), /^12\.50*$/, 'the balance went down by 2.5');
    const [audit] = await service.backend.raw(
      "SELECT username, note FROM a2gen_audit WHERE resource = 'card' AND row_key = ? AND action = 'adjust' ORDER BY id DESC",
      [String(id)],
    );
    t.match(audit, { username: 'operator', note: /^extra charge \(operation \d+\)$/ }, 'audited as the admin');

    const stranger = service.client();
    t.equal((await stranger.post(`/admin/card/${id}/refill/`, { amount: '1' })).status, 403, 'no CSRF token: refused');
    t.match(await credit(), /^12\.50*$/, 'nothing changed');
  });
}
