/**
 * A Db that counts its failed statements by kind. The success path adds one
 * promise per statement and nothing else.
 */
import type { Db, Row, RunResult, SqlValue, Statement, StatementOptions } from '../db/db.js';
import type { ServiceMetrics } from './service-metrics.js';

type Fail = (error: unknown) => never;

export function withErrorCounting(db: Db, metrics: ServiceMetrics): Db {
  const fail: Fail = (error) => {
    metrics.countDbError(error);
    throw error;
  };
  // Inherit from the driver's object so any other member reaches it unchanged.
  return Object.assign(Object.create(db) as Db, {
    all: (sql: string, params?: readonly SqlValue[], options?: StatementOptions): Promise<Row[]> =>
      db.all(sql, params, options).catch(fail),
    run: (sql: string, params?: readonly SqlValue[]): Promise<RunResult> => db.run(sql, params).catch(fail),
    ping: (): Promise<void> => db.ping().catch(fail),
    atomically: (statements: readonly Statement[]): Promise<RunResult[]> => db.atomically(statements).catch(fail),
    // Statements on a pinned connection, and the write path's view of a split database, are counted too.
    pinned: <T>(work: (connection: Db) => Promise<T>, options?: { transaction?: boolean }): Promise<T> =>
      db.pinned((connection) => work(countedConnection(connection, fail)), options),
    writer: db.writer && withErrorCounting(db.writer, metrics),
  });
}

/**
 * A pinned connection, counted: a plain object rather than the prototype
 * chain above, since one is made for every pinned call (an audited update,
 * an adjustment), where Object.create + Object.assign cost ~4 % of a PUT.
 */
function countedConnection(connection: Db, fail: Fail): Db {
  const counted: Db = {
    dialect: connection.dialect,
    adapter: connection.adapter,
    description: connection.description,
    insertReturning: connection.insertReturning,
    all: (sql, params, options) => connection.all(sql, params, options).catch(fail),
    run: (sql, params) => connection.run(sql, params).catch(fail),
    pinned: (work, options) => connection.pinned(() => work(counted), options),
    atomically: (statements) => connection.atomically(statements).catch(fail),
    ping: () => connection.ping().catch(fail),
    close: () => connection.close(),
  };
  return counted;
}
