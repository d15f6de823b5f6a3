/**
 * SQL injection in every position a client controls: filter values and
 * names, ordering, fields, the primary key in the URL, body values and body
 * keys. Each attempt is a 400 or a harmless literal match; the table is
 * never changed by it and the service keeps answering.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService, type RequestOptions, type Response, type Service } from '../helpers/service.js';

type Assert = Pick<typeof t, 'ok' | 'equal' | 'match' | 'notMatch' | 'same' | 'type' | 'not' | 'notOk'>;
type Json = Record<string, any>;

const SECRETS = ['injection-secret-1', 'injection-secret-2', 'injection-secret-3'];

async function snapshot(service: Service): Promise<Json[]> {
  return service.backend.raw('SELECT * FROM cc_card ORDER BY id');
}

/** Still answering, and still seeing every card. */
async function stillAnswering(t: Assert, service: Service, rows: number, label: string): Promise<void> {
  const response = await service.request('/api/card/?ordering=id');
  t.equal(response.status, 200, `${label}: the service still answers`);
  t.equal(response.json?.objects?.length, rows, `${label}: the list still has ${rows} cards`);
}

/** Never a 500, never HTML, never a secret. */
function wellFormed(t: Assert, response: Response, label: string): void {
  t.not(response.status, 500, `${label}: not a 500`, { found: response.text.slice(0, 500) });
  t.match(response.headers.get('content-type') ?? '', /^application\/json/, `${label}: a JSON body`);
  t.notMatch(response.text, /<html|\n\s+at |SQLITE_|ER_[A-Z_]+|syntax/i, `${label}: no HTML, stack trace or SQL error`);
  for (const secret of SECRETS) t.notMatch(response.text, secret, `${label}: does not reveal a password`);
}

/** A 400 JSON error. */
function badRequest(t: Assert, response: Response, label: string, field?: string): void {
  wellFormed(t, response, label);
  t.equal(response.status, 400, `${label}: 400`, { found: response.text.slice(0, 500) });
  t.ok(typeof response.json?.error === 'string' && typeof response.json?.code === 'string', `${label}: {error, code}`);
  if (field !== undefined) {
    const named = (response.json?.fields ?? []).map((problem: Json) => problem.field);
    t.ok(named.includes(field), `${label}: fields names ${JSON.stringify(field)}`, { found: response.json });
  }
}

/** Sends one attempt and checks that the table is exactly as it was. */
async function attempt(
  t: Assert,
  service: Service,
  path: string,
  options: RequestOptions,
  label: string,
): Promise<Response> {
  const before = await snapshot(service);
  const response = await service.request(path, options);
  wellFormed(t, response, label);
  t.same(await snapshot(service), before, `${label}: cc_card unchanged`);
  await stillAnswering(t, service, before.length, label);
  return response;
}

const list = (query: Record<string, string>) => `/api/card/?${new URLSearchParams(query).toString()}`;

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());

    const ids: number[] = [];
    for (const [index, secret] of SECRETS.entries()) {
      const response = await service.request('/api/card/', {
        method: 'POST',
        body: {
          username: `inj${index + 1}`,
          useralias: `inj-alias${index + 1}`,
          uipass: secret,
          credit: index,
          tariff: 1,
          lastname: `Last${index + 1}`,
        },
      });
      t.equal(response.status, 200, `card ${index + 1} created`);
      ids.push(response.json?.id);
    }

    await t.test('filter values are bound, never spliced', async (t) => {
      // Each a literal match: nothing matches but the last, which matches every row because no lastname equals it.
      const literal: [Record<string, string>, string, number[]][] = [
        [{ username: "' OR '1'='1" }, "username=' OR '1'='1", []],
        [{ username: "inj1' OR '1'='1" }, "username=inj1' OR '1'='1", []],
        [{ username: "inj1'; DROP TABLE cc_card; --" }, 'username=…; DROP TABLE', []],
        [{ username: "inj1\\' OR 1=1 #" }, 'username with a backslash-escaped quote', []],
        [{ username: '" OR ""="' }, 'username with double quotes', []],
        [{ username__like: "%' OR 1=1 -- " }, "username__like=%' OR 1=1 -- ", []],
        [{ username__ilike: "%' OR '1'='1" }, "username__ilike=%' OR '1'='1", []],
        [{ username__contains: "' OR 1=1 --" }, 'username__contains', []],
        [{ username__startswith: "inj' OR 1=1 --" }, 'username__startswith', []],
        [{ username__in: "inj9,') OR ('1'='1" }, 'username__in with a quote', []],
        [{ username__regexp: "' OR 1=1 --" }, 'username__regexp', []],
        [{ lastname__ne: "x' OR '1'='1" }, 'lastname__ne', ids],
      ];
      for (const [query, label, expected] of literal) {
        const response = await attempt(t, service, list(query), {}, label);
        t.equal(response.status, 200, `${label}: 200`);
        const found = (response.json?.objects ?? []).map((row: Json) => row.id);
        t.same(found, expected, `${label}: matches the literal only`);
      }

      for (const [query, label, field] of [
        [{ id: '1 OR 1=1' }, 'id=1 OR 1=1', 'id'],
        [{ id: "1' OR '1'='1" }, "id=1' OR '1'='1", 'id'],
        [{ id__in: '1,2) OR (1=1' }, 'id__in=1,2) OR (1=1', 'id__in'],
        [{ id__gt: '0 OR 1=1' }, 'id__gt=0 OR 1=1', 'id__gt'],
        [{ id__between: '1,3) OR (1=1' }, 'id__between', 'id__between'],
        [{ credit: '0; DELETE FROM cc_card' }, 'credit=0; DELETE', 'credit'],
        [{ creationdate__lt: "2030-01-01' OR '1'='1" }, 'creationdate__lt with a quote', 'creationdate__lt'],
        [{ id__is_null: 'false OR 1=1' }, 'id__is_null', 'id__is_null'],
        [{ ordering: 'id', after: '0 OR 1=1' }, 'after=0 OR 1=1', 'after'],
        [{ limit: '1; DROP TABLE cc_card' }, 'limit=1; DROP', 'limit'],
        [{ page: '1 UNION SELECT 1' }, 'page=1 UNION', 'page'],
      ] as [Record<string, string>, string, string][]) {
        badRequest(t, await attempt(t, service, list(query), {}, label), label, field);
      }
    });

    await t.test('filter names come from the whitelist only', async (t) => {
      for (const key of [
        'username;DROP TABLE cc_card',
        'id)--',
        'id) OR (1=1',
        "username' OR '1'='1",
        'id OR 1=1 --',
        'uipass',
        'cc_card.uipass',
        'id__in) OR (1',
        'id__eq;DROP TABLE cc_card',
        '`id`',
        'id/**/',
      ]) {
        const label = `filter name ${JSON.stringify(key)}`;
        badRequest(t, await attempt(t, service, `/api/card/?${encodeURIComponent(key)}=1`, {}, label), label, key);
      }
      const raw = await attempt(
        t,
        service,
        '/api/card/?username;DROP%20TABLE%20cc_card=1',
        {},
        'unencoded ; in a filter name',
      );
      badRequest(t, raw, 'unencoded ; in a filter name');
    });

    await t.test('ordering and fields come from the whitelist only', async (t) => {
      for (const ordering of [
        'id;DROP TABLE cc_card',
        '(SELECT 1)',
        'id DESC',
        'id,(SELECT uipass FROM cc_card LIMIT 1)',
        '-(SELECT 1)',
        'IF(1=1,id,username)',
        '1',
        'uipass',
        'id--',
      ]) {
        const label = `ordering=${ordering}`;
        badRequest(t, await attempt(t, service, list({ ordering }), {}, label), label, 'ordering');
      }
      for (const fields of [
        'id,(SELECT uipass FROM cc_card)',
        'id,uipass',
        '*',
        'id,username FROM cc_card;--',
        'COUNT(*)',
        'id AS uipass',
      ]) {
        const label = `fields=${fields}`;
        badRequest(t, await attempt(t, service, list({ fields }), {}, label), label, 'fields');
      }
    });

    await t.test('the primary key in the URL', async (t) => {
      for (const key of ['1 OR 1=1', "1' OR '1'='1", '1;DROP TABLE cc_card', '1)--', '(SELECT 1)', '0x1']) {
        for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
          const label = `${method} /api/card/${key}/`;
          const options: RequestOptions = method === 'PATCH' ? { method, body: { lastname: 'Hacked' } } : { method };
          const response = await attempt(t, service, `/api/card/${encodeURIComponent(key)}/`, options, label);
          t.equal(response.status, 404, `${label}: 404`);
        }
      }
    });

    await t.test('body values are stored verbatim', async (t) => {
      const values = {
        username: "x'); DROP TABLE cc_card; --",
        useralias: "a' OR '1'='1",
        uipass: "p'; UPDATE cc_card SET credit=999; --",
        lastname: 'O\'Brien\\"; --',
        firstname: '%_\\',
        tag: '`; DELETE FROM cc_card; #',
      };
      const before = await snapshot(service);
      const response = await service.request('/api/card/', {
        method: 'POST',
        body: { ...values, credit: '1', tariff: '1' },
      });
      wellFormed(t, response, 'POST with SQL in every value');
      t.equal(response.status, 200, 'created');
      const card = response.json ?? {};
      for (const key of ['username', 'useralias', 'lastname', 'firstname', 'tag'] as const) {
        t.equal(card[key], values[key], `${key} returned literally`);
      }
      const after = await snapshot(service);
      t.same(
        after.filter((row) => Number(row.id) !== card.id),
        before,
        'the other rows are unchanged',
      );
      const [stored] = await service.backend.raw(
        'SELECT username, useralias, uipass, lastname, firstname, tag FROM cc_card WHERE id = ?',
        [card.id],
      );
      t.same(stored, values, 'stored literally');
      await stillAnswering(t, service, before.length + 1, 'after the create');

      const found = await service.request(list({ username: values.username }));
      t.same(
        found.json?.objects?.map((row: Json) => row.id),
        [card.id],
        'a filter on the literal finds exactly it',
      );
      const like = await service.request(list({ firstname__contains: '%_\\' }));
      t.same(
        like.json?.objects?.map((row: Json) => row.id),
        [card.id],
        'contains matches %, _ and \\ literally',
      );

      const update = { lastname: "'; UPDATE cc_card SET uipass='owned' WHERE '1'='1", city: "\\'; --" };
      const beforePatch = await snapshot(service);
      const patched = await service.request(`/api/card/${ids[0]}/`, { method: 'PATCH', body: update });
      wellFormed(t, patched, 'PATCH with SQL in the values');
      t.equal(patched.status, 200, 'patched');
      t.match(patched.json, update, 'PATCH returns the values literally');
      const afterPatch = await snapshot(service);
      t.same(
        afterPatch.filter((row) => Number(row.id) !== ids[0]),
        beforePatch.filter((row) => Number(row.id) !== ids[0]),
        'no other row changed',
      );
      const [secret] = await service.backend.raw('SELECT uipass FROM cc_card WHERE id = ?', [ids[1]]);
      t.equal(secret?.uipass, SECRETS[1], 'another card keeps its password');

      const group = await service.request('/api/cardgroup/', {
        method: 'POST',
        body: 'name=x%27)%3B%20DROP%20TABLE%20cc_card_group%3B%20--&users_perms=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      t.equal(group.status, 200, 'a form value with SQL is stored');
      t.equal(group.json?.name, "x'); DROP TABLE cc_card_group; --", 'and returned literally');
      const groups = await service.request('/api/cardgroup/');
      t.equal(groups.status, 200, 'cc_card_group still answers');
    });

    await t.test('body keys come from the whitelist only', async (t) => {
      const base = { username: 'keys', useralias: 'keys', uipass: 'p', credit: 0, tariff: 1 };
      for (const key of [
        'username`',
        'username` = 1, `uipass',
        'lastname`) VALUES (1); DROP TABLE cc_card; --',
        "lastname' OR '1'='1",
        'id_group = 1 WHERE 1=1; --',
        'cc_card.uipass',
        '__proto__',
        'constructor',
      ]) {
        const label = `body key ${JSON.stringify(key)}`;
        const text = JSON.stringify({ ...base, [key]: 1 });
        const created = await attempt(
          t,
          service,
          '/api/card/',
          { method: 'POST', body: text, headers: { 'content-type': 'application/json' } },
          `POST ${label}`,
        );
        badRequest(t, created, `POST ${label}`);
        const patched = await attempt(
          t,
          service,
          `/api/card/${ids[2]}/`,
          { method: 'PATCH', body: `{${JSON.stringify(key)}: 1}`, headers: { 'content-type': 'application/json' } },
          `PATCH ${label}`,
        );
        badRequest(t, patched, `PATCH ${label}`);
      }
    });

    await t.test('an invalid regular expression is a 400 on both backends', async (t) => {
      for (const pattern of ['[', '(', '*', 'a{2,1}']) {
        const label = `username__regexp=${pattern}`;
        badRequest(t, await attempt(t, service, list({ username__regexp: pattern }), {}, label), label);
      }
      const valid = await service.request(list({ username__regexp: '^inj[12]$' }));
      t.equal(valid.status, 200, 'a valid regexp works');
      t.same(
        valid.json?.objects?.map((row: Json) => row.id),
        ids.slice(0, 2),
        'and matches',
      );
    });

    const final = await snapshot(service);
    t.ok(final.length >= SECRETS.length, 'cc_card still exists with its rows');
    const [group] = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_card_group');
    t.ok(Number(group?.n) >= 1, 'cc_card_group still exists');
  });
}
