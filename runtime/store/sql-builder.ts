/**
 * The statements that depend on a request: an INSERT or UPDATE of the
 * columns it sent, an If-Match condition, a list page, a read of some
 * columns. Built here and only here, from the model's whitelist of columns;
 * every value is a parameter. A table's fixed statements are generated
 * whole (generated/<resource>/statements.ts).
 */
import { zeroDateOf } from '../../common/value-rules.js';
import type { Row, SqlAdapter, SqlValue, Statement } from '../db/db.js';
import type { KeyValues } from './model.js';
import type { Column, Resource } from './resource.js';

/** The value bound for a validated JSON value: null in a zero-date column stores the zero date. */
export function bound(column: Column, value: unknown): SqlValue {
  if (value === null) return column.zeroDate ? zeroDateOf(column.rule) : null;
  return value as SqlValue;
}

export const NO_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Each writable column sent, in table order; a column not sent takes its
 * value from `defaults` when it has one there. `keys` admits key columns
 * that are chosen rather than numbered (a create of a CHAR or composite key).
 */
export function writable(
  resource: Resource,
  values: Record<string, unknown>,
  defaults: Readonly<Record<string, unknown>>,
  keys: boolean,
): [Column, SqlValue][] {
  const pairs: [Column, SqlValue][] = [];
  for (const column of resource.columns) {
    if (column.readOnly || (column.primaryKey && !keys)) continue;
    const source = Object.hasOwn(values, column.name)
      ? values
      : Object.hasOwn(defaults, column.name)
        ? defaults
        : undefined;
    if (source === undefined) continue;
    const value = source[column.name];
    if (value !== undefined) pairs.push([column, bound(column, value)]);
  }
  return pairs;
}

/** ` WHERE k1 = ? AND k2 = ?`: one parameter per key column, in key order. */
export function whereKey(resource: Resource): string {
  return ` WHERE ${resource.key.map((column) => `${column.sql} = ?`).join(' AND ')}`;
}

/** `defaults`: the model's create defaults, for the columns a request left out. */
export function insertStatement(
  adapter: SqlAdapter,
  resource: Resource,
  values: Record<string, unknown>,
  defaults = NO_DEFAULTS,
): Statement {
  const pairs = writable(resource, values, defaults, true);
  if (pairs.length === 0) return { sql: `INSERT INTO ${resource.table} ${adapter.defaultValues}`, params: [] };
  const columns = pairs.map(([column]) => column.sql).join(', ');
  const placeholders = pairs.map(([column]) => column.write).join(', ');
  return {
    sql: `INSERT INTO ${resource.table} (${columns}) VALUES (${placeholders})`,
    params: pairs.map(([, value]) => value),
  };
}

/** The same INSERT answering the row it stored (where the database understands RETURNING). */
export function returning(statement: Statement, resource: Resource): Statement {
  return { sql: `${statement.sql}\nRETURNING ${resource.readableSelect}`, params: statement.params };
}

/** Returns undefined when nothing was sent: `{}` is a no-op. Key columns are never updated. */
export function updateStatement(
  resource: Resource,
  values: Record<string, unknown>,
  key: KeyValues,
): Statement | undefined {
  const pairs = writable(resource, values, NO_DEFAULTS, false);
  if (pairs.length === 0) return undefined;
  const assignments = pairs.map(([column]) => `${column.sql} = ${column.write}`).join(', ');
  return {
    sql: `UPDATE ${resource.table} SET ${assignments}${whereKey(resource)}`,
    params: [...pairs.map(([, value]) => value), ...key],
  };
}

/** What a conditional write compares: every column the API shows but the key (already in the WHERE clause). */
function compared(resource: Resource): Column[] {
  return resource.columns.filter((column) => !column.writeOnly && !column.primaryKey);
}

/**
 * An UPDATE or DELETE made conditional (If-Match): it applies only while
 * every column the API shows still holds the value read just before, all in
 * the one statement. `raw` is that row as the driver returned it.
 */
export function unchanged(adapter: SqlAdapter, resource: Resource, statement: Statement, raw: Row): Statement {
  const columns = compared(resource);
  const tests = columns
    .map((column) => `\n  AND ${adapter.sameValue(column.read, column.rule, column.spec.type)}`)
    .join('');
  return {
    sql: `${statement.sql}${tests}`,
    params: [...statement.params, ...columns.map((column) => raw[column.name] as SqlValue)],
  };
}

/** Some columns of one row by key (an update's old values, where the database keeps none itself). */
export function selectColumns(resource: Resource, columns: readonly Column[], key: KeyValues): Statement {
  return {
    sql: `SELECT ${columns.map((column) => column.select).join(', ')} FROM ${resource.table}${whereKey(resource)}`,
    params: [...key],
  };
}

/**
 * MySQL: appended to an UPDATE's key condition, keeps the old value of each
 * of `columns` in a session variable (`@a2gen_old_<n>`, in order), assigned
 * while the row the UPDATE changes is tested, before it is changed: an
 * audit row then has exactly the values this statement replaced, with no
 * read before it. Each test is always true, yet it cannot be folded away
 * unevaluated (as an IS NULL test of a NOT NULL column could).
 */
export function keepingOldValues(statement: Statement, columns: readonly Column[]): Statement {
  const tests = columns
    .map((column, index) => ` AND COALESCE(LENGTH(@a2gen_old_${index} := ${column.read}), 0) >= 0`)
    .join('');
  return { sql: `${statement.sql}${tests}`, params: statement.params };
}

const oldAliases: string[] = [];

/** `a2gen_old_<n>`: the name the read back gives the n-th old value (made once per n). */
export function oldValueAlias(index: number): string {
  return (oldAliases[index] ??= `a2gen_old_${index}`);
}

/** The row after such an UPDATE, with keepingOldValues' variables as `a2gen_old_<n>`, read on the same connection. */
export function readBackWithOldValues(resource: Resource, columns: readonly Column[], key: KeyValues): Statement {
  const old = columns.map((_column, index) => `@a2gen_old_${index} AS a2gen_old_${index}`).join(', ');
  return {
    sql: `SELECT ${old}, ${resource.readableSelect} FROM ${resource.table}${whereKey(resource)}`,
    params: [...key],
  };
}

/** The parts of a list page's SELECT that a list query decides, each from the whitelist. */
export interface ListParts {
  select: string;
  /** " WHERE …" or "". */
  where: string;
  params: SqlValue[];
  /** " ORDER BY …", never empty: the key always breaks ties. */
  orderBy: string;
  limit: number;
  offset: number;
}

/**
 * One page, plus one row to tell whether there is a next page. LIMIT and
 * OFFSET are parameters (as text, which MySQL 8 and SQLite both take), so
 * every page reuses one prepared statement.
 */
export function listStatement(resource: Resource, parts: ListParts): Statement {
  return {
    sql: `SELECT ${parts.select} FROM ${resource.table}${parts.where}${parts.orderBy} LIMIT ? OFFSET ?`,
    params: [...parts.params, String(parts.limit + 1), String(parts.offset)],
  };
}

/** A condition every row a caller reads or writes must meet (its role's row scope), over the table's own columns. */
export interface RowScope {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** Statements of one scope, made once: the scope objects a caller holds live as long as its credentials. */
const scopedStatements = new WeakMap<RowScope, Map<string, string>>();

function scopedSql(scope: RowScope, name: string, make: () => string): string {
  let statements = scopedStatements.get(scope);
  if (statements === undefined) scopedStatements.set(scope, (statements = new Map()));
  let sql = statements.get(name);
  if (sql === undefined) statements.set(name, (sql = make()));
  return sql;
}

/** One row by key, if it is in scope: what GET one runs for a scoped caller. */
export function selectInScope(resource: Resource, key: KeyValues, scope: RowScope): Statement {
  const sql = scopedSql(
    scope,
    `select ${resource.name}`,
    () => `SELECT ${resource.readableSelect} FROM ${resource.table}${whereKey(resource)} AND (${scope.sql})`,
  );
  return { sql, params: [...key, ...scope.params] };
}

/** Whether a row with this key is in scope; `lock`: inside a transaction, and the row stays locked until it ends. */
export function existsInScope(resource: Resource, key: KeyValues, scope: RowScope, lock: boolean): Statement {
  const sql = scopedSql(
    scope,
    `exists ${resource.name} ${lock}`,
    () =>
      `SELECT 1 AS in_scope FROM ${resource.table}${whereKey(resource)} AND (${scope.sql})${lock ? ' FOR UPDATE' : ''}`,
  );
  return { sql, params: [...key, ...scope.params] };
}

/** A list query's or a bulk write's WHERE clause, narrowed to the scope. */
export function withinScope<M extends { where: string; params: readonly SqlValue[] }>(
  match: M,
  scope: RowScope | undefined,
): M {
  if (scope === undefined) return match;
  return {
    ...match,
    where: match.where === '' ? ` WHERE ${scope.sql}` : `${match.where} AND (${scope.sql})`,
    params: [...match.params, ...scope.params],
  };
}
