/**
 * SQL for the money-safe writes: the condition that makes an UPDATE or
 * DELETE apply only to the row as it was read (If-Match), and the single
 * statement that adds to a decimal column. MyISAM has no transactions, so
 * each of these has to be safe as one statement. The two dialects differ:
 * MySQL compares with `<=>` and does exact DECIMAL arithmetic itself; SQLite
 * compares with `IS` and adds through a2gen's exact decimal functions.
 */
import type { ColumnModel, TableModel } from './model.js';
import { sqlName } from './sql-identifier.js';

export type Dialect = 'mysql' | 'sqlite';

function decimalType(column: ColumnModel): string {
  return `DECIMAL(${column.sql.precision ?? 10},${column.sql.scale ?? 0})`;
}

/** `col <=> ?` that is exact for the column's type: no string-to-double comparison. */
function mysqlEquals(column: ColumnModel): string {
  const name = sqlName(column.column);
  // A text comparison under a case-insensitive collation would miss 'abc' → 'ABC'; bytes do not.
  if (column.kind === 'string') return `BINARY ${name} <=> ?`;
  if (column.kind === 'decimal') return `${name} <=> CAST(? AS ${decimalType(column)})`;
  // Keys past 2^53 are bound as text; compare them as exact numbers, not doubles.
  if (column.sql.base === 'bigint') return `${name} <=> CAST(? AS DECIMAL(20,0))`;
  return `${name} <=> ?`;
}

/**
 * Appended to the key condition: every other column the API shows still
 * holds the value read. One parameter per column, in `columns` order.
 */
export function unchangedCondition(columns: readonly ColumnModel[], dialect: Dialect): string {
  const tests = columns.map((column) => (dialect === 'mysql' ? mysqlEquals(column) : `${sqlName(column.column)} IS ?`));
  return tests.map((test) => `\n  AND ${test}`).join('');
}

/**
 * `column = column + ?` for one row, in one statement; with `atLeast`, only
 * when the result stays at or above a bound. Parameters: delta, key, and for
 * `atLeast` delta again and the bound. MySQL keeps the new value in a session
 * variable (read back on the same connection); SQLite returns it.
 */
export function adjustStatement(model: TableModel, column: ColumnModel, dialect: Dialect, atLeast: boolean): string {
  const table = sqlName(model.table);
  const name = sqlName(column.column);
  const key = sqlName(model.primaryKey.column);
  const scale = column.sql.scale ?? 0;
  if (dialect === 'mysql') {
    const delta = `CAST(? AS ${decimalType(column)})`;
    const bound = atLeast ? `\n  AND ${name} + ${delta} >= CAST(? AS ${decimalType(column)})` : '';
    return `UPDATE ${table}\nSET ${name} = (@a2gen_adjusted := ${name} + ${delta})\nWHERE ${key} = ?${bound}`;
  }
  const bound = atLeast ? `\n  AND a2gen_decimal_cmp(a2gen_decimal_add(${name}, ?, ${scale}), ?, ${scale}) >= 0` : '';
  return `UPDATE ${table}\nSET ${name} = a2gen_decimal_add(${name}, ?, ${scale})\nWHERE ${key} = ?${bound}\nRETURNING ${name} AS value`;
}

/** MySQL's read-back of the value an adjustment stored, on the same connection. */
export const MYSQL_ADJUSTED_VALUE = 'SELECT @a2gen_adjusted AS value';
