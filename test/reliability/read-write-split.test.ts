/**
 * The read/write split's routing rules, with two recording stand-in
 * databases (the real replica is in replication.test.ts), and its settings.
 */
import t from 'tap';
import { ConfigError, loadConfig } from '../../runtime/config.js';
import type { Db, Row } from '../../runtime/db/db.js';
import { DatabaseUnavailableError, InvalidValueError } from '../../runtime/db/errors.js';
import { ReadWriteSplitDb } from '../../runtime/db/read-write-split.js';
import { waitFor } from '../helpers/wait-for.js';
import { mysqlAdapter } from '../../runtime/db/mysql/adapter.js';

/** A Db that records which statements reached it; `fail` makes its reads throw. */
function recordingDb(name: string) {
  const seen: string[] = [];
  const state: { fail: Error | undefined } = { fail: undefined };
  const db: Db = {
    dialect: 'mysql',
    adapter: mysqlAdapter,
    description: name,
    async all(sql): Promise<Row[]> {
      if (state.fail) throw state.fail;
      seen.push(sql);
      return [{ from: name }];
    },
    async run(sql) {
      seen.push(sql);
      return { insertId: 0, affectedRows: 1 };
    },
    pinned: (work) => work(db),
    async atomically(statements) {
      seen.push(...statements.map((statement) => statement.sql));
      return statements.map(() => ({ insertId: 0, affectedRows: 1 }));
    },
    async ping() {},
    async close() {},
  };
  return { db, seen, state };
}

/**
 * The read-your-writes window and the replica's retry delay. Generous: every
 * check "still within" runs right after the write or failure, and must not
 * miss a window because a busy machine paused the test; the checks "after"
 * wait for the window to end instead of sleeping a guess.
 */
const WINDOW_MS = 1000;

function setup(windowMs = WINDOW_MS, replicaRetryMs = WINDOW_MS) {
  const primary = recordingDb('primary');
  const replica = recordingDb('replica');
  let client: string | undefined = 'user:1';
  const split = new ReadWriteSplitDb(primary.db, replica.db, {
    readYourWritesMs: windowMs,
    replicaRetryMs,
    client: () => client,
  });
  return { primary, replica, split, as: (who: string | undefined) => (client = who) };
}

const from = async (db: Db) => (await db.all('SELECT 1'))[0]!.from;

t.test('writes go to the primary, reads to the replica', async (t) => {
  const { split, primary, replica } = setup();
  await split.run('UPDATE x');
  t.same(primary.seen, ['UPDATE x']);
  t.same(replica.seen, []);
  t.equal(await from(split), 'primary', 'the writer reads from the primary within the window');
});

t.test('read-your-writes is per client and lasts the window', async (t) => {
  const { split, as } = setup();
  as('user:1');
  const wrote = performance.now(); // the clock lru-cache times the window by
  await split.run('UPDATE x');
  as('user:2');
  t.equal(await from(split), 'replica', 'another client reads the replica');
  as('user:1');
  t.equal(await from(split), 'primary');
  await waitFor(() => !split.recentWrites.wroteRecently('user:1'), { what: 'the window to end' });
  t.ok(performance.now() - wrote >= WINDOW_MS, 'the window lasted as long as configured');
  t.equal(await from(split), 'replica', 'after the window, the writer reads the replica again');
});

t.test('the write path reads the row it changes from the primary, and its writes count', async (t) => {
  const { split, primary, replica, as } = setup();
  as('user:3');
  t.equal(await from(split.writer), 'primary', 'a write’s own read never meets a lagging replica');
  t.same(replica.seen, []);
  await split.writer.run('UPDATE y');
  t.same(primary.seen.at(-1), 'UPDATE y');
  t.equal(await from(split), 'primary', 'and its client then reads its write back from the primary');
  as('user:4');
  await split.pinned(async (connection) => connection.run('UPDATE z'));
  t.equal(
    await from(split),
    'primary',
    'a pinned session (adjustment, transaction) is on the primary and counts as a write',
  );
});

t.test('outside any request, reads go to the primary', async (t) => {
  const { split, as } = setup();
  as(undefined);
  t.equal(await from(split), 'primary');
});

t.test('a window of 0 turns read-your-writes off', async (t) => {
  const { split } = setup(0);
  await split.run('UPDATE x');
  t.equal(await from(split), 'replica');
});

t.test('a replica that is down: reads fall back to the primary, and it is tried again later', async (t) => {
  const { split, replica } = setup();
  replica.state.fail = new DatabaseUnavailableError('connection refused');
  const failed = Date.now(); // the clock the split keeps the retry time by
  t.equal(await from(split), 'primary', 'the failed read is answered by the primary');
  t.ok(split.replicaDown);
  replica.state.fail = undefined;
  t.equal(await from(split), 'primary', 'the replica is left alone for a while');
  await waitFor(() => !split.replicaDown, { what: 'the replica to be tried again' });
  t.ok(Date.now() - failed >= WINDOW_MS, 'left alone as long as configured');
  t.equal(await from(split), 'replica', 'then tried again');
  t.same(split.reads, { replica: 1, primary: 2, fallback: 1 });
});

t.test('other replica errors are not hidden', async (t) => {
  const { split, replica } = setup();
  replica.state.fail = new InvalidValueError('bad value', 'x');
  await t.rejects(split.all('SELECT 1'), InvalidValueError);
  t.notOk(split.replicaDown);
});

t.test('settings', async (t) => {
  const primary = 'mysql://root@127.0.0.1:3306/a2b';
  const config = loadConfig({ A2B_DATABASE_URL: primary, A2B_DATABASE_READ_URL: 'mysql://root@replica:3306/a2b' });
  t.equal(config.databaseReadUrl, 'mysql://root@replica:3306/a2b');
  t.equal(config.readYourWritesMs, 5000, 'default window: 5 s');
  t.equal(loadConfig({ A2B_DATABASE_URL: primary, A2B_READ_YOUR_WRITES_MS: '800' }).readYourWritesMs, 800);
  t.throws(
    () => loadConfig({ A2B_DATABASE_READ_URL: 'mysql://root@replica/a2b' }),
    ConfigError,
    'a replica needs a primary',
  );
  t.throws(
    () => loadConfig({ A2B_DATABASE_URL: primary, A2B_DATABASE_READ_URL: 'postgres://x' }),
    /A2B_DATABASE_READ_URL/,
  );
  t.throws(() => loadConfig({ A2B_READ_YOUR_WRITES_MS: 'soon' }), /A2B_READ_YOUR_WRITES_MS/);
});
