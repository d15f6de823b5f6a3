/**
 * The pieces that keep a regexp filter from stalling or starving the
 * service (issue 19), one at a time: the fair gate, the regexp worker's
 * deadline on SQLite, and on MariaDB the session time limit, the KILL QUERY
 * of a statement the client gave up on, and what happens to its connection.
 * regexp-stall.test.ts runs the attack itself through the service.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { DatabaseUnavailableError } from '../../runtime/db/errors.js';
import { FairGate } from '../../runtime/db/fair-gate.js';
import { openMysql, statementTimeLimit } from '../../runtime/db/mysql/driver.js';
import { compileRegexp, MAX_PROGRAM_SIZE, regexpProblem } from '../../runtime/db/regexp.js';
import { openSqlite } from '../../runtime/db/sqlite/driver.js';
import { dbErrorKind } from '../../runtime/metrics/series.js';
import { createMysqlDatabase } from '../helpers/backends.js';
import { waitFor } from '../helpers/wait-for.js';

/** Runs `work` while sampling the event loop every 5 ms; answers its result and the worst delay seen. */
async function withLoopLag<T>(work: () => Promise<T>): Promise<{ result: T | Error; lagMs: number; ms: number }> {
  let worst = 0;
  let last = performance.now();
  const sampler = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  const started = performance.now();
  let result: T | Error;
  try {
    result = await work();
  } catch (error) {
    result = error as Error;
  }
  const ms = performance.now() - started;
  clearInterval(sampler);
  return { result, lagMs: worst, ms };
}

t.test('the accepted syntax: RE2, within size limits', async (t) => {
  t.equal(regexpProblem('^(0049|0033)[0-9]{6,}$'), undefined, 'an ordinary filter is accepted');
  t.ok(compileRegexp('^(0049|0033)[0-9]{6,}$').programSize() < 50, 'and small');
  t.equal(regexpProblem('^r(a+)+$'), undefined, 'nested repetition is fine: RE2 runs it in linear time');
  t.equal(regexpProblem('[[:alpha:]]+\\d\\pL(?i)x(?P<n>y)'), undefined, 'classes, flags and named groups');
  t.match(regexpProblem('(a)\\1'), /invalid escape sequence/, 'no backreferences');
  t.match(regexpProblem('(?<=a)b'), /lookbehind is not supported/, 'no lookbehind');
  t.match(regexpProblem('(?>a)'), /lookaround, atomic groups/, 'no atomic groups');
  t.match(regexpProblem('a*+'), /invalid nested repetition/, 'no possessive quantifiers');
  t.match(regexpProblem('(a?){300}'), new RegExp(`at most ${MAX_PROGRAM_SIZE}`), 'no huge programs');
});

t.test('FairGate: a total, a share per client, and turns', async (t) => {
  const gate = new FairGate(3, 2);
  const expired = () => new Error('expired');
  const a1 = await gate.enter('a', 1000, expired);
  const a2 = await gate.enter('a', 1000, expired);
  const admitted: string[] = [];
  const a3 = gate.enter('a', 1000, expired).then((leave) => (admitted.push('a3'), leave));
  const a4 = gate.enter('a', 1000, expired).then((leave) => (admitted.push('a4'), leave));
  const b1 = await gate.enter('b', 1000, expired);
  t.same(gate.load, { running: 3, waiting: 2 }, "a's third and fourth wait: two per client");
  const b2 = gate.enter('b', 1000, expired).then((leave) => (admitted.push('b2'), leave));
  const c1 = gate.enter('c', 1000, expired).then((leave) => (admitted.push('c1'), leave));
  a1();
  await sleep(0);
  t.same(admitted, ['a3'], 'a freed slot goes to the client that waited first and may run');
  (await a3)();
  await sleep(0);
  t.same(admitted, ['a3', 'b2'], 'then to the next client in turn, not to a again');
  a2();
  await sleep(0);
  t.same(admitted, ['a3', 'b2', 'c1'], 'and to the next');
  const expiring = gate.enter('d', 20, expired);
  await t.rejects(expiring, /expired/, 'a wait ends at its deadline');
  b1();
  (await b2)();
  (await c1)();
  (await a4)();
  t.same(gate.load, { running: 0, waiting: 0 }, 'everything left');
});

t.test('MariaDB and MySQL spell the session time limit differently', async (t) => {
  t.same(statementTimeLimit('5.5.5-10.11.19-MariaDB-0+deb12u1', 2500), ['SET SESSION max_statement_time = 2.500']);
  t.same(statementTimeLimit('11.4.2-MariaDB', 10_000), ['SET SESSION max_statement_time = 10.000']);
  t.same(statementTimeLimit('8.0.36', 2500), ['SET SESSION max_execution_time = 2500']);
  t.same(
    statementTimeLimit(undefined, 2500),
    ['SET SESSION max_statement_time = 2.500', 'SET SESSION max_execution_time = 2500'],
    'unknown: both, one of which fails harmlessly',
  );
});

t.test('SQLite: a regexp statement past its timeout stops, off the event loop', async (t) => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'a2gen-regexp-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const db = openSqlite(path.join(directory, 'x.sqlite'), { queryTimeoutMs: 1000 });
  t.teardown(() => db.close());
  await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, d TEXT)');
  await db.run(
    'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO t (d) SELECT printf(?, i) FROM n',
    ['name %d'],
  );
  t.same(await db.all('SELECT COUNT(*) AS n FROM t WHERE d REGEXP ?', ['^name 4[0-9]{3}$']), [{ n: 1000 }], 'works');

  // 25 million regexp tests: a minute of work, unless it is stopped.
  const slow = await withLoopLag(() =>
    db.all('SELECT COUNT(*) AS n FROM t a, t b WHERE (a.d || b.d) REGEXP ?', ['^name 9']),
  );
  t.comment(
    `the statement answered after ${Math.round(slow.ms)} ms; event loop worst delay ${Math.round(slow.lagMs)} ms`,
  );
  t.type(slow.result, DatabaseUnavailableError, 'a 503 error');
  t.equal(dbErrorKind(slow.result), 'timeout', 'counted as a timeout');
  t.ok(slow.ms < 1000 + 500, 'at its timeout');
  // On the event loop it would be held the whole second; a busy 2-core machine accounts for some delay.
  t.ok(slow.lagMs < 250, 'the event loop was never held');

  const next = await withLoopLag(() => db.all('SELECT COUNT(*) AS n FROM t WHERE d REGEXP ?', ['^name 1$']));
  t.same(next.result, [{ n: 1 }], 'the worker serves the next statement');
  t.ok(next.ms < 200, `at once: the slow one was stopped, not finished (${Math.round(next.ms)} ms)`);
});

t.test('MariaDB: every statement has a server-side limit, and is killed when the client gives up', async (t) => {
  const TIMEOUT = 500;
  const database = await createMysqlDatabase();
  t.teardown(() => database.drop());
  const name = new URL(database.url).pathname.slice(1);
  const db = openMysql(database.url, { queryTimeoutMs: TIMEOUT, poolSize: 2 });
  t.teardown(() => db.close());
  const running = async (marker: string) =>
    (
      await database.admin.query(
        `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID() AND INFO LIKE ?`,
        [name, `%${marker}%`],
      )
    )[0] as unknown[];

  t.same(
    await db.all('SELECT @@SESSION.max_statement_time AS limit_s'),
    [{ limit_s: '0.500000' }],
    'the session time limit is the query timeout',
  );

  // The server's own limit lifted for this one statement: only the KILL can stop it.
  const sleeper = 'SET STATEMENT max_statement_time = 0 FOR SELECT SLEEP(20) AS slept_pool';
  const started = performance.now();
  const error = await db.all(sleeper).catch((caught: unknown) => caught);
  const answeredMs = performance.now() - started;
  t.type(error, DatabaseUnavailableError, 'the client gets its 503');
  t.ok(answeredMs < TIMEOUT + 300, `at its timeout (${Math.round(answeredMs)} ms)`);
  const goneStarted = performance.now();
  await waitFor(async () => (await running('slept_pool')).length === 0, { what: 'the pool statement to be killed' });
  const goneMs = performance.now() - goneStarted;
  t.comment(`the pool statement left the server ${Math.round(goneMs)} ms after the 503`);
  t.ok(goneMs < 500, 'killed at once');
  const stats = db.poolStats!();
  await waitFor(() => db.poolStats!().inUse === 0, { what: 'the connection to come back' });
  t.same(
    await db.all('SELECT SLEEP(0.1) AS slept, 1 AS one'),
    [{ slept: 0, one: 1 }],
    'the connection is back in the pool, and the KILL did not reach its next statement',
  );
  t.ok(stats.limit === 2, 'pool of two');

  // The same on a pinned connection, inside a transaction: the connection is closed, never reused.
  const pinnedStarted = performance.now();
  const pinnedError = await db
    .pinned((connection) => connection.all(sleeper.replace('slept_pool', 'slept_pinned')), { transaction: true })
    .catch((caught: unknown) => caught);
  t.type(pinnedError, DatabaseUnavailableError, 'a pinned statement gets its 503 too');
  t.ok(performance.now() - pinnedStarted < TIMEOUT + 300, 'at its timeout, without waiting for a rollback');
  await waitFor(async () => (await running('slept_pinned')).length === 0, {
    what: 'the pinned statement to be killed',
  });
  t.pass('and it is killed');
  t.same(await db.all('SELECT 1 AS one'), [{ one: 1 }], 'the pool still serves');

  // Ten statements the client gives up on, in a pool of two: /health/ready's ping still answers in time.
  const stalls = Array.from({ length: 10 }, (_, index) =>
    db.all(sleeper.replace('slept_pool', `slept_${index}`)).catch((caught: unknown) => caught),
  );
  const pingStarted = performance.now();
  const ping = await db.ping().then(
    () => 'ok',
    (caught: unknown) => caught,
  );
  const pingMs = performance.now() - pingStarted;
  t.ok(ping === 'ok' || ping instanceof DatabaseUnavailableError, 'the ping answers or fails');
  t.ok(
    pingMs < TIMEOUT + 300,
    `within the query timeout, waiting for a connection included (${Math.round(pingMs)} ms)`,
  );
  for (const result of await Promise.all(stalls)) t.type(result, DatabaseUnavailableError);
  await waitFor(async () => (await running('slept_')).length === 0, { what: 'every stalled statement to be killed' });
  t.pass('none is left in the server');
});
