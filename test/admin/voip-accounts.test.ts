/**
 * The SIP and IAX accounts in the admin panel, on SQLite and on MariaDB:
 * listed with their card's account number, created from the add form, the
 * secret set but never shown.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService } from './admin-service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const card = await service.api('/api/card/', {
      method: 'POST',
      body: { username: '5550100', useralias: '5550100', uipass: 'x', credit: 0, tariff: 1 },
    });
    t.equal(card.status, 200);
    const client = service.client();
    await client.login();

    for (const [resource, table] of [
      ['sipbuddy', 'cc_sip_buddies'],
      ['iaxbuddy', 'cc_iax_buddies'],
    ] as const) {
      await t.test(resource, async (t) => {
        const form = await client.get(`/admin/${resource}/add/`);
        t.equal(form.status, 200, 'the add form');
        t.match(form.text, /name="secret"/, 'with a secret field');
        t.notMatch(form.text, /name="DEFAULTip"/, 'defaultip under its property name');
        t.match(form.text, /name="defaultip"/);
        const created = await client.post(`/admin/${resource}/add/`, {
          name: '5550100',
          id_cc_card: String(card.json.id),
          secret: 'hidden-secret',
          host: 'dynamic',
        });
        t.equal(created.status, 303, 'created');
        const [row] = await service.backend.raw(`SELECT id, secret, host FROM ${table} WHERE name = '5550100'`);
        t.match(row, { secret: 'hidden-secret', host: 'dynamic' });

        const list = await client.get(`/admin/${resource}/`);
        t.equal(list.status, 200, 'the list');
        t.match(list.text, '5550100');
        t.notMatch(list.text, 'hidden-secret');
        const record = await client.get(`/admin/${resource}/${String(row!.id)}/`);
        t.equal(record.status, 200, 'the edit page');
        t.notMatch(record.text, 'hidden-secret', 'the secret is never shown');
      });
    }
  });
}
