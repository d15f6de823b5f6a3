/**
 * The statements a write costs (each one a round trip to a MySQL server,
 * and the service's CPU time goes mostly to them): a create is its INSERT …
 * RETURNING; an update on MySQL is its UPDATE, which keeps the old values
 * its audit row shows, and the read back (SQLite reads those old values
 * first); each is followed by its audit row. Counted where the service meets
 * its Db, and checked against what the database then holds.
 */
import t from 'tap';
import { READ_LIVE_KEYS } from '../../runtime/auth/api-key-store.js';
import { READ_USERS } from '../../runtime/auth/user-watch.js';
import type { Db } from '../../runtime/db/db.js';
import { understandsInsertReturning } from '../../runtime/db/mysql/driver.js';
import { BACKENDS } from '../helpers/backends.js';
import { startService, type Service } from '../helpers/service.js';
import { wrapDb } from '../helpers/wrapped-db.js';

/** Each statement as "all|run: its first three words", on a pinned connection too. */
function counting(statements: string[], overrides: { insertReturning?: boolean } = {}) {
  const words = (sql: string) => sql.trim().split(/\s+/).slice(0, 3).join(' ');
  const wrap = (db: Db): Db =>
    wrapDb(db, {
      ...overrides,
      // The user and key tables' periodic readings (runtime/auth/user-watch.ts, key-watch.ts) run beside any
      // request: not the write's.
      all: (sql, params) =>
        sql === READ_USERS || sql === READ_LIVE_KEYS
          ? db.all(sql, params)
          : (statements.push(`all: ${words(sql)}`), db.all(sql, params)),
      run: (sql, params) => (statements.push(`run: ${words(sql)}`), db.run(sql, params)),
      pinned: (work, options) => db.pinned((connection) => work(wrap(connection)), options),
    });
  return wrap;
}

/** The statements `send` caused (after the credentials are cached, so only the write's own show). */
async function statementsOf(statements: string[], send: () => Promise<unknown>): Promise<string[]> {
  statements.length = 0;
  await send();
  return [...statements];
}

async function card(service: Service, id: number): Promise<Record<string, unknown>> {
  return (await service.request(`/api/card/${id}/`)).json;
}

/** Card 1, to update. */
async function firstCard(service: Service): Promise<void> {
  const answer = await service.request('/api/card/', {
    method: 'POST',
    body: { username: '1000000001', useralias: 'trips', uipass: 'secret', credit: '5', tariff: '1' },
  });
  if (answer.json?.id !== 1) throw new Error(`card 1 not created: ${answer.text}`);
}

t.test('which MySQL servers take INSERT … RETURNING', async (t) => {
  t.ok(understandsInsertReturning('10.11.19-MariaDB-0+deb12u1'));
  t.ok(understandsInsertReturning('10.5.0-MariaDB'));
  t.ok(understandsInsertReturning('11.4.2-MariaDB-log'));
  t.ok(understandsInsertReturning('5.5.5-10.6.12-MariaDB'), 'with the old-client prefix');
  t.notOk(understandsInsertReturning('10.4.32-MariaDB'), 'MariaDB before 10.5');
  t.notOk(understandsInsertReturning('8.0.36'), 'MySQL');
  t.notOk(understandsInsertReturning('8.4.0-commercial'));
  t.notOk(understandsInsertReturning(''));
});

for (const name of BACKENDS) {
  t.test(`${name}: the statements of a write, and its audit row`, async (t) => {
    const statements: string[] = [];
    const service = await startService(name, {}, counting(statements));
    t.teardown(() => service.close());
    await firstCard(service);

    let created: Record<string, unknown> = {};
    t.same(
      await statementsOf(statements, async () => {
        const answer = await service.request('/api/cardgroup/', {
          method: 'POST',
          body: { name: 'one trip', users_perms: 7 },
        });
        t.equal(answer.status, 200);
        created = answer.json;
      }),
      ['all: INSERT INTO cc_card_group', 'run: INSERT INTO a2gen_audit'],
      'create: the INSERT answers the row itself (RETURNING), then the audit row',
    );
    t.same(
      created,
      (await service.request(`/api/cardgroup/${String(created.id)}/`)).json,
      'the row it answered is the row GET reads',
    );

    const before = await card(service, 1);
    let updated: Record<string, unknown> = {};
    t.same(
      await statementsOf(statements, async () => {
        updated = (
          await service.request('/api/card/1/', { method: 'PUT', body: { lastname: 'Onetrip', credit: '12.5' } })
        ).json;
      }),
      name === 'mysql'
        ? ['run: UPDATE cc_card SET', 'all: SELECT @a2gen_old_0 AS', 'run: INSERT INTO a2gen_audit']
        : [
            'all: SELECT credit, lastname',
            'run: UPDATE cc_card SET',
            'all: SELECT id, creationdate,',
            'run: INSERT INTO a2gen_audit',
          ],
      name === 'mysql'
        ? 'update: the UPDATE keeps the old values, the read back returns them with the row, then the audit row'
        : 'update: the old values of the columns sent only, the UPDATE, the row read back, the audit row',
    );
    t.same(updated, { ...before, lastname: 'Onetrip', credit: 12.5 }, 'it answered the row as stored');
    t.same(updated, await card(service, 1), 'which GET reads too');
    const [entry] = await service.backend.raw("SELECT old_values, new_values FROM a2gen_audit WHERE action = 'update'");
    t.same(
      JSON.parse(String(entry?.old_values)),
      { lastname: before.lastname, credit: before.credit },
      'the audit row has the values before',
    );
    t.same(JSON.parse(String(entry?.new_values)), { lastname: 'Onetrip', credit: 12.5 }, 'and after');

    t.same(
      await statementsOf(statements, async () =>
        t.equal((await service.request(`/api/cardgroup/${String(created.id)}/`, { method: 'DELETE' })).status, 200),
      ),
      ['all: SELECT id, name,', 'run: DELETE FROM cc_card_group', 'run: INSERT INTO a2gen_audit'],
      'delete: the whole row for the trail, the DELETE, the audit row',
    );
    const [deleted] = await service.backend.raw("SELECT old_values FROM a2gen_audit WHERE action = 'delete'");
    t.same(JSON.parse(String(deleted?.old_values)), created, 'the deleted row is in the trail');

    t.same(
      await statementsOf(statements, async () =>
        t.equal(
          (await service.request('/api/card/999999/', { method: 'PUT', body: { lastname: 'Nobody' } })).status,
          404,
        ),
      ),
      [name === 'mysql' ? 'run: UPDATE cc_card SET' : 'all: SELECT lastname FROM'],
      'a missing row: one statement, a 404, nothing written, no audit row',
    );
    t.equal(
      (await service.request('/api/cardgroup/', { method: 'POST', body: { name: 'x'.repeat(300) } })).status,
      400,
      'a bad value is refused before any statement',
    );
  });

  t.test(`${name}: with A2B_AUDIT=off an update is its UPDATE and the read back, a create one statement`, async (t) => {
    const statements: string[] = [];
    const service = await startService(name, { audit: false }, counting(statements));
    t.teardown(() => service.close());
    await firstCard(service);
    t.same(
      await statementsOf(statements, () =>
        service.request('/api/cardgroup/', { method: 'POST', body: { name: 'unaudited' } }),
      ),
      ['all: INSERT INTO cc_card_group'],
    );
    t.same(
      await statementsOf(statements, () =>
        service.request('/api/card/1/', { method: 'PATCH', body: { firstname: 'Solo' } }),
      ),
      ['run: UPDATE cc_card SET', 'all: SELECT id, creationdate,'],
    );
    t.equal((await card(service, 1)).firstname, 'Solo');
    t.same(
      await statementsOf(statements, async () =>
        t.equal(
          (await service.request('/api/card/424242/', { method: 'PATCH', body: { firstname: 'Ghost' } })).status,
          404,
        ),
      ),
      ['run: UPDATE cc_card SET'],
      'a missing row: the UPDATE matched nothing, a 404',
    );
  });

  t.test(`${name}: a database without INSERT … RETURNING (MySQL) reads the created row back`, async (t) => {
    const statements: string[] = [];
    const service = await startService(name, {}, counting(statements, { insertReturning: false }));
    t.teardown(() => service.close());
    await service.request('/api/cardgroup/1/');
    let created: Record<string, unknown> = {};
    t.same(
      await statementsOf(statements, async () => {
        created = (
          await service.request('/api/cardgroup/', {
            method: 'POST',
            body: { name: 'read back', description: 'two steps' },
          })
        ).json;
      }),
      ['run: INSERT INTO cc_card_group', 'all: SELECT id, name,', 'run: INSERT INTO a2gen_audit'],
    );
    t.match(created, { name: 'read back', description: 'two steps' });
    t.same(created, (await service.request(`/api/cardgroup/${String(created.id)}/`)).json);
  });
}

t.test(
  'mysql: under concurrent updates of one row, each audit row has exactly the values its UPDATE replaced',
  async (t) => {
    const service = await startService('mysql');
    t.teardown(() => service.close());
    await firstCard(service);
    const initial = (await card(service, 1)).lastname;
    const names = Array.from({ length: 40 }, (_, index) => `Racer${index}`);
    const answers = await Promise.all(
      names.map((lastname) => service.request('/api/card/1/', { method: 'PATCH', body: { lastname } })),
    );
    t.same(
      answers.map((answer) => answer.status),
      Array(40).fill(200),
    );
    const trail = await service.backend.raw("SELECT old_values, new_values FROM a2gen_audit WHERE action = 'update'");
    const olds = trail.map((row) => JSON.parse(String(row.old_values)).lastname as string);
    const news = trail.map((row) => JSON.parse(String(row.new_values)).lastname as string);
    t.equal(trail.length, 40, 'one audit row per update');
    // The new values are the row as read right after (as the response shows it): another update may already show there.
    t.ok(
      news.every((name) => names.includes(name)),
      'every new value is one that was written',
    );
    const final = (await card(service, 1)).lastname as string;
    // Replaced values form one chain: the first value and every written one but the last, each exactly once.
    t.same(
      [...olds].sort(),
      [initial, ...names.filter((name) => name !== final)].sort(),
      'every value was replaced exactly once, none seen twice',
    );
  },
);
