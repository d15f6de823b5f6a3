/**
 * A create of many rows, all or none: every row was validated before this
 * point, values a unique key would repeat are refused naming the row, then
 * the rows go in as few multi-row INSERTs as the placeholder limit allows,
 * each followed (after the last) by one audit entry a row. How "all or
 * none" is kept depends on the table (Store.createMany chooses the scope):
 * a transaction (InnoDB), one synchronous transaction (SQLite), or the table
 * write-locked with the rows taken out again on failure (MyISAM).
 */
import type { Db, Row, Statement } from '../db/db.js';
import { insertBatches, selectByKeys, type InsertBatch } from './bulk-sql.js';
import { formatKey, keyOf } from './keys.js';
import type { KeyValues } from './model.js';
import type { Resource } from './resource.js';
import { insertStatement } from './sql-builder.js';
import { masked } from './writes.js';
import type { WriteScope } from './write-scope.js';

/** How a bulk create's INSERTs run, as its scope allows. */
export type BulkInsertMode =
  /** Db.atomically: every INSERT in one transaction that nothing interleaves with (SQLite). */
  | 'atomically'
  /** One after the other on the scope's connection, inside its transaction or table lock. */
  | 'in-scope';

export interface BulkScope extends WriteScope {
  readonly mode: BulkInsertMode;
  /**
   * Nothing else writes the table meanwhile (LOCK TABLES): the AUTO_INCREMENT values one INSERT takes
   * are consecutive from the first, which the database reports.
   */
  readonly tableLocked: boolean;
}

/** Input index → created row, for the rows of one batch the database answered. */
function place(
  resource: Resource,
  created: Row[],
  batch: InsertBatch,
  stored: Row[],
  sent: readonly Record<string, unknown>[],
) {
  const numbered = resource.key.find((column) => column.spec.autoIncrement);
  if (numbered !== undefined) {
    // One INSERT numbers its rows in the order it lists them.
    stored.sort((a, b) => Number(a[numbered.name]) - Number(b[numbered.name]));
    batch.indexes.forEach((index, n) => (created[index] = stored[n]!));
    return;
  }
  const byKey = new Map(stored.map((row) => [formatKey(keyOf(resource, row)), row]));
  // A key the database stores otherwise than sent (CHAR padding, a case-insensitive collation): by position.
  batch.indexes.forEach(
    (index, n) => (created[index] = byKey.get(formatKey(chosenKey(resource, sent[index]!))) ?? stored[n]!),
  );
}

/** The key of a row whose key columns the client chose. */
export function chosenKey(resource: Resource, values: Record<string, unknown>): KeyValues {
  return resource.key.map(
    (column) => (values[column.name] ?? resource.createDefaults[column.name] ?? null) as KeyValues[number],
  );
}

async function readBack(db: Db, resource: Resource, keys: KeyValues[]): Promise<Row[]> {
  const statement = selectByKeys(resource, keys);
  return (await db.all(statement.sql, statement.params)).map((row) => resource.decode(row));
}

/** Runs the INSERTs and returns the stored rows in the order they were sent. */
async function insertAll(scope: BulkScope, rows: readonly Record<string, unknown>[]): Promise<Row[]> {
  const { db, resource } = scope;
  const created: Row[] = new Array(rows.length);
  const returning = db.insertReturning === true;
  const batches = insertBatches(db.adapter, resource, rows, returning);
  if (scope.mode === 'atomically') {
    const results = await scope.writing(
      db.atomically(batches.map((batch): Statement => ({ ...batch.statement, returnsRows: returning }))),
    );
    batches.forEach((batch, n) =>
      place(
        resource,
        created,
        batch,
        (results[n]!.rows ?? []).map((row) => resource.decode(row)),
        rows,
      ),
    );
    if (!returning) throw new Error('Db.atomically without INSERT … RETURNING cannot tell the rows it created');
    return created;
  }
  const numbered = resource.key.find((column) => column.spec.autoIncrement);
  for (const batch of batches) {
    if (returning) {
      const stored = await scope.writing(db.all(batch.statement.sql, batch.statement.params));
      place(
        resource,
        created,
        batch,
        stored.map((row) => resource.decode(row)),
        rows,
      );
    } else if (numbered === undefined || scope.tableLocked || batch.indexes.length === 1) {
      const { insertId } = await scope.writing(db.run(batch.statement.sql, batch.statement.params));
      const keys = batch.indexes.map((index, n) =>
        resource.key.map((column, part) =>
          column === numbered ? insertId + n : chosenKey(resource, rows[index]!)[part]!,
        ),
      );
      place(resource, created, batch, await readBack(db, resource, keys), rows);
    } else {
      // Numbered keys, no RETURNING (MySQL) and other sessions inserting too: with
      // innodb_autoinc_lock_mode = 2 one INSERT's numbers need not be consecutive, so a row a statement.
      for (const index of batch.indexes) {
        const single = insertStatement(db.adapter, resource, rows[index]!, resource.createDefaults);
        const { insertId } = await scope.writing(db.run(single.sql, single.params));
        created[index] = (await readBack(db, resource, [[insertId]]))[0]!;
      }
    }
  }
  return created;
}

export async function createRows(scope: BulkScope, rows: readonly Record<string, unknown>[]): Promise<Row[]> {
  const created = await insertAll(scope, rows);
  const { resource } = scope;
  await scope.recordAll(
    created.map((row, index) => ({
      action: 'create',
      resource: resource.name,
      key: formatKey(keyOf(resource, row)),
      before: null,
      after: masked(resource, row, rows[index]!),
    })),
  );
  return created;
}
