/**
 * Concurrency without loss, on both databases: the old README's `ab` stress
 * test, a race for one username, and concurrent partial updates of one card.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { BACKENDS, PROJECT_ROOT } from '../helpers/backends.js';
import { PASSWORD, startService, USERNAME } from '../helpers/service.js';

const run = promisify(execFile);

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const count = async (table: string) =>
      Number((await service.backend.raw(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);

    await t.test('ab -c 100 -n 1000 of form-encoded creates: 1000 answers 200, 1000 rows', async (t) => {
      const before = await count('cc_card_group');
      let output: string;
      try {
        ({ stdout: output } = await run(
          'ab',
          [
            '-q',
            '-c',
            '100',
            '-n',
            '1000',
            '-p',
            path.join(PROJECT_ROOT, 'test/post.txt'),
            '-T',
            'application/x-www-form-urlencoded',
            '-A',
            `${USERNAME}:${PASSWORD}`,
            `${service.baseUrl}/api/cardgroup/`,
          ],
          { maxBuffer: 1 << 20 },
        ));
      } catch (error) {
        throw new Error(`ab failed (apache2-utils provides it): ${(error as Error).message}`);
      }
      t.match(output, /Complete requests:\s+1000\b/);
      // ab calls a response "failed" when its length differs from the first one's; ids grow from one digit to four,
      // so only connection, receive and exception failures count here.
      t.match(
        output,
        /Connect: 0, Receive: 0, Length: \d+, Exceptions: 0|Failed requests:\s+0\b/,
        'no connection, receive or exception failure',
      );
      t.notMatch(output, /Non-2xx responses/, 'every response is 2xx');
      t.equal(await count('cc_card_group'), before + 1000, 'exactly 1000 rows created');
      const rows = await service.backend.raw(
        "SELECT COUNT(*) AS n FROM cc_card_group WHERE name = 'stress-test' AND description = 'created by ab'",
      );
      t.equal(Number(rows[0]!.n), 1000, 'each row holds what was sent');
    });

    await t.test('100 concurrent creates of one username: one 200, 99 409', async (t) => {
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, index) =>
          service.request('/api/card/', {
            method: 'POST',
            body: { username: 'race', useralias: `race-${index}`, uipass: 'x', credit: 1, tariff: 1 },
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      t.equal(statuses.filter((status) => status === 200).length, 1, 'one winner');
      t.equal(statuses.filter((status) => status === 409).length, 99, '99 conflicts');
      t.equal(
        Number((await service.backend.raw("SELECT COUNT(*) AS n FROM cc_card WHERE username = 'race'"))[0]!.n),
        1,
      );
    });

    await t.test('100 concurrent partial updates of different fields all persist', async (t) => {
      const fields = [
        'lastname',
        'firstname',
        'address',
        'city',
        'state',
        'country',
        'zipcode',
        'phone',
        'email',
        'fax',
        'redial',
        'tag',
        'email_notification',
        'company_name',
        'company_website',
        'traffic_target',
        'vat_rn',
        'loginkey',
        'uipass',
        'lock_pin',
      ];
      const numbers = [
        'expiredays',
        'tariff',
        'id_didgroup',
        'status',
        'inuse',
        'simultaccess',
        'nbused',
        'typepaid',
        'creditlimit',
        'voipcall',
        'sip_buddy',
        'iax_buddy',
        'runservice',
        'nbservice',
        'id_campaign',
        'num_trials_done',
        'invoiceday',
        'autorefill',
        'id_timezone',
        'voicemail_permitted',
        'voicemail_activated',
        'notify_email',
        'credit_notification',
        'id_group',
        'traffic',
        'restriction',
        'block',
        'max_concurrent',
        'enableexpire',
        'id_seria',
      ];
      t.equal(fields.length + numbers.length, 50, '50 different fields a card');
      const ids: number[] = [];
      for (const index of [1, 2]) {
        const card = await service.request('/api/card/', {
          method: 'POST',
          body: { username: `multi${index}`, useralias: `multi${index}`, uipass: 'x', credit: 0, tariff: 0 },
        });
        ids.push(card.json.id);
      }
      // Text fields get their name and the card's id; the email columns (format email) an address of them.
      const expected = (id: number, field: string) =>
        field.startsWith('email')
          ? `${field.slice(0, 8)}-${id}@example.com`
          : fields.includes(field)
            ? `${field.slice(0, 8)}-${id}`
            : (id % 7) + 2 + field.length;
      const updates = ids.flatMap((id) => [...fields, ...numbers].map((field) => ({ id, field })));
      const answers = await Promise.all(
        updates.map(({ id, field }) =>
          service.request(`/api/card/${id}/`, { method: 'PATCH', body: { [field]: expected(id, field) } }),
        ),
      );
      t.same(
        answers.filter((answer) => answer.status !== 200).map((answer) => answer.text),
        [],
        'all 100 updates answer 200',
      );
      for (const id of ids) {
        const [row] = await service.backend.raw('SELECT * FROM cc_card WHERE id = ?', [id]);
        const wrong = [...fields, ...numbers].filter((field) => String(row![field]) !== String(expected(id, field)));
        t.same(wrong, [], `card ${id}: every field holds its update`);
      }
    });
  });
}
