/**
 * The statements of writes to many rows at once: multi-row INSERTs, rows by
 * a list of keys, existing values of a unique key, and the rows a bulk
 * update or delete matches. Like sql-builder.ts, built only from the model's
 * whitelist of columns, every value a parameter.
 */
import type { SqlAdapter, SqlValue, Statement } from '../db/db.js';
import type { KeyValues } from './model.js';
import type { Column, Resource } from './resource.js';
import { writable } from './sql-builder.js';

/** Placeholders in one statement: under SQLite's limit (32,766) and MySQL's (65,535). */
export const MAX_PARAMETERS = 30_000;

/** One INSERT of several rows, and which of the rows sent (by index) it carries, in order. */
export interface InsertBatch {
  statement: Statement;
  indexes: number[];
}

/**
 * The rows sent as few INSERTs as the placeholder limit allows: rows that
 * send the same columns share a statement (a CSV file or a program's array
 * sends the same columns in every row, so that is usually one group).
 * `returning` appends RETURNING of every readable column.
 */
export function insertBatches(
  adapter: SqlAdapter,
  resource: Resource,
  rows: readonly Record<string, unknown>[],
  returning: boolean,
): InsertBatch[] {
  const groups = new Map<string, { columns: Column[]; indexes: number[]; values: SqlValue[][] }>();
  rows.forEach((values, index) => {
    const pairs = writable(resource, values, resource.createDefaults, true);
    const signature = pairs.map(([column]) => column.name).join(',');
    const group = groups.get(signature) ?? { columns: pairs.map(([column]) => column), indexes: [], values: [] };
    group.indexes.push(index);
    group.values.push(pairs.map(([, value]) => value));
    groups.set(signature, group);
  });
  const tail = returning ? `\nRETURNING ${resource.readableSelect}` : '';
  const batches: InsertBatch[] = [];
  for (const { columns, indexes, values } of groups.values()) {
    if (columns.length === 0) {
      // A row of defaults only: each its own INSERT (SQLite has no multi-row DEFAULT VALUES).
      for (const index of indexes)
        batches.push({
          statement: { sql: `INSERT INTO ${resource.table} ${adapter.defaultValues}${tail}`, params: [] },
          indexes: [index],
        });
      continue;
    }
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    // `?`, or what the column writes its value through (`ST_GeomFromText(?)`).
    const tuple = `(${columns.map((column) => column.write).join(', ')})`;
    for (let start = 0; start < indexes.length; start += perStatement) {
      const slice = indexes.slice(start, start + perStatement);
      batches.push({
        statement: {
          sql: `INSERT INTO ${resource.table} (${columns.map((column) => column.sql).join(', ')})\nVALUES ${slice.map(() => tuple).join(',\n  ')}${tail}`,
          params: values.slice(start, start + perStatement).flat(),
        },
        indexes: slice,
      });
    }
  }
  return batches;
}

/** `(k1 = ? AND k2 = ?) OR …`, or `k IN (?, …)` for a key of one column. */
function anyOf(columns: readonly Column[], count: number): string {
  if (columns.length === 1) return `${columns[0]!.sql} IN (${Array(count).fill('?').join(', ')})`;
  const one = `(${columns.map((column) => `${column.sql} = ?`).join(' AND ')})`;
  return Array(count).fill(one).join(' OR ');
}

/** Rows by key (at most MAX_PARAMETERS parameters' worth: callers send up to A2B_MAX_BULK keys). */
export function selectByKeys(resource: Resource, keys: readonly KeyValues[]): Statement {
  return {
    sql: `SELECT ${resource.readableSelect} FROM ${resource.table} WHERE ${anyOf(resource.key, keys.length)}`,
    params: keys.flat(),
  };
}

/** Which of these values of a unique key's columns some row already holds. */
export function selectTaken(resource: Resource, columns: readonly Column[], values: readonly SqlValue[][]): Statement {
  return {
    sql: `SELECT ${columns.map((column) => column.select).join(', ')} FROM ${resource.table} WHERE ${anyOf(columns, values.length)}`,
    params: values.flat(),
  };
}

/** The rows a bulk update or delete would change: every readable column, one more than the limit allows. */
export function selectMatching(
  resource: Resource,
  where: string,
  params: readonly SqlValue[],
  limit: number,
  forUpdate: boolean,
): Statement {
  const order = resource.key.map((column) => column.sql).join(', ');
  return {
    sql: `SELECT ${resource.readableSelect} FROM ${resource.table}${where} ORDER BY ${order} LIMIT ?${forUpdate ? ' FOR UPDATE' : ''}`,
    params: [...params, String(limit + 1)],
  };
}

/** UPDATE of the same values on rows by key. */
export function updateByKeys(
  resource: Resource,
  values: Record<string, unknown>,
  keys: readonly KeyValues[],
): Statement | undefined {
  const pairs = writable(resource, values, {}, false);
  if (pairs.length === 0) return undefined;
  return {
    sql: `UPDATE ${resource.table} SET ${pairs.map(([column]) => `${column.sql} = ${column.write}`).join(', ')} WHERE ${anyOf(resource.key, keys.length)}`,
    params: [...pairs.map(([, value]) => value), ...keys.flat()],
  };
}

export function deleteByKeys(resource: Resource, keys: readonly KeyValues[]): Statement {
  return { sql: `DELETE FROM ${resource.table} WHERE ${anyOf(resource.key, keys.length)}`, params: keys.flat() };
}

/** `SELECT COUNT(*)` of a list's matches. */
export function countMatching(resource: Resource, where: string, params: readonly SqlValue[]): Statement {
  return { sql: `SELECT COUNT(*) AS total FROM ${resource.table}${where}`, params: [...params] };
}
