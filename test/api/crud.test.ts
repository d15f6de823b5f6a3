/**
 * Create, read, update and delete through both URL forms and every method
 * COMPAT.md lists, on SQLite and on MariaDB.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';

const card = (n: number) => ({
  username: `10000${n}`,
  useralias: `alias${n}`,
  uipass: `pass${n}`,
  credit: '5',
  tariff: '1',
});

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const { request } = service;

    await t.test('create returns the stored row with database defaults, and 200', async (t) => {
      const created = await request('/api/card/', { method: 'POST', body: card(1) });
      t.equal(created.status, 200);
      t.match(created.json, {
        username: '100001',
        credit: 5,
        tariff: 1,
        status: 1,
        currency: 'USD',
        id_group: 1,
        firstusedate: null,
      });
      t.type(created.json.id, 'number');
      const again = await request(`/api/card/${created.json.id}/`);
      t.same(again.json, created.json, 'GET one returns the same object, without an envelope');
    });

    await t.test('every route answers with and without the trailing slash', async (t) => {
      const group = await request('/api/cardgroup', { method: 'POST', body: { name: 'noslash' } });
      t.equal(group.status, 200);
      const id = group.json.id;
      t.equal((await request('/api/cardgroup')).status, 200);
      t.equal((await request(`/api/cardgroup/${id}`)).json.name, 'noslash');
      t.equal((await request(`/api/cardgroup/${id}`, { method: 'PUT', body: { name: 'put' } })).json.name, 'put');
      t.equal(
        (await request(`/api/cardgroup/${id}/`, { method: 'PATCH', body: { name: 'patch' } })).json.name,
        'patch',
      );
      t.equal((await request(`/api/cardgroup/${id}`, { method: 'POST', body: { name: 'post' } })).json.name, 'post');
      t.same((await request(`/api/cardgroup/${id}/delete`, { method: 'POST' })).json, { deleted: 1 });
      t.equal((await request(`/api/cardgroup/${id}`)).status, 404);
    });

    await t.test('updates are partial: only the fields sent are written', async (t) => {
      const created = (
        await request('/api/card/', { method: 'POST', body: { ...card(2), lastname: 'Smith', firstname: 'Ann' } })
      ).json;
      const updated = await request(`/api/card/${created.id}/`, { method: 'PATCH', body: { lastname: 'Jones' } });
      t.equal(updated.status, 200);
      t.equal(updated.json.lastname, 'Jones');
      t.equal(updated.json.firstname, 'Ann', 'a field not sent keeps its value');
      t.same({ ...updated.json, lastname: 'Smith' }, created, 'nothing else changed');
      const noop = await request(`/api/card/${created.id}/`, { method: 'PUT', body: {} });
      t.equal(noop.status, 200);
      t.same(noop.json, updated.json, '{} is a no-op that returns the row');
    });

    await t.test('a missing row is a 404 for every method', async (t) => {
      for (const method of ['GET', 'PUT', 'PATCH', 'POST', 'DELETE']) {
        const response = await request('/api/cardgroup/424242/', {
          method,
          body: method === 'GET' || method === 'DELETE' ? undefined : {},
        });
        t.equal(response.status, 404, method);
        t.equal(response.json.code, 'not_found', method);
      }
      t.equal((await request('/api/cardgroup/424242/delete/', { method: 'DELETE' })).status, 404);
    });

    await t.test('delete answers {"deleted": 1}, then 404', async (t) => {
      const group = (await request('/api/cardgroup/', { method: 'POST', body: { name: 'doomed' } })).json;
      const deleted = await request(`/api/cardgroup/${group.id}/`, { method: 'DELETE' });
      t.equal(deleted.status, 200);
      t.same(deleted.json, { deleted: 1 });
      t.equal((await request(`/api/cardgroup/${group.id}/`, { method: 'DELETE' })).status, 404);
      const alias = (await request('/api/cardgroup/', { method: 'POST', body: { name: 'alias' } })).json;
      t.same((await request(`/api/cardgroup/${alias.id}/delete/`, { method: 'DELETE' })).json, { deleted: 1 });
    });

    await t.test('duplicate username or useralias is a 409 naming the field', async (t) => {
      await request('/api/card/', { method: 'POST', body: card(3) });
      const before = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_card');
      const username = await request('/api/card/', { method: 'POST', body: { ...card(4), username: '100003' } });
      t.equal(username.status, 409);
      t.equal(username.json.code, 'conflict');
      t.same(
        username.json.fields.map((field: { field: string }) => field.field),
        ['username'],
      );
      const alias = await request('/api/card/', { method: 'POST', body: { ...card(5), useralias: 'alias3' } });
      t.equal(alias.status, 409);
      t.same(
        alias.json.fields.map((field: { field: string }) => field.field),
        ['useralias'],
      );
      const other = (await request('/api/card/', { method: 'POST', body: card(6) })).json;
      const update = await request(`/api/card/${other.id}/`, { method: 'PATCH', body: { username: '100003' } });
      t.equal(update.status, 409, 'an update to a taken username is a 409 too');
      const after = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_card');
      t.equal(Number(after[0]!.n), Number(before[0]!.n) + 1, 'only the valid card was added');
      t.equal((await request('/api/card/', { method: 'POST', body: { ...card(7), username: 'ABC' } })).status, 200);
      t.equal(
        (await request('/api/card/', { method: 'POST', body: { ...card(8), username: 'abc' } })).status,
        200,
        'usernames differing only in case are different (utf8_bin)',
      );
    });

    await t.test('form-encoded bodies: data=<json> and plain fields', async (t) => {
      const data = await request('/api/cardgroup/', {
        method: 'POST',
        body: `data=${encodeURIComponent(JSON.stringify({ name: 'from-data', users_perms: 7 }))}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      t.equal(data.status, 200);
      t.match(data.json, { name: 'from-data', users_perms: 7 });
      const plain = await request(`/api/cardgroup/${data.json.id}/`, {
        method: 'POST',
        body: 'name=plain&users_perms=9',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      t.match(plain.json, { name: 'plain', users_perms: 9 });
      const raw = await request('/api/cardgroup/', {
        method: 'POST',
        body: JSON.stringify({ name: 'curl-d' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      t.equal(raw.json.name, 'curl-d', 'JSON sent with curl -d (labelled as a form) is read as JSON');
    });

    await t.test('methods a route does not serve are 405 with Allow', async (t) => {
      const list = await request('/api/card/', { method: 'PUT', body: {} });
      t.equal(list.status, 405);
      t.equal(list.headers.get('allow'), 'GET, HEAD, POST, PATCH, DELETE');
      t.equal(list.json.code, 'method_not_allowed');
      const alias = await request('/api/card/1/delete/', { method: 'GET' });
      t.equal(alias.status, 405);
      t.equal(alias.headers.get('allow'), 'POST, DELETE');
    });

    await t.test('unknown resources and malformed keys are 404', async (t) => {
      for (const path of ['/api/nope/', '/api/card/0/', '/api/card/-3/', '/api/card/1.5/', '/api/card/abc/']) {
        const response = await request(path);
        t.equal(response.status, 404, path);
        t.equal(response.json.code, 'not_found', path);
      }
    });
  });
}
