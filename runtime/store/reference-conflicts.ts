/**
 * A write a FOREIGN KEY constraint refused becomes the store's 409: a row
 * pointing nowhere names its columns and the referenced table; a row others
 * point at names the referencing table. MySQL says all that in its error.
 * SQLite says only "FOREIGN KEY constraint failed" (and MySQL's older codes
 * name nothing either), so the model's foreign keys are looked at, with one
 * small query each, on this error path only.
 */
import type { Db, SqlValue } from '../db/db.js';
import { ForeignKeyError } from '../db/errors.js';
import { sqlName } from '../../common/sql-identifier.js';
import type { Match } from './bulk-writes.js';
import { referenceNotFound, stillReferenced, type FieldProblem } from './errors.js';
import { formatKey } from './keys.js';
import type { KeyValues } from './model.js';
import type { Registry, Resource } from './resource.js';

type Values = Readonly<Record<string, unknown>>;

/** The rows an update or a delete changes: one by its key, or those a list's filters match. */
export type Target = { readonly key: KeyValues } | { readonly match: Match };

/** What the refused write was. */
export type RefusedWrite =
  /** One row or many (a bulk create), each as sent. */
  | { readonly action: 'create'; readonly rows: readonly Values[] }
  | { readonly action: 'update'; readonly values: Values; readonly target: Target }
  | { readonly action: 'delete'; readonly target: Target };

type Violation =
  { kind: 'missing'; fields: string[]; table: string | undefined } | { kind: 'referenced'; tables: string[] };

/** RESTRICT and NO ACTION refuse; CASCADE, SET NULL and SET DEFAULT act instead. */
const refuses = (action: string | undefined) => action === undefined || action === 'RESTRICT' || action === 'NO ACTION';

function propertyNames(resource: Resource, columns: readonly string[]): string[] {
  return columns.map(
    (column) => resource.columns.find((one) => (one.spec.column ?? one.name) === column)?.name ?? column,
  );
}

/** What the database's own words say (MySQL's 1451 and 1452); undefined when they name nothing. */
function fromDetails(resource: Resource, error: ForeignKeyError): Violation | undefined {
  const { details } = error;
  if (error.violation === undefined || details.table === undefined) return undefined;
  if (error.violation === 'referenced') return { kind: 'referenced', tables: [details.table] };
  const columns = [...(details.columns ?? [])];
  // A cascaded write may fail on another table: its columns are not this resource's fields.
  const fields = details.table === resource.model.table ? propertyNames(resource, columns) : columns;
  return { kind: 'missing', fields, table: details.referencedTable };
}

/** The target's rows as a condition on the resource's own (unqualified) columns. */
function targetCondition(resource: Resource, target: Target): Match {
  // A list query's WHERE clause comes with its keyword, or is empty (every row).
  if ('match' in target)
    return { where: target.match.where.replace(/^ WHERE /, '') || '1 = 1', params: target.match.params };
  return { where: resource.key.map((column) => `${column.sql} = ?`).join(' AND '), params: target.key };
}

/** The foreign key of `resource` that `values`, as the row would hold them, point nowhere with; by field names. */
async function missingReference(
  db: Db,
  registry: Registry,
  resource: Resource,
  values: Values,
  current: Values | undefined,
  updating: boolean,
): Promise<string[] | undefined> {
  for (const key of resource.model.foreignKeys ?? []) {
    // An update is refused only for a key it writes; a create for any key it fills in.
    if (updating && !key.columns.some((name) => values[name] !== undefined)) continue;
    const target = registry.all().find((other) => other.model.table === key.table);
    if (target === undefined) continue;
    const bound = key.columns.map((name) => values[name] ?? current?.[name] ?? resource.createDefaults[name]);
    // Part of the key unknown (another row's value in a bulk update), or NULL, which points at nothing and is allowed.
    if (bound.some((value) => value === undefined || value === null)) continue;
    const where = key.referencedColumns.map((column) => `${sqlName(column)} = ?`).join(' AND ');
    const rows = await db.all(`SELECT 1 AS found FROM ${target.table} WHERE ${where} LIMIT 1`, bound as SqlValue[]);
    if (rows.length === 0) return [...key.columns];
  }
  return undefined;
}

/**
 * The tables whose rows point at the target's rows through a key that refuses (a delete's ON DELETE, an
 * update's ON UPDATE of a column it writes).
 */
async function referencingTables(
  db: Db,
  registry: Registry,
  resource: Resource,
  target: Target,
  written: ReadonlySet<string> | undefined,
): Promise<string[]> {
  const parent = targetCondition(resource, target);
  const tables: string[] = [];
  for (const child of registry.all()) {
    for (const key of child.model.foreignKeys ?? []) {
      if (key.table !== resource.model.table || !refuses(written === undefined ? key.onDelete : key.onUpdate)) continue;
      if (written !== undefined && !key.referencedColumns.some((column) => written.has(column))) continue;
      // Inside the subquery the resource's own columns are unqualified (the target's condition names them so).
      const join = key.columns
        .map(
          (name, index) =>
            `${resource.table}.${sqlName(key.referencedColumns[index]!)} = c.${child.byName.get(name)!.sql}`,
        )
        .join(' AND ');
      const sql = `SELECT 1 AS found FROM ${child.table} c WHERE EXISTS (SELECT 1 FROM ${resource.table} WHERE (${parent.where}) AND ${join}) LIMIT 1`;
      if ((await db.all(sql, parent.params)).length > 0 && !tables.includes(child.model.table))
        tables.push(child.model.table);
    }
  }
  return tables;
}

/** SQLite's refusal, explained by looking: first a reference the write points nowhere, then rows pointing at it. */
async function findViolation(
  db: Db,
  registry: Registry,
  resource: Resource,
  write: RefusedWrite,
): Promise<Violation | undefined> {
  if (write.action === 'create') {
    for (const [index, row] of write.rows.entries()) {
      const fields = await missingReference(db, registry, resource, row, undefined, false);
      // A bulk create names the row, as its other refusals do: [2].region_id.
      const named = write.rows.length === 1 ? fields : fields?.map((field) => `[${index}].${field}`);
      if (named !== undefined) return { kind: 'missing', fields: named, table: referencedTable(resource, fields!) };
    }
    return undefined;
  }
  let written: Set<string> | undefined;
  if (write.action === 'update') {
    let current: Values | undefined;
    const select = resource.model.statements.select;
    if ('key' in write.target && select !== undefined) {
      const statement = select(write.target.key);
      current = (await db.all(statement.sql, statement.params))[0];
    }
    const fields = await missingReference(db, registry, resource, write.values, current, true);
    if (fields !== undefined) return { kind: 'missing', fields, table: referencedTable(resource, fields) };
    written = new Set(
      Object.keys(write.values)
        .filter((name) => write.values[name] !== undefined)
        .map((name) => resource.byName.get(name)?.spec.column ?? name),
    );
  }
  const tables = await referencingTables(db, registry, resource, write.target, written);
  return tables.length > 0 ? { kind: 'referenced', tables } : undefined;
}

function referencedTable(resource: Resource, fields: readonly string[]): string | undefined {
  return resource.model.foreignKeys?.find((key) => key.columns.join() === fields.join())?.table;
}

/** The rows a refusal is about, in words: `region 1`, `the region rows matched`. */
function rowsOf(resource: Resource, write: RefusedWrite): string {
  if (write.action === 'create' || 'match' in write.target) return `${resource.name} rows`;
  return `${resource.name} ${formatKey(write.target.key)}`;
}

/** The store's 409 for a foreign key's refusal; any other error is returned as it is. */
export async function referenceConflict(
  db: Db,
  registry: Registry,
  resource: Resource,
  error: unknown,
  write: RefusedWrite,
): Promise<unknown> {
  if (!(error instanceof ForeignKeyError)) return error;
  const outcome = write.action === 'delete' ? 'nothing was deleted' : 'nothing was written';
  const looked = () => findViolation(db, registry, resource, write).catch(() => undefined);
  // The database's words first; but they never say which row of a bulk create it was, and looking does.
  const violation =
    write.action === 'create' && write.rows.length > 1
      ? ((await looked()) ?? fromDetails(resource, error))
      : (fromDetails(resource, error) ?? (await looked()));
  if (violation?.kind === 'missing') {
    const table = violation.table ?? 'the referenced table';
    const verb = violation.fields.length === 1 ? 'refers' : 'refer';
    const fields: FieldProblem[] = violation.fields.map((field) => ({
      field,
      message: `refers to no row of ${table}`,
    }));
    return referenceNotFound(`${violation.fields.join(', ')} ${verb} to no row of ${table}: ${outcome}`, fields);
  }
  // Unexplained: a delete can only be refused for the rows pointing at it; a create or update, most likely, for its own.
  if (violation === undefined && write.action !== 'delete')
    return referenceNotFound(`a foreign key of ${resource.name} refers to no row: ${outcome}`);
  const tables = violation?.tables ?? [];
  const by = tables.length === 0 ? 'other rows' : `rows of ${tables.join(' and ')}`;
  const verb = write.action === 'create' || 'match' in write.target ? 'are' : 'is';
  return stillReferenced(`${rowsOf(resource, write)} ${verb} referenced by ${by}: ${outcome}`);
}
