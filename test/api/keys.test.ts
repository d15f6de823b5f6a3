/**
 * Primary keys of any shape, on SQLite and MariaDB, through the API: a CHAR
 * key (cc_iso639.code) and a two-column key (cc_tariffgroup_plan), each part
 * percent-encoded in the URL (a comma inside a value is %2C). CRUD, a
 * duplicate key, If-Match, the audit trail's row_key, keyset paging by the
 * whole key, and filters through the composite table's reference.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const { request } = service;
    const auditOf = async (resource: string) =>
      (await request(`/api/audit/?resource=${resource}&fields=action,row_key&ordering=id`)).json.objects as {
        action: string;
        row_key: string;
      }[];

    await t.test('a CHAR key: create, read, update, delete by the code', async (t) => {
      const created = await request('/api/iso639/', { method: 'POST', body: { code: 'xx', name: 'Testish' } });
      t.equal(created.status, 200, 'created', { found: created.text });
      t.same(
        created.json,
        { code: 'xx', name: 'Testish', lname: null, charset: 'ISO-8859-1' },
        'the key as sent, the defaults as stored',
      );
      t.same((await request('/api/iso639/xx/')).json, created.json, 'read back by its code');
      t.same((await request('/api/iso639/xx')).json, created.json, 'without the trailing slash too');
      t.equal((await request('/api/iso639/zz/')).status, 404, 'another code: 404');
      t.equal((await request('/api/iso639/toolong/')).status, 404, 'a value that cannot be a code: 404');

      const duplicate = await request('/api/iso639/', { method: 'POST', body: { code: 'xx', name: 'Other' } });
      t.equal(duplicate.status, 409, 'the same code again: 409');
      t.same(
        duplicate.json.fields.map((field: { field: string }) => field.field),
        ['code'],
        'naming the key',
      );
      const missing = await request('/api/iso639/', { method: 'POST', body: { name: 'Nameless' } });
      t.equal(missing.status, 400, 'a create without its key: 400');
      t.ok(
        missing.json.fields.some((field: { field: string }) => field.field === 'code'),
        'naming code',
      );

      const updated = await request('/api/iso639/xx/', { method: 'PATCH', body: { lname: 'Testisch' } });
      t.equal(updated.status, 200);
      t.equal(updated.json.lname, 'Testisch', 'a partial update by code');
      const rekey = await request('/api/iso639/xx/', { method: 'PATCH', body: { code: 'yy' } });
      t.equal(rekey.status, 400, 'the key is never updated');
      t.same(
        rekey.json.fields.map((field: { field: string }) => field.field),
        ['code'],
      );

      const comma = await request('/api/iso639/', { method: 'POST', body: { code: 'a,', name: 'Comma' } });
      t.equal(comma.status, 200, 'a code with a comma in it');
      t.equal((await request('/api/iso639/a%2C/')).json.name, 'Comma', 'is read back with the comma encoded');
      t.equal(
        (await request('/api/iso639/a,/')).status,
        404,
        'unencoded it names a two-part key, which this table has not',
      );

      t.same((await request('/api/iso639/xx/', { method: 'DELETE' })).json, { deleted: 1 });
      t.equal((await request('/api/iso639/xx/')).status, 404, 'gone');
      t.equal(
        (await request('/api/iso639/a%2C/delete/', { method: 'POST' })).status,
        200,
        'the legacy delete alias, encoded',
      );
      t.same(
        (await auditOf('iso639')).map((entry) => `${entry.action} ${entry.row_key}`),
        ['create xx', 'update xx', 'create a%2C', 'delete xx', 'delete a%2C'],
        'the audit trail names each row by its key in URL form',
      );
    });

    await t.test('a CHAR key: keyset paging and If-Match', async (t) => {
      for (const [code, language] of [
        ['ba', 'Bashkir'],
        ['bb', 'Bbb'],
        ['bc', 'Bcc'],
      ]) {
        await request('/api/iso639/', { method: 'POST', body: { code, name: language } });
      }
      const first = await request('/api/iso639/?code__startswith=b&ordering=code&limit=2&after=a');
      t.same(
        first.json.objects.map((row: { code: string }) => row.code),
        ['ba', 'bb'],
      );
      t.equal(
        first.json.meta.next,
        '/api/iso639/?code__startswith=b&ordering=code&limit=2&page=2&after=bb',
        'next carries the last code',
      );
      const second = await request(first.json.meta.next);
      t.same(
        second.json.objects.map((row: { code: string }) => row.code),
        ['bc'],
      );
      const descending = await request('/api/iso639/?code__startswith=b&ordering=-code&after=bc');
      t.same(
        descending.json.objects.map((row: { code: string }) => row.code),
        ['bb', 'ba'],
        'descending too',
      );

      const read = await request('/api/iso639/bb/');
      const etag = read.headers.get('etag')!;
      t.ok(etag, 'a row by code has an ETag');
      t.equal(
        (await request('/api/iso639/bb/', { method: 'PATCH', headers: { 'if-match': etag }, body: { lname: 'first' } }))
          .status,
        200,
      );
      const stale = await request('/api/iso639/bb/', {
        method: 'PATCH',
        headers: { 'if-match': etag },
        body: { lname: 'second' },
      });
      t.equal(stale.status, 412, 'the same tag again: 412');
      t.equal((await request('/api/iso639/bb/')).json.lname, 'first', 'nothing written');
      t.equal(
        (await request('/api/iso639/bb/', { method: 'DELETE', headers: { 'if-match': etag } })).status,
        412,
        'a stale delete: 412',
      );
    });

    await t.test('a two-column key: create, read, conflict, delete by both parts', async (t) => {
      const plan = (await request('/api/tariffgroup/', { method: 'POST', body: { tariffgroupname: 'Europe' } })).json
        .id as number;
      const created = await request('/api/tariffgroupplan/', {
        method: 'POST',
        body: { idtariffgroup: plan, idtariffplan: 7 },
      });
      t.equal(created.status, 200, 'created', { found: created.text });
      t.same(created.json, { idtariffgroup: plan, idtariffplan: 7 }, 'answers the key it stored');
      t.same((await request(`/api/tariffgroupplan/${plan},7/`)).json, created.json, 'read back by both parts');
      t.equal((await request(`/api/tariffgroupplan/${plan},8/`)).status, 404, 'another pair: 404');
      t.equal((await request(`/api/tariffgroupplan/${plan}/`)).status, 404, 'one part alone names no row');
      t.equal((await request(`/api/tariffgroupplan/${plan},7,1/`)).status, 404, 'nor do three');
      const duplicate = await request('/api/tariffgroupplan/', {
        method: 'POST',
        body: { idtariffgroup: plan, idtariffplan: 7 },
      });
      t.equal(duplicate.status, 409, 'the same pair again: 409');
      t.same(
        duplicate.json.fields.map((field: { field: string }) => field.field),
        ['idtariffgroup', 'idtariffplan'],
        'naming both parts',
      );
      const rekey = await request(`/api/tariffgroupplan/${plan},7/`, { method: 'PATCH', body: { idtariffplan: 8 } });
      t.equal(rekey.status, 400, 'a key part is never updated');
      const etag = (await request(`/api/tariffgroupplan/${plan},7/`)).headers.get('etag')!;
      t.same(
        (await request(`/api/tariffgroupplan/${plan},7/`, { method: 'DELETE', headers: { 'if-match': etag } })).json,
        { deleted: 1 },
        'If-Match on a delete',
      );
      t.equal((await request(`/api/tariffgroupplan/${plan},7/`, { method: 'DELETE' })).status, 404, 'gone');
      t.same(
        (await auditOf('tariffgroupplan')).map((entry) => `${entry.action} ${entry.row_key}`),
        [`create ${plan},7`, `delete ${plan},7`],
        'row_key holds both parts',
      );
    });

    await t.test('a two-column key: keyset paging by the whole key, filters through its reference', async (t) => {
      const asia = (await request('/api/tariffgroup/', { method: 'POST', body: { tariffgroupname: 'Asia' } })).json
        .id as number;
      const africa = (await request('/api/tariffgroup/', { method: 'POST', body: { tariffgroupname: 'Africa' } })).json
        .id as number;
      const pairs = [
        [asia, 1],
        [asia, 2],
        [africa, 1],
        [africa, 3],
      ];
      for (const [idtariffgroup, idtariffplan] of pairs) {
        await request('/api/tariffgroupplan/', { method: 'POST', body: { idtariffgroup, idtariffplan } });
      }
      const keys = (response: { json: { objects: { idtariffgroup: number; idtariffplan: number }[] } }) =>
        response.json.objects.map((row) => `${row.idtariffgroup},${row.idtariffplan}`);
      const scope = `idtariffgroup__in=${asia},${africa}`;
      const first = await request(`/api/tariffgroupplan/?${scope}&limit=3&after=0,0`);
      t.same(keys(first), [`${asia},1`, `${asia},2`, `${africa},1`], 'ordered by both parts, after the smallest key');
      t.equal(
        first.json.meta.next,
        `/api/tariffgroupplan/?${encodeURI(scope).replace(/,/g, '%2C')}&limit=3&page=2&after=${africa}%2C1`,
        'next carries the whole key',
      );
      const second = await request(first.json.meta.next);
      t.same(keys(second), [`${africa},3`], 'the rest');
      const down = await request(
        `/api/tariffgroupplan/?${scope}&ordering=-idtariffgroup,-idtariffplan&after=${africa},3`,
      );
      t.same(keys(down), [`${africa},1`, `${asia},2`, `${asia},1`], 'descending by both parts');
      const wrong = await request(`/api/tariffgroupplan/?ordering=idtariffplan&after=1,1`);
      t.equal(wrong.status, 400, 'after needs the ordering by the key');
      t.match(wrong.json.fields, [{ field: 'after', message: /idtariffgroup,idtariffplan/ }]);
      t.equal((await request('/api/tariffgroupplan/?after=1')).status, 400, 'after needs every part');

      const byName = await request('/api/tariffgroupplan/?idtariffgroup__tariffgroupname=Africa');
      t.same(keys(byName), [`${africa},1`, `${africa},3`], 'a filter through the reference, by the call plan’s name');
      const ordered = await request(`/api/tariffgroupplan/?${scope}&ordering=-idtariffplan`);
      t.same(
        keys(ordered),
        [`${africa},3`, `${asia},2`, `${asia},1`, `${africa},1`],
        'any ordering, the key breaking ties',
      );
    });
  });
}
