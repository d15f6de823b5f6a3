/**
 * A Db that counts its failed statements by kind. The success path adds one
 * promise per statement and nothing else.
 */
import type { Db, Row, RunResult, SqlValue } from '../db/db.js';
import type { ServiceMetrics } from './service-metrics.js';

export function withErrorCounting(db: Db, metrics: ServiceMetrics): Db {
  const fail = (error: unknown): never => {
    metrics.countDbError(error);
    throw error;
  };
  // Inherit from the driver's object so any other member reaches it unchanged.
  return Object.assign(Object.create(db) as Db, {
    all: (sql: string, params?: readonly SqlValue[]): Promise<Row[]> => db.all(sql, params).catch(fail),
    run: (sql: string, params?: readonly SqlValue[]): Promise<RunResult> => db.run(sql, params).catch(fail),
    ping: (): Promise<void> => db.ping().catch(fail),
    // Statements on a pinned connection, and the write path's view of a split database, are counted too.
    pinned: <T>(work: (connection: Db) => Promise<T>, options?: { transaction?: boolean }): Promise<T> =>
      db.pinned((connection) => work(withErrorCounting(connection, metrics)), options),
    writer: db.writer && withErrorCounting(db.writer, metrics),
  });
}
