/**
 * A2B_DATABASE_READ_URL against a real replica: two mariadbd processes this
 * test starts, the second replicating the first's binary log (GTID). Writes
 * land on the primary and reach the replica; reads of a client that has not
 * written come from the replica (proved with a row that exists only there,
 * and with the replica's SQL thread stopped so it lags); the client that
 * wrote reads its own write from the primary; a dead replica costs nothing
 * but the offload.
 */
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { models } from '../../generated/index.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { loadConfig } from '../../runtime/config.js';
import { openDatabase } from '../../runtime/database.js';
import { ReadWriteSplitDb } from '../../runtime/db/read-write-split.js';
import { buildServer } from '../../runtime/server.js';
import { createMysqlDatabase } from '../helpers/backends.js';
import { basicAuth } from '../helpers/service.js';
import { MariaDbProcess } from './mariadb-process.js';

const READ_YOUR_WRITES_MS = 1500;
const ALICE = basicAuth('alice', 'alice password');
const BOB = basicAuth('bob', 'bob password');
/** A card group inserted on the replica only, with an id the primary will not reach. */
const REPLICA_ONLY_ID = 900001;

async function call(base: string, auth: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function waitUntil(what: string, test: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  for (let waited = 0; waited < limitMs; waited += 100) {
    if (await test()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

t.test('read/write split over binlog replication', async (t) => {
  const primary = await MariaDbProcess.create({ serverId: 1 });
  const replica = await MariaDbProcess.create({ serverId: 2 });
  t.teardown(async () => {
    await replica.destroy();
    await primary.destroy();
  });
  await Promise.all([primary.start(), replica.start()]);
  await replica.replicate(primary);
  const database = await createMysqlDatabase(`mysql://root@127.0.0.1:${primary.port}`, 'a2b');
  await database.admin.end();
  const onPrimary = await primary.admin();
  const onReplica = await replica.admin();
  t.teardown(async () => {
    await onPrimary.end();
    await onReplica.end().catch(() => undefined);
  });
  const rows = async (connection: typeof onPrimary, sql: string) =>
    (await connection.query(sql))[0] as Record<string, unknown>[];
  const groupOn = async (connection: typeof onPrimary, id: number) =>
    (await rows(connection, `SELECT name FROM a2b.cc_card_group WHERE id = ${id}`))[0]?.name;

  const config = {
    ...loadConfig({}),
    databaseUrl: primary.url('a2b'),
    databaseReadUrl: replica.url('a2b'),
    readYourWritesMs: READ_YOUR_WRITES_MS,
    dbQueryTimeoutMs: 2000,
  };
  const { db } = await openDatabase(config, models);
  t.ok(db instanceof ReadWriteSplitDb, 'A2B_DATABASE_READ_URL opens a split database');
  const split = db as ReadWriteSplitDb;
  const users = new UserStore(split.primary);
  await users.ensureTable();
  await users.createOrResetAdmin({ username: 'alice', password: 'alice password' });
  await users.createOrResetAdmin({ username: 'bob', password: 'bob password' });
  await waitUntil('the replica has every table and both users', async () => {
    const [row] = await rows(onReplica, "SELECT COUNT(*) AS n FROM a2b.user WHERE username IN ('alice', 'bob')").catch(
      () => [{ n: 0 }],
    );
    return Number(row?.n) === 2;
  });
  const app: FastifyInstance = await buildServer({ db, models, config, logger: false, openapi: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  await t.test('a write lands on the primary and replicates', async (t) => {
    const created = await call(base, ALICE, '/api/cardgroup/', { name: 'from-alice' });
    t.equal(created.status, 200);
    t.equal(await groupOn(onPrimary, created.json.id), 'from-alice', 'on the primary at once');
    await waitUntil(
      'the replica has the row',
      async () => (await groupOn(onReplica, created.json.id)) === 'from-alice',
    );
    t.pass('and on the replica soon after');
  });

  await t.test('reads of a client that has not written come from the replica', async (t) => {
    await onReplica.query(`INSERT INTO a2b.cc_card_group (id, name) VALUES (${REPLICA_ONLY_ID}, 'replica-only')`);
    const before = { ...split.reads };
    const one = await call(base, BOB, `/api/cardgroup/${REPLICA_ONLY_ID}/`);
    t.equal(one.status, 200, 'GET one finds the row that exists only on the replica');
    t.equal(one.json.name, 'replica-only');
    const list = await call(base, BOB, '/api/cardgroup/?limit=100');
    t.ok(
      list.json.objects.some((row: { id: number }) => row.id === REPLICA_ONLY_ID),
      'the list comes from the replica too',
    );
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i += 1) statuses.add((await call(base, BOB, `/api/cardgroup/${REPLICA_ONLY_ID}/`)).status);
    t.same([...statuses], [200], '40 more reads of the replica-only row: every one found it');
    t.ok(
      split.reads.replica >= before.replica + 42,
      `reads counted on the replica (${split.reads.replica - before.replica})`,
    );
    t.equal(split.reads.primary, before.primary, 'none on the primary');
  });

  await t.test(
    'while the replica lags, the writer reads its own write from the primary; others see the replica',
    async (t) => {
      await onReplica.query('STOP SLAVE SQL_THREAD');
      const created = await call(base, ALICE, '/api/cardgroup/', { name: 'while-lagging' });
      t.equal(created.status, 200);
      const id = created.json.id as number;
      t.equal(
        (await call(base, ALICE, `/api/cardgroup/${id}/`)).json?.name,
        'while-lagging',
        'alice reads her write at once',
      );
      t.equal(
        (await call(base, ALICE, `/api/cardgroup/${REPLICA_ONLY_ID}/`)).status,
        404,
        'from the primary, which lacks the replica-only row',
      );
      t.equal(
        (await call(base, BOB, `/api/cardgroup/${id}/`)).status,
        404,
        'bob reads the lagging replica: not there yet',
      );
      t.equal(await groupOn(onReplica, id), undefined, 'the replica really lacks it');
      await new Promise((resolve) => setTimeout(resolve, READ_YOUR_WRITES_MS + 300));
      t.equal(
        (await call(base, ALICE, `/api/cardgroup/${REPLICA_ONLY_ID}/`)).status,
        200,
        'after the window alice reads the replica again',
      );
      await onReplica.query('START SLAVE SQL_THREAD');
      await waitUntil(
        'bob sees the write once the replica catches up',
        async () => (await call(base, BOB, `/api/cardgroup/${id}/`)).status === 200,
      );
      t.pass('replication resumed and bob sees the row');
    },
  );

  await t.test('a replica whose tables differ makes the service unready, and says which', async (t) => {
    await onReplica.query('ALTER TABLE a2b.cc_card_group ADD COLUMN replica_extra INT NULL');
    // The details are for callers with credentials; anyone learns only that it is not ready.
    const anonymous = await fetch(`${base}/health/ready`);
    t.equal(anonymous.status, 503);
    t.same(await anonymous.json(), { status: 'unavailable' }, 'without credentials: not ready, no details');
    const ready = await call(base, BOB, '/health/ready');
    t.equal(ready.status, 503);
    const body = ready.json;
    t.equal(body.replica, 'schema_mismatch');
    t.equal(body.replicaDifferences.cc_card_group, 1, 'the table that differs, on the replica');
    t.equal(body.differences.cc_card_group, 0, 'the primary agrees');
    await onReplica.query('ALTER TABLE a2b.cc_card_group DROP COLUMN replica_extra');
  });

  await t.test(
    'replica killed: every read is still served (by the primary), and the service stays ready',
    async (t) => {
      await onReplica.end();
      await replica.kill();
      const before = { ...split.reads };
      const answers: number[] = [];
      for (let i = 0; i < 50; i += 1)
        answers.push((await call(base, BOB, i % 2 ? '/api/cardgroup/?limit=100' : '/api/cardgroup/1/')).status);
      t.same([...new Set(answers)], [200], '50 reads, every one 200');
      const list = await call(base, BOB, '/api/cardgroup/?limit=100');
      t.notOk(
        list.json.objects.some((row: { id: number }) => row.id === REPLICA_ONLY_ID),
        'served by the primary (no replica-only row)',
      );
      t.ok(split.reads.fallback >= 1, 'the failed replica read fell back to the primary');
      t.equal(split.reads.replica, before.replica, 'nothing came from the dead replica');
      const ready = await call(base, BOB, '/health/ready');
      t.equal(ready.status, 200, 'ready');
      t.match(ready.json, { status: 'ok', replica: 'down' });
      t.comment(
        `reads served: replica ${split.reads.replica}, primary ${split.reads.primary} (of which ${split.reads.fallback} after a replica failure)`,
      );
    },
  );
});
