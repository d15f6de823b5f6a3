/**
 * `column = column + delta` on one row together with the journal row's step,
 * as one unit (Db.atomically): the change and the record that it was made
 * can never be found apart, whatever stops the process. MySQL: one
 * multi-table UPDATE (A2Billing's MyISAM tables have no transactions to
 * couple two statements); SQLite: two statements in one transaction, the
 * second moving the step only if the first changed the row (changes()).
 * Nothing changes when the journal row is no longer at `fromStep` (the
 * change was made already) or the result would fall below `atLeast`.
 */
import type { DatabaseName, SqlValue, Statement } from '../db/db.js';

export interface AdjustedColumn {
  /** SQL names, quoted where they must be. */
  readonly table: string;
  readonly column: string;
  readonly keyColumns: readonly string[];
  readonly precision: number;
  readonly scale: number;
}

export interface JournalledChange {
  readonly operationId: number;
  readonly key: readonly SqlValue[];
  /** Exact decimal text. */
  readonly delta: string;
  readonly atLeast?: string;
  readonly fromStep: string;
  readonly toStep: string;
  readonly now: number;
}

export function journalledAdjustment(
  database: DatabaseName,
  target: AdjustedColumn,
  change: JournalledChange,
): Statement[] {
  const { table, column, keyColumns, scale } = target;
  const decimal = `DECIMAL(${target.precision},${scale})`;
  const bound = change.atLeast;
  if (database === 'mysql') {
    const where = keyColumns.map((name) => `t.${name} = ?`).join(' AND ');
    let sql =
      `UPDATE ${table} t JOIN a2gen_operation o ON o.id = ? ` +
      `SET t.${column} = t.${column} + CAST(? AS ${decimal}), o.step = ?, o.updated_at = ? ` +
      `WHERE ${where} AND o.step = ?`;
    const params: SqlValue[] = [
      change.operationId,
      change.delta,
      change.toStep,
      change.now,
      ...change.key,
      change.fromStep,
    ];
    if (bound !== undefined) {
      sql += ` AND t.${column} + CAST(? AS ${decimal}) >= CAST(? AS ${decimal})`;
      params.push(change.delta, bound);
    }
    return [{ sql, params }];
  }
  const where = keyColumns.map((name) => `${name} = ?`).join(' AND ');
  let sql =
    `UPDATE ${table} SET ${column} = a2gen_decimal_add(${column}, ?, ${scale}) ` +
    `WHERE ${where} AND EXISTS (SELECT 1 FROM a2gen_operation WHERE id = ? AND step = ?)`;
  const params: SqlValue[] = [change.delta, ...change.key, change.operationId, change.fromStep];
  if (bound !== undefined) {
    sql += ` AND a2gen_decimal_cmp(a2gen_decimal_add(${column}, ?, ${scale}), ?, ${scale}) >= 0`;
    params.push(change.delta, bound);
  }
  return [
    { sql, params },
    {
      sql: 'UPDATE a2gen_operation SET step = ?, updated_at = ? WHERE id = ? AND step = ? AND changes() = 1',
      params: [change.toStep, change.now, change.operationId, change.fromStep],
    },
  ];
}
