/**
 * What a generated query module tells the runtime's write path about one
 * table: its SQL constants and how to decode a row. The write path itself
 * (runtime/api/writes.ts) is the same for every table.
 */
import type { Dialect, Row } from '../db/db.js';
import type { ResourceSpec } from './resource.js';

/** An atomic `column = column + delta` (credit adjustments). */
export interface Adjustment {
  /** JSON property name; also the URL segment: /api/card/<id>/credit. */
  readonly name: string;
  /** Decimal places of the column: the new value is written with exactly these. */
  readonly scale: number;
  /** Parameters: delta, key. */
  readonly add: Readonly<Record<Dialect, string>>;
  /** Parameters: delta, key, delta, lower bound. Matches no row when the result would fall below the bound. */
  readonly addAtLeast: Readonly<Record<Dialect, string>>;
  /** MySQL: reads the value `add` stored back from the session variable it set (same connection). SQLite's `add` returns it. */
  readonly readAdjusted: string;
}

export interface TableQueries<T = unknown> {
  readonly spec: ResourceSpec;
  /** One row by key (readable columns). */
  readonly get: string;
  /** The table as SQL names it (quoted where it must be). */
  readonly from: string;
  /** Followed by the columns sent and their placeholders. */
  readonly insertInto: string;
  /** Followed by ` SET …` and the key condition. */
  readonly update: string;
  readonly whereKey: string;
  /** DELETE … WHERE key = ? */
  readonly delete: string;
  /**
   * Appended to a key condition for conditional writes (If-Match): every
   * readable column still holds the value read, one parameter each, in
   * spec column order without write-only columns and the primary key.
   */
  readonly unchanged: Readonly<Record<Dialect, string>>;
  /** What a create gets for columns it leaves out that have no database default. */
  readonly createDefaults: Readonly<Record<string, unknown>>;
  /** Driver row → API value, in place. */
  readonly decode: (row: Row) => T;
  readonly adjustments: Readonly<Record<string, Adjustment>>;
  /** InnoDB: a write and its audit row commit in one transaction. */
  readonly transactional: boolean;
}
