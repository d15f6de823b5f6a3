/**
 * The SQL functions a2gen adds to SQLite, registered on every connection it
 * opens: the service's own and the regexp worker's read-only one.
 */
import type Database from 'better-sqlite3';
import { addDecimals, compareDecimals } from '../../../common/decimal.js';
import { compileRegexp } from '../regexp.js';

/** The message of the error that stops a statement past its deadline. */
export const STATEMENT_TIMEOUT = 'statement time limit exceeded';
/** The code that error carries once out of the worker (counted as a timeout by /metrics). */
export const STATEMENT_TIMEOUT_CODE = 'A2GEN_STATEMENT_TIMEOUT';

/** The connection settings that change what a statement means: the same on every connection to the file. */
export function configureConnection(database: Database.Database): void {
  database.pragma('busy_timeout = 5000');
  // A2Billing's utf8_bin collation makes LIKE case-sensitive; match it.
  database.pragma('case_sensitive_like = ON');
  // SQLite enforces the FOREIGN KEY clauses of the generated DDL only when asked to, connection by connection.
  database.pragma('foreign_keys = ON');
}

export interface FunctionOptions {
  /** Called for every value a regexp tests: throws to stop a statement that has run too long. */
  checkDeadline?: () => void;
}

export function registerFunctions(database: Database.Database, options: FunctionOptions = {}): void {
  const checkDeadline = options.checkDeadline;
  // `x REGEXP y` is regexp(y, x): RE2, linear in the text whatever the pattern (see runtime/db/regexp.ts).
  database.function('regexp', { deterministic: true }, (pattern, value) => {
    if (value === null || pattern === null) return null;
    checkDeadline?.();
    return compileRegexp(String(pattern)).test(String(value)) ? 1 : 0;
  });
  // SQLite's own lower() folds ASCII only; ilike must fold every letter.
  database.function('unicode_lower', { deterministic: true }, (value) =>
    value === null ? null : String(value).toLowerCase(),
  );
  // Credit adjustments add exactly (see runtime/values/decimal.ts); NULL stays NULL as in SQL.
  database.function('a2gen_decimal_add', { deterministic: true }, (a, b, scale) =>
    a === null || b === null ? null : addDecimals(a, b, Number(scale)),
  );
  database.function('a2gen_decimal_cmp', { deterministic: true }, (a, b, scale) =>
    a === null || b === null ? null : compareDecimals(a, b, Number(scale)),
  );
  registerMysqlFunctions(database);
}

/**
 * MySQL functions the shared SQL uses (common/sql-expressions.ts, SET filters),
 * over the text SQLite stores: geometry is kept as the WKT the API validated
 * and normalised, so reading and writing it are the identity.
 */
function registerMysqlFunctions(database: Database.Database): void {
  const identity = (value: unknown) => value;
  database.function('ST_AsText', { deterministic: true }, identity);
  database.function('ST_GeomFromText', { deterministic: true }, identity);
  database.function('TIME_TO_SEC', { deterministic: true }, (value) =>
    value === null ? null : timeToSeconds(String(value)),
  );
  // The 1-based position of a word in a comma-separated list, 0 when absent.
  database.function('FIND_IN_SET', { deterministic: true }, (word, list) =>
    word === null || list === null ? null : String(list).split(',').indexOf(String(word)) + 1,
  );
}

/** "-12:30:00.5" → -45000.5, as MySQL's TIME_TO_SEC. */
function timeToSeconds(text: string): number | null {
  const match = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text);
  if (!match) return null;
  const [, sign, hours, minutes, seconds] = match;
  const total = Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  return sign === '-' ? -total : total;
}
