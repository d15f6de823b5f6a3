/**
 * Maps mysql2 errors onto the driver-neutral errors of ./errors.ts.
 */
import {
  DatabaseUnavailableError,
  DuplicateKeyError,
  ForeignKeyError,
  InvalidValueError,
  MissingTableError,
  type ForeignKeyDetails,
} from '../errors.js';

interface MysqlError extends Error {
  code?: string;
  errno?: number;
  fatal?: boolean;
  sqlMessage?: string;
}

/** Errors that mean "the server cannot answer this now" (down, overloaded, a lost lock race), not "your statement is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  // Also how Galera and multi-primary group replication refuse a write that lost certification: retryable.
  'ER_LOCK_DEADLOCK',
]);

/** Errors about a value that the column cannot hold. */
const VALUE_CODES = new Set([
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_BAD_NULL_ERROR',
  'ER_NO_DEFAULT_FOR_FIELD',
  'ER_REGEXP_ERROR',
  'ER_DIVISION_BY_ZERO',
  'ER_WRONG_VALUE_FOR_TYPE',
  // Geometry and JSON the database would not take, and a table's own CHECK (MariaDB, MySQL 8).
  'ER_CANT_CREATE_GEOMETRY_OBJECT',
  'ER_GIS_INVALID_DATA',
  'ER_INVALID_JSON_TEXT',
  'ER_CHECK_CONSTRAINT_VIOLATED',
]);

/** MariaDB's CHECK failure, which mysql2 names by MySQL's meaning of the same number. */
const ER_CONSTRAINT_FAILED = 4025;

/** MariaDB's max_statement_time error, which mysql2 knows by number only. */
const ER_STATEMENT_TIMEOUT = 1969;

/** The server stopped a statement: its own time limit (MariaDB, MySQL), or a KILL QUERY. */
const STOPPED_CODES = new Set(['ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT', 'ER_QUERY_INTERRUPTED']);

/** Foreign key refusals: the row points nowhere, or others point at it (the older codes name nothing). */
const FOREIGN_KEY_CODES: Record<string, 'missing' | 'referenced'> = {
  ER_NO_REFERENCED_ROW_2: 'missing',
  ER_NO_REFERENCED_ROW: 'missing',
  ER_ROW_IS_REFERENCED_2: 'referenced',
  ER_ROW_IS_REFERENCED: 'referenced',
};

const unquote = (list: string) => list.split(',').map((name) => name.trim().replace(/^`|`$/g, ''));

/** "… fails (`db`.`orders`, CONSTRAINT `fk` FOREIGN KEY (`customer_id`) REFERENCES `customer` (`id`) …)" */
function foreignKeyDetails(message: string): ForeignKeyDetails {
  const match =
    /\(`[^`]*`\.`([^`]+)`, CONSTRAINT `([^`]+)` FOREIGN KEY \(([^)]*)\) REFERENCES `([^`]+)` \(([^)]*)\)/.exec(message);
  if (match === null) return {};
  const [, table, constraint, columns, referencedTable, referencedColumns] = match;
  return {
    table,
    constraint,
    columns: unquote(columns!),
    referencedTable,
    referencedColumns: unquote(referencedColumns!),
  };
}

export function translateMysqlError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if ((error as MysqlError).errno === ER_STATEMENT_TIMEOUT && (error as MysqlError).code === undefined) {
    (error as MysqlError).code = 'ER_STATEMENT_TIMEOUT';
  }
  if ((error as MysqlError).errno === ER_CONSTRAINT_FAILED && /^CONSTRAINT `/.test(error.message)) {
    // "CONSTRAINT `t.n` failed for `db`.`t`": a column's own check is named after the column.
    const column = /^CONSTRAINT `(?:[^`.]+\.)?([^`]+)`/.exec(error.message)?.[1];
    return new InvalidValueError(error.message, column, { cause: error });
  }
  const { code, fatal } = error as MysqlError;
  if (code !== undefined && STOPPED_CODES.has(code)) {
    return new DatabaseUnavailableError(`database unavailable: ${error.message}`, { cause: error });
  }
  const message = (error as MysqlError).sqlMessage ?? error.message;
  if (code === 'ER_DUP_ENTRY') {
    // "Duplicate entry 'x' for key 'cons_cc_card_username'"; MySQL 8 prefixes the table.
    const key = /for key '(?:[^'.]+\.)?([^']+)'/.exec(message)?.[1];
    return new DuplicateKeyError(key, [], { cause: error });
  }
  if (code !== undefined && code in FOREIGN_KEY_CODES) {
    return new ForeignKeyError(FOREIGN_KEY_CODES[code], foreignKeyDetails(message), { cause: error });
  }
  if (code === 'ER_NO_SUCH_TABLE') {
    const table = /Table '(?:[^'.]+\.)?([^']+)' doesn't exist/.exec(message)?.[1] ?? 'unknown';
    return new MissingTableError(table, { cause: error });
  }
  if (code !== undefined && VALUE_CODES.has(code)) {
    const column = /(?:column|Field) '([^']+)'/.exec(message)?.[1];
    return new InvalidValueError(message, column, { cause: error });
  }
  if (fatal || (code !== undefined && UNAVAILABLE_CODES.has(code))) {
    return new DatabaseUnavailableError(`database unavailable: ${message}`, { cause: error });
  }
  return error;
}
