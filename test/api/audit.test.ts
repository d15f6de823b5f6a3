/**
 * The audit trail: every create, update, delete and credit adjustment, from
 * the API and from the admin panel, appends exactly one a2gen_audit row with
 * who, from where, the route, and the values before and after (write-only
 * columns masked). The API serves the trail read-only.
 */
import t from 'tap';
import { cardGroupModel } from '../../generated/cardgroup/model.js';
import { Registry } from '../../runtime/store/resource.js';
import { Store, type WriteContext } from '../../runtime/store/store.js';
import { AuditWriter, MASKED } from '../../runtime/store/audit-log.js';
import { wrapDb } from '../helpers/wrapped-db.js';
import { BACKENDS, createBackend } from '../helpers/backends.js';
import { startService, USERNAME } from '../helpers/service.js';
import { startAdminService } from '../admin/admin-service.js';

type AuditRow = Record<string, any>;

for (const name of BACKENDS) {
  t.test(`${name}: API writes`, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const { request } = service;
    const trail = async (): Promise<AuditRow[]> =>
      (await service.backend.raw('SELECT * FROM a2gen_audit ORDER BY id')).map((row) => ({
        ...row,
        old_values: row.old_values === null ? null : JSON.parse(String(row.old_values)),
        new_values: row.new_values === null ? null : JSON.parse(String(row.new_values)),
      }));

    const card = await request('/api/card/', {
      method: 'POST',
      body: { username: `audit-${name}`, useralias: 'a', uipass: '4321', credit: '5', tariff: 1 },
    });
    const group = await request('/api/cardgroup/', { method: 'POST', body: { name: 'audited', description: 'first' } });
    const other = await request('/api/cardgroup/', { method: 'POST', body: { name: 'doomed' } });
    const id = card.json.id;
    await request(`/api/card/${id}/`, { method: 'PATCH', body: { lastname: 'Smith', uipass: '9999' } });
    await request(`/api/cardgroup/${group.json.id}/`, { method: 'PUT', body: { description: 'second' } });
    await request(`/api/cardgroup/${group.json.id}/`, { method: 'PATCH', body: {} });
    await request(`/api/card/${id}/credit`, { method: 'POST', body: { delta: '2.5', note: 'refill #77' } });
    await request(`/api/card/${id}/credit`, { method: 'POST', body: { delta: '-1' } });
    await request(`/api/card/${id}/credit`, { method: 'POST', body: { delta: '-100', min_balance: '0' } });
    await request(`/api/cardgroup/${group.json.id}/`, {
      method: 'PATCH',
      headers: { 'if-match': '"stale"' },
      body: { name: 'x' },
    });
    await request(`/api/cardgroup/${group.json.id}/`, { method: 'PATCH', body: { name: 'y'.repeat(51) } });
    await request(`/api/cardgroup/${other.json.id}/`, { method: 'DELETE' });

    const rows = await trail();
    t.same(
      rows.map((row) => `${row.action} ${row.resource} ${row.row_key}`),
      [
        `create card ${id}`,
        `create cardgroup ${group.json.id}`,
        `create cardgroup ${other.json.id}`,
        `update card ${id}`,
        `update cardgroup ${group.json.id}`,
        `adjust card ${id}`,
        `adjust card ${id}`,
        `delete cardgroup ${other.json.id}`,
      ],
      '8 changes, 8 rows: the no-op {}, the 409, the 412 and the 400 wrote nothing and left no row',
    );
    for (const row of rows) {
      t.equal(row.username, USERNAME, 'who');
      t.equal(row.client, '127.0.0.1', 'from where');
      t.match(row.at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'when (UTC)');
    }
    const [created, , , updated, groupUpdated, refill, debit, deleted] = rows;
    t.equal(created!.route, 'POST /api/card/');
    t.equal(created!.old_values, null);
    t.match(
      created!.new_values,
      { id, username: `audit-${name}`, credit: 5, uipass: MASKED },
      'the whole new row; the write-only PIN masked',
    );
    t.equal(updated!.route, 'PATCH /api/card/:id/');
    t.same(updated!.old_values, { lastname: '', uipass: MASKED }, 'the fields sent, before');
    t.same(updated!.new_values, { lastname: 'Smith', uipass: MASKED }, 'and after');
    t.same([groupUpdated!.old_values, groupUpdated!.new_values], [{ description: 'first' }, { description: 'second' }]);
    t.same(
      [refill!.old_values, refill!.new_values, refill!.note],
      [{ credit: '5.00000' }, { credit: '7.50000' }, 'refill #77'],
      'an adjustment: exact balances and the note',
    );
    t.same([debit!.old_values, debit!.new_values], [{ credit: '7.50000' }, { credit: '6.50000' }]);
    t.equal(debit!.route, 'POST /api/card/:id/credit');
    t.match(deleted!.old_values, { id: other.json.id, name: 'doomed' }, 'a delete keeps the whole row');
    t.equal(deleted!.new_values, null);
    const leaked = await service.backend.raw(
      "SELECT id FROM a2gen_audit WHERE old_values LIKE '%4321%' OR new_values LIKE '%4321%' OR old_values LIKE '%9999%' OR new_values LIKE '%9999%'",
    );
    t.same(leaked, [], 'no PIN anywhere in the trail');

    await t.test('the API serves the trail read-only, with filters', async (t) => {
      const adjustments = await request(`/api/audit/?resource=card&action=adjust&row_key=${id}&ordering=id`);
      t.equal(adjustments.status, 200);
      t.same(
        adjustments.json.objects.map((row: AuditRow) => row.note),
        ['refill #77', null],
      );
      const one = await request(`/api/audit/${rows[0]!.id}/`);
      t.equal(one.json.action, 'create');
      for (const [method, path] of [
        ['POST', '/api/audit/'],
        ['PATCH', `/api/audit/${rows[0]!.id}/`],
        ['PUT', `/api/audit/${rows[0]!.id}/`],
        ['DELETE', `/api/audit/${rows[0]!.id}/`],
      ] as const) {
        const refused = await request(path, { method, body: method === 'DELETE' ? undefined : { note: 'forged' } });
        t.equal(refused.status, 405, `${method} ${path} → 405`);
      }
      t.equal((await trail()).length, 8, 'the trail is unchanged');
      t.equal((await request('/api/audit/', { auth: false })).status, 401, 'and needs credentials');
    });
  });

  t.test(`${name}: admin panel writes are audited as the signed-in user`, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const admin = service.client();
    await admin.login();
    await admin.get('/admin/cardgroup/add/');
    const added = await admin.post('/admin/cardgroup/add/', {
      name: 'from-admin',
      description: '',
      users_perms: '0',
      id_agent: '',
      provisioning: '',
    });
    t.equal(added.status, 303, 'created');
    const [row] = await service.backend.raw("SELECT id FROM cc_card_group WHERE name = 'from-admin'");
    const groupId = row!.id;
    await admin.get(`/admin/cardgroup/${groupId}/`);
    const edited = await admin.post(`/admin/cardgroup/${groupId}/`, {
      name: 'from-admin',
      description: 'edited',
      users_perms: '0',
      id_agent: '',
      provisioning: '',
    });
    t.equal(edited.status, 303, 'edited');
    await admin.get(`/admin/cardgroup/delete/?id=${groupId}`);
    t.equal((await admin.post('/admin/cardgroup/delete/', { id: String(groupId) })).status, 303, 'deleted');
    const rows = await service.backend.raw(
      'SELECT username, route, action, old_values, new_values FROM a2gen_audit ORDER BY id',
    );
    t.same(
      rows.map((entry) => [entry.username, entry.route, entry.action]),
      [
        [USERNAME, 'POST /admin/cardgroup/add/', 'create'],
        [USERNAME, 'POST /admin/cardgroup/:id/', 'update'],
        [USERNAME, 'POST /admin/cardgroup/delete/', 'delete'],
      ],
    );
    t.same(JSON.parse(String(rows[1]!.new_values)), { description: 'edited' });
    const page = await admin.get('/admin/audit/');
    t.equal(page.status, 200, 'the trail has an admin page');
    t.match(
      page.text,
      /Created[\s\S]*Updated[\s\S]*Deleted|Deleted[\s\S]*Updated[\s\S]*Created/,
      'listing the entries, actions in words',
    );
    t.notMatch(page.text, /href="\/admin\/audit\/add\/"|Delete selected/, 'with no way to add or delete entries');
    const [first] = await service.backend.raw('SELECT id FROM a2gen_audit ORDER BY id LIMIT 1');
    const record = await admin.get(`/admin/audit/${first!.id}/`);
    t.equal(record.status, 200, 'an entry has a page of its own');
    t.match(record.text, /Read-only/);
    t.match(record.text, /POST \/admin\/cardgroup\/add\//, 'showing every field, the route included');
    t.notMatch(record.text, /<form[^>]*method="post"[^>]*action="\/admin\/audit/, 'and no form that could change it');
    for (const path of ['/admin/audit/add/', `/admin/audit/delete/?id=${first!.id}`]) {
      t.equal((await admin.get(path)).status, 404, `GET ${path}: 404`);
    }
    for (const path of ['/admin/audit/add/', `/admin/audit/${first!.id}/`, '/admin/audit/delete/']) {
      t.equal((await admin.post(path, { id: String(first!.id), note: 'forged' })).status, 404, `POST ${path}: 404`);
    }
    t.equal((await service.backend.raw('SELECT id FROM a2gen_audit')).length, 3, 'the trail is unchanged');
  });

  t.test(`${name}: A2B_AUDIT=off writes no trail`, async (t) => {
    const service = await startService(name, { audit: false });
    t.teardown(() => service.close());
    t.equal((await service.request('/api/cardgroup/', { method: 'POST', body: { name: 'quiet' } })).status, 200);
    t.same(await service.backend.raw('SELECT id FROM a2gen_audit'), []);
  });

  t.test(`${name}: MyISAM: a trail that cannot be written does not undo or fail the change`, async (t) => {
    const backend = await createBackend(name);
    t.teardown(() => backend.cleanup());
    await backend.raw('DROP TABLE a2gen_audit');
    const logged: unknown[] = [];
    const context: WriteContext = {
      log: { error: (entry: unknown) => logged.push(entry) },
      actor: { user: 'ops', client: '127.0.0.1', route: 'POST /api/cardgroup/' },
    };
    const registry = new Registry([cardGroupModel]);
    const created = await new Store(backend.db, registry, true).create(context, registry.get('cardgroup')!, {
      name: 'kept',
    });
    t.equal(created.name, 'kept', 'the change is reported as made');
    t.equal((await backend.raw("SELECT id FROM cc_card_group WHERE name = 'kept'")).length, 1, 'and it is there');
    t.equal(logged.length, 1, 'the entry went to the error log instead');
    t.match(logged[0], { audit: { action: 'create', resource: 'cardgroup' }, actor: { user: 'ops' } });
  });
}

t.test('mysql: InnoDB: the change and its audit row commit together', async (t) => {
  const backend = await createBackend('mysql');
  t.teardown(() => backend.cleanup());
  await backend.raw('ALTER TABLE cc_card_group ENGINE=InnoDB');
  const registry = new Registry([{ ...cardGroupModel, engine: 'InnoDB' }]);
  const store = new Store(backend.db, registry, true);
  const innodb = registry.get('cardgroup')!;
  const context: WriteContext = {
    log: { error() {} },
    actor: { user: 'ops', client: '127.0.0.1', route: 'POST /api/cardgroup/' },
  };
  const kept = await store.create(context, innodb, { name: 'committed' });
  t.same(
    await backend.raw('SELECT action, row_key FROM a2gen_audit'),
    [{ action: 'create', row_key: String(kept.id) }],
    'both written',
  );
  await backend.raw('DROP TABLE a2gen_audit');
  await t.rejects(store.create(context, innodb, { name: 'rolled back' }), 'the audit row failed, so the write fails');
  t.same(
    await backend.raw("SELECT id FROM cc_card_group WHERE name = 'rolled back'"),
    [],
    'and the change was rolled back with it',
  );
});

for (const name of BACKENDS) {
  t.test(`${name}: concurrent writes share audit INSERTs (group commit), and every row is stored`, async (t) => {
    const backend = await createBackend(name);
    t.teardown(() => backend.cleanup());
    const inserts: number[] = [];
    const counting = wrapDb(backend.db, {
      run: (sql, params) => {
        if (sql.startsWith('INSERT INTO a2gen_audit')) inserts.push((params ?? []).length / 10);
        return backend.db.run(sql, params);
      },
    });
    const writer = new AuditWriter(counting);
    const actor = { user: 'ops', client: '127.0.0.1', route: 'test' };
    await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        writer.append(actor, {
          action: 'update',
          resource: 'card',
          key: String(index),
          before: null,
          after: { n: index },
        }),
      ),
    );
    const rows = await backend.raw('SELECT row_key FROM a2gen_audit ORDER BY id');
    t.same(
      rows.map((row) => Number(row.row_key)),
      Array.from({ length: 100 }, (_, index) => index),
      '100 entries, 100 rows, in order',
    );
    t.equal(
      inserts.reduce((sum, count) => sum + count, 0),
      100,
    );
    t.same(inserts, [32, 32, 32, 4], 'entries of one turn go together, at most 32 an INSERT');

    inserts.length = 0;
    await writer.append(actor, { action: 'create', resource: 'card', key: 'alone', before: null, after: {} });
    t.same(inserts, [1], 'an entry alone is written at once, with no company to wait for');
    await Promise.all(
      [1, 2, 3].map(async (index) => {
        await new Promise((resolve) => setTimeout(resolve, index));
        await writer.append(actor, {
          action: 'create',
          resource: 'card',
          key: `later ${index}`,
          before: null,
          after: {},
        });
      }),
    );
    t.equal(
      inserts.slice(1).reduce((sum, count) => sum + count, 0),
      3,
      'entries of later turns are written too',
    );

    await backend.raw('DROP TABLE a2gen_audit');
    const failed = await Promise.allSettled(
      Array.from({ length: 5 }, (_, index) =>
        writer.append(actor, { action: 'delete', resource: 'card', key: String(index), before: null, after: null }),
      ),
    );
    t.same(
      failed.map((result) => result.status),
      Array(5).fill('rejected'),
      'a failed INSERT fails every entry in it',
    );
  });
}
