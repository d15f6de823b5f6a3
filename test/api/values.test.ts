/**
 * COMPAT.md "Values": how each column type travels as JSON, checked through
 * HTTP and, where storage matters, against the database itself.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService, type Response, type Service } from '../helpers/service.js';

type Assert = Pick<typeof t, 'ok' | 'equal' | 'match' | 'notMatch' | 'same' | 'type' | 'not' | 'notOk'>;
type Json = Record<string, any>;

const ZERO_DATE = '0000-00-00 00:00:00';
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const ZERO_DATE_COLUMNS = ['firstusedate', 'expirationdate', 'lastuse', 'servicelastrun'] as const;
const WRITE_ONLY = ['uipass', 'lock_pin', 'loginkey'] as const;

let serial = 0;
/** The five fields a card needs, with a username and alias no other card has. */
function newCard(extra: Json = {}): Json {
  serial += 1;
  return {
    username: `v${serial}`,
    useralias: `alias-v${serial}`,
    uipass: `pw-${serial}`,
    credit: 0,
    tariff: 1,
    ...extra,
  };
}

/** A 4xx JSON error with the expected status that names each of `fields`. */
function expectError(t: Assert, response: Response, status: number, fields: string[], label: string): void {
  t.equal(response.status, status, `${label}: status ${status}`, { found: response.text });
  t.match(response.headers.get('content-type') ?? '', /^application\/json/, `${label}: a JSON body`);
  t.ok(typeof response.json?.error === 'string' && typeof response.json?.code === 'string', `${label}: {error, code}`, {
    found: response.json,
  });
  const named = Array.isArray(response.json?.fields) ? response.json.fields.map((problem: Json) => problem.field) : [];
  for (const field of fields) t.ok(named.includes(field), `${label}: fields names ${field}`, { found: response.json });
}

async function create(service: Service, body: Json): Promise<Response> {
  return service.request('/api/card/', { method: 'POST', body });
}

/** Creates a card that must succeed and returns the created object. */
async function created(t: Assert, service: Service, body: Json, label: string): Promise<Json> {
  const response = await create(service, body);
  t.equal(response.status, 200, `${label}: created`, { found: response.text });
  return response.json ?? {};
}

async function rawRow(service: Service, id: unknown, columns: string): Promise<Json> {
  const [row] = await service.backend.raw(`SELECT ${columns} FROM cc_card WHERE id = ?`, [id]);
  return row ?? {};
}

async function cardCount(service: Service): Promise<number> {
  const [row] = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_card');
  return Number(row?.n);
}

/** The row as GET one and as the list (filtered to it) show it. */
async function readBack(t: Assert, service: Service, id: unknown): Promise<{ one: Json; listed: Json }> {
  const one = await service.request(`/api/card/${id}/`);
  t.equal(one.status, 200, `GET /api/card/${id}/`);
  const list = await service.request(`/api/card/?id=${id}`);
  t.equal(list.status, 200, `GET /api/card/?id=${id}`);
  t.equal(list.json?.objects?.length, 1, 'the list finds the row');
  return { one: one.json ?? {}, listed: list.json?.objects?.[0] ?? {} };
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());

    await t.test('DECIMAL(15,5) credit is an exact JSON number', async (t) => {
      const cases: [unknown, number, string][] = [
        [5, 5, '5.00000'],
        [5.5, 5.5, '5.50000'],
        [0.12346, 0.12346, '0.12346'],
        ['5', 5, '5.00000'],
        [-5.5, -5.5, '-5.50000'],
        [9999999999.99999, 9999999999.99999, '9999999999.99999'],
        ['9999999999.99999', 9999999999.99999, '9999999999.99999'],
      ];
      for (const [sent, expected, mysqlText] of cases) {
        const label = `credit ${JSON.stringify(sent)}`;
        const card = await created(t, service, newCard({ credit: sent }), label);
        t.equal(card.credit, expected, `${label}: POST returns ${expected}`);
        const { one, listed } = await readBack(t, service, card.id);
        t.equal(one.credit, expected, `${label}: GET one returns ${expected}`);
        t.equal(listed.credit, expected, `${label}: the list returns ${expected}`);
        const stored = (await rawRow(service, card.id, 'credit')).credit;
        t.equal(Number(stored), expected, `${label}: stored as ${expected}`);
        if (name === 'mysql') t.equal(stored, mysqlText, `${label}: MySQL holds ${mysqlText}`);
      }
    });

    await t.test('DECIMAL out of scale or range is a 400 naming the field', async (t) => {
      const before = await cardCount(service);
      expectError(
        t,
        await create(service, newCard({ credit: 1.123456 })),
        400,
        ['credit'],
        'credit 1.123456 (over scale)',
      );
      expectError(
        t,
        await create(service, newCard({ credit: '1.123456' })),
        400,
        ['credit'],
        'credit "1.123456" (over scale)',
      );
      expectError(
        t,
        await create(service, newCard({ credit: 10000000000 })),
        400,
        ['credit'],
        'credit 10000000000 (over range)',
      );
      expectError(
        t,
        await create(service, newCard({ credit: -10000000000 })),
        400,
        ['credit'],
        'credit -10000000000 (over range)',
      );
      expectError(t, await create(service, newCard({ credit: 'abc' })), 400, ['credit'], 'credit "abc"');
      expectError(
        t,
        await create(service, newCard({ discount: 1000 })),
        400,
        ['discount'],
        'discount 1000 (over range)',
      );
      expectError(
        t,
        await create(service, newCard({ discount: 1.234 })),
        400,
        ['discount'],
        'discount 1.234 (over scale)',
      );
      t.equal(await cardCount(service), before, 'no card was created');

      const card = await created(t, service, newCard({ discount: 999.99 }), 'discount 999.99');
      t.equal(card.discount, 999.99, 'discount 999.99 is returned exactly');
      const stored = (await rawRow(service, card.id, 'discount')).discount;
      t.equal(Number(stored), 999.99, 'discount 999.99 is stored exactly');
      if (name === 'mysql') t.equal(stored, '999.99', 'MySQL holds 999.99');

      const patched = await service.request(`/api/card/${card.id}/`, { method: 'PATCH', body: { credit: 1.123456 } });
      expectError(t, patched, 400, ['credit'], 'PATCH credit 1.123456');
      t.equal(Number((await rawRow(service, card.id, 'credit')).credit), 0, 'the failed PATCH left credit alone');
    });

    await t.test('integers are JSON integers; strings are parsed, bad values refused', async (t) => {
      const card = await created(
        t,
        service,
        newCard({ tariff: '1', status: '2', traffic: '12345678901' }),
        'tariff "1"',
      );
      t.equal(card.tariff, 1, 'tariff "1" returns the number 1');
      t.type(card.tariff, 'number', 'tariff is a JSON number');
      t.equal(card.status, 2, 'status "2" returns 2');
      t.equal(card.traffic, 12345678901, 'a BIGINT past 2^32 stays exact');
      t.type(card.id, 'number', 'POST: id is a JSON number');
      t.equal(Number((await rawRow(service, card.id, 'tariff')).tariff), 1, 'tariff stored as 1');
      const { one, listed } = await readBack(t, service, card.id);
      t.type(one.id, 'number', 'GET one: id is a JSON number');
      t.type(listed.id, 'number', 'list: id is a JSON number');
      t.same([one.tariff, listed.tariff], [1, 1], 'tariff reads back as 1');

      const group = await service.request('/api/cardgroup/', {
        method: 'POST',
        body: { name: 'ints', users_perms: '6' },
      });
      t.equal(group.status, 200, 'cardgroup created');
      t.type(group.json?.id, 'number', 'cardgroup id is a JSON number');
      t.equal(group.json?.users_perms, 6, 'users_perms "6" returns 6');

      const before = await cardCount(service);
      expectError(t, await create(service, newCard({ tariff: 2147483648 })), 400, ['tariff'], 'tariff 2147483648');
      expectError(t, await create(service, newCard({ tariff: -2147483649 })), 400, ['tariff'], 'tariff -2147483649');
      expectError(t, await create(service, newCard({ tariff: 1.5 })), 400, ['tariff'], 'tariff 1.5');
      expectError(t, await create(service, newCard({ tariff: '1.5' })), 400, ['tariff'], 'tariff "1.5"');
      expectError(t, await create(service, newCard({ tariff: true })), 400, ['tariff'], 'tariff true');
      expectError(
        t,
        await create(service, newCard({ restriction: 128 })),
        400,
        ['restriction'],
        'tinyint restriction 128',
      );
      expectError(
        t,
        await create(service, newCard({ notify_email: 32768 })),
        400,
        ['notify_email'],
        'smallint notify_email 32768',
      );
      t.equal(await cardCount(service), before, 'no card was created');
      const edge = await created(t, service, newCard({ tariff: 2147483647, restriction: -128 }), 'tariff 2147483647');
      t.equal(edge.tariff, 2147483647, 'the largest INT is accepted');
      t.equal(edge.restriction, -128, 'the smallest TINYINT is accepted');
    });

    await t.test('BIGINT past 2^53 stays exact and never breaks a read', async (t) => {
      const big = '9007199254740993';
      const cast = name === 'mysql' ? 'CHAR' : 'TEXT';
      const response = await create(service, newCard({ traffic: big, num_trials_done: '9223372036854775807' }));
      const id =
        response.json?.id ??
        (await service.backend.raw('SELECT id FROM cc_card WHERE traffic > 9007199254740991'))[0]?.id;
      t.equal(response.status, 200, `POST traffic "${big}": 200`, { found: response.text.slice(0, 300) });
      t.match(response.text, new RegExp(`"traffic":"?${big}"?[,}]`), `POST returns traffic ${big} exactly`);
      const [stored] = await service.backend.raw(
        `SELECT CAST(traffic AS ${cast}) AS traffic, CAST(num_trials_done AS ${cast}) AS trials FROM cc_card WHERE id = ?`,
        [id],
      );
      t.same(stored, { traffic: big, trials: '9223372036854775807' }, 'stored exactly');
      const one = await service.request(`/api/card/${id}/`);
      t.equal(one.status, 200, 'GET one of that card: 200', { found: one.text.slice(0, 300) });
      t.match(one.text, new RegExp(`"traffic":"?${big}"?[,}]`), `GET one returns traffic ${big} exactly`);
      t.match(
        one.text,
        /"num_trials_done":"?9223372036854775807"?[,}]/,
        'GET one returns num_trials_done 2^63-1 exactly',
      );
      const listed = await service.request(`/api/card/?id=${id}&fields=id,traffic`);
      t.equal(listed.status, 200, 'a list holding that card: 200', { found: listed.text.slice(0, 300) });
      t.match(listed.text, new RegExp(`"traffic":"?${big}"?[,}]`), `the list returns traffic ${big} exactly`);
      const all = await service.request('/api/card/?limit=100');
      t.equal(all.status, 200, 'the whole list still answers', { found: all.text.slice(0, 300) });
      // Other subtests list every card: take this one away again.
      const deleted = await service.request(`/api/card/${id}/`, { method: 'DELETE' });
      t.equal(deleted.status, 200, 'the card is deleted again');
    });

    await t.test('FLOAT vat reads as MySQL shows it', async (t) => {
      for (const [sent, expected] of [
        [0.1, 0.1],
        [21, 21],
        ['0.1', 0.1],
        [19.6, 19.6],
      ] as const) {
        const label = `vat ${JSON.stringify(sent)}`;
        const card = await created(t, service, newCard({ vat: sent }), label);
        t.equal(card.vat, expected, `${label}: POST returns ${expected}`);
        const { one, listed } = await readBack(t, service, card.id);
        t.equal(one.vat, expected, `${label}: GET one returns ${expected}`);
        t.equal(listed.vat, expected, `${label}: the list returns ${expected}`);
        const fields = await service.request(`/api/card/?id=${card.id}&fields=id,vat`);
        t.same(fields.json?.objects, [{ id: card.id, vat: expected }], `${label}: ?fields=id,vat returns ${expected}`);
        const filtered = await service.request(`/api/card/?vat=${expected}&id=${card.id}`);
        t.same(
          filtered.json?.objects?.map((row: Json) => row.id),
          [card.id],
          `${label}: ?vat=${expected}, the value as listed, finds the row`,
        );
      }
      const before = await cardCount(service);
      expectError(
        t,
        await create(service, newCard({ vat: '0x10' })),
        400,
        ['vat'],
        'vat "0x10" (not a decimal number)',
      );
      expectError(t, await create(service, newCard({ vat: 'abc' })), 400, ['vat'], 'vat "abc"');
      expectError(t, await create(service, newCard({ vat: 3.5e38 })), 400, ['vat'], 'vat 3.5e38 (past FLOAT)');
      t.equal(await cardCount(service), before, 'no card was created');
    });

    await t.test('TIMESTAMP values are "YYYY-MM-DD HH:MM:SS"', async (t) => {
      const card = await created(t, service, newCard({ firstusedate: '2024-01-02T03:04:05' }), 'firstusedate with a T');
      t.match(card.creationdate, DATE_TIME, 'POST: creationdate format');
      t.equal(card.firstusedate, '2024-01-02 03:04:05', 'POST: firstusedate without the T');
      const { one, listed } = await readBack(t, service, card.id);
      for (const [where, row] of [
        ['GET one', one],
        ['list', listed],
      ] as const) {
        t.match(row.creationdate, DATE_TIME, `${where}: creationdate format`);
        t.equal(row.firstusedate, '2024-01-02 03:04:05', `${where}: firstusedate`);
      }
      const stored = await rawRow(service, card.id, 'firstusedate');
      t.equal(stored.firstusedate, '2024-01-02 03:04:05', 'stored as 2024-01-02 03:04:05');

      const edges = await created(
        t,
        service,
        newCard({
          expirationdate: '2038-01-19 03:14:07',
          lastuse: '1970-01-01 00:00:01',
          lock_date: '2030-06-15 12:00:00',
        }),
        'TIMESTAMP range edges',
      );
      t.equal(edges.expirationdate, '2038-01-19 03:14:07', 'the last TIMESTAMP second is accepted');
      t.equal(edges.lastuse, '1970-01-01 00:00:01', 'the first TIMESTAMP second is accepted');
      t.equal(edges.lock_date, '2030-06-15 12:00:00', 'a nullable TIMESTAMP takes a value');
      t.equal(edges.last_notification, null, 'a really NULL TIMESTAMP reads null');

      const before = await cardCount(service);
      for (const [field, value] of [
        ['expirationdate', '2040-01-01 00:00:00'],
        ['expirationdate', '2038-01-19 03:14:08'],
        ['firstusedate', '1969-12-31 23:59:59'],
        ['firstusedate', '2024-02-30 00:00:00'],
        ['firstusedate', '2024-13-01 00:00:00'],
        ['firstusedate', '2024-01-01 24:00:00'],
        ['firstusedate', 'yesterday'],
        ['creationdate', '2040-01-01 00:00:00'],
        ['lock_date', '1969-12-31 23:59:59'],
      ] as const) {
        expectError(t, await create(service, newCard({ [field]: value })), 400, [field], `${field} ${value}`);
      }
      t.equal(await cardCount(service), before, 'no card was created');
      const patched = await service.request(`/api/card/${card.id}/`, {
        method: 'PATCH',
        body: { firstusedate: '2040-01-01 00:00:00' },
      });
      expectError(t, patched, 400, ['firstusedate'], 'PATCH firstusedate 2040-01-01');
      t.equal(
        (await rawRow(service, card.id, 'firstusedate')).firstusedate,
        '2024-01-02 03:04:05',
        'the failed PATCH left it alone',
      );
    });

    await t.test('zero dates read null, and null writes the zero date', async (t) => {
      const card = await created(t, service, newCard(), 'a new card');
      const { one, listed } = await readBack(t, service, card.id);
      for (const column of ZERO_DATE_COLUMNS) {
        t.equal(card[column], null, `POST: ${column} is null`);
        t.equal(one[column], null, `GET one: ${column} is null`);
        t.equal(listed[column], null, `list: ${column} is null`);
      }
      const stored = await rawRow(service, card.id, ZERO_DATE_COLUMNS.join(', '));
      for (const column of ZERO_DATE_COLUMNS) t.equal(stored[column], ZERO_DATE, `${column} holds the zero date`);

      const set = await service.request(`/api/card/${card.id}/`, {
        method: 'PATCH',
        body: { firstusedate: '2024-05-06 07:08:09' },
      });
      t.equal(set.json?.firstusedate, '2024-05-06 07:08:09', 'firstusedate set');
      const cleared = await service.request(`/api/card/${card.id}/`, { method: 'PATCH', body: { firstusedate: null } });
      t.equal(cleared.status, 200, 'PATCH firstusedate null');
      t.equal(cleared.json?.firstusedate, null, 'firstusedate reads null again');
      t.equal(
        (await rawRow(service, card.id, 'firstusedate')).firstusedate,
        ZERO_DATE,
        'null stored the zero date again',
      );

      const withDate = await created(t, service, newCard({ expirationdate: null }), 'expirationdate null on create');
      t.equal(withDate.expirationdate, null, 'expirationdate null reads null');
      t.equal(
        (await rawRow(service, withDate.id, 'expirationdate')).expirationdate,
        ZERO_DATE,
        'null on create stores the zero date',
      );
    });

    await t.test('a partial update never rewrites a zero date or another timestamp', async (t) => {
      const dates = 'creationdate, firstusedate, expirationdate, lastuse, servicelastrun, last_notification, lock_date';
      const zero = await created(t, service, newCard(), 'card with zero dates');
      const dated = await created(
        t,
        service,
        newCard({ firstusedate: '2020-02-02 02:02:02', lock_date: '2021-01-01 00:00:00' }),
        'card with dates',
      );
      // A column rewritten to "now" (ON UPDATE CURRENT_TIMESTAMP) would then differ from its creation second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      for (const card of [zero, dated]) {
        for (const [method, body] of [
          ['PATCH', { lastname: 'Partial' }],
          ['PUT', { credit: 7 }],
          ['POST', { tag: 'post-update' }],
          ['PATCH', {}],
        ] as const) {
          const label = `${method} ${JSON.stringify(body)} on card ${card.username}`;
          const before = await rawRow(service, card.id, dates);
          const response = await service.request(`/api/card/${card.id}/`, { method, body });
          t.equal(response.status, 200, `${label}: 200`);
          for (const [key, value] of Object.entries(body))
            t.equal(response.json?.[key], value, `${label}: ${key} written`);
          t.same(await rawRow(service, card.id, dates), before, `${label}: timestamps untouched`);
        }
      }
    });

    await t.test('strings: lengths in characters, utf8 (3-byte) only', async (t) => {
      const flag = await created(t, service, newCard({ activated: 't' }), 'activated t');
      t.equal(flag.activated, 't', 'activated stays "t"');
      t.equal((await readBack(t, service, flag.id)).one.activated, 't', 'GET one: activated "t"');
      const plain = await created(t, service, newCard(), 'activated default');
      t.equal(plain.activated, 'f', 'activated defaults to "f"');

      const before = await cardCount(service);
      expectError(
        t,
        await create(service, newCard({ username: 'u'.repeat(51) })),
        400,
        ['username'],
        '51-character username',
      );
      expectError(
        t,
        await create(service, newCard({ username: 'é'.repeat(51) })),
        400,
        ['username'],
        '51 × é username',
      );
      expectError(t, await create(service, newCard({ lastname: 'Smith 😀' })), 400, ['lastname'], 'emoji in lastname');
      expectError(t, await create(service, newCard({ activated: 'tt' })), 400, ['activated'], 'activated "tt"');
      t.equal(await cardCount(service), before, 'the table is unchanged');

      const patched = await service.request(`/api/card/${plain.id}/`, { method: 'PATCH', body: { lastname: '😀' } });
      expectError(t, patched, 400, ['lastname'], 'PATCH emoji in lastname');
      t.equal((await rawRow(service, plain.id, 'lastname')).lastname, '', 'the failed PATCH left lastname alone');

      const long = await created(
        t,
        service,
        newCard({ username: 'é'.repeat(50), useralias: 'a'.repeat(50) }),
        '50 × é username',
      );
      t.equal(long.username, 'é'.repeat(50), '50 two-byte characters round-trip');
      t.equal((await rawRow(service, long.id, 'username')).username, 'é'.repeat(50), '50 × é stored');

      const wide = await created(
        t,
        service,
        newCard({ lastname: '€中文', city: '中'.repeat(40) }),
        '3-byte characters',
      );
      t.equal(wide.lastname, '€中文', 'POST: € and 中 round-trip');
      t.equal(wide.city, '中'.repeat(40), 'POST: 40 × 中 fits varchar(40)');
      const { one, listed } = await readBack(t, service, wide.id);
      t.equal(one.lastname, '€中文', 'GET one: € and 中 round-trip');
      t.equal(listed.lastname, '€中文', 'list: € and 中 round-trip');
      const stored = await rawRow(service, wide.id, 'lastname, city');
      t.same(stored, { lastname: '€中文', city: '中'.repeat(40) }, 'stored verbatim');
      const found = await service.request(`/api/card/?lastname=${encodeURIComponent('€中文')}`);
      t.same(
        found.json?.objects?.map((row: Json) => row.id),
        [wide.id],
        'a filter finds it by its 3-byte value',
      );
    });

    await t.test('write-only columns are stored but never shown', async (t) => {
      const secrets = { uipass: 'secret-pass', lock_pin: '4321', loginkey: 'key-abc' };
      const response = await create(service, newCard(secrets));
      t.equal(response.status, 200, 'created with uipass, lock_pin and loginkey');
      const card = response.json ?? {};
      t.same(await rawRow(service, card.id, 'uipass, lock_pin, loginkey'), secrets, 'all three stored');
      const { one } = await readBack(t, service, card.id);
      const list = await service.request('/api/card/?limit=100');
      for (const column of WRITE_ONLY) {
        t.notOk(column in card, `POST: no ${column}`);
        t.notOk(column in one, `GET one: no ${column}`);
        t.ok(
          list.json?.objects?.length > 0 && list.json.objects.every((row: Json) => !(column in row)),
          `list: no ${column}`,
        );
      }
      for (const value of Object.values(secrets)) {
        t.notMatch(response.text + list.text, value, `the secret ${value} appears in no response`);
      }

      const update = { uipass: 'new-pass', lock_pin: '9999', loginkey: 'key-new' };
      const patched = await service.request(`/api/card/${card.id}/`, { method: 'PATCH', body: update });
      t.equal(patched.status, 200, 'PATCH of the write-only columns');
      for (const column of WRITE_ONLY) t.notOk(column in (patched.json ?? {}), `PATCH: no ${column}`);
      t.same(await rawRow(service, card.id, 'uipass, lock_pin, loginkey'), update, 'all three updated');
      const cleared = await service.request(`/api/card/${card.id}/`, { method: 'PATCH', body: { lock_pin: null } });
      t.equal(cleared.status, 200, 'PATCH lock_pin null');
      t.equal((await rawRow(service, card.id, 'lock_pin')).lock_pin, null, 'lock_pin NULL stored');

      for (const query of [
        'fields=uipass',
        'fields=id,lock_pin',
        'fields=loginkey',
        'uipass=x',
        'uipass=new-pass',
        'lock_pin=9999',
        'loginkey__like=key%25',
        'uipass__is_null=false',
        'ordering=uipass',
        'ordering=-lock_pin',
        'ordering=id,loginkey',
      ]) {
        const listed = await service.request(`/api/card/?${query}`);
        expectError(t, listed, 400, [], `?${query}`);
        t.notMatch(listed.text, 'new-pass', `?${query}: the password is not revealed`);
      }
    });

    await t.test('create returns the row as stored, database defaults included', async (t) => {
      const response = await create(service, {
        username: 'defaults',
        useralias: 'defaults',
        uipass: 'x',
        credit: '5',
        tariff: '1',
      });
      t.equal(response.status, 200, 'created with only the required fields');
      const card = response.json ?? {};
      t.match(
        card,
        {
          username: 'defaults',
          useralias: 'defaults',
          credit: 5,
          tariff: 1,
          status: 1,
          currency: 'USD',
          language: 'en',
          id_group: 1,
          max_concurrent: 10,
          credit_notification: -1,
          mac_addr: '00-00-00-00-00-00',
          activated: 'f',
          country: 'USA',
          lastname: '',
          vat: 0,
          discount: 0,
          initialbalance: 0,
          invoiceday: 1,
          enableexpire: 0,
          simultaccess: 0,
          typepaid: 0,
          last_notification: null,
          lock_date: null,
          vat_rn: null,
          traffic: null,
          id_seria: null,
        },
        'the database defaults are in the response',
      );
      t.match(card.creationdate, DATE_TIME, 'creationdate is set by the database');
      const { one } = await readBack(t, service, card.id);
      const withoutSerial = ({ serial: _serial, ...rest }: Json) => rest;
      t.same(withoutSerial(card), withoutSerial(one), 'POST returns exactly what GET one reads');
      const stored = await rawRow(
        service,
        card.id,
        'status, currency, language, id_group, max_concurrent, credit_notification, mac_addr',
      );
      t.same(
        {
          ...stored,
          status: Number(stored.status),
          id_group: Number(stored.id_group),
          max_concurrent: Number(stored.max_concurrent),
          credit_notification: Number(stored.credit_notification),
        },
        {
          status: 1,
          currency: 'USD',
          language: 'en',
          id_group: 1,
          max_concurrent: 10,
          credit_notification: -1,
          mac_addr: '00-00-00-00-00-00',
        },
        'the defaults are what the database holds',
      );
      const group = await service.request('/api/cardgroup/', { method: 'POST', body: {} });
      t.equal(group.status, 200, 'an empty cardgroup is created');
      t.match(
        group.json,
        { name: null, description: null, users_perms: 0, id_agent: null, provisioning: null },
        'cardgroup defaults',
      );
    });
  });
}
