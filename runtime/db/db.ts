/**
 * The one contract every database driver implements. Generated query modules
 * and the runtime talk to MySQL and SQLite only through this interface.
 */

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | null;

/** A row as the driver returns it, keyed by column alias. */
export type Row = Record<string, unknown>;

export type Dialect = 'mysql' | 'sqlite';

export interface RunResult {
  /** The AUTO_INCREMENT value of an INSERT (0 when none). */
  insertId: number;
  /** Rows matched by an UPDATE or DELETE. */
  affectedRows: number;
}

/** One statement and the values for its placeholders. */
export interface Statement {
  sql: string;
  params: SqlValue[];
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
  readonly dialect: Dialect;
  /** Where the data lives, with any password masked: safe to print. */
  readonly description: string;
  /** Runs a SELECT and returns every row. */
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
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
