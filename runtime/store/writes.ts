/**
 * Create, update and delete of one row, each followed by its audit row: the
 * same for every table. The statements come from the table's generated
 * binders (a row by key, a delete) and from the sql-builder (what depends on
 * the request). Store (store.ts) gives each write its scope.
 */
import type { Row, SqlValue, Statement } from '../db/db.js';
import { MASKED } from './audit-log.js';
import { notFound, preconditionFailed } from './errors.js';
import { formatKey, keyOf } from './keys.js';
import type { KeyValues } from './model.js';
import type { Column, Resource } from './resource.js';
import {
  insertStatement,
  keepingOldValues,
  oldValueAlias,
  readBackWithOldValues,
  returning,
  selectColumns,
  unchanged,
  updateStatement,
} from './sql-builder.js';
import type { WriteScope } from './write-scope.js';

/** A test of the row as read just before the write (If-Match, or the admin's edit form). */
export type Precondition = (current: Row) => boolean;

interface ReadRow {
  /** As the driver returned it: bound again in a conditional write's WHERE clause. */
  raw: Row;
  value: Row;
}

/**
 * The row as it is now; on InnoDB the first read of a write locks it (FOR UPDATE) until the audit row is in.
 * Only resources with a key are written, and each of them has a select.
 */
async function readRow({ db, resource, locked }: WriteScope, key: KeyValues): Promise<ReadRow | undefined> {
  const { select, selectForUpdate } = resource.model.statements;
  const statement = locked && selectForUpdate !== undefined ? selectForUpdate(key) : select!(key);
  const [raw] = await db.all(statement.sql, statement.params);
  return raw === undefined ? undefined : { raw, value: resource.decode({ ...raw }) };
}

/** The row as it is now; a row that is gone (deleted meanwhile) is a 404. */
async function readExisting(scope: WriteScope, key: KeyValues): Promise<ReadRow> {
  const row = await readRow({ ...scope, locked: false }, key);
  if (row === undefined) throw notFound(scope.resource.name, formatKey(key));
  return row;
}

function run(scope: WriteScope, statement: Statement) {
  return scope.writing(scope.db.run(statement.sql, statement.params));
}

/** The key a create stored: numbered by the database, or as sent. */
function createdKey(resource: Resource, insertId: number, values: Record<string, unknown>): KeyValues {
  return resource.key.map((column) =>
    column.spec.autoIncrement ? insertId : ((values[column.name] ?? column.spec.default ?? null) as SqlValue),
  );
}

/** The INSERT, and the row as stored: from the INSERT itself where RETURNING is understood, else read back by its key. */
async function insertAndRead(scope: WriteScope, statement: Statement, values: Record<string, unknown>): Promise<Row> {
  const { db, resource } = scope;
  if (db.insertReturning === true) {
    const withRow = returning(statement, resource);
    const [row] = await scope.writing(db.all(withRow.sql, withRow.params));
    return resource.decode(row!);
  }
  const { insertId } = await run(scope, statement);
  // Deleted by someone else in the instant since: a 404, though the create happened.
  return (await readExisting(scope, createdKey(resource, insertId, values))).value;
}

/** The named columns of a row, write-only ones masked. */
export function pick(resource: Resource, row: Row, names: Iterable<string>): Row {
  const picked: Row = {};
  for (const name of names) {
    const column = resource.byName.get(name);
    if (column === undefined || column.readOnly) continue;
    picked[name] = column.writeOnly ? MASKED : (row[name] ?? null);
  }
  return picked;
}

/** The row for the audit trail: write-only columns that were sent are masked. */
export function masked(resource: Resource, row: Row, sent: Record<string, unknown>): Row {
  const values: Row = { ...row };
  for (const column of resource.columns)
    if (column.writeOnly && sent[column.name] !== undefined) values[column.name] = MASKED;
  return values;
}

export async function createRow(scope: WriteScope, values: Record<string, unknown>): Promise<Row> {
  const { resource } = scope;
  const statement = insertStatement(scope.db.adapter, resource, values, resource.createDefaults);
  const created = await insertAndRead(scope, statement, values);
  const key = formatKey(keyOf(resource, created));
  await scope.record({
    action: 'create',
    resource: resource.name,
    key,
    before: null,
    after: masked(resource, created, values),
  });
  return created;
}

export async function updateRow(
  scope: WriteScope,
  key: KeyValues,
  values: Record<string, unknown>,
  precondition?: Precondition,
): Promise<Row> {
  const { resource, db } = scope;
  const statement = updateStatement(resource, values, key);
  if (statement === undefined) return (await readExisting(scope, key)).value;
  if (precondition === undefined) {
    if (!scope.audited) return (await updateAndRead(scope, key, statement, [])).after;
    const { before, after } = await updateAndRead(scope, key, statement, auditedColumns(resource, values));
    await auditUpdate(scope, key, values, before, after);
    return after;
  }
  const before = await readRow(scope, key);
  if (before === undefined) throw notFound(resource.name, formatKey(key));
  if (!precondition(before.value)) throw preconditionFailed(resource.name, formatKey(key));
  // Matched nothing: changed since the read.
  if ((await run(scope, unchanged(db.adapter, resource, statement, before.raw))).affectedRows === 0) {
    throw preconditionFailed(resource.name, formatKey(key));
  }
  const after = await readExisting(scope, key);
  await auditUpdate(scope, key, values, before.value, after.value);
  return after.value;
}

/** The columns an update writes whose old values its audit row shows (write-only ones are masked anyway). */
function auditedColumns(resource: Resource, values: Record<string, unknown>): Column[] {
  return resource.auditable.filter((column) => values[column.name] !== undefined);
}

/**
 * An UPDATE without a condition, the old values of `columns` (decoded, by
 * property name) and the row after it. Where the database keeps session
 * variables (MySQL) the UPDATE keeps the old values itself and the read
 * back returns them, on one connection: two statements, as a hand-written
 * update costs. Elsewhere (SQLite, in process) those columns are read first.
 */
async function updateAndRead(
  scope: WriteScope,
  key: KeyValues,
  update: Statement,
  columns: Column[],
): Promise<{ before: Row; after: Row }> {
  const { db, resource } = scope;
  if (!db.adapter.sessionVariables || columns.length === 0) {
    const read = selectColumns(resource, columns, key);
    const [old] = columns.length === 0 ? [{}] : await db.all(read.sql, read.params);
    if (old === undefined || (await run(scope, update)).affectedRows === 0)
      throw notFound(resource.name, formatKey(key));
    return { before: resource.decode(old), after: (await readExisting(scope, key)).value };
  }
  const statement = keepingOldValues(update, columns);
  const readBack = readBackWithOldValues(resource, columns, key);
  const row = await db.pinned(async (connection) => {
    if ((await scope.writing(connection.run(statement.sql, statement.params))).affectedRows === 0) return undefined;
    return (await connection.all(readBack.sql, readBack.params))[0];
  });
  // Matched nothing, or deleted in the instant since.
  if (row === undefined) throw notFound(resource.name, formatKey(key));
  const old: Row = {};
  columns.forEach((column, index) => {
    const alias = oldValueAlias(index);
    old[column.name] = row[alias];
    delete row[alias];
  });
  return { before: resource.decode(old), after: resource.decode(row) };
}

async function auditUpdate(
  scope: WriteScope,
  key: KeyValues,
  values: Record<string, unknown>,
  before: Row,
  after: Row,
): Promise<void> {
  const { resource } = scope;
  const sent = Object.keys(values).filter((name) => values[name] !== undefined);
  await scope.record({
    action: 'update',
    resource: resource.name,
    key: formatKey(key),
    before: pick(resource, before, sent),
    after: pick(resource, after, sent),
  });
}

/** Returns whether a row was deleted (false: there was none). */
export async function deleteRow(scope: WriteScope, key: KeyValues, precondition?: Precondition): Promise<boolean> {
  const { db, resource } = scope;
  const remove = resource.model.statements.delete!(key);
  if (!scope.audited && precondition === undefined) return (await db.run(remove.sql, remove.params)).affectedRows > 0;
  const before = await readRow(scope, key);
  if (before === undefined) return false;
  if (precondition !== undefined && !precondition(before.value))
    throw preconditionFailed(resource.name, formatKey(key));
  const statement = precondition === undefined ? remove : unchanged(db.adapter, resource, remove, before.raw);
  if ((await db.run(statement.sql, statement.params)).affectedRows === 0) {
    if (precondition !== undefined) throw preconditionFailed(resource.name, formatKey(key));
    return false;
  }
  await scope.record({
    action: 'delete',
    resource: resource.name,
    key: formatKey(key),
    before: before.value,
    after: null,
  });
  return true;
}
