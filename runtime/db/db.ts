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
  /** Checks the connection: resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The pool's occupancy, for drivers that have a pool (MySQL); read only when /metrics is scraped. */
  poolStats?(): PoolStats;
}
