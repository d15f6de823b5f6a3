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
import { referenceNotFound, stillReferenced, type FieldProblem } from './errors.js';
import { formatKey } from './keys.js';
import type { ForeignKeySpec, KeyValues } from './model.js';
import type { Registry, Resource } from './resource.js';

/** What the refused write was: values for a create or an update, a key for an update or a delete. */
export interface RefusedWrite {
  readonly values?: Readonly<Record<string, unknown>>;
  readonly key?: KeyValues;
}

type Violation =
  { kind: 'missing'; fields: string[]; table: string | undefined } | { kind: 'referenced'; table: string | undefined };

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
  if (error.violation === 'referenced') return { kind: 'referenced', table: details.table };
  const columns = [...(details.columns ?? [])];
  // A cascaded write may fail on another table: its columns are not this resource's fields.
  const fields = details.table === resource.model.table ? propertyNames(resource, columns) : columns;
  return { kind: 'missing', fields, table: details.referencedTable };
}

function byTable(registry: Registry, table: string): Resource | undefined {
  return registry.all().find((resource) => resource.model.table === table);
}

/** The foreign key of `resource` whose values, as the write would leave the row, match no referenced row. */
async function missingReference(
  db: Db,
  registry: Registry,
  resource: Resource,
  write: RefusedWrite,
): Promise<Violation | undefined> {
  const values = write.values ?? {};
  let current: Record<string, unknown> | undefined;
  if (write.key !== undefined) {
    const statement = resource.model.statements.select(write.key);
    current = (await db.all(statement.sql, statement.params))[0];
  }
  for (const key of resource.model.foreignKeys ?? []) {
    // An update is refused only for a key it writes; a create for any key it fills in.
    if (write.key !== undefined && !key.columns.some((name) => values[name] !== undefined)) continue;
    const target = byTable(registry, key.table);
    if (target === undefined) continue;
    const bound = key.columns.map((name) => values[name] ?? current?.[name] ?? resource.createDefaults[name] ?? null);
    // A NULL in any column of the key points at nothing, and is allowed.
    if (bound.some((value) => value === null)) continue;
    const where = key.referencedColumns.map((column) => `${sqlName(column)} = ?`).join(' AND ');
    const rows = await db.all(`SELECT 1 AS found FROM ${target.table} WHERE ${where} LIMIT 1`, bound as SqlValue[]);
    if (rows.length === 0) return { kind: 'missing', fields: [...key.columns], table: key.table };
  }
  return undefined;
}

/** A table whose rows point at the row with this key, through a key that refuses (deletes, or updates of `written`). */
async function referencingTable(
  db: Db,
  registry: Registry,
  resource: Resource,
  key: KeyValues,
  written: ReadonlySet<string> | undefined,
): Promise<Violation | undefined> {
  const parentWhere = resource.key.map((column) => `p.${column.sql} = ?`).join(' AND ');
  for (const child of registry.all()) {
    for (const foreignKey of child.model.foreignKeys ?? []) {
      if (foreignKey.table !== resource.model.table || !refuses(rule(foreignKey, written))) continue;
      if (written !== undefined && !foreignKey.referencedColumns.some((column) => written.has(column))) continue;
      const join = foreignKey.columns
        .map((name, index) => `c.${child.byName.get(name)!.sql} = p.${sqlName(foreignKey.referencedColumns[index]!)}`)
        .join(' AND ');
      const sql = `SELECT 1 AS found FROM ${child.table} c JOIN ${resource.table} p ON ${join} WHERE ${parentWhere} LIMIT 1`;
      if ((await db.all(sql, key)).length > 0) return { kind: 'referenced', table: child.model.table };
    }
  }
  return undefined;
}

/** The rule that applies: ON DELETE for a delete (nothing written), ON UPDATE for an update. */
function rule(key: ForeignKeySpec, written: ReadonlySet<string> | undefined): string | undefined {
  return written === undefined ? key.onDelete : key.onUpdate;
}

/** SQLite's refusal, explained by looking: first a reference the write points nowhere, then rows pointing at it. */
async function findViolation(
  db: Db,
  registry: Registry,
  resource: Resource,
  write: RefusedWrite,
): Promise<Violation | undefined> {
  if (write.values !== undefined) {
    const missing = await missingReference(db, registry, resource, write);
    if (missing !== undefined) return missing;
  }
  if (write.key === undefined) return undefined;
  const written =
    write.values === undefined
      ? undefined
      : new Set(
          Object.keys(write.values)
            .filter((name) => write.values![name] !== undefined)
            .map((name) => resource.byName.get(name)?.spec.column ?? name),
        );
  return referencingTable(db, registry, resource, write.key, written);
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
  const deleting = write.values === undefined;
  const outcome = deleting ? 'nothing was deleted' : 'nothing was written';
  const violation =
    fromDetails(resource, error) ?? (await findViolation(db, registry, resource, write).catch(() => undefined));
  const row = write.key === undefined ? resource.name : `${resource.name} ${formatKey(write.key)}`;
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
  if (violation === undefined && !deleting)
    return referenceNotFound(`a foreign key of ${resource.name} refers to no row: ${outcome}`);
  const by = violation?.table === undefined ? 'other rows' : `rows of ${violation.table}`;
  return stillReferenced(`${row} is referenced by ${by}: ${outcome}`);
}
