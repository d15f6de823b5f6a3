/**
 * Seed rows, as the generated modules carry them (an INSERT head and the
 * rows' values), turned into multi-row INSERTs with `?` placeholders, so a
 * table of a few hundred rows is loaded in a handful of statements and no
 * value is ever spliced into SQL.
 */
import type { SqlValue } from './db.js';
import type { Statement } from './db.js';

/** Rows that share one column list. */
export interface SeedRows {
  /** `INSERT INTO table (column, …)`, without VALUES. */
  readonly insert: string;
  /** Each row's values, in the column list's order. */
  readonly rows: readonly (readonly SqlValue[])[];
}

/** Rows per statement: far below SQLite's and MySQL's placeholder limits even for wide tables. */
const ROWS_PER_STATEMENT = 100;

export function seedStatements(seed: SeedRows): Statement[] {
  const statements: Statement[] = [];
  for (let start = 0; start < seed.rows.length; start += ROWS_PER_STATEMENT) {
    const rows = seed.rows.slice(start, start + ROWS_PER_STATEMENT);
    const tuples = rows.map((row) => `(${row.map(() => '?').join(', ')})`);
    statements.push({ sql: `${seed.insert} VALUES ${tuples.join(', ')}`, params: rows.flat() });
  }
  return statements;
}
