/**
 * The service against a MariaDB server that is down at startup, killed
 * mid-load and frozen: it answers 503 (never 500, never hangs past the query
 * timeout), heals by itself, and loses or half-writes nothing. The server is
 * one this test starts on its own port (see mariadb-process.ts).
 */
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { models } from '../../generated/index.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { loadConfig } from '../../runtime/config.js';
import { openDatabase } from '../../runtime/database.js';
import type { Db } from '../../runtime/db/db.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import { buildServer } from '../../runtime/server.js';
import { createMysqlDatabase } from '../helpers/backends.js';
import { basicAuth } from '../helpers/service.js';
import { MariaDbProcess } from './mariadb-process.js';

const QUERY_TIMEOUT_MS = 1500;
const AUTH = basicAuth('ops', 'ops password');

interface Answer {
  status: number | 'hung' | 'network';
  body: any;
}

async function call(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  try {
    const response = await fetch(base + path, {
      ...init,
      headers: { authorization: AUTH, 'content-type': 'application/json', ...init.headers },
      // Anything slower than the query timeout plus a margin counts as a hang.
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS + 3000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch (error) {
    return { status: (error as Error).name === 'TimeoutError' ? 'hung' : 'network', body: undefined };
  }
}

/** Readiness as a monitor asks for it: without credentials (with them, the `ops` user would have to exist). */
async function ready(base: string): Promise<number | 'hung' | 'network'> {
  try {
    const response = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS + 3000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? 'hung' : 'network';
  }
}

async function waitUntil(what: string, test: () => Promise<boolean>, limitMs = 20_000): Promise<void> {
  for (let waited = 0; waited < limitMs; waited += 200) {
    if (await test()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting until ${what}`);
}

t.test('database faults', async (t) => {
  const mariadb = await MariaDbProcess.create();
  t.teardown(() => mariadb.destroy());
  const config = {
    ...loadConfig({}),
    databaseUrl: mariadb.url('a2b'),
    dbQueryTimeoutMs: QUERY_TIMEOUT_MS,
    dbPoolSize: 5,
  };
  const { db } = await openDatabase(config, models);
  const app: FastifyInstance = await buildServer({ db, models, config, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  await t.test('starts while MySQL is down: 503 JSON, no crash', async (t) => {
    t.equal((await call(base, '/health/live')).status, 200, 'alive');
    t.equal(await ready(base), 503, 'not ready');
    const api = await call(base, '/api/cardgroup/');
    t.equal(api.status, 503, 'the API answers 503');
    t.equal(api.body?.code, 'database_unavailable');
  });

  let writer: Db | undefined;
  await t.test('serves as soon as MySQL is back', async (t) => {
    await mariadb.start();
    const database = await createMysqlDatabase(`mysql://root@127.0.0.1:${mariadb.port}`, 'a2b');
    await database.admin.end();
    // The service creates its `user` table by itself once the database answers.
    await waitUntil('the user table exists', async () => (await ready(base)) === 200);
    writer = openMysql(mariadb.url('a2b'));
    await new UserStore(writer).createOrResetAdmin({ username: 'ops', password: 'ops password' });
    const list = await call(base, '/api/cardgroup/');
    t.equal(list.status, 200);
    t.equal(list.body.objects[0].name, 'DEFAULT');
  });
  t.teardown(() => writer?.close());

  await t.test('killed and restarted mid-load: 200 or 503 only, nothing lost, nothing half-written', async (t) => {
    // At least 400 creates, and the load goes on until 100 more have been sent after the restart
    // (bounded: 5000 requests at most), however long the restart takes on a busy machine.
    const concurrency = 10;
    const answers = new Map<string, Answer>();
    let sent = 0;
    let killed = false;
    let sentAtRestart = Number.POSITIVE_INFINITY;
    const worker = async () => {
      while ((sent < 400 || sent < sentAtRestart + 100) && sent < 5000) {
        const name = `load-${String(sent++).padStart(4, '0')}`;
        if (sent === 100 && !killed) {
          killed = true;
          void mariadb.kill().then(async () => {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            await mariadb.start();
            sentAtRestart = sent;
          });
        }
        answers.set(
          name,
          await call(base, '/api/cardgroup/', {
            method: 'POST',
            body: JSON.stringify({ name, description: `row ${name}`, users_perms: 7 }),
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await waitUntil('MySQL is back', async () => (await ready(base)) === 200);

    const byStatus = new Map<Answer['status'], number>();
    for (const answer of answers.values()) byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
    t.comment(`statuses: ${JSON.stringify(Object.fromEntries(byStatus))}`);
    t.same(
      [...byStatus.keys()].filter((status) => status !== 200 && status !== 503),
      [],
      'every answer is 200 or 503',
    );
    t.ok((byStatus.get(503) ?? 0) > 0, 'the outage was seen');
    const afterRestart = [...answers.values()].slice(
      Number.isFinite(sentAtRestart) ? sentAtRestart + 20 : answers.size,
    );
    t.ok(
      afterRestart.length > 0 && afterRestart.every((answer) => answer.status === 200),
      `requests succeed again after the restart (${afterRestart.length} checked)`,
    );

    const rows = (await writer!.all(
      "SELECT name, description, users_perms FROM cc_card_group WHERE name LIKE 'load-%'",
    )) as {
      name: string;
      description: string;
      users_perms: number;
    }[];
    const stored = new Map(rows.map((row) => [row.name, row]));
    const acknowledged = [...answers].filter(([, answer]) => answer.status === 200).map(([name]) => name);
    t.same(
      acknowledged.filter((name) => !stored.has(name)),
      [],
      'every acknowledged create is stored',
    );
    t.same(
      rows.filter((row) => row.description !== `row ${row.name}` || Number(row.users_perms) !== 7),
      [],
      'no row is half-written',
    );
    const unacknowledged = rows.filter((row) => answers.get(row.name)?.status !== 200).length;
    t.ok(unacknowledged <= (byStatus.get(503) ?? 0), `rows without a 200 (${unacknowledged}) are at most the 503s`);
    t.equal((await call(base, '/health/live')).status, 200, 'the process is alive');
  });

  await t.test('a frozen server: requests fail at the query timeout, then the pool heals', async (t) => {
    t.equal((await call(base, '/api/cardgroup/1/')).status, 200, 'warm: credentials cached, pool connected');
    await mariadb.freeze();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(base, '/api/cardgroup/1/')));
    const elapsed = Date.now() - started;
    mariadb.thaw();
    t.same(
      answers.map((answer) => answer.status),
      [503, 503, 503, 503, 503],
      'each answers 503, none hangs',
    );
    t.ok(elapsed < QUERY_TIMEOUT_MS * 3 + 2000, `answered within the timeout (${elapsed} ms)`);
    await waitUntil('answers again', async () => (await call(base, '/api/cardgroup/1/')).status === 200);
    t.pass('the pool healed after the freeze');
  });
});
