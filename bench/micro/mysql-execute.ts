/**
 * Microbenchmark: client CPU per mysql2 statement in the ways the driver can
 * be called (`node dist/bench/micro/mysql-execute.js`). Ten concurrent
 * callers, variants interleaved, median of seven rounds; CPU time of this
 * process, which moves little when other processes share the machine.
 * Needs MariaDB at A2B_BENCH_MYSQL (default mysql://root@127.0.0.1:3306).
 */
import mysql from 'mysql2';
import { interleaved } from './interleaved.js';

const server = process.env.A2B_BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306';
const database = `a2gen_micro_${process.pid}`;
const admin = mysql.createConnection({ uri: server }).promise();
await admin.query(`CREATE DATABASE ${database}`);
try {
  await admin.query(`CREATE TABLE ${database}.t (id int PRIMARY KEY, a varchar(50), b decimal(15,5), c int)`);
  await admin.query(`INSERT INTO ${database}.t VALUES (1, 'x', 1.5, 2)`);
  const pool = mysql.createPool({
    uri: `${server}/${database}`,
    connectionLimit: 10,
    dateStrings: true,
    supportBigNumbers: true,
  });
  const promisePool = pool.promise();
  const sql = 'SELECT id, a, b, c FROM t WHERE id = ?';
  const callback = (run: (done: (error: Error | null) => void) => void) =>
    new Promise<void>((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
  await interleaved(
    {
      'promise, object form with timeout (before)': () => promisePool.execute({ sql, values: [1], timeout: 10_000 }),
      'promise, positional': () => promisePool.execute(sql, [1]),
      'callback, object form with timeout': () =>
        callback((done) => pool.execute({ sql, values: [1], timeout: 10_000 }, done)),
      'callback, positional + own timer (now)': () =>
        callback((done) => {
          const timer = setTimeout(() => done(new Error('timeout')), 10_000);
          pool.execute(sql, [1], (error) => {
            clearTimeout(timer);
            done(error);
          });
        }),
      'callback, positional, no timeout': () => callback((done) => pool.execute(sql, [1], done)),
    },
    { concurrency: 10, calls: 5000, unit: 'query' },
  );
  await promisePool.end();
} finally {
  await admin.query(`DROP DATABASE ${database}`);
  await admin.end();
}
