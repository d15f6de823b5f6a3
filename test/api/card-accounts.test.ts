/**
 * A card created with sip_buddy / iax_buddy gets its cc_sip_buddies /
 * cc_iax_buddies row as A2Billing's own admin writes it
 * (Realtime::insert_voip_config, common/lib/Class.Realtime.php; the sources
 * of each value are in docs/voip-accounts.md).
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const create = (username: string, flags: Record<string, number>) =>
      service.request('/api/card/', {
        method: 'POST',
        body: { username, useralias: `${username}-web`, uipass: 'S3cret-web', credit: '0', tariff: 1, ...flags },
      });

    await t.test('sip_buddy and iax_buddy: both accounts, as A2Billing writes them', async (t) => {
      const answer = await create('5550101', { sip_buddy: 1, iax_buddy: 1 });
      t.equal(answer.status, 200, answer.text);
      t.match(answer.json, { username: '5550101', sip_buddy: 1, iax_buddy: 1 });
      const id = answer.json.id as number;
      const [sip] = await service.backend.raw('SELECT * FROM cc_sip_buddies WHERE id_cc_card = ?', [id]);
      // Neither test database has A2Billing's cc_config table: its settings are a fresh install's.
      t.match(sip, {
        name: '5550101', // the card's username (account number)
        accountcode: '5550101', // the same: the AGI finds the card by it
        regexten: '5550101',
        username: '5550101',
        secret: 'S3cret-web', // the card's uipass
        id_cc_card: id,
        callerid: '', // a constant in A2Billing's INSERT
        type: 'friend', // cc_config peer_friend/type
        allow: 'ulaw,alaw,gsm,g729', // peer_friend/allow, spaces removed
        context: 'a2billing', // peer_friend/context
        nat: 'yes', // peer_friend/nat
        amaflags: 'billing', // the code default: the install's row is keyed "amaflag" and never read
        qualify: 'no', // a fresh install's peer_friend/qualify
        host: 'dynamic', // peer_friend/host
        dtmfmode: 'RFC2833', // peer_friend/dtmfmode
      });
      const [iax] = await service.backend.raw('SELECT * FROM cc_iax_buddies WHERE id_cc_card = ?', [id]);
      t.match(iax, {
        name: '5550101',
        accountcode: '5550101',
        secret: 'S3cret-web',
        type: 'friend',
        context: 'a2billing',
        host: 'dynamic',
      });
      const listed = await service.request(`/api/sipbuddy/?id_cc_card=${id}`);
      t.equal(listed.json.objects.length, 1, 'served at /api/sipbuddy/');
      t.notOk('secret' in listed.json.objects[0], 'without its secret');
    });

    await t.test('sip_buddy alone: a SIP account and no IAX one; neither flag: none', async (t) => {
      const sipOnly = (await create('5550102', { sip_buddy: 1 })).json.id as number;
      const plain = (await create('5550103', {})).json.id as number;
      const count = async (table: string, id: number) =>
        Number((await service.backend.raw(`SELECT COUNT(*) AS n FROM ${table} WHERE id_cc_card = ?`, [id]))[0]!.n);
      t.same([await count('cc_sip_buddies', sipOnly), await count('cc_iax_buddies', sipOnly)], [1, 0]);
      t.same([await count('cc_sip_buddies', plain), await count('cc_iax_buddies', plain)], [0, 0]);
    });

    await t.test('an account number too long for an account code is refused, and nothing is written', async (t) => {
      const username = '1234567890123456789012'; // 22 digits: cc_sip_buddies.accountcode is varchar(20)
      const answer = await create(username, { sip_buddy: 1 });
      t.equal(answer.status, 400, answer.text);
      t.match(answer.json.fields, [{ field: 'username' }]);
      const cards = await service.backend.raw('SELECT id FROM cc_card WHERE username = ?', [username]);
      t.equal(cards.length, 0, 'no card');
    });
  });
}
