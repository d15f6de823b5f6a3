/**
 * Taking back a bulk create that failed partway on a MyISAM table, which
 * has no rollback. It runs only while the table is write-locked (LOCK
 * TABLES), so the rows above the numbering's watermark, or with a key the
 * batch chose (none of which existed before: checked under the same lock),
 * are the batch's own and nobody else's.
 */
import type { Db, SqlValue } from '../db/db.js';
import { chosenKey } from './bulk-create.js';
import { deleteByKeys } from './bulk-sql.js';
import type { Resource } from './resource.js';

/** The highest number the table's AUTO_INCREMENT key held before the batch, or that the keys are chosen. */
export type Watermark = { column: string; top: SqlValue } | { column: undefined };

export async function watermark(db: Db, resource: Resource): Promise<Watermark> {
  const numbered = resource.key.find((column) => column.spec.autoIncrement);
  if (numbered === undefined) return { column: undefined };
  const [row] = await db.all(`SELECT COALESCE(MAX(${numbered.sql}), 0) AS top FROM ${resource.table}`);
  return { column: numbered.sql, top: row!.top as SqlValue };
}

export async function takeBackCreated(
  db: Db,
  resource: Resource,
  mark: Watermark,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (mark.column !== undefined) {
    await db.run(`DELETE FROM ${resource.table} WHERE ${mark.column} > ?`, [mark.top]);
    return;
  }
  if (resource.key.length === 0) return;
  const statement = deleteByKeys(
    resource,
    rows.map((row) => chosenKey(resource, row)),
  );
  await db.run(statement.sql, statement.params);
}
