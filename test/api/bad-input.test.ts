/**
 * Bad input of every kind: each is a 4xx JSON error {error, code, fields?}
 * with the right status, never a 500 or an HTML page, and leaves the table
 * as it was.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService, type RequestOptions, type Response, type Service } from '../helpers/service.js';

type Assert = Pick<typeof t, 'ok' | 'equal' | 'match' | 'notMatch' | 'same' | 'type' | 'not' | 'notOk'>;
type Json = Record<string, any>;

const REQUIRED = ['username', 'useralias', 'uipass', 'credit', 'tariff'] as const;

let serial = 0;
function newCard(extra: Json = {}): Json {
  serial += 1;
  return {
    username: `b${serial}`,
    useralias: `alias-b${serial}`,
    uipass: `pw-${serial}`,
    credit: 0,
    tariff: 1,
    ...extra,
  };
}

interface Expected {
  /** Fields the error must name. */
  fields?: string[];
  code?: string;
  /** Text the error message (or one field's message) must contain. */
  message?: RegExp;
}

/** A 4xx JSON error: right status, {error, code, fields?}, never HTML. */
function expectError(t: Assert, response: Response, status: number, label: string, expected: Expected = {}): void {
  t.equal(response.status, status, `${label}: status ${status}`, { found: response.text.slice(0, 500) });
  t.not(response.status, 500, `${label}: not a 500`);
  t.match(response.headers.get('content-type') ?? '', /^application\/json/, `${label}: a JSON body`);
  t.notMatch(response.text, /<html|<!doctype|<body|\n\s+at /i, `${label}: no HTML or stack trace`);
  const body = response.json ?? {};
  t.ok(
    typeof body.error === 'string' && body.error !== '' && typeof body.code === 'string',
    `${label}: {error, code}`,
    { found: body },
  );
  if (body.fields !== undefined) {
    t.ok(
      Array.isArray(body.fields) &&
        body.fields.every((f: Json) => typeof f.field === 'string' && typeof f.message === 'string'),
      `${label}: fields is a list of {field, message}`,
    );
  }
  if (expected.code !== undefined) t.equal(body.code, expected.code, `${label}: code ${expected.code}`);
  const named: string[] = Array.isArray(body.fields) ? body.fields.map((problem: Json) => problem.field) : [];
  for (const field of expected.fields ?? [])
    t.ok(named.includes(field), `${label}: fields names ${field}`, { found: body });
  if (expected.message !== undefined) {
    const texts = [
      String(body.error),
      ...(Array.isArray(body.fields) ? body.fields.map((f: Json) => String(f.message)) : []),
    ];
    t.ok(
      texts.some((text) => expected.message!.test(text)),
      `${label}: says ${expected.message}`,
      { found: body },
    );
  }
}

async function snapshot(service: Service, table: string): Promise<Json[]> {
  return service.backend.raw(`SELECT * FROM ${table} ORDER BY id`);
}

/** Runs a request that must fail and checks the table is exactly as before (row count and contents). */
async function refused(
  t: Assert,
  service: Service,
  table: string,
  path: string,
  options: RequestOptions,
  status: number,
  label: string,
  expected: Expected = {},
): Promise<Response> {
  const before = await snapshot(service, table);
  const [{ n: countBefore }] = (await service.backend.raw(`SELECT COUNT(*) AS n FROM ${table}`)) as [{ n: unknown }];
  const response = await service.request(path, options);
  expectError(t, response, status, label, expected);
  const [{ n: countAfter }] = (await service.backend.raw(`SELECT COUNT(*) AS n FROM ${table}`)) as [{ n: unknown }];
  t.equal(Number(countAfter), Number(countBefore), `${label}: row count unchanged`);
  t.same(await snapshot(service, table), before, `${label}: rows unchanged`);
  return response;
}

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());

    const first = await service.request('/api/card/', { method: 'POST', body: newCard() });
    t.equal(first.status, 200, 'a card to update');
    const cardUrl = `/api/card/${first.json?.id}/`;

    await t.test('bodies that are not a JSON object', async (t) => {
      for (const [path, method] of [
        ['/api/card/', 'POST'],
        ['/api/cardgroup/', 'POST'],
        [cardUrl, 'PATCH'],
        ['/api/cardgroup/1/', 'PUT'],
      ] as const) {
        const table = path.startsWith('/api/card/') ? 'cc_card' : 'cc_card_group';
        await refused(
          t,
          service,
          table,
          path,
          { method, body: '{"username": ', headers: json },
          400,
          `${method} ${path} malformed JSON`,
          {
            code: 'malformed_json',
          },
        );
        await refused(
          t,
          service,
          table,
          path,
          { method, body: "{'name': 'x'}", headers: json },
          400,
          `${method} ${path} single-quoted JSON`,
        );
        // On a list URL an array is a bulk create (test/api/bulk.test.ts); on a row's URL it is no object.
        const bodies =
          method === 'POST'
            ? ['[5]', '["x"]', '5', 'null', '"name"', 'true']
            : ['[]', '[{"name": "x"}]', '5', 'null', '"name"', 'true'];
        for (const body of bodies) {
          await refused(
            t,
            service,
            table,
            path,
            { method, body, headers: json },
            400,
            `${method} ${path} body ${body}`,
            {
              message: /must be a JSON object/,
            },
          );
        }
      }
    });

    await t.test('an empty body', async (t) => {
      for (const headers of [json, {}, form] as Record<string, string>[]) {
        const type = headers['content-type'] ?? 'no content type';
        // fetch() labels a string body text/plain; bytes go without a content type.
        const body = type === 'no content type' ? new Uint8Array(0) : '';
        await refused(
          t,
          service,
          'cc_card',
          '/api/card/',
          { method: 'POST', body, headers },
          400,
          `POST /api/card/ empty (${type})`,
        );
        await refused(
          t,
          service,
          'cc_card_group',
          '/api/cardgroup/',
          { method: 'POST', body, headers },
          400,
          `POST /api/cardgroup/ empty (${type})`,
        );
        await refused(
          t,
          service,
          'cc_card',
          cardUrl,
          { method: 'PATCH', body, headers },
          400,
          `PATCH ${cardUrl} empty (${type})`,
        );
      }
      await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        { method: 'POST', body: '  \n ', headers: json },
        400,
        'POST whitespace only',
      );
    });

    await t.test('unknown and read-only fields', async (t) => {
      const typo = await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        { method: 'POST', body: { ...newCard({ username: undefined }), usrname: 'x' } },
        400,
        'POST usrname',
        {
          fields: ['usrname'],
        },
      );
      const problem = typo.json?.fields?.find((f: Json) => f.field === 'usrname');
      t.equal(problem?.hint, 'did you mean username?', 'the hint names username');
      const patched = await refused(
        t,
        service,
        'cc_card',
        cardUrl,
        { method: 'PATCH', body: { usrname: 'x' } },
        400,
        'PATCH usrname',
        { fields: ['usrname'] },
      );
      t.equal(
        patched.json?.fields?.find((f: Json) => f.field === 'usrname')?.hint,
        'did you mean username?',
        'PATCH: the hint names username',
      );
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: { nmae: 'x' } },
        400,
        'cardgroup nmae',
        { fields: ['nmae'] },
      );

      await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        { method: 'POST', body: newCard({ id: 500 }) },
        400,
        'POST with id',
        {
          fields: ['id'],
          message: /read-only/,
        },
      );
      await refused(t, service, 'cc_card', cardUrl, { method: 'PATCH', body: { id: 500 } }, 400, 'PATCH with id', {
        fields: ['id'],
        message: /read-only/,
      });
      await refused(
        t,
        service,
        'cc_card',
        cardUrl,
        { method: 'PUT', body: { id: first.json?.id, lastname: 'x' } },
        400,
        'PUT with its own id',
        {
          fields: ['id'],
        },
      );
      await refused(t, service, 'cc_card', cardUrl, { method: 'POST', body: { id: 1 } }, 400, 'POST update with id', {
        fields: ['id'],
      });
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: { id: 1, name: 'dup' } },
        400,
        'cardgroup with id',
        {
          fields: ['id'],
        },
      );
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/1/',
        { method: 'PATCH', body: { id: 2 } },
        400,
        'cardgroup PATCH with id',
        {
          fields: ['id'],
        },
      );
    });

    await t.test('wrong types', async (t) => {
      for (const [field, value] of [
        ['lastname', {}],
        ['lastname', []],
        ['lastname', true],
        ['lastname', 5],
        ['username', null],
        ['credit', {}],
        ['credit', []],
        ['credit', true],
        ['credit', null],
        ['tariff', {}],
        ['tariff', [1]],
        ['tariff', false],
        ['status', null],
        ['vat', true],
        ['firstusedate', 20240101],
        ['firstusedate', {}],
        ['activated', true],
      ] as const) {
        const label = `${field} ${JSON.stringify(value)}`;
        await refused(
          t,
          service,
          'cc_card',
          '/api/card/',
          { method: 'POST', body: newCard({ [field]: value }) },
          400,
          `POST ${label}`,
          { fields: [field] },
        );
        await refused(
          t,
          service,
          'cc_card',
          cardUrl,
          { method: 'PATCH', body: { [field]: value } },
          400,
          `PATCH ${label}`,
          { fields: [field] },
        );
      }
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: { users_perms: [5] } },
        400,
        'cardgroup users_perms [5]',
        {
          fields: ['users_perms'],
        },
      );
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: { name: { en: 'x' } } },
        400,
        'cardgroup name {}',
        {
          fields: ['name'],
        },
      );
      const several = await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        { method: 'POST', body: newCard({ lastname: 1, credit: 'x', status: [] }) },
        400,
        'three bad fields',
        {
          fields: ['lastname', 'credit', 'status'],
        },
      );
      t.equal(several.json?.fields?.length, 3, 'each bad field is named once');
    });

    await t.test('required fields of a card', async (t) => {
      await refused(t, service, 'cc_card', '/api/card/', { method: 'POST', body: {} }, 400, 'POST {}', {
        fields: [...REQUIRED],
      });
      for (const missing of REQUIRED) {
        const body = newCard();
        delete body[missing];
        const response = await refused(
          t,
          service,
          'cc_card',
          '/api/card/',
          { method: 'POST', body },
          400,
          `without ${missing}`,
          { fields: [missing] },
        );
        t.same(
          response.json?.fields?.map((f: Json) => f.field),
          [missing],
          `without ${missing}: only ${missing} is named`,
        );
      }
      for (const field of ['username', 'useralias', 'uipass'] as const) {
        await refused(
          t,
          service,
          'cc_card',
          '/api/card/',
          { method: 'POST', body: newCard({ [field]: '' }) },
          400,
          `${field} ""`,
          { fields: [field] },
        );
        await refused(
          t,
          service,
          'cc_card',
          cardUrl,
          { method: 'PATCH', body: { [field]: '' } },
          400,
          `PATCH ${field} ""`,
          { fields: [field] },
        );
      }
      await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        { method: 'POST', body: newCard({ tariff: null }) },
        400,
        'tariff null on create',
        { fields: ['tariff'] },
      );
      await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        { method: 'POST', body: newCard({ credit: '' }) },
        400,
        'credit ""',
        { fields: ['credit'] },
      );
      await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        { method: 'POST', body: newCard({ tariff: '' }) },
        400,
        'tariff ""',
        { fields: ['tariff'] },
      );
    });

    await t.test('a body over the limit is a 413', async (t) => {
      const big = JSON.stringify(newCard({ traffic_target: 'x'.repeat(2 * 1024 * 1024) }));
      await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        { method: 'POST', body: big, headers: json },
        413,
        'POST 2 MiB of JSON',
        { code: 'payload_too_large' },
      );
      await refused(
        t,
        service,
        'cc_card',
        cardUrl,
        { method: 'PATCH', body: big, headers: json },
        413,
        'PATCH 2 MiB of JSON',
      );
      const bigForm = `name=${'x'.repeat(2 * 1024 * 1024)}`;
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: bigForm, headers: form },
        413,
        'POST a 2 MiB form',
      );
      const alive = await service.request('/api/card/');
      t.equal(alive.status, 200, 'the service still answers');
    });

    await t.test('content types', async (t) => {
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: 'name is x', headers: { 'content-type': 'text/plain' } },
        415,
        'text/plain that is not JSON',
        {
          code: 'unsupported_media_type',
        },
      );
      const boundary = 'a2genBoundary42';
      const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nmulti\r\n--${boundary}--\r\n`;
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: multipart, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } },
        415,
        'multipart/form-data',
        { code: 'unsupported_media_type' },
      );
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: '<group name="x"/>', headers: { 'content-type': 'application/xml' } },
        415,
        'application/xml',
      );
      await refused(
        t,
        service,
        'cc_card',
        cardUrl,
        { method: 'PATCH', body: 'lastname', headers: { 'content-type': 'text/plain' } },
        415,
        'PATCH text/plain that is not JSON',
      );

      for (const type of ['application/octet-stream', 'application/vnd.api+json']) {
        const accepted = await service.request('/api/cardgroup/', {
          method: 'POST',
          body: JSON.stringify({ name: `as ${type}` }),
          headers: { 'content-type': type },
        });
        t.equal(accepted.status, 200, `JSON sent as ${type} is accepted`, { found: accepted.text });
        t.equal(accepted.json?.name, `as ${type}`, `JSON sent as ${type} is read`);
      }
      // What a page on another site can make a browser send without asking first: never a body of the API.
      for (const type of [
        'text/plain',
        'text/plain; charset=utf-8',
        'Text/Plain;charset=UTF-8',
        'multipart/form-data',
      ]) {
        await refused(
          t,
          service,
          'cc_card_group',
          '/api/cardgroup/',
          { method: 'POST', body: JSON.stringify({ name: `as ${type}` }), headers: { 'content-type': type } },
          415,
          `JSON sent as ${type}`,
          { code: 'unsupported_media_type' },
        );
      }
      await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        {
          method: 'POST',
          body: JSON.stringify(newCard({ lastname: 'Plain' })),
          headers: { 'content-type': 'text/plain' },
        },
        415,
        'a card sent as text/plain JSON',
        { code: 'unsupported_media_type' },
      );
    });

    await t.test('form-encoded bodies', async (t) => {
      const before = (await snapshot(service, 'cc_card_group')).length;
      const data = await service.request('/api/cardgroup/', {
        method: 'POST',
        body: `data=${encodeURIComponent(JSON.stringify({ name: 'from data', users_perms: 7 }))}`,
        headers: form,
      });
      t.equal(data.status, 200, 'data=<json> creates a cardgroup', { found: data.text });
      t.match(data.json, { name: 'from data', users_perms: 7 }, 'data=<json> is read');
      const plain = await service.request('/api/cardgroup/', {
        method: 'POST',
        body: 'name=x&users_perms=5',
        headers: form,
      });
      t.equal(plain.status, 200, 'plain fields create a cardgroup', { found: plain.text });
      t.equal(plain.json?.name, 'x', 'name from the form');
      t.equal(plain.json?.users_perms, 5, 'users_perms 5 from the form');
      t.type(plain.json?.users_perms, 'number', 'users_perms is a JSON integer');
      const [stored] = await service.backend.raw('SELECT name, users_perms FROM cc_card_group WHERE id = ?', [
        plain.json?.id,
      ]);
      t.same(
        { ...stored, users_perms: Number(stored?.users_perms) },
        { name: 'x', users_perms: 5 },
        'stored from the form',
      );
      t.equal((await snapshot(service, 'cc_card_group')).length, before + 2, 'two cardgroups created');

      const card = await service.request('/api/card/', {
        method: 'POST',
        body: `data=${encodeURIComponent(JSON.stringify(newCard({ credit: '5' })))}`,
        headers: form,
      });
      t.equal(card.status, 200, 'data=<json> creates a card (the old README ab test)', { found: card.text });
      t.equal(card.json?.credit, 5, 'credit "5" from data=<json>');

      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: 'name=y&users_perms=abc', headers: form },
        400,
        'users_perms=abc',
        {
          fields: ['users_perms'],
        },
      );
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: 'nmae=y', headers: form },
        400,
        'form nmae=y',
        { fields: ['nmae'] },
      );
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: 'data=%7B%22name%22', headers: form },
        400,
        'data= with broken JSON',
        {
          code: 'malformed_json',
        },
      );
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: 'data=%5B%5D', headers: form },
        400,
        'data=[]',
        {
          message: /must list at least one row/,
        },
      );
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/',
        { method: 'POST', body: 'name=a&name=b', headers: form },
        400,
        'a repeated form field',
      );
      await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        { method: 'POST', body: 'username=f1&useralias=f1&uipass=p&credit=1.123456&tariff=1', headers: form },
        400,
        'form credit over scale',
        {
          fields: ['credit'],
        },
      );
    });

    await t.test('list query parameters', async (t) => {
      for (const query of [
        'page=0',
        'page=-1',
        'page=abc',
        'page=1.5',
        'page=',
        'page=2147483648',
        'page=99999999999999999999',
      ]) {
        expectError(t, await service.request(`/api/card/?${query}`), 400, query, { fields: ['page'] });
      }
      for (const query of ['limit=0', 'limit=-5', 'limit=abc', 'limit=2147483648', 'limit=1e3']) {
        expectError(t, await service.request(`/api/cardgroup/?${query}`), 400, query, { fields: ['limit'] });
      }
      expectError(t, await service.request('/api/card/?page=2&page=3'), 400, 'page twice', { fields: ['page'] });

      const past = await service.request('/api/card/?page=1000');
      t.equal(past.status, 200, 'a page past the end is a 200');
      t.same(past.json?.objects, [], 'with no objects');
      t.equal(past.json?.meta?.next, '', 'and no next page');
      const largest = await service.request('/api/card/?page=2147483647&limit=100');
      t.equal(largest.status, 200, 'the largest page is a 200');
      t.same(largest.json?.objects, [], 'the largest page is empty');

      const unknown = await service.request('/api/card/?usrname=x');
      expectError(t, unknown, 400, 'usrname=x', { fields: ['usrname'] });
      t.equal(unknown.json?.fields?.[0]?.hint, 'did you mean username?', 'usrname=x: the hint names username');
      const limitTypo = await service.request('/api/card/?limt=5');
      expectError(t, limitTypo, 400, 'limt=5', { fields: ['limt'] });
      t.equal(limitTypo.json?.fields?.[0]?.hint, 'did you mean limit?', 'limt=5: the hint names limit');
      expectError(t, await service.request('/api/card/?id__foo=1'), 400, 'id__foo=1', { fields: ['id__foo'] });
      expectError(t, await service.request('/api/card/?username__gte__x=1'), 400, 'username__gte__x=1');
      expectError(t, await service.request('/api/card/?status=abc'), 400, 'status=abc', { fields: ['status'] });
      expectError(t, await service.request('/api/card/?credit__gt=abc'), 400, 'credit__gt=abc', {
        fields: ['credit__gt'],
      });
      expectError(
        t,
        await service.request('/api/card/?creationdate__lt=yesterday'),
        400,
        'creationdate__lt=yesterday',
        { fields: ['creationdate__lt'] },
      );
      expectError(t, await service.request('/api/card/?id__between=1'), 400, 'id__between=1', {
        fields: ['id__between'],
      });
      expectError(t, await service.request('/api/card/?id__is_null=maybe'), 400, 'id__is_null=maybe', {
        fields: ['id__is_null'],
      });
      expectError(t, await service.request('/api/card/?ordering=nosuch'), 400, 'ordering=nosuch', {
        fields: ['ordering'],
      });
      expectError(t, await service.request('/api/card/?fields=nosuch'), 400, 'fields=nosuch', { fields: ['fields'] });
      expectError(t, await service.request('/api/card/?after=abc&ordering=id'), 400, 'after=abc', {
        fields: ['after'],
      });
      expectError(
        t,
        await service.request('/api/card/?after=1&ordering=username'),
        400,
        'after= without ordering by id',
        { fields: ['after'] },
      );
    });

    await t.test('limit is clamped to the configured maximum', async (t) => {
      const small = await startService(name, { maxLimit: 3 });
      t.teardown(() => small.close());
      for (let index = 2; index <= 5; index++) {
        const created = await small.request('/api/cardgroup/', { method: 'POST', body: { name: `group ${index}` } });
        t.equal(created.status, 200, `cardgroup ${index} created`);
      }
      const [{ n }] = (await small.backend.raw('SELECT COUNT(*) AS n FROM cc_card_group')) as [{ n: unknown }];
      t.equal(Number(n), 5, 'five cardgroups');
      const page = await small.request('/api/cardgroup/?limit=1000');
      t.equal(page.status, 200, 'limit=1000 is not an error');
      t.equal(page.json?.objects?.length, 3, 'limit=1000 returns the maximum, 3');
      t.match(page.json?.meta?.next, /^\/api\/cardgroup\/\?/, 'there is a next link');
      t.match(page.json?.meta?.next, /[?&]page=2(&|$)/, 'to page 2');
      t.match(page.json?.meta?.next, /[?&]limit=1000(&|$)/, 'carrying limit');
      t.equal(page.json?.meta?.previous, '', 'no previous link on page 1');
      const second = await small.request(page.json?.meta?.next ?? '/api/cardgroup/?limit=1000&page=2');
      t.equal(second.status, 200, 'the next link answers');
      t.same(
        second.json?.objects?.map((row: Json) => row.id),
        [4, 5],
        'page 2 holds the last two rows',
      );
      t.equal(second.json?.meta?.next, '', 'no next link on the last page');
      t.match(second.json?.meta?.previous, /[?&]page=1(&|$)/, 'a previous link to page 1');
      const byDefault = await small.request('/api/cardgroup/');
      t.equal(byDefault.json?.objects?.length, 3, 'the default limit is clamped too');
    });

    await t.test('primary keys that cannot name a row', async (t) => {
      for (const key of [
        '0',
        '-1',
        'abc',
        '99999999999999999999999',
        '9223372036854775808',
        '1.5',
        '1e3',
        '%20',
        '00',
      ]) {
        for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
          const options: RequestOptions = method === 'PATCH' ? { method, body: { lastname: 'x' } } : { method };
          await refused(t, service, 'cc_card', `/api/card/${key}/`, options, 404, `${method} /api/card/${key}/`, {
            code: 'not_found',
          });
        }
        await refused(
          t,
          service,
          'cc_card',
          `/api/card/${key}/delete/`,
          { method: 'POST' },
          404,
          `POST /api/card/${key}/delete/`,
        );
      }
      // Broken percent-encoding cannot name a row either: 404 (or 400), in the API's own error format.
      for (const method of ['GET', 'DELETE'] as const) {
        const label = `${method} /api/card/%ZZ/`;
        const before = await snapshot(service, 'cc_card');
        const broken = await service.request('/api/card/%ZZ/', { method });
        t.ok([400, 404].includes(broken.status), `${label}: 404 or 400`, { found: broken.status });
        t.match(broken.headers.get('content-type') ?? '', /^application\/json/, `${label}: a JSON body`);
        t.match(broken.json?.code, /^[a-z_]+$/, `${label}: a stable lower-case code`, { found: broken.json });
        t.same(
          Object.keys(broken.json ?? {}).filter((key) => !['error', 'code', 'fields'].includes(key)),
          [],
          `${label}: only error, code, fields`,
        );
        t.same(await snapshot(service, 'cc_card'), before, `${label}: rows unchanged`);
      }
      await refused(
        t,
        service,
        'cc_card',
        '/api/card/999999/',
        { method: 'GET' },
        404,
        'GET a card that does not exist',
      );
      await refused(
        t,
        service,
        'cc_card',
        '/api/card/9223372036854775807/',
        { method: 'PATCH', body: { lastname: 'x' } },
        404,
        'PATCH the largest BIGINT',
      );
      await refused(
        t,
        service,
        'cc_card_group',
        '/api/cardgroup/2147483648/',
        { method: 'GET' },
        404,
        'a cardgroup id past INT',
      );
    });

    await t.test('methods a route does not serve', async (t) => {
      for (const path of ['/api/card/', '/api/card', '/api/cardgroup/']) {
        const response = await refused(
          t,
          service,
          path.includes('group') ? 'cc_card_group' : 'cc_card',
          path,
          { method: 'PUT', body: {} },
          405,
          `PUT ${path}`,
          {
            code: 'method_not_allowed',
          },
        );
        const allow = (response.headers.get('allow') ?? '').split(/,\s*/);
        t.ok(allow.includes('GET') && allow.includes('POST'), `PUT ${path}: Allow names GET and POST`, {
          found: allow,
        });
        t.notOk(allow.includes('PUT'), `PUT ${path}: Allow does not name PUT`);
      }
      const put = await refused(
        t,
        service,
        'cc_card',
        '/api/card/',
        { method: 'PUT', body: newCard() },
        405,
        'PUT /api/card/',
      );
      t.ok(put.headers.get('allow'), 'PUT /api/card/: an Allow header');
      const get = await refused(
        t,
        service,
        'cc_card',
        `${cardUrl}delete/`,
        { method: 'GET' },
        405,
        'GET on the delete alias',
      );
      t.match(get.headers.get('allow') ?? '', /POST/, 'the delete alias allows POST');
    });
  });
}
