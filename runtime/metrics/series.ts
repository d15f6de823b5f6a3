/**
 * What the metrics count, shared by the service's view of them
 * (service-metrics.ts) and the prom-client registry behind it (prom-metrics.ts):
 * a request's two series, and the kinds of failed database statements.
 */
import {
  DatabaseUnavailableError,
  DuplicateKeyError,
  ForeignKeyError,
  InvalidValueError,
  MissingTableError,
} from '../db/errors.js';

export const DB_ERROR_KINDS = [
  'unavailable',
  'timeout',
  'duplicate_key',
  'foreign_key',
  'invalid_value',
  'missing_table',
  'other',
] as const;
export type DbErrorKind = (typeof DB_ERROR_KINDS)[number];

/** Driver codes (kept as the translated error's cause) that mean "too slow", not "not there". */
const TIMEOUT_CODES = new Set([
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ETIMEDOUT',
  'ER_LOCK_WAIT_TIMEOUT',
  'SQLITE_BUSY',
  // The server's own statement time limit (MariaDB, MySQL); SQLite's regexp worker's (runtime/db/sqlite/off-thread.ts).
  'ER_STATEMENT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
  'A2GEN_STATEMENT_TIMEOUT',
]);

export function dbErrorKind(error: unknown): DbErrorKind {
  if (error instanceof DuplicateKeyError) return 'duplicate_key';
  if (error instanceof ForeignKeyError) return 'foreign_key';
  if (error instanceof InvalidValueError) return 'invalid_value';
  if (error instanceof MissingTableError) return 'missing_table';
  if (error instanceof DatabaseUnavailableError) {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' && TIMEOUT_CODES.has(code) ? 'timeout' : 'unavailable';
  }
  return 'other';
}

/** The two series one request updates; looked up once per route, method and status class, then reused. */
export interface RequestSeries {
  count(): void;
  observe(seconds: number): void;
}
