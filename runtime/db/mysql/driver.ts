/**
 * MySQL / MariaDB driver: a mysql2 pool with prepared statements.
 *
 * Statements go through the callback API with positional arguments: on the
 * hot path it costs ~11 µs of CPU less per query than the promise wrapper
 * with the object form `{ sql, values, timeout }` (bench/micro/mysql-execute.ts).
 *
 * Every statement is bounded three ways by the query timeout: the request
 * gets its 503 when it passes (waiting for a connection included); the
 * server stops it by itself (each connection's session time limit); and it
 * is killed (`KILL QUERY`) as soon as the client gives up, its connection
 * returned to the pool only once the server is done with it. Regexp filters,
 * whose cost per row the client chooses, may hold at most half of the pool,
 * and two connections per client (FairGate).
 */
import mysql from 'mysql2';
import { currentClient } from '../../client-context.js';
import type { Db, PoolStats, Row, RunResult, SqlValue, Statement, StatementOptions } from '../db.js';
import { FairGate } from '../fair-gate.js';
import { hasRegexp } from '../regexp.js';
import { mysqlAdapter } from './adapter.js';
import { translateMysqlError } from './errors.js';
import { QueryKiller } from './query-killer.js';

export interface MysqlOptions {
  /** Connections kept in the pool. */
  poolSize?: number;
  /** A statement that has not answered by then fails (503) instead of holding its request forever. */
  queryTimeoutMs?: number;
  /** Session time zone; TIMESTAMP values are read and written in it. */
  timeZone?: string;
}

/**
 * Every connection starts strict (bad values are errors, not silent
 * truncations) but without NO_ZERO_DATE, so A2Billing's zero dates stay
 * writable on MySQL 5.7+ as they are on MariaDB.
 */
export const SESSION_SQL_MODE = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return 'mysql://(unparsable URL)';
  }
}

export function openMysql(url: string, options: MysqlOptions = {}): Db {
  const timeZone = options.timeZone ?? '+00:00';
  const timeout = options.queryTimeoutMs ?? 10_000;
  const poolSize = options.poolSize ?? 10;
  const pool = mysql.createPool({
    uri: url,
    connectionLimit: poolSize,
    // Zero dates must survive as text: a Date object cannot hold 0000-00-00.
    dateStrings: true,
    // DECIMAL stays a string so no value passes through a float by accident.
    decimalNumbers: false,
    // BIGINT as a number while it is exact, as a string past 2^53.
    supportBigNumbers: true,
    bigNumberStrings: false,
    // MySQL's JSON type as its text, as MariaDB's (LONGTEXT) and SQLite's arrive: one decoder parses all three.
    jsonStrings: true,
    charset: 'utf8mb4_general_ci',
    enableKeepAlive: true,
    // A server that accepts TCP but never answers (frozen) must not hold a request longer than a query may.
    connectTimeout: timeout,
    // Prepared statements kept per connection (least recently used closed first). mysql2's 16,000 a
    // connection would pass MariaDB's server-wide max_prepared_stmt_count (16,382) with a few
    // connections once list queries with many different page offsets have been seen.
    maxPreparedStatements: 500,
  });
  const server: ServerFeatures = { insertReturning: false };
  pool.on('connection', (connection) => {
    // Queued before any statement the pool hands this connection to.
    connection.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}', time_zone = ${mysql.escape(timeZone)}`);
    // The server stops a statement by itself once it has run as long as the client waits for it. A server
    // without the variable (MySQL before 5.7.8) refuses it, harmlessly: the KILL on timeout still holds.
    for (const statement of statementTimeLimit(handshakeVersion(connection), timeout)) {
      connection.query(statement, () => undefined);
    }
    connection.query('SELECT VERSION() AS version', (error, rows) => {
      if (!error) server.insertReturning = understandsInsertReturning(String((rows as Row[])[0]?.version));
    });
  });
  const killer = new QueryKiller(url, timeout);
  // Regexp filters may hold half of the pool at most (at least one connection), two connections per client.
  const regexpSlots = Math.max(1, Math.floor(poolSize / 2));
  const regexpGate = new FairGate(regexpSlots, Math.min(2, regexpSlots));
  const fromPool: Lease = {
    take: (callback) => pool.getConnection(callback),
    give: (connection, reusable) => (reusable ? connection.release() : connection.destroy()),
  };

  function onPool(sql: string, params: readonly SqlValue[], options?: StatementOptions): Promise<unknown> {
    if (!hasRegexp(sql)) return execute(fromPool, sql, params, timeout, killer);
    const asked = performance.now();
    return regexpGate
      .enter(options?.client ?? currentClient() ?? '', timeout, () => translateMysqlError(queryTimeoutError()))
      .then((leave) => execute(fromPool, sql, params, timeout - (performance.now() - asked), killer, leave));
  }

  const db: Db = {
    dialect: 'mysql',
    adapter: mysqlAdapter,
    description: `MySQL ${maskUrl(url)}`,
    ...statementsOn(onPool),
    get insertReturning() {
      return server.insertReturning;
    },
    async pinned<T>(work: (connection: Db) => Promise<T>, options: { transaction?: boolean } = {}): Promise<T> {
      const connection = await takeWithin(pool, timeout);
      const lease = new PinnedLease(connection);
      const pinned = onConnection(lease, url, timeout, killer, server);
      try {
        return options.transaction ? await inTransaction(connection, lease, () => work(pinned)) : await work(pinned);
      } finally {
        lease.end();
      }
    },
    atomically(statements: readonly Statement[]): Promise<RunResult[]> {
      return db.pinned((connection) => runEach(connection, statements), { transaction: true });
    },
    async ping(): Promise<void> {
      // Through the same path as every statement: a pool full of slow statements answers 503 in time too.
      await execute(fromPool, 'SELECT 1', [], timeout, killer);
    },
    async close(): Promise<void> {
      killer.close();
      await pool.promise().end();
    },
    poolStats(): PoolStats {
      // mysql2 has no public API for these: its pool's own queues, read at scrape time only.
      const core = pool as unknown as CorePoolQueues;
      const open = core._allConnections.length;
      const idle = core._freeConnections.length;
      return { inUse: open - idle, idle, queued: core._connectionQueue.length, limit: core.config.connectionLimit };
    },
  };
  return db;
}

/** What the server understands, learnt from the first connection's version. */
interface ServerFeatures {
  insertReturning: boolean;
}

/** MariaDB has INSERT … RETURNING since 10.5; MySQL has none. */
export function understandsInsertReturning(version: string): boolean {
  // "5.5.5-" is the prefix MariaDB puts before its version in the handshake, for old clients.
  const match = /^(?:5\.5\.5-)?(\d+)\.(\d+)\.\d+.*mariadb/i.exec(version);
  if (match === null) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 10 || (major === 10 && minor >= 5);
}

/**
 * The session settings that make the server stop a statement by itself after
 * `ms`: MariaDB's max_statement_time (seconds, every statement), MySQL's
 * max_execution_time (milliseconds, SELECT only). For a server whose version
 * is unknown, both: one of them fails, harmlessly.
 */
export function statementTimeLimit(version: string | undefined, ms: number): string[] {
  const mariadb = `SET SESSION max_statement_time = ${(Math.ceil(ms) / 1000).toFixed(3)}`;
  const mysqlLimit = `SET SESSION max_execution_time = ${Math.ceil(ms)}`;
  if (version === undefined || version === '') return [mariadb, mysqlLimit];
  return /mariadb/i.test(version) ? [mariadb] : [mysqlLimit];
}

/** The server version from the connection's handshake (mysql2 keeps it, without a public accessor). */
function handshakeVersion(connection: mysql.PoolConnection): string | undefined {
  return (connection as unknown as { _handshakePacket?: { serverVersion?: string } })._handshakePacket?.serverVersion;
}

/** Where a statement gets its connection, and where the connection goes when the statement is done with it. */
interface Lease {
  take(callback: (error: NodeJS.ErrnoException | null, connection: mysql.PoolConnection) => void): void;
  /**
   * The statement no longer uses `connection`: `reusable` is false when it must be closed instead (a failed
   * KILL, a read-only server); `abandoned` when the client gave up on the statement before it answered.
   */
  give(connection: mysql.PoolConnection, reusable: boolean, abandoned: boolean): void;
  /** The client has just given up on a statement that is still running on the lease's connection. */
  abandoned?(): void;
}

/** mysql2's own rule (lib/base/pool.js): a server that turned read-only (failover) gets a new connection. */
function isReadOnlyError(error: mysql.QueryError | null): boolean {
  const errno = error?.errno;
  // ER_OPTION_PREVENTS_STATEMENT, ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION, ER_READ_ONLY_MODE
  return errno === 1290 || errno === 1792 || errno === 1836;
}

/**
 * Runs one statement on a connection from `lease`, bounded by `timeLeftMs`
 * from now (the wait for a connection counts too). Past it, the caller gets
 * the timeout error at once and the statement is abandoned (see `abandon`);
 * `leave` is called when the connection is given back.
 */
function execute(
  lease: Lease,
  sql: string,
  params: readonly SqlValue[],
  timeLeftMs: number,
  killer: QueryKiller,
  leave?: () => void,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let connection: mysql.PoolConnection | undefined;
    let lateAnswer: (() => void) | undefined;
    let over = false;
    const timer = setTimeout(() => {
      over = true;
      reject(translateMysqlError(queryTimeoutError()));
      if (connection === undefined) return leave?.();
      const abandoned = connection;
      lease.abandoned?.();
      lateAnswer = abandon(abandoned, killer, timeLeftMs, (reusable) => {
        lease.give(abandoned, reusable, true);
        leave?.();
      });
    }, timeLeftMs);
    lease.take((error, taken) => {
      if (over) {
        // The caller has its answer already; a connection that comes later goes straight back.
        if (!error) lease.give(taken, true, false);
        return;
      }
      if (error) {
        over = true;
        clearTimeout(timer);
        leave?.();
        return reject(translateMysqlError(error));
      }
      connection = taken;
      const answer = (error: mysql.QueryError | null, result?: unknown) => {
        if (lateAnswer) return lateAnswer();
        clearTimeout(timer);
        over = true;
        lease.give(taken, !isReadOnlyError(error), false);
        leave?.();
        if (error) reject(translateMysqlError(error));
        else resolve(result);
      };
      try {
        taken.execute(sql, params as SqlValue[], answer);
      } catch (error) {
        answer(error as mysql.QueryError);
      }
    });
  });
}

/**
 * A statement the client gave up on: the server is told to stop it (KILL
 * QUERY), and the connection is given back only once that KILL has been
 * taken and the statement has answered (so the KILL can never reach the
 * connection's next statement), or closed when the server could not be told
 * or did not stop within `graceMs`. Returns what to call on the late answer.
 */
function abandon(
  connection: mysql.PoolConnection,
  killer: QueryKiller,
  graceMs: number,
  done: (reusable: boolean) => void,
): () => void {
  let answered = false;
  let killed = false;
  let ended = false;
  const end = (reusable: boolean) => {
    if (ended) return;
    ended = true;
    clearTimeout(grace);
    done(reusable);
  };
  const grace = setTimeout(() => end(false), Math.max(graceMs, 1000));
  void killer.kill(connection.threadId).then((taken) => {
    if (!taken) return end(false);
    killed = true;
    if (answered) end(true);
  });
  return () => {
    answered = true;
    if (killed) end(true);
  };
}

/** A pool connection within `timeoutMs`, or the timeout error (503). */
function takeWithin(pool: mysql.Pool, timeoutMs: number): Promise<mysql.PoolConnection> {
  return new Promise((resolve, reject) => {
    let over = false;
    const timer = setTimeout(() => {
      over = true;
      reject(translateMysqlError(queryTimeoutError()));
    }, timeoutMs);
    pool.getConnection((error, connection) => {
      if (over) {
        if (!error) connection.release();
        return;
      }
      clearTimeout(timer);
      if (error) reject(translateMysqlError(error));
      else resolve(connection);
    });
  });
}

/**
 * The connection of one `pinned` call. Once a statement on it has been
 * abandoned, the connection is closed when `work` ends (after the KILL),
 * never reused: its transaction, if any, is then rolled back by the server.
 */
class PinnedLease implements Lease {
  private outstanding = 0;
  private reusable = true;
  private ending = false;
  /** A statement on this connection was given up on: a rollback must not queue behind it. */
  gaveUp = false;

  constructor(private readonly connection: mysql.PoolConnection) {}

  take(callback: (error: null, connection: mysql.PoolConnection) => void): void {
    this.outstanding += 1;
    callback(null, this.connection);
  }

  give(_connection: mysql.PoolConnection, reusable: boolean, abandoned: boolean): void {
    this.outstanding -= 1;
    if (!reusable || abandoned) this.reusable = false;
    if (this.ending && this.outstanding === 0) this.finish();
  }

  /** After `work`: back to the pool, or closed; an abandoned statement still in the server is waited for. */
  end(): void {
    this.ending = true;
    if (this.outstanding === 0) this.finish();
  }

  abandoned(): void {
    this.gaveUp = true;
  }

  private finish(): void {
    if (this.reusable) this.connection.release();
    else this.connection.destroy();
  }
}

/** `all` and `run` over a function that executes one statement. */
function statementsOn(
  run: (sql: string, params: readonly SqlValue[], options?: StatementOptions) => Promise<unknown>,
): Pick<Db, 'all' | 'run'> {
  return {
    async all(sql: string, params: readonly SqlValue[] = [], options?: StatementOptions): Promise<Row[]> {
      return (await run(sql, params, options)) as Row[];
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
      const header = (await run(sql, params)) as mysql.ResultSetHeader;
      return { insertId: Number(header.insertId), affectedRows: header.affectedRows };
    },
  };
}

/** mysql2's callback-style transaction calls as promises, errors translated. */
function step(call: (callback: (error: mysql.QueryError | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => call((error) => (error ? reject(translateMysqlError(error)) : resolve())));
}

async function inTransaction<T>(
  connection: mysql.PoolConnection,
  lease: PinnedLease,
  work: () => Promise<T>,
): Promise<T> {
  await step((done) => connection.beginTransaction(done));
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // A lost connection has rolled back already; the original error is what matters. A connection whose
    // statement was abandoned is closed instead (the server rolls back), never waited on behind it.
    if (!lease.gaveUp) await step((done) => connection.rollback(() => done(null))).catch(() => undefined);
    throw error;
  }
  await step((done) => connection.commit(done));
  return result;
}

/** The statements one after another on one connection: atomic when that connection is in a transaction. */
async function runEach(connection: Db, statements: readonly Statement[]): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const statement of statements) {
    if (!statement.returnsRows) results.push(await connection.run(statement.sql, statement.params));
    else {
      const rows = await connection.all(statement.sql, statement.params);
      results.push({ insertId: 0, affectedRows: rows.length, rows });
    }
  }
  return results;
}

/** A Db over one pooled connection, for the duration of `pinned`. */
function onConnection(
  lease: PinnedLease,
  url: string,
  timeout: number,
  killer: QueryKiller,
  server: ServerFeatures,
): Db {
  const db: Db = {
    dialect: 'mysql',
    adapter: mysqlAdapter,
    description: `MySQL ${maskUrl(url)}`,
    ...statementsOn((sql, params) => execute(lease, sql, params, timeout, killer)),
    insertReturning: server.insertReturning,
    // Already on one connection (and inside its transaction, if any).
    pinned: (work) => work(db),
    atomically: (statements) => runEach(db, statements),
    async ping(): Promise<void> {
      await db.all('SELECT 1');
    },
    async close(): Promise<void> {
      // The pool owns the connection; `pinned` releases it.
    },
  };
  return db;
}

/** The internals of mysql2's pool (lib/base/pool.js) that poolStats reads. */
interface CorePoolQueues {
  _allConnections: { length: number };
  _freeConnections: { length: number };
  _connectionQueue: { length: number };
  config: { connectionLimit: number };
}

/** The error mysql2 itself raises when a statement outlives its `timeout`. */
function queryTimeoutError(): Error {
  return Object.assign(new Error('Query inactivity timeout'), { code: 'PROTOCOL_SEQUENCE_TIMEOUT' });
}
