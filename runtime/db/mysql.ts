/**
 * MySQL / MariaDB driver: a mysql2 pool with prepared statements.
 */
import mysql from 'mysql2/promise';
import type { Db, PoolStats, Row, RunResult, SqlValue } from './db.js';
import { translateMysqlError } from './mysql-errors.js';

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
  const pool = mysql.createPool({
    uri: url,
    connectionLimit: options.poolSize ?? 10,
    // Zero dates must survive as text: a Date object cannot hold 0000-00-00.
    dateStrings: true,
    // DECIMAL stays a string so no value passes through a float by accident.
    decimalNumbers: false,
    // BIGINT as a number while it is exact, as a string past 2^53.
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'utf8mb4_general_ci',
    enableKeepAlive: true,
    // A server that accepts TCP but never answers (frozen) must not hold a request longer than a query may.
    connectTimeout: timeout,
  });
  pool.on('connection', (connection) => {
    // Queued before any statement the pool hands this connection to.
    connection.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}', time_zone = ${mysql.escape(timeZone)}`);
  });

  return {
    dialect: 'mysql',
    description: `MySQL ${maskUrl(url)}`,
    async all(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
      try {
        const [rows] = await pool.execute({ sql, values: params as SqlValue[], timeout });
        return rows as Row[];
      } catch (error) {
        throw translateMysqlError(error);
      }
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
      try {
        const [result] = await pool.execute({ sql, values: params as SqlValue[], timeout });
        const header = result as mysql.ResultSetHeader;
        return { insertId: Number(header.insertId), affectedRows: header.affectedRows };
      } catch (error) {
        throw translateMysqlError(error);
      }
    },
    async pinned<T>(work: (connection: Db) => Promise<T>, options: { transaction?: boolean } = {}): Promise<T> {
      let connection: mysql.PoolConnection;
      try {
        connection = await pool.getConnection();
      } catch (error) {
        throw translateMysqlError(error);
      }
      try {
        if (!options.transaction) return await work(onConnection(connection, url, timeout));
        return await inTransaction(connection, () => work(onConnection(connection, url, timeout)));
      } finally {
        connection.release();
      }
    },
    async ping(): Promise<void> {
      try {
        await pool.query({ sql: 'SELECT 1', timeout });
      } catch (error) {
        throw translateMysqlError(error);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
    poolStats(): PoolStats {
      // mysql2 has no public API for these: its pool's own queues, read at scrape time only.
      const core = pool.pool as unknown as CorePoolQueues;
      const open = core._allConnections.length;
      const idle = core._freeConnections.length;
      return { inUse: open - idle, idle, queued: core._connectionQueue.length, limit: core.config.connectionLimit };
    },
  };
}

async function inTransaction<T>(connection: mysql.PoolConnection, work: () => Promise<T>): Promise<T> {
  try {
    await connection.beginTransaction();
  } catch (error) {
    throw translateMysqlError(error);
  }
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // A lost connection has rolled back already; the original error is what matters.
    await connection.rollback().catch(() => undefined);
    throw error;
  }
  try {
    await connection.commit();
  } catch (error) {
    throw translateMysqlError(error);
  }
  return result;
}

/** A Db over one pooled connection, for the duration of `pinned`. */
function onConnection(connection: mysql.PoolConnection, url: string, timeout: number): Db {
  const db: Db = {
    dialect: 'mysql',
    description: `MySQL ${maskUrl(url)}`,
    async all(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
      try {
        const [rows] = await connection.execute({ sql, values: params as SqlValue[], timeout });
        return rows as Row[];
      } catch (error) {
        throw translateMysqlError(error);
      }
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
      try {
        const [result] = await connection.execute({ sql, values: params as SqlValue[], timeout });
        const header = result as mysql.ResultSetHeader;
        return { insertId: Number(header.insertId), affectedRows: header.affectedRows };
      } catch (error) {
        throw translateMysqlError(error);
      }
    },
    // Already on one connection (and inside its transaction, if any).
    pinned: (work) => work(db),
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
