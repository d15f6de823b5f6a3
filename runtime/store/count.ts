/**
 * How many rows a list matches, asked for explicitly (Prefer: count=…), so
 * a list without the header costs what it always did. `estimated` takes the
 * server's own figure where it has one: a MyISAM table's row count, which
 * is exact, or InnoDB's statistics when no filter applies, and the
 * optimizer's estimate (EXPLAIN) when one does. A 10-million-row cc_call
 * never pays a COUNT(*) for it. Without such figures (SQLite) the count is
 * exact, and says so.
 */
import type { Db, SqlValue } from '../db/db.js';
import { countMatching } from './bulk-sql.js';
import type { Resource } from './resource.js';

export type CountMode = 'exact' | 'estimated';

export interface Total {
  total: number;
  /** The figure is the server's estimate, not a count. */
  estimated: boolean;
}

const TABLE_ROWS = `SELECT TABLE_ROWS AS table_rows, ENGINE AS engine
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`;

async function serverEstimate(db: Db, resource: Resource, where: string, params: readonly SqlValue[]) {
  if (where === '') {
    const [row] = await db.all(TABLE_ROWS, [resource.model.table]);
    if (row === undefined || row.table_rows === null) return undefined;
    return { total: Number(row.table_rows), estimated: String(row.engine).toLowerCase() !== 'myisam' };
  }
  const [plan] = await db.all(`EXPLAIN SELECT 1 FROM ${resource.table}${where}`, params);
  if (plan === undefined || plan.rows === null || plan.rows === undefined) return undefined;
  return { total: Number(plan.rows), estimated: true };
}

export async function countRows(
  db: Db,
  resource: Resource,
  match: { where: string; params: readonly SqlValue[]; client?: string },
  mode: CountMode,
): Promise<Total> {
  if (mode === 'estimated' && db.adapter.introspection) {
    const estimate = await serverEstimate(db, resource, match.where, match.params);
    if (estimate !== undefined) return estimate;
  }
  const statement = countMatching(resource, match.where, match.params);
  const [row] = await db.all(statement.sql, statement.params, { client: match.client });
  return { total: Number(row?.total ?? 0), estimated: false };
}
