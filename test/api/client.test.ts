/**
 * The generated typed client (generated/client.ts) against the real service
 * over a real socket, on SQLite and MariaDB: lists with filters (through a
 * reference too), fields and ordering, get, create, update and delete with
 * If-Match (a stale ETag is a typed 412 value), a 400 as a typed value naming
 * the field, a composite key, a balance adjustment, counts, bulk create,
 * guarded bulk update and delete, and the credentials it sends. What it puts on the wire is checked without a server, with a fetch
 * that records the request.
 */
import t from 'tap';
import { createClient, type FetchInit, type Result } from '../../generated/client.js';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, PASSWORD, startService, USERNAME } from '../helpers/service.js';

/** The value of a result that must have succeeded. */
function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.status}: ${JSON.stringify(result.error)}`);
  return result.value;
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    // Load shedding is tested elsewhere: on a busy machine it would answer 503 to calls this suite needs.
    const service = await startService(name, { maxEventLoopDelayMs: 0 });
    t.teardown(() => service.close());
    const api = createClient({ baseUrl: service.baseUrl, auth: { username: USERNAME, password: PASSWORD } });
    const newCard = async (username: string, more: { id_group?: number; credit?: string } = {}) =>
      valueOf(
        await api.card.create({
          username,
          useralias: `${username}-web`,
          uipass: '4321',
          credit: '5',
          tariff: 1,
          ...more,
        }),
      );

    await t.test('card groups: create, get, list with filters, update, delete', async (t) => {
      const created = await api.cardgroup.create({ name: `client-${name}`, description: 'made by the client' });
      t.equal(created.ok && created.status, 200);
      const group = valueOf(created);
      t.match(group, { name: `client-${name}`, description: 'made by the client', users_perms: 0 });
      t.match(created.ok && created.etag, /^"[A-Za-z0-9_-]+"$/, 'a create answers the ETag');

      const read = await api.cardgroup.get(group.id);
      t.strictSame(valueOf(read), group, 'get by the bare key');
      const cached = await api.cardgroup.get(group.id, { ifNoneMatch: created.ok ? created.etag : undefined });
      t.match(cached, { ok: false, status: 304, error: { code: 'not_modified' } }, 'If-None-Match: a 304 value');
      t.strictSame(valueOf(await api.cardgroup.get([group.id])), group, 'and as a one-part tuple');

      const listed = valueOf(
        await api.cardgroup.list({
          filters: { name: { startswith: 'client-' }, id: { gte: group.id } },
          fields: ['id', 'name'],
        }),
      );
      t.strictSame(listed.objects, [{ id: group.id, name: group.name }], 'filters and fields');
      t.equal(listed.meta.model, 'cardgroup');

      const updated = await api.cardgroup.update(group.id, { description: null });
      t.equal(valueOf(updated).description, null, 'a patch writes null');
      const gone = valueOf(await api.cardgroup.delete(group.id));
      t.strictSame(gone, { deleted: 1 });
      const missing = await api.cardgroup.get(group.id);
      t.match(missing, { ok: false, status: 404, error: { code: 'not_found' } }, 'a 404 is a value');
    });

    await t.test('cards: list with filters through a reference, fields and ordering', async (t) => {
      const group = valueOf(await api.cardgroup.create({ name: `list-${name}` }));
      const cards = [];
      for (const suffix of ['1', '2', '3']) cards.push(await newCard(`777${suffix}-${name}`, { id_group: group.id }));
      await newCard(`778-${name}`, { id_group: group.id });
      t.notOk('uipass' in cards[0]!, 'a write-only column is never in a row');

      const page = valueOf(
        await api.card.list({
          filters: { username: { startswith: '777' }, id_group: { name: `list-${name}` }, credit: { between: [1, 9] } },
          fields: ['id', 'username', 'credit'],
          ordering: ['-id'],
          limit: 2,
        }),
      );
      t.strictSame(
        page.objects,
        [cards[2]!, cards[1]!].map((card) => ({ id: card.id, username: card.username, credit: 5 })),
        'only the fields asked for, newest first, two a page',
      );
      t.match(page.meta.next, /page=2/, 'a next page');

      const rest = valueOf(
        await api.card.list({
          filters: { id: { in: cards.map((card) => card.id) } },
          after: cards[0]!.id,
          ordering: ['id'],
        }),
      );
      t.strictSame(
        rest.objects.map((card) => card.id),
        [cards[1]!.id, cards[2]!.id],
        'in, and keyset paging after a key',
      );
      const none = valueOf(await api.card.list({ filters: { firstusedate: { is_null: false }, id: cards[0]!.id } }));
      t.strictSame(none.objects, [], 'is_null on a zero date');
    });

    await t.test('If-Match: the current ETag writes, a stale one is a typed 412', async (t) => {
      const card = await newCard(`etag-${name}`);
      const read = await api.card.get(card.id);
      t.ok(read.ok && read.etag, 'get answers an ETag');
      const first = await api.card.update(card.id, { lastname: 'First' }, { ifMatch: read.ok ? read.etag : undefined });
      t.equal(valueOf(first).lastname, 'First', 'the current tag writes');
      t.not(first.ok && first.etag, read.ok && read.etag, 'and answers the new tag');

      const stale = await api.card.update(
        card.id,
        { lastname: 'Second' },
        { ifMatch: read.ok ? read.etag : undefined },
      );
      t.match(stale, { ok: false, status: 412, error: { code: 'precondition_failed' } }, 'the stale tag: 412');
      t.equal(valueOf(await api.card.get(card.id)).lastname, 'First', 'nothing written');

      const staleDelete = await api.card.delete(card.id, { ifMatch: read.ok ? read.etag : undefined });
      t.match(staleDelete, { ok: false, status: 412 }, 'a delete with the stale tag: 412');
      t.strictSame(valueOf(await api.card.delete(card.id, { ifMatch: first.ok ? first.etag : undefined })), {
        deleted: 1,
      });
    });

    await t.test('a 400 is a typed value naming the field', async (t) => {
      const result = await api.card.create({
        username: `bad-${name}`,
        useralias: `bad-${name}`,
        uipass: '1',
        credit: '1.123456',
        tariff: 1,
      });
      t.equal(result.ok, false);
      if (result.ok) return;
      t.equal(result.status, 400);
      t.equal(result.error.code, 'invalid_body');
      t.match(result.error.fields, [{ field: 'credit' }], 'names credit');
      const duplicate = await api.card.create({
        username: `bad-${name}`,
        useralias: `bad-${name}`,
        uipass: '1',
        credit: '1',
        tariff: 1,
      });
      t.ok(duplicate.ok, 'the same card with a good credit is created');
      const again = await api.card.create({
        username: `bad-${name}`,
        useralias: `other-${name}`,
        uipass: '1',
        credit: '1',
        tariff: 1,
      });
      t.match(again, { ok: false, status: 409, error: { code: 'conflict' } }, 'a duplicate username is a 409 value');
    });

    await t.test('a composite key: tariffgroupplan', async (t) => {
      const plan = valueOf(await api.tariffgroup.create({ tariffgroupname: `plan-${name}` }));
      for (const rateCard of [7, 8, 9]) {
        const created = valueOf(await api.tariffgroupplan.create({ idtariffgroup: plan.id, idtariffplan: rateCard }));
        t.strictSame(created, { idtariffgroup: plan.id, idtariffplan: rateCard });
      }
      t.strictSame(valueOf(await api.tariffgroupplan.get([plan.id, 8])), { idtariffgroup: plan.id, idtariffplan: 8 });
      const after = valueOf(
        await api.tariffgroupplan.list({
          filters: { idtariffgroup: { tariffgroupname: `plan-${name}` } },
          after: [plan.id, 7],
          ordering: ['idtariffgroup', 'idtariffplan'],
        }),
      );
      t.strictSame(
        after.objects.map((row) => row.idtariffplan),
        [8, 9],
        'a filter through the reference, and keyset paging after a composite key',
      );
      t.strictSame(valueOf(await api.tariffgroupplan.delete([plan.id, 8])), { deleted: 1 });
      t.match(await api.tariffgroupplan.get([plan.id, 8]), { ok: false, status: 404 });
    });

    await t.test('a balance adjustment', async (t) => {
      const card = await newCard(`adjust-${name}`);
      const credited = await api.card.adjustCredit(card.id, { delta: '2.5', note: 'client test' });
      t.strictSame(valueOf(credited), { id: card.id, credit: '7.50000', delta: '2.50000' });
      const refused = await api.card.adjustCredit(card.id, { delta: -10, min_balance: 0 });
      t.match(refused, { ok: false, status: 409 }, 'below min_balance: a 409 value');
      const replayed = await api.card.adjustCredit(card.id, { delta: '1' }, { idempotencyKey: `once-${name}` });
      const again = await api.card.adjustCredit(card.id, { delta: '1' }, { idempotencyKey: `once-${name}` });
      t.strictSame(valueOf(again), valueOf(replayed), 'a retry with the same Idempotency-Key answers the first result');
      t.equal(valueOf(await api.card.get(card.id)).credit, 8.5, 'applied once');
    });

    await t.test('counts, and bulk create, update and delete', async (t) => {
      const prefix = `bulk-${name}-`;
      const inputs = Array.from({ length: 12 }, (_, index) => ({
        name: `${prefix}${index}`,
        description: index % 4 === 0 ? 'fourth' : '',
      }));
      const created = valueOf(await api.cardgroup.createMany(inputs));
      t.strictSame(
        created.objects.map((group) => group.name),
        inputs.map((input) => input.name),
        'the created rows, in the order sent',
      );
      const mine = { name: { startswith: prefix } };

      const exact = valueOf(await api.cardgroup.list({ filters: mine, limit: 5, count: 'exact' }));
      t.equal(exact.meta.total, 12, 'an exact count of the filter');
      t.equal(exact.meta.total_estimated, false);
      t.equal(exact.objects.length, 5, 'beside a page of 5');
      const estimated = valueOf(await api.cardgroup.list({ filters: mine, count: 'estimated' }));
      t.type(estimated.meta.total, 'number', 'an estimated count');
      t.equal(estimated.meta.total_estimated, name === 'mysql', 'marked where it is the optimizer’s estimate');
      t.notOk('total' in valueOf(await api.cardgroup.list({ filters: mine })).meta, 'no count unless asked');

      const bad = await api.cardgroup.createMany([{ name: `${prefix}x` }, { name: `${prefix}y`, users_perms: 1.5 }]);
      t.match(bad, { ok: false, status: 400, error: { code: 'invalid_body', fields: [{ field: '[1].users_perms' }] } });
      t.equal(
        valueOf(await api.cardgroup.list({ filters: { name: { in: [`${prefix}x`, `${prefix}y`] } } })).objects.length,
        0,
        'one bad row: none written',
      );

      const fourth = { ...mine, description: 'fourth' };
      const over = await api.cardgroup.updateWhere(fourth, { description: 'changed' }, { maxAffected: 2 });
      t.match(over, { ok: false, status: 409, error: { code: 'too_many_rows' } }, 'over the guard: a 409 value');
      t.equal(
        valueOf(await api.cardgroup.list({ filters: { ...mine, description: 'changed' }, count: 'exact' })).meta.total,
        0,
        'and nothing changed',
      );
      t.strictSame(valueOf(await api.cardgroup.updateWhere(fourth, { description: 'changed' }, { maxAffected: 3 })), {
        updated: 3,
      });
      const unfiltered = await api.cardgroup.deleteWhere({}, { maxAffected: 100 });
      t.match(unfiltered, { ok: false, status: 400, error: { code: 'invalid_query' } }, 'no filter: refused');
      t.match(await api.cardgroup.deleteWhere(mine, { maxAffected: 11 }), { ok: false, status: 409 });
      t.strictSame(valueOf(await api.cardgroup.deleteWhere(mine, { maxAffected: 12 })), { deleted: 12 });
      t.equal(valueOf(await api.cardgroup.list({ filters: mine, count: 'exact' })).meta.total, 0, 'all gone');
    });

    await t.test('credentials: Basic, an Authorization value, and wrong ones as a typed 401', async (t) => {
      const header = createClient({ baseUrl: service.baseUrl, auth: { authorization: basicAuth(USERNAME, PASSWORD) } });
      t.ok((await header.country.list({ limit: 1 })).ok, 'an Authorization header value');
      const wrong = createClient({ baseUrl: `${service.baseUrl}/`, auth: { username: USERNAME, password: 'wrong' } });
      t.match(await wrong.country.list(), { ok: false, status: 401, error: { code: 'unauthorized' } });
      const anonymous = createClient({ baseUrl: service.baseUrl });
      t.match(await anonymous.audit.list(), { ok: false, status: 401 });
      const audit = valueOf(await api.audit.list({ filters: { resource: 'card' }, ordering: ['-id'], limit: 1 }));
      t.equal(audit.objects[0]?.username, USERNAME, 'the read-only audit trail, read through the client');
    });
  });
}

/** A client whose fetch records each request and answers `answer`. */
function recording(answer: { status: number; body: string; etag?: string }) {
  const calls: { url: string; init: FetchInit }[] = [];
  const api = createClient({
    baseUrl: 'http://api.example/prefix/',
    auth: { username: 'üser', password: 'pässwörd 🔑' },
    headers: { 'x-client': 'test' },
    fetch: async (url, init) => {
      calls.push({ url, init });
      return {
        status: answer.status,
        headers: { get: (header: string) => (header === 'etag' ? (answer.etag ?? null) : null) },
        text: async () => answer.body,
      };
    },
  });
  return { api, calls };
}

t.test('what the client sends', async (t) => {
  const { api, calls } = recording({ status: 200, body: '{"meta": {}, "objects": []}' });
  await api.card.list({
    filters: {
      status: { in: [1, 2] },
      credit: { between: ['1.5', 9], ne: 3 },
      username: 'a&b c',
      id_group: { name: { ilike: 'déf%' }, eq: 1 },
      firstusedate: { is_null: true },
      lastname: undefined,
    },
    fields: ['id', 'username'],
    ordering: ['-credit', 'id'],
    limit: 5,
    page: 2,
    count: 'estimated',
  });
  const [list] = calls;
  t.equal(
    list!.url,
    'http://api.example/prefix/api/card/?status__in=1&status__in=2&credit__between=1.5%2C9&credit__ne=3&username=a%26b%20c' +
      '&id_group__name__ilike=d%C3%A9f%25&id_group__eq=1&firstusedate__is_null=true&fields=id%2Cusername' +
      '&ordering=-credit%2Cid&limit=5&page=2',
  );
  t.equal(list!.init.method, 'GET');
  t.equal(list!.init.headers.prefer, 'count=estimated');
  t.equal(list!.init.headers['x-client'], 'test');
  t.equal(
    list!.init.headers.authorization,
    `Basic ${Buffer.from('üser:pässwörd 🔑').toString('base64')}`,
    'Basic credentials of any text, UTF-8 as the service reads them',
  );
  t.equal(list!.init.body, undefined, 'no body on a GET');

  await api.iso639.update('a,b', { name: 'x' }, { ifMatch: '"tag"' });
  t.equal(calls[1]!.url, 'http://api.example/prefix/api/iso639/a%2Cb/', 'a key part is percent-encoded');
  t.equal(calls[1]!.init.headers['if-match'], '"tag"');
  t.equal(calls[1]!.init.headers['content-type'], 'application/json');
  t.equal(calls[1]!.init.body, '{"name":"x"}');

  await api.tariffgroupplan.list({ after: [1, 2] });
  t.equal(calls[2]!.url, 'http://api.example/prefix/api/tariffgroupplan/?after=1%2C2', 'after a composite key');
  await api.tariffgroupplan.delete([3, 4]);
  t.equal(calls[3]!.url, 'http://api.example/prefix/api/tariffgroupplan/3,4/');
  t.equal(calls[3]!.init.method, 'DELETE');

  await api.card.updateWhere({ id_group: 2 }, { status: 0 }, { maxAffected: 10 });
  t.match(calls[4], {
    url: 'http://api.example/prefix/api/card/?id_group=2',
    init: { method: 'PATCH', body: '{"status":0}', headers: { prefer: 'max-affected=10' } },
  });
  await api.card.deleteWhere({ username: { startswith: 'tmp' } }, { maxAffected: 1 });
  t.match(calls[5], {
    url: 'http://api.example/prefix/api/card/?username__startswith=tmp',
    init: { method: 'DELETE', headers: { prefer: 'max-affected=1' } },
  });
  await api.card.createMany([{ username: '1', useralias: '1', uipass: '1', credit: 1, tariff: 1 }]);
  t.match(calls[6], { url: 'http://api.example/prefix/api/card/', init: { method: 'POST' } });
  t.equal(calls[6]!.init.body, '[{"username":"1","useralias":"1","uipass":"1","credit":1,"tariff":1}]');
  await api.card.adjustCredit(9, { delta: '1' }, { idempotencyKey: 'k' });
  t.match(calls[7], {
    url: 'http://api.example/prefix/api/card/9/credit',
    init: { method: 'POST', headers: { 'idempotency-key': 'k' } },
  });

  await t.rejects(
    api.card.deleteWhere({ id: { in: [] } }, { maxAffected: 1 }),
    RangeError,
    'an empty `in` matches no row and is refused before anything is sent',
  );
  t.equal(calls.length, 8);
});

t.test('what the client makes of answers', async (t) => {
  const ok = recording({ status: 200, body: '{"id": 1}', etag: '"abc"' });
  t.strictSame(await ok.api.cardgroup.get(1), { ok: true, status: 200, value: { id: 1 }, etag: '"abc"' });
  const error = recording({
    status: 409,
    body: '{"error": "taken", "code": "conflict", "fields": [{"field": "name", "message": "is taken"}]}',
  });
  t.strictSame(await error.api.cardgroup.create({ name: 'x' }), {
    ok: false,
    status: 409,
    error: { error: 'taken', code: 'conflict', fields: [{ field: 'name', message: 'is taken' }] },
  });
  const proxy = recording({ status: 502, body: '<html>Bad Gateway</html>' });
  t.strictSame(await proxy.api.cardgroup.get(1), {
    ok: false,
    status: 502,
    error: { error: '<html>Bad Gateway</html>', code: 'unexpected_response' },
  });
  const bearer = createClient({
    baseUrl: 'http://api.example',
    auth: { bearer: 'key-1' },
    fetch: async (_url, init) => {
      t.equal(init.headers.authorization, 'Bearer key-1', 'a bearer token');
      return { status: 200, headers: { get: () => null }, text: async () => '{}' };
    },
  });
  await bearer.cardgroup.get(1);
});
