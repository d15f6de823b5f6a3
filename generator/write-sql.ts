/**
 * The single statement that adds to a decimal column (credit adjustments).
 * MyISAM has no transactions, so it has to be safe as one statement. The two
 * databases spell it differently: MySQL does exact DECIMAL arithmetic itself;
 * SQLite adds through a2gen's exact decimal functions.
 */
import type { ColumnModel, TableModel } from './model.js';
import { sqlName } from '../common/sql-identifier.js';

export type Dialect = 'mysql' | 'sqlite';

function decimalType(column: ColumnModel): string {
  return `DECIMAL(${column.sql.precision ?? 10},${column.sql.scale ?? 0})`;
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
  const key = model.key.map((part) => `${sqlName(part.column)} = ?`).join(' AND ');
  const scale = column.sql.scale ?? 0;
  if (dialect === 'mysql') {
    const delta = `CAST(? AS ${decimalType(column)})`;
    const bound = atLeast ? `\n  AND ${name} + ${delta} >= CAST(? AS ${decimalType(column)})` : '';
    return `UPDATE ${table}\nSET ${name} = (@a2gen_adjusted := ${name} + ${delta})\nWHERE ${key}${bound}`;
  }
  const bound = atLeast ? `\n  AND a2gen_decimal_cmp(a2gen_decimal_add(${name}, ?, ${scale}), ?, ${scale}) >= 0` : '';
  return `UPDATE ${table}\nSET ${name} = a2gen_decimal_add(${name}, ?, ${scale})\nWHERE ${key}${bound}\nRETURNING ${name} AS value`;
}
