/**
 * Embedded SQLite driver (better-sqlite3): the zero-setup default.
 */
import Database from 'better-sqlite3';
import { sqliteAdapter } from './adapter.js';
import type { Db, Row, RunResult, SqlValue, Statement, StatementOptions } from '../db.js';
import {
  DatabaseUnavailableError,
  DuplicateKeyError,
  ForeignKeyError,
  InvalidValueError,
  MissingTableError,
} from '../errors.js';
import { hasRegexp, RefusedPattern } from '../regexp.js';
import { configureConnection, registerFunctions, STATEMENT_TIMEOUT_CODE } from './functions.js';
import { RegexpWorker } from './off-thread.js';

/** Prepared statements kept per connection; the generated SQL is a small, fixed set. */
const STATEMENT_CACHE_SIZE = 500;

export interface SqliteOptions {
  /** A regexp list query that has not answered by then fails (503); see off-thread.ts. */
  queryTimeoutMs?: number;
}

export function openSqlite(file: string, options: SqliteOptions = {}): Db {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  configureConnection(database);
  registerFunctions(database);
  // Regexp list queries run on a worker thread, off the event loop (a database in memory has no file to share).
  const regexpWorker =
    file === '' || file === ':memory:' ? undefined : new RegexpWorker(file, options.queryTimeoutMs ?? 10_000);

  const statements = new Map<string, Database.Statement>();
  function prepare(sql: string): Database.Statement {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = database.prepare(sql);
      // Integers arrive as BigInt so BIGINT values past 2^53 keep every digit (see exactIntegers).
      if (statement.reader) statement.safeIntegers(true);
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
      statements.set(sql, statement);
    }
    return statement;
  }

  const db: Db = {
    dialect: 'sqlite',
    adapter: sqliteAdapter,
    description: `SQLite ${file}`,
    insertReturning: true,
    async all(sql: string, params: readonly SqlValue[] = [], options?: StatementOptions): Promise<Row[]> {
      try {
        if (regexpWorker !== undefined && hasRegexp(sql)) {
          return (await regexpWorker.all(sql, params, options?.client)).map(exactIntegers);
        }
        return (prepare(sql).all(...params) as Row[]).map(exactIntegers);
      } catch (error) {
        throw translateSqliteError(error);
      }
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
      try {
        const result = prepare(sql).run(...params);
        return { insertId: Number(result.lastInsertRowid), affectedRows: result.changes };
      } catch (error) {
        throw translateSqliteError(error);
      }
    },
    async atomically(list: readonly Statement[]): Promise<RunResult[]> {
      try {
        return database.transaction(() =>
          list.map((statement): RunResult => {
            const prepared = prepare(statement.sql);
            if (statement.returnsRows) {
              const rows = (prepared.all(...statement.params) as Row[]).map(exactIntegers);
              return { insertId: 0, affectedRows: rows.length, rows };
            }
            const result = prepared.run(...statement.params);
            return { insertId: Number(result.lastInsertRowid), affectedRows: result.changes };
          }),
        )();
      } catch (error) {
        throw translateSqliteError(error);
      }
    },
    // One connection for every request: no transaction (see Db.pinned).
    pinned<T>(work: (connection: Db) => Promise<T>): Promise<T> {
      return work(db);
    },
    async ping(): Promise<void> {
      database.prepare('SELECT 1').get();
    },
    async close(): Promise<void> {
      await regexpWorker?.close();
      database.close();
    },
  };
  return db;
}

/** BigInt → number while exact, else a decimal string (as mysql2 does with supportBigNumbers). */
function exactIntegers(row: Row): Row {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'bigint') {
      row[key] =
        value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(value)
          : value.toString();
    }
  }
  return row;
}

function translateSqliteError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: cc_card.username"
    const columns = error.message
      .replace(/^.*failed: /, '')
      .split(', ')
      .map((qualified) => qualified.replace(/^[^.]*\./, ''));
    return new DuplicateKeyError(undefined, columns, { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_CHECK') {
    // The DDL names each CHECK after its column (BIGINT UNSIGNED past SQLite's 2^63 - 1).
    const column = /CHECK constraint failed: (\S+)/.exec(error.message)?.[1];
    return new InvalidValueError(`${column ?? 'a value'} is out of the range this database holds`, column, {
      cause: error,
    });
  }
  const missing = /no such table: (\S+)/.exec(error.message);
  if (missing) return new MissingTableError(missing[1]!, { cause: error });
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_IOERR') {
    return new DatabaseUnavailableError(`database unavailable: ${error.message}`, { cause: error });
  }
  if (code === STATEMENT_TIMEOUT_CODE) {
    return new DatabaseUnavailableError(`database unavailable: ${error.message}`, { cause: error });
  }
  // "FOREIGN KEY constraint failed" names neither the constraint nor the side: the store finds them.
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new ForeignKeyError(undefined, {}, { cause: error });
  if (error instanceof RefusedPattern || error.name === 'RefusedPattern') {
    return new InvalidValueError(`invalid regular expression: ${error.message}`, undefined, { cause: error });
  }
  return error;
}
