/**
 * The write path every generated route and the admin panel share: create,
 * update, delete and adjust one row, each followed by its audit row.
 *
 * A2Billing's tables are MyISAM: no transactions. So each change is one
 * statement that is safe on its own: a conditional write (If-Match) carries
 * its condition in the UPDATE/DELETE's WHERE clause, and an adjustment adds
 * in SQL. The audit row follows the change as a second statement; if it
 * cannot be written the change stands, and the entry goes to the error log
 * instead. On InnoDB tables the change and its audit row commit together.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db, Row, RunResult, SqlValue, Statement } from '../db/db.js';
import { appendAudit, auditWriterFor, MASKED, type Actor, type AuditEntry } from '../audit/audit-log.js';
import { conflictFor, insertStatement, keepOldValues, oldValuesRead, updateStatement } from '../sql/write.js';
import type { ColumnSpec } from './resource.js';
import { readableSelect } from './list-query.js';
import { addDecimals, formatDecimal } from '../values/decimal.js';
import { ConflictError, PreconditionFailedError } from './http-errors.js';
import { notFound } from './route-support.js';
import type { Adjustment, TableQueries } from './table.js';

export interface WriteContext {
  readonly db: Db;
  readonly actor: Actor;
  /** False when A2B_AUDIT=off. */
  readonly audit: boolean;
  readonly log: FastifyBaseLogger;
}

/** A test of the row as read just before the write (If-Match, or the admin's edit form). */
export type Precondition<T> = (current: T) => boolean;

interface ReadRow<T> {
  /** As the driver returned it: bound again in a conditional write's WHERE clause. */
  raw: Row;
  value: T;
}

/** Inside an InnoDB transaction a write's first read locks the row (FOR UPDATE) until the audit row is in. */
function locks(db: Db, table: TableQueries): boolean {
  return table.transactional && db.dialect === 'mysql';
}

async function readRow<T>(db: Db, table: TableQueries<T>, id: number | string, lock: boolean): Promise<ReadRow<T> | undefined> {
  const [raw] = await db.all(lock ? `${table.get} FOR UPDATE` : table.get, [id]);
  return raw === undefined ? undefined : { raw, value: table.decode({ ...raw }) };
}

/** The row as it is now; a row that is gone (deleted meanwhile) is a 404. */
async function readExisting<T>(db: Db, table: TableQueries<T>, id: number | string, lock = false): Promise<ReadRow<T>> {
  const row = await readRow(db, table, id, lock);
  if (row === undefined) throw notFound(table.spec.resource, id);
  return row;
}

/** Waits for a write; a duplicate unique key becomes the 409 naming its fields. */
async function writing<R>(table: TableQueries, pending: Promise<R>): Promise<R> {
  try {
    return await pending;
  } catch (error) {
    throw conflictFor(table.spec, error);
  }
}

/** Runs an INSERT or UPDATE (409 on a duplicate key). */
function write(db: Db, table: TableQueries, statement: Statement): Promise<RunResult> {
  return writing(table, db.run(statement.sql, statement.params));
}

/** The INSERT, and the row as stored: from the INSERT itself where RETURNING is understood, else read back by its new key. */
async function insertAndRead<T>(db: Db, table: TableQueries<T>, statement: Statement): Promise<T> {
  if (db.insertReturning === true) {
    const [row] = await writing(table, db.all(`${statement.sql}\nRETURNING ${readableSelect(table.spec)}`, statement.params));
    return table.decode(row!);
  }
  const id = (await write(db, table, statement)).insertId;
  // Deleted by someone else in the instant since: a 404, though the create happened.
  return (await readExisting(db, table, id)).value;
}

function preconditionFailed(table: TableQueries, id: number | string): Error {
  return new PreconditionFailedError(`${table.spec.resource} ${String(id)} has changed since it was read (If-Match): nothing was written`);
}

/** The values bound after the key in `unchanged`: every readable column but the key, in spec order. */
function unchangedParams(table: TableQueries, raw: Row): SqlValue[] {
  const params: SqlValue[] = [];
  for (const column of table.spec.columns) {
    if (!column.writeOnly && column.name !== table.spec.primaryKey) params.push(raw[column.name] as SqlValue);
  }
  return params;
}

/** Runs `work` in a transaction where the table has them (InnoDB on MySQL); else as it is. */
function inTransaction<R>(context: WriteContext, table: TableQueries, work: (db: Db) => Promise<R>): Promise<R> {
  // The row a write reads first (its condition, its audit values) must come from where the write goes, not a lagging replica.
  const db = context.db.writer ?? context.db;
  if (!table.transactional || db.dialect !== 'mysql') return work(db);
  return db.pinned(work, { transaction: true });
}

async function audit(context: WriteContext, db: Db, table: TableQueries, entry: AuditEntry): Promise<void> {
  if (!context.audit) return;
  // Inside a transaction the row goes with the change, on its connection; the change rolls back if it fails.
  if (locks(db, table)) return appendAudit(db, context.actor, entry);
  try {
    await auditWriterFor(db).append(context.actor, entry);
  } catch (error) {
    // Without a transaction the change has happened and must not be reported as failed.
    context.log.error({ err: error, audit: entry, actor: context.actor }, 'audit row not written; the change itself was applied');
  }
}

/** The named columns of a row, write-only ones masked. */
function pick(table: TableQueries, row: Record<string, unknown>, names: Iterable<string>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names) {
    const column = table.spec.columns.find((candidate) => candidate.name === name);
    if (column === undefined || column.readOnly) continue;
    picked[name] = column.writeOnly ? MASKED : (row[name] ?? null);
  }
  return picked;
}

function masked(table: TableQueries, row: object, sent: Record<string, unknown> = {}): Record<string, unknown> {
  const values: Record<string, unknown> = { ...row };
  for (const column of table.spec.columns) if (column.writeOnly && sent[column.name] !== undefined) values[column.name] = MASKED;
  return values;
}

export async function createRow<T>(context: WriteContext, table: TableQueries<T>, body: object): Promise<T> {
  const values = body as Record<string, unknown>;
  const statement = insertStatement(context.db.dialect, table.insertInto, table.spec, values, table.createDefaults);
  return inTransaction(context, table, async (db) => {
    const created = await insertAndRead(db, table, statement);
    const key = (created as Record<string, unknown>)[table.spec.primaryKey] as number | string;
    await audit(context, db, table, { action: 'create', resource: table.spec.resource, key, before: null, after: masked(table, created as object, values) });
    return created;
  });
}

/** Writes only the columns in `values`; `{}` writes nothing (and is not audited). */
export async function updateRow<T>(
  context: WriteContext,
  table: TableQueries<T>,
  id: number | string,
  body: object,
  precondition?: Precondition<T>,
): Promise<T> {
  const values = body as Record<string, unknown>;
  return inTransaction(context, table, async (db) => {
    const statement = updateStatement(table.update, table.whereKey, table.spec, values, id);
    if (statement === undefined) return (await readExisting(db, table, id)).value;
    if (precondition === undefined) {
      if (!context.audit) return (await updateAndRead(db, table, id, statement, [])).after;
      const { before, after } = await updateAndRead(db, table, id, statement, auditedColumns(table, values));
      await auditUpdate(context, db, table, id, values, before, after);
      return after;
    }
    const before = await readExisting(db, table, id, locks(db, table));
    if (!precondition(before.value)) throw preconditionFailed(table, id);
    statement.sql += table.unchanged[db.dialect];
    statement.params.push(...unchangedParams(table, before.raw));
    // Matched nothing: changed since the read.
    if ((await write(db, table, statement)).affectedRows === 0) throw preconditionFailed(table, id);
    const after = await readExisting(db, table, id);
    await auditUpdate(context, db, table, id, values, before.value, after.value);
    return after.value;
  });
}

/** The columns an update writes whose old values its audit row shows (write-only ones are masked anyway). */
function auditedColumns(table: TableQueries, values: Record<string, unknown>): ColumnSpec[] {
  return table.spec.columns.filter((column) => !column.readOnly && !column.writeOnly && values[column.name] !== undefined);
}

/**
 * An UPDATE without a condition, the old values of `columns` (decoded, by
 * property name) and the row after it. On MySQL the UPDATE keeps the old
 * values itself (keepOldValues) and the read back returns them, on one
 * connection: two statements, as a hand-written update costs. SQLite, in
 * process, reads those columns first.
 */
async function updateAndRead<T>(db: Db, table: TableQueries<T>, id: number | string, update: Statement, columns: ColumnSpec[]): Promise<{ before: T; after: T }> {
  const { resource } = table.spec;
  if (db.dialect === 'sqlite' || columns.length === 0) {
    const [old] = columns.length === 0 ? [{}] : await db.all(`SELECT ${columns.map((column) => column.select).join(', ')} FROM ${table.from}${table.whereKey}`, [id]);
    if (old === undefined || (await write(db, table, update)).affectedRows === 0) throw notFound(resource, id);
    return { before: table.decode(old), after: (await readExisting(db, table, id)).value };
  }
  const statement = { sql: `${update.sql}${keepOldValues(columns)}`, params: update.params };
  const readBack = `SELECT ${oldValuesRead(columns)}, ${readableSelect(table.spec)} FROM ${table.from}${table.whereKey}`;
  const row = await db.pinned(async (connection) => {
    if ((await write(connection, table, statement)).affectedRows === 0) return undefined;
    return (await connection.all(readBack, [id]))[0];
  });
  // Matched nothing, or deleted in the instant since.
  if (row === undefined) throw notFound(resource, id);
  const old: Row = {};
  columns.forEach((column, index) => {
    old[column.name] = row[`a2gen_old_${index}`];
    delete row[`a2gen_old_${index}`];
  });
  return { before: table.decode(old), after: table.decode(row) };
}

async function auditUpdate<T>(context: WriteContext, db: Db, table: TableQueries<T>, id: number | string, values: Record<string, unknown>, before: T, after: T): Promise<void> {
  const sent = Object.keys(values).filter((name) => values[name] !== undefined);
  await audit(context, db, table, {
    action: 'update',
    resource: table.spec.resource,
    key: id,
    before: pick(table, before as Record<string, unknown>, sent),
    after: pick(table, after as Record<string, unknown>, sent),
  });
}

/** Returns whether a row was deleted (false: there was none). */
export async function deleteRow<T>(context: WriteContext, table: TableQueries<T>, id: number | string, precondition?: Precondition<T>): Promise<boolean> {
  return inTransaction(context, table, async (db) => {
    if (!context.audit && precondition === undefined) return (await db.run(table.delete, [id])).affectedRows > 0;
    const before = await readRow(db, table, id, locks(db, table));
    if (before === undefined) return false;
    if (precondition !== undefined && !precondition(before.value)) throw preconditionFailed(table, id);
    const sql = precondition === undefined ? table.delete : `${table.delete}${table.unchanged[db.dialect]}`;
    const params = precondition === undefined ? [id] : [id, ...unchangedParams(table, before.raw)];
    const affected = (await db.run(sql, params)).affectedRows;
    if (affected === 0) {
      if (precondition !== undefined) throw preconditionFailed(table, id);
      return false;
    }
    await audit(context, db, table, { action: 'delete', resource: table.spec.resource, key: id, before: before.value as Record<string, unknown>, after: null });
    return true;
  });
}

export interface AdjustRequest {
  /** Exact decimal text, as validated against the column. */
  readonly delta: string;
  /** The result may not fall below this; 409 and nothing written when it would. */
  readonly atLeast?: string;
  readonly note?: string;
}

export interface AdjustResult {
  readonly id: number | string;
  /** The new value, exact, with the column's decimal places. */
  readonly value: string;
  readonly delta: string;
}

/** `column = column + delta` in one statement; returns the value that statement stored. */
async function applyAdjustment(db: Db, adjustment: Adjustment, id: number | string, request: AdjustRequest): Promise<unknown> {
  const atLeast = request.atLeast !== undefined;
  const sql = (atLeast ? adjustment.addAtLeast : adjustment.add)[db.dialect];
  const params: SqlValue[] = atLeast ? [request.delta, id, request.delta, request.atLeast!] : [request.delta, id];
  if (db.dialect === 'sqlite') return (await db.all(sql, params))[0]?.value;
  // MySQL has no UPDATE … RETURNING: the statement leaves the new value in a session variable.
  return db.pinned(async (connection) => {
    if ((await connection.run(sql, params)).affectedRows === 0) return undefined;
    return (await connection.all(adjustment.readAdjusted))[0]?.value;
  });
}

export async function adjustColumn<T>(
  context: WriteContext,
  table: TableQueries<T>,
  adjustment: Adjustment,
  id: number | string,
  request: AdjustRequest,
): Promise<AdjustResult> {
  return inTransaction(context, table, async (db) => {
    const stored = await applyAdjustment(db, adjustment, id, request);
    if (stored === undefined) {
      if ((await db.all(table.get, [id])).length === 0) throw notFound(table.spec.resource, id);
      throw Object.assign(
        new ConflictError(`${adjustment.name} of ${table.spec.resource} ${String(id)} would fall below ${request.atLeast}: nothing was written`),
        { fields: [{ field: 'delta', message: `would take ${adjustment.name} below min_balance ${request.atLeast}` }] },
      );
    }
    const value = formatDecimal(stored, adjustment.scale);
    const delta = formatDecimal(request.delta, adjustment.scale);
    const previous = addDecimals(value, delta.startsWith('-') ? delta.slice(1) : `-${delta}`, adjustment.scale);
    await audit(context, db, table, {
      action: 'adjust',
      resource: table.spec.resource,
      key: id,
      before: { [adjustment.name]: previous },
      after: { [adjustment.name]: value },
      note: request.note,
    });
    return { id, value, delta };
  });
}
