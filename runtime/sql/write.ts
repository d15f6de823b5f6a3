/**
 * INSERT and UPDATE statements for the columns a request actually sent,
 * built only from the generated whitelist. Partial updates never touch a
 * column that was not sent.
 */
import type { Dialect, SqlValue, Statement } from '../db/db.js';
import { DuplicateKeyError } from '../db/errors.js';
import { ConflictError, type FieldProblem } from '../api/http-errors.js';
import type { ColumnSpec, ResourceSpec } from '../api/resource.js';
import { ZERO_DATE } from '../../common/value-rules.js';

/** The value bound for a validated JSON value: null in a zero-date column stores the zero date. */
function bound(column: ColumnSpec, value: unknown): SqlValue {
  if (value === null) return column.zeroDate ? (column.rule.kind === 'date' ? '0000-00-00' : ZERO_DATE) : null;
  return value as SqlValue;
}

const NO_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({});

/** Each column sent, in table order; a column not sent takes its value from `defaults` when it has one there. */
function writable(spec: ResourceSpec, values: Record<string, unknown>, defaults: Readonly<Record<string, unknown>> = NO_DEFAULTS): [ColumnSpec, SqlValue][] {
  const pairs: [ColumnSpec, SqlValue][] = [];
  for (const column of spec.columns) {
    if (column.readOnly) continue;
    const source = Object.hasOwn(values, column.name) ? values : Object.hasOwn(defaults, column.name) ? defaults : undefined;
    if (source === undefined) continue;
    const value = source[column.name];
    if (value !== undefined) pairs.push([column, bound(column, value)]);
  }
  return pairs;
}

/**
 * `defaults`: values for columns the request left out (the generated
 * CREATE_DEFAULTS), the same as spreading them under `values` without
 * copying ~50 properties per request.
 */
export function insertStatement(
  dialect: Dialect,
  insertInto: string,
  spec: ResourceSpec,
  values: Record<string, unknown>,
  defaults?: Readonly<Record<string, unknown>>,
): Statement {
  const pairs = writable(spec, values, defaults);
  if (pairs.length === 0) return { sql: `${insertInto} ${dialect === 'sqlite' ? 'DEFAULT VALUES' : '() VALUES ()'}`, params: [] };
  const columns = pairs.map(([column]) => column.sql).join(', ');
  const placeholders = pairs.map(() => '?').join(', ');
  return { sql: `${insertInto} (${columns}) VALUES (${placeholders})`, params: pairs.map(([, value]) => value) };
}

/** Returns undefined when nothing was sent: `{}` is a no-op. */
export function updateStatement(update: string, whereKey: string, spec: ResourceSpec, values: Record<string, unknown>, key: SqlValue): Statement | undefined {
  const pairs = writable(spec, values);
  if (pairs.length === 0) return undefined;
  const assignments = pairs.map(([column]) => `${column.sql} = ?`).join(', ');
  return { sql: `${update} SET ${assignments}${whereKey}`, params: [...pairs.map(([, value]) => value), key] };
}

/**
 * MySQL: appended to an UPDATE's key condition, keeps the old value of each
 * of `columns` in a session variable (`@a2gen_old_<n>`, in order), assigned
 * while the row the UPDATE changes is tested, before it is changed: an
 * audit row then has exactly the values this statement replaced, with no
 * read before it. Each test is always true, yet it cannot be folded away
 * unevaluated (as an IS NULL test of a NOT NULL column could).
 */
export function keepOldValues(columns: readonly ColumnSpec[]): string {
  return columns.map((column, index) => ` AND COALESCE(LENGTH(@a2gen_old_${index} := ${column.sql}), 0) >= 0`).join('');
}

/** The select-list items that read keepOldValues' variables back on the same connection, as `a2gen_old_<n>`. */
export function oldValuesRead(columns: readonly ColumnSpec[]): string {
  return columns.map((_column, index) => `@a2gen_old_${index} AS a2gen_old_${index}`).join(', ');
}

/** A duplicate UNIQUE key becomes a 409 naming the fields of that key. */
export function conflictFor(spec: ResourceSpec, error: unknown): unknown {
  if (!(error instanceof DuplicateKeyError)) return error;
  let fields = spec.uniqueKeys.find((key) => key.name === error.key)?.columns;
  if (fields === undefined) {
    const byColumn = new Map(spec.columns.map((column) => [column.sql.slice(1, -1), column.name]));
    fields = error.columns.map((name) => byColumn.get(name) ?? name);
  }
  const problems: FieldProblem[] = fields.map((field) => ({ field, message: 'is already taken by another row' }));
  const names = fields.join(', ') || 'a unique key';
  return Object.assign(new ConflictError(`a ${spec.resource} with this ${names} already exists`), { fields: problems });
}
