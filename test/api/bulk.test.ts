/**
 * Bulk writes on both databases: a JSON array or a CSV file of 1,000 cards
 * or card groups lands whole, in order, one audit entry a row; one bad row
 * (a wrong value, a repeated unique username, a card asking for VoIP
 * accounts) leaves none; a failure inside the INSERT on a MyISAM table takes
 * the rows out again. Guarded PATCH and DELETE change what their filters
 * match, and nothing when more rows match than Prefer: max-affected allows.
 */
import t from 'tap';
import type { Db } from '../../runtime/db/db.js';
import { BACKENDS } from '../helpers/backends.js';
import { startService, type Service } from '../helpers/service.js';
import { wrapDb } from '../helpers/wrapped-db.js';

const json = { 'content-type': 'application/json' };
const csv = { 'content-type': 'text/csv' };

function cards(count: number, tag: string, from = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => ({
    username: `${tag}${from + index}`,
    useralias: `${tag}-alias-${from + index}`,
    uipass: `pw-${from + index}`,
    credit: (index % 50) + 0.5,
    tariff: 1,
  }));
}

function asCsv(rows: Record<string, unknown>[]): string {
  const header = Object.keys(rows[0]!);
  return [header.join(','), ...rows.map((row) => header.map((name) => String(row[name] ?? '')).join(','))].join('\r\n');
}

async function count(service: Service, sql: string): Promise<number> {
  const [row] = await service.backend.raw(sql);
  return Number(Object.values(row!)[0]);
}

const countCards = (service: Service) => count(service, 'SELECT COUNT(*) AS n FROM cc_card');
const auditEntries = (service: Service, resource: string, action: string) =>
  count(service, `SELECT COUNT(*) AS n FROM a2gen_audit WHERE resource = '${resource}' AND action = '${action}'`);

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const post = (path: string, body: unknown, headers: Record<string, string> = json) =>
      service.request(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });

    await t.test('1,000 card groups and 1,000 cards as JSON land whole, in order, audited', async (t) => {
      const groups = Array.from({ length: 1000 }, (_, index) => ({ name: `bulk-group-${index}` }));
      const created = await post('/api/cardgroup/', groups);
      t.equal(created.status, 200, created.text.slice(0, 300));
      t.equal(created.json.objects.length, 1000);
      t.same(
        created.json.objects.map((row: { name: string }) => row.name),
        groups.map((group) => group.name),
        'the rows come back in the order sent',
      );
      t.equal(created.headers.get('etag'), null, 'a bulk answer has no ETag');
      const ids = created.json.objects.map((row: { id: number }) => row.id);
      t.equal(new Set(ids).size, 1000, 'each row its own key');
      t.same((await service.request(`/api/cardgroup/${ids[500]}/`)).json.name, 'bulk-group-500');
      t.equal(await auditEntries(service, 'cardgroup', 'create'), 1000, 'one audit entry a row');

      const before = await countCards(service);
      const sent = cards(1000, 'json');
      const made = await post('/api/card/', sent);
      t.equal(made.status, 200, made.text.slice(0, 300));
      t.same(
        made.json.objects.map((row: { username: string; credit: number }) => [row.username, row.credit]),
        sent.map((card) => [card.username, card.credit]),
      );
      t.notOk('uipass' in made.json.objects[0], 'write-only columns stay hidden');
      t.equal(await countCards(service), before + 1000);
    });

    await t.test('one bad row leaves none, and is named', async (t) => {
      const before = await countCards(service);
      const audits = await auditEntries(service, 'card', 'create');
      const sent = cards(1000, 'bad');
      sent[537]!.credit = 'lots';
      delete sent[812]!.username;
      const refused = await post('/api/card/', sent);
      t.equal(refused.status, 400);
      t.match(
        refused.json.fields.map((field: { field: string }) => field.field),
        ['[537].credit', '[812].username'],
      );
      t.equal(await countCards(service), before, 'no card written');

      const twice = cards(10, 'dup');
      twice[7]!.username = twice[2]!.username;
      const repeated = await post('/api/card/', twice);
      t.equal(repeated.status, 409);
      t.equal(repeated.json.code, 'conflict');
      t.match(repeated.json.fields, [{ field: '[7].username', message: /same value as row \[2\]/ }]);
      const taken = await post('/api/card/', cards(5, 'json', 998));
      t.equal(taken.status, 409, 'a username another card already has');
      const named = taken.json.fields.map((field: { field: string }) => field.field);
      t.ok(named.includes('[0].username') && named.includes('[1].username'), `names both rows: ${named}`);
      t.notOk(
        named.some((field: string) => field.startsWith('[2]')),
        'and not the new ones',
      );
      const voip = await post('/api/card/', [...cards(3, 'voip'), { ...cards(1, 'voip', 3)[0], sip_buddy: 1 }]);
      t.equal(voip.status, 400);
      t.match(voip.json.fields, [{ field: '[3].sip_buddy', message: /on its own/ }]);
      t.equal(await countCards(service), before, 'still no card written');
      t.equal(await auditEntries(service, 'card', 'create'), audits, 'and nothing audited');
    });

    await t.test('CSV: a header row of field names, 1,000 rows', async (t) => {
      const before = await countCards(service);
      const sent = cards(1000, 'csv');
      const created = await post('/api/card/', asCsv(sent), csv);
      t.equal(created.status, 200, created.text.slice(0, 300));
      t.equal(created.json.objects.length, 1000);
      t.match(created.json.objects[999], { username: 'csv999', credit: 49.5, tariff: 1 });
      t.equal(await countCards(service), before + 1000);

      const groupsBefore = await count(service, 'SELECT COUNT(*) AS n FROM cc_card_group');
      const groups = [
        'name,description',
        ...Array.from({ length: 1000 }, (_, index) => `csv-group-${index},"from, a file"`),
      ];
      const groupsCreated = await post('/api/cardgroup/', groups.join('\n'), csv);
      t.equal(groupsCreated.status, 200);
      t.match(groupsCreated.json.objects[999], { name: 'csv-group-999', description: 'from, a file' });
      t.equal(
        await count(service, 'SELECT COUNT(*) AS n FROM cc_card_group'),
        groupsBefore + 1000,
        '1,000 groups from CSV',
      );

      const bad = cards(20, 'csvbad');
      bad[13]!.credit = '1.123456789';
      const refused = await post('/api/card/', asCsv(bad), csv);
      t.equal(refused.status, 400);
      t.match(refused.json.fields, [{ field: '[13].credit', message: /decimal places/ }]);
      const unknown = await post('/api/card/', 'username,colour\nx,red\n', csv);
      t.equal(unknown.status, 400);
      t.match(
        unknown.json.fields.find((field: { field: string }) => field.field === '[0].colour'),
        { message: 'is not a known field' },
      );
      const ragged = await post('/api/card/', 'username,useralias\nx\n', csv);
      t.equal(ragged.status, 400);
      t.equal(ragged.json.code, 'invalid_csv');
      const latin1 = Buffer.concat([Buffer.from('name\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from('\n')]);
      const encoded = await service.request('/api/cardgroup/', { method: 'POST', body: latin1, headers: csv });
      t.equal(encoded.status, 400, 'bytes that are not UTF-8');
      t.equal(encoded.json.code, 'invalid_encoding');
      t.equal(await countCards(service), before + 1000, 'nothing of the refused files written');
    });

    await t.test('guarded bulk update and delete', async (t) => {
      const guarded = { ...json, prefer: 'max-affected=10' };
      const filter = '/api/card/?username__startswith=json99';
      const update = (path: string, body: unknown, headers: Record<string, string>) =>
        service.request(path, { method: 'PATCH', body, headers });
      t.equal((await update('/api/card/?username=json1', { status: 0 }, json)).status, 400, 'no Prefer: refused');
      t.match((await update('/api/card/', { status: 0 }, guarded)).json.fields, [
        { field: 'query', message: /at least one filter/ },
      ]);
      t.match((await update(`${filter}&page=2`, { status: 0 }, guarded)).json.fields, [{ field: 'page' }]);

      const audits = await auditEntries(service, 'card', 'update');
      // json99, json990 … json999: eleven cards, one more than allowed.
      const tooMany = await update(filter, { status: 0 }, guarded);
      t.equal(tooMany.status, 409);
      t.equal(tooMany.json.code, 'too_many_rows');
      t.equal(await count(service, 'SELECT COUNT(*) AS n FROM cc_card WHERE status = 0'), 0, 'nothing changed');

      const updated = await update(filter, { status: 0 }, { ...json, prefer: 'max-affected=11' });
      t.same(updated.json, { updated: 11 });
      t.equal(
        await count(service, "SELECT COUNT(*) AS n FROM cc_card WHERE status = 0 AND username LIKE 'json99%'"),
        11,
      );
      t.equal(await auditEntries(service, 'card', 'update'), audits + 11, 'one audit entry a row');

      const remove = (path: string, prefer: string) => service.request(path, { method: 'DELETE', headers: { prefer } });
      const before = await countCards(service);
      t.equal((await remove('/api/card/?status=0', 'max-affected=5')).status, 409);
      t.equal(await countCards(service), before, 'over the guard: nothing deleted');
      t.same((await remove('/api/card/?status=0', 'max-affected=11')).json, { deleted: 11 });
      t.equal(await countCards(service), before - 11);
      t.equal(await auditEntries(service, 'card', 'delete'), 11);
      t.same((await remove('/api/card/?status=0', 'max-affected=11')).json, { deleted: 0 }, 'none left to match');
    });

    await t.test('more rows than A2B_MAX_BULK: 413', async (t) => {
      const small = await startService(name, { maxBulk: 10 });
      t.teardown(() => small.close());
      const tooMany = await small.request('/api/cardgroup/', {
        method: 'POST',
        body: Array.from({ length: 11 }, (_, index) => ({ name: `g${index}` })),
      });
      t.equal(tooMany.status, 413);
      t.match(tooMany.json.error, /at most 10 rows/);
      const csvTooMany = await small.request('/api/cardgroup/', {
        method: 'POST',
        body: ['name', ...Array.from({ length: 11 }, (_, index) => `g${index}`)].join('\n'),
        headers: csv,
      });
      t.equal(csvTooMany.status, 413);
    });
  });
}

t.test('mysql: a failure inside a MyISAM bulk create takes its rows out again', async (t) => {
  let inject = false;
  /** After the INSERT into cc_card ran, as if the server failed right then. */
  const failAfterInsert = (connection: Db): Db => {
    const fail = async <R>(sql: string, pending: Promise<R>): Promise<R> => {
      const result = await pending;
      if (inject && sql.startsWith('INSERT INTO cc_card ')) throw new Error('injected failure after the INSERT');
      return result;
    };
    return wrapDb(connection, {
      all: (sql, params) => fail(sql, connection.all(sql, params)),
      run: (sql, params) => fail(sql, connection.run(sql, params)),
    });
  };
  const service = await startService('mysql', {}, (db) =>
    wrapDb(db, { pinned: (work, options) => db.pinned((connection) => work(failAfterInsert(connection)), options) }),
  );
  t.teardown(() => service.close());
  const before = await countCards(service);
  inject = true;
  const failed = await service.request('/api/card/', { method: 'POST', body: cards(50, 'undo') });
  inject = false;
  t.equal(failed.status, 500, 'the injected failure');
  t.equal(await countCards(service), before, 'the 50 rows were taken out again');
  t.equal(await auditEntries(service, 'card', 'create'), 0, 'nothing audited');
  const after = await service.request('/api/card/', { method: 'POST', body: cards(2, 'undo') });
  t.equal(after.status, 200, 'the table is unlocked: the next bulk create works');
  t.equal(await countCards(service), before + 2);
});
