/**
 * Issue 19: a `__regexp` filter must neither stall nor starve the service.
 * The attack: `?name__regexp=^r(a+)+$` over a few thousand card groups named
 * `raaa…a!`, a pattern that takes a backtracking engine (V8's RegExp, PCRE2)
 * exponential time per row. On SQLite it ran on the event loop (17 s, every
 * request blocked); on MariaDB the request answered 503 but the statement
 * ran on in the server, and ten of them filled the pool.
 *
 * Now, on both databases: /health/live answers within 100 ms while the
 * attack runs; on MariaDB the statement is gone from the server's process
 * list shortly after its timeout, and ten parallel attacks leave other users'
 * requests and /health/ready answering.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { models } from '../../generated/index.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { loadConfig } from '../../runtime/config.js';
import { createEmbeddedTables } from '../../runtime/database.js';
import type { Db } from '../../runtime/db/db.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import { openSqlite } from '../../runtime/db/sqlite/driver.js';
import { buildServer } from '../../runtime/server.js';
import { BACKENDS, createMysqlDatabase, type BackendName } from '../helpers/backends.js';
import { basicAuth } from '../helpers/service.js';
import { waitFor } from '../helpers/wait-for.js';

const QUERY_TIMEOUT_MS = 2000;
const POOL_SIZE = 10;
const ROWS = 3000;
/** 24 a's: PCRE2 gives up on each row at its match limit (~100 ms a row); V8 needs ~85 ms a row. */
const VICTIM = `r${'a'.repeat(24)}!`;
const ATTACK = `/api/cardgroup/?name__regexp=${encodeURIComponent('^r(a+)+$')}`;
const LIVE_WITHIN_MS = 100;

const ATTACKER = basicAuth('attacker', 'attacker password');
const BYSTANDER = basicAuth('bystander', 'bystander password');

interface Answer {
  status: number;
  json: any;
  ms: number;
}

interface Harness {
  base: string;
  db: Db;
  /** Raw SQL beside the service (MariaDB: a connection of its own, in the test database). */
  raw(sql: string): Promise<Record<string, unknown>[]>;
  database?: string;
}

async function call(base: string, path: string, authorization?: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(base + path, { headers: authorization ? { authorization } : {} });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, ms: performance.now() - started };
}

async function open(t: { teardown(fn: () => unknown): void }, backend: BackendName): Promise<Harness> {
  let db: Db;
  let raw: Harness['raw'];
  let database: string | undefined;
  if (backend === 'sqlite') {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'a2gen-regexp-'));
    t.teardown(() => rmSync(directory, { recursive: true, force: true }));
    db = openSqlite(path.join(directory, 'a2billing.sqlite'), { queryTimeoutMs: QUERY_TIMEOUT_MS });
    await createEmbeddedTables(db, models);
    raw = async (sql) => {
      if (/^\s*select\b/i.test(sql)) return db.all(sql);
      await db.run(sql);
      return [];
    };
  } else {
    const created = await createMysqlDatabase();
    t.teardown(() => created.drop());
    database = new URL(created.url).pathname.slice(1);
    db = openMysql(created.url, { queryTimeoutMs: QUERY_TIMEOUT_MS, poolSize: POOL_SIZE });
    raw = async (sql) => (await created.admin.query(sql))[0] as Record<string, unknown>[];
  }
  const users = new UserStore(db);
  await users.ensureTable();
  await users.createOrResetAdmin({ username: 'attacker', password: 'attacker password' });
  await users.createOrResetAdmin({ username: 'bystander', password: 'bystander password' });
  const values = Array.from({ length: ROWS }, () => `('${VICTIM}', 'victim', 0)`).join(', ');
  await raw(`INSERT INTO cc_card_group (name, description, users_perms) VALUES ${values}`);

  const config = { ...loadConfig({}), dbQueryTimeoutMs: QUERY_TIMEOUT_MS, dbPoolSize: POOL_SIZE };
  const app: FastifyInstance = await buildServer({ db, models, config, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  // Warm: both users' credentials verified and cached, the pool connected, the regexp worker started.
  for (const user of [ATTACKER, BYSTANDER]) {
    const warm = await call(base, '/api/cardgroup/?name__regexp=^DEF', user);
    if (warm.status !== 200) throw new Error(`warm-up: ${warm.status} ${JSON.stringify(warm.json)}`);
  }
  return { base, db, raw, database };
}

interface Liveness {
  /** The slowest probe, in ms. */
  worst: number;
  /** While that probe was due: how long the event loop was not waiting for I/O, and the CPU time the process used. */
  worstBusy: number;
  worstCpu: number;
  probes: number;
  /** Probes slower than LIVE_WITHIN_MS during which the process was busy, and ran, for half of that or more. */
  held: number;
}

/**
 * Polls /health/live every 20 ms until `until` settles. Each latency counts
 * from when the probe was due, not from when it was sent: a blocked event
 * loop delays the probe's own timer too, and that delay is what a client
 * outside would wait. Beside it, how much of that time the event loop was
 * busy (eventLoopUtilization) and how much CPU the process used: on a shared
 * 2-core machine a probe can be late because the process was not scheduled
 * (its loop idle, or preempted while busy, and no CPU time spent); one that
 * is late while the process was busy and running is the service holding it.
 */
async function liveness(base: string, until: Promise<unknown>): Promise<Liveness> {
  let settled = false;
  void until.finally(() => (settled = true));
  const result: Liveness = { worst: 0, worstBusy: 0, worstCpu: 0, probes: 0, held: 0 };
  let due = performance.now();
  let loop = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  while (!settled) {
    const answer = await call(base, '/health/live');
    if (answer.status !== 200) throw new Error(`/health/live answered ${answer.status}`);
    const latency = performance.now() - due;
    const busy = performance.eventLoopUtilization(loop).active;
    const used = process.cpuUsage(cpu);
    const ran = (used.user + used.system) / 1000;
    result.probes += 1;
    if (latency > result.worst) Object.assign(result, { worst: latency, worstBusy: busy, worstCpu: ran });
    if (latency >= LIVE_WITHIN_MS && busy >= LIVE_WITHIN_MS / 2 && ran >= LIVE_WITHIN_MS / 2) result.held += 1;
    await sleep(20);
    due = performance.now();
    loop = performance.eventLoopUtilization();
    cpu = process.cpuUsage();
  }
  return result;
}

function describe(live: Liveness): string {
  return (
    `/health/live: ${live.probes} probes, worst ${Math.round(live.worst)} ms ` +
    `(event loop busy ${Math.round(live.worstBusy)} ms, process CPU ${Math.round(live.worstCpu)} ms of it)`
  );
}

/** The check: every probe within LIVE_WITHIN_MS, except where the machine, not the service, was slow. */
function checkLiveness(t: { ok(value: unknown, message: string): void }, live: Liveness): void {
  t.ok(
    live.held === 0,
    `/health/live answered within ${LIVE_WITHIN_MS} ms whenever the service ran (${describe(live)})`,
  );
}

/** The test database's statements that filter by REGEXP, as the server's process list shows them. */
async function regexpStatements(harness: Harness): Promise<Record<string, unknown>[]> {
  return harness.raw(
    `SELECT ID, TIME_MS, INFO FROM information_schema.PROCESSLIST WHERE DB = '${harness.database}' ` +
      `AND ID <> CONNECTION_ID() AND INFO LIKE '%REGEXP%'`,
  );
}

/** How long after now the server's process list first shows no regexp statement of the test database. */
async function goneAfter(harness: Harness): Promise<number> {
  const started = performance.now();
  await waitFor(async () => (await regexpStatements(harness)).length === 0, {
    what: 'the regexp statements to leave the server',
    timeoutMs: 30_000,
    intervalMs: 25,
  });
  return performance.now() - started;
}

for (const backend of BACKENDS) {
  t.test(`${backend}: regexp filters`, async (t) => {
    const harness = await open(t, backend);
    const { base } = harness;

    await t.test('a pattern RE2 cannot run is a 400 naming the field', async (t) => {
      for (const [pattern, reason] of [
        ['(a)\\1', /invalid escape sequence/],
        ['(?=a)', /lookaround/],
        ['a{1001}', /invalid repeat count/],
        ['(a?){300}a{300}', /too complex/],
        ['a'.repeat(1001), /longer than 1000 characters/],
      ] as const) {
        const answer = await call(base, `/api/cardgroup/?name__regexp=${encodeURIComponent(pattern)}`, BYSTANDER);
        t.equal(answer.status, 400, `${pattern.slice(0, 20)}: 400`);
        t.equal(answer.json?.fields?.[0]?.field, 'name__regexp', 'names the field');
        t.match(answer.json?.fields?.[0]?.message, reason, 'and why');
      }
      const fine = await call(base, `/api/cardgroup/?name__regexp=${encodeURIComponent('^(?i)def[a-z]*$')}`, BYSTANDER);
      t.same(
        fine.json?.objects?.map((row: { name: string }) => row.name),
        ['DEFAULT'],
        'flags, classes and anchors work',
      );
    });

    await t.test(`one catastrophic regexp over ${ROWS} rows: /health/live answers within 100 ms`, async (t) => {
      const attack = call(base, ATTACK, ATTACKER);
      const live = await liveness(base, attack);
      const answer = await attack;
      t.comment(
        `${backend}: the attack answered ${answer.status} after ${Math.round(answer.ms)} ms; ${describe(live)}`,
      );
      if (backend === 'sqlite') {
        t.equal(answer.status, 200, 'RE2 answers it');
        t.same(answer.json?.objects, [], 'no name matches');
      } else {
        t.equal(answer.status, 503, 'MariaDB needs longer than the query timeout');
        t.equal(answer.json?.code, 'database_unavailable');
        t.ok(answer.ms < QUERY_TIMEOUT_MS + 1000, `at the timeout (${Math.round(answer.ms)} ms)`);
        const gone = await goneAfter(harness);
        t.comment(`mysql: the statement left the server's process list ${Math.round(gone)} ms after the 503`);
        t.ok(gone < 1000, 'the statement is gone from the server within a second of the timeout');
      }
      checkLiveness(t, live);
    });

    await t.test('ten parallel attacks: other users and /health/ready keep answering', async (t) => {
      const attacks = Promise.all(Array.from({ length: 10 }, () => call(base, ATTACK, ATTACKER)));
      const live = liveness(base, attacks);
      await sleep(300);
      const others = [
        await call(base, '/health/ready'),
        await call(base, '/api/cardgroup/1/', BYSTANDER),
        await call(base, '/api/cardgroup/?name=DEFAULT', BYSTANDER),
        await call(base, '/api/card/?limit=5', BYSTANDER),
        await call(base, `/api/cardgroup/?name__regexp=${encodeURIComponent('^DEF')}`, BYSTANDER),
        await call(base, '/health/ready'),
      ];
      const answers = await attacks;
      const liveness10 = await live;
      const still = backend === 'mysql' ? await regexpStatements(harness) : [];
      t.comment(
        `${backend}: attacks ${JSON.stringify(answers.map((answer) => answer.status))} in ` +
          `${Math.round(Math.max(...answers.map((answer) => answer.ms)))} ms; others ` +
          `${JSON.stringify(others.map((answer) => `${answer.status}/${Math.round(answer.ms)}ms`))}; ` +
          describe(liveness10),
      );
      t.same(
        others.map((answer) => answer.status),
        [200, 200, 200, 200, 200, 200],
        "the other user's requests and /health/ready answer 200",
      );
      t.ok(
        others.every((answer) => answer.ms < QUERY_TIMEOUT_MS / 2),
        'each well within the query timeout: none waited for the attacks',
      );
      checkLiveness(t, liveness10);
      t.ok(
        answers.every((answer) => answer.status === (backend === 'sqlite' ? 200 : 503)),
        backend === 'sqlite' ? 'every attack is answered, quickly' : 'every attack ends in 503 at its timeout',
      );
      if (backend === 'mysql') {
        const gone = still.length === 0 ? 0 : await goneAfter(harness);
        t.comment(
          `mysql: ${still.length} regexp statements in the server after the last 503, gone ${Math.round(gone)} ms later`,
        );
        t.ok(gone < 1000, 'none is left running in the server');
        t.equal((await call(base, '/api/cardgroup/1/', ATTACKER)).status, 200, 'and the attacker is served again');
      }
    });
  });
}
