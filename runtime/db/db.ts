/**
 * The one contract every database driver implements. Generated query modules
 * and the runtime talk to MySQL and SQLite only through this interface.
 */

import type { ValueRule } from '../../common/value-rules.js';

/** A value bound to a `?` placeholder. */
/** Bytes for BINARY and BLOB columns (both drivers bind a Buffer as such). */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** A row as the driver returns it, keyed by column alias. */
export type Row = Record<string, unknown>;

/** Which database a Db talks to; also the key of statements spelled per database. */
export type DatabaseName = 'mysql' | 'sqlite';

/**
 * What one database can do and how it spells what differs: callers ask
 * this, they never branch on the database's name (as Kysely's adapters).
 */
export interface SqlAdapter {
  readonly name: DatabaseName;
  /** UPDATE … RETURNING: an adjustment answers its new value itself (SQLite). */
  readonly updateReturning: boolean;
  /**
   * User variables kept per connection (@name, MySQL): an UPDATE can keep the
   * values it replaces, and an adjustment its new value, for a read on the same connection.
   */
  readonly sessionVariables: boolean;
  /** A write and its audit row can share a transaction (MySQL; SQLite's one connection is shared by every request). */
  readonly transactions: boolean;
  /** The live table's definition can be read to compare it with its schema file (information_schema). */
  readonly introspection: boolean;
  /** Case-folding of every letter, not only ASCII. */
  lower(expression: string): string;
  /** Makes `\` the LIKE escape character (MySQL's default; SQLite has none). */
  readonly likeEscape: string;
  /** What follows `INSERT INTO table` to insert a row of defaults only. */
  readonly defaultValues: string;
  /**
   * `column` equals `?`, NULL-safe and exact for the column's type: the
   * If-Match condition compares every column with the value read.
   */
  sameValue(column: string, rule: ValueRule, sqlType: string): string;
  /** Reads back the value an adjustment kept in a session variable (sessionVariables only). */
  readonly adjustedValue: string;
  /**
   * Statements that lock tables against every other session's reads and writes until unlocked, on one
   * connection (MySQL's LOCK TABLES: what makes several statements on MyISAM tables one unit); absent where
   * the database has no such lock (SQLite, whose transactions serve instead).
   */
  lockTables?(tables: readonly string[]): { lock: string; unlock: string };
}

export interface RunResult {
  /** The AUTO_INCREMENT value of an INSERT (0 when none). */
  insertId: number;
  /** Rows matched by an UPDATE or DELETE. */
  affectedRows: number;
  /** What a statement marked `returnsRows` answered (INSERT … RETURNING), in Db.atomically. */
  rows?: Row[];
}

/** One statement and the values for its placeholders. */
export interface Statement {
  sql: string;
  params: SqlValue[];
  /** The statement answers rows (INSERT … RETURNING): Db.atomically returns them in its result. */
  returnsRows?: boolean;
}

/** What a caller may say about one statement. */
export interface StatementOptions {
  /**
   * Who the statement is for (`user:<id>`, `address:<ip>`): statements whose
   * cost the client chooses (regexp filters) are shared out between clients
   * by it (see fair-gate.ts). Unset: the current request's client where a
   * request context is kept (client-context.ts), else one shared bucket.
   */
  client?: string;
}

/** A connection pool's occupancy at one instant (for /metrics). */
export interface PoolStats {
  /** Connections handed out to a statement right now. */
  inUse: number;
  /** Open connections waiting in the pool for work. */
  idle: number;
  /** Statements waiting for a connection because all of them are in use. */
  queued: number;
  /** The most connections the pool may open. */
  limit: number;
}

export interface Db {
  /** The database's name: keys statements spelled per database (`ADJUST_CARD_CREDIT[db.dialect]`). */
  readonly dialect: DatabaseName;
  /** What the database can do and how it spells it. */
  readonly adapter: SqlAdapter;
  /** Where the data lives, with any password masked: safe to print. */
  readonly description: string;
  /** Runs a SELECT and returns every row. */
  all(sql: string, params?: readonly SqlValue[], options?: StatementOptions): Promise<Row[]>;
  /** Runs INSERT, UPDATE, DELETE or DDL. */
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /**
   * Runs `work` on one connection held for its whole duration, for what must
   * share a session: a user variable read back after the statement that set
   * it, or a transaction. With `transaction`, MySQL commits when `work`
   * resolves and rolls back when it throws. SQLite has one connection shared
   * by every request, so `work` gets this Db and no transaction: a rollback
   * there would undo other requests' writes too.
   */
  pinned<T>(work: (connection: Db) => Promise<T>, options?: { transaction?: boolean }): Promise<T>;
  /**
   * Runs the statements as one unit: all of them or none, even if the
   * process dies in between. SQLite: one transaction, run synchronously, so
   * no other request's statement can slip into it on the shared connection.
   * MySQL: one transaction on a pinned connection, which is all-or-none for
   * transactional (InnoDB) tables only: a change to a MyISAM table is atomic
   * only as a single statement (a multi-table UPDATE can couple it to
   * another table's row).
   */
  atomically(statements: readonly Statement[]): Promise<RunResult[]>;
  /**
   * INSERT … RETURNING is understood (SQLite; MariaDB 10.5 and later, known
   * once a connection has told its server version): a create reads its row
   * back in the same statement.
   */
  readonly insertReturning?: boolean;
  /**
   * When reads are split off to a replica: this database as the write path
   * must see it, reading from the primary too. A write reads the row it is
   * about to change (its condition, its audit values) here, never from a
   * replica that may lag. Absent for a plain database.
   */
  readonly writer?: Db;
  /** Checks the connection: resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The pool's occupancy, for drivers that have a pool (MySQL); read only when /metrics is scraped. */
  poolStats?(): PoolStats;
}
