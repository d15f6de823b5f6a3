/**
 * The SIP and IAX accounts of cards (cc_sip_buddies, cc_iax_buddies) served at
 * /api/sipbuddy/ and /api/iaxbuddy/, on SQLite and on MariaDB: create, read
 * back without the secret, the secret stored, lists, the card reference, the
 * unique peer name, and the NOT NULL columns A2Billing leaves to MySQL's
 * implicit '' filled by the API instead.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';

const SECRETS = { sipbuddy: ['secret', 'md5secret'], iaxbuddy: ['secret'] } as const;
const TABLES = { sipbuddy: 'cc_sip_buddies', iaxbuddy: 'cc_iax_buddies' } as const;

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const { request } = service;
    const card = await request('/api/card/', {
      method: 'POST',
      body: { username: '6508756307', useralias: '312224525577965', uipass: 'card-pass', credit: 0, tariff: 1 },
    });
    t.equal(card.status, 200, 'a card to own the accounts');
    const cardId = card.json.id as number;

    for (const resource of ['sipbuddy', 'iaxbuddy'] as const) {
      await t.test(resource, async (t) => {
        const table = TABLES[resource];
        const created = await request(`/api/${resource}/`, {
          method: 'POST',
          body: {
            id_cc_card: cardId,
            name: '6508756307',
            accountcode: '6508756307',
            username: '6508756307',
            secret: 's3cret',
            ...(resource === 'sipbuddy' && { md5secret: '0123456789abcdef0123456789abcdef' }),
            host: 'dynamic',
            context: 'a2billing',
            allow: 'ulaw,alaw,gsm,g729',
          },
        });
        t.equal(created.status, 200, 'created');
        const id = created.json.id as number;
        for (const secret of SECRETS[resource]) t.notOk(secret in created.json, `the answer leaves out ${secret}`);
        t.match(created.json, {
          id_cc_card: cardId,
          name: '6508756307',
          host: 'dynamic',
          type: 'friend',
          callerid: '',
          fromuser: resource === 'sipbuddy' ? '' : undefined,
          disallow: resource === 'sipbuddy' ? 'ALL' : '',
          qualify: 'yes',
          amaflags: null,
          defaultip: null,
        });

        const read = await request(`/api/${resource}/${id}/`);
        t.equal(read.status, 200);
        for (const secret of SECRETS[resource]) t.notOk(secret in read.json, `a read leaves out ${secret}`);
        t.equal(read.json.accountcode, '6508756307');

        const [stored] = await service.backend.raw(`SELECT * FROM ${table} WHERE id = ?`, [id]);
        t.equal(stored!.secret, 's3cret', 'the secret is stored');
        if (resource === 'sipbuddy') t.equal(stored!.md5secret, '0123456789abcdef0123456789abcdef');
        t.ok('DEFAULTip' in stored!, 'defaultip is the DEFAULTip column');
        t.equal(stored!.mask, '', "a NOT NULL column without a default gets '' (what A2Billing's rows hold)");

        const list = await request(`/api/${resource}/?id_cc_card__username=6508756307`);
        t.equal(list.status, 200);
        t.equal(list.json.objects.length, 1, 'listed through the card reference');
        for (const secret of SECRETS[resource]) t.notOk(secret in list.json.objects[0], `a list leaves out ${secret}`);

        const bySecret = await request(`/api/${resource}/?secret=s3cret`);
        t.equal(bySecret.status, 400, 'a write-only column cannot be filtered');

        const duplicate = await request(`/api/${resource}/`, {
          method: 'POST',
          body: { id_cc_card: cardId, name: '6508756307' },
        });
        t.equal(duplicate.status, 409, 'the peer name is unique');

        const missing = await request(`/api/${resource}/`, { method: 'POST', body: { name: 'x' } });
        t.equal(missing.status, 400, 'a create names its card');

        const patched = await request(`/api/${resource}/${id}/`, { method: 'PATCH', body: { secret: 'changed' } });
        t.equal(patched.status, 200);
        const [after] = await service.backend.raw(`SELECT secret FROM ${table} WHERE id = ?`, [id]);
        t.equal(after!.secret, 'changed', 'the secret can be changed');

        const removed = await request(`/api/${resource}/${id}/`, { method: 'DELETE' });
        t.equal(removed.status, 200);
        t.equal((await request(`/api/${resource}/${id}/`)).status, 404);
      });
    }
  });
}
