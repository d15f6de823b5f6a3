/**
 * Writes a schema file from what the database says, keeping everything a
 * person added to an earlier version of the file (labels, descriptions,
 * formats, write-only flags, defaults, choices, required lists, admin hints,
 * seed rows, renamed JSON keys). Only the database facts are replaced, so
 * introspecting an unchanged table reproduces the file byte for byte.
 */
import type { PropertySchema, TableSchema } from '../load-schemas.js';
import { expectedJsonType, isDateKind } from '../model.js';
import { parseSqlType } from '../sql-type.js';
import { ANY_JSON_TYPES } from '../../common/json-values.js';
import { sameSqlType } from '../../introspection/diff-table.js';
import type { ColumnFacts, TableFacts } from '../../introspection/read-table.js';
import type { ForeignKeyFacts } from '../../introspection/read-foreign-keys.js';

/** The table's FOREIGN KEY constraints, and the x-references they give single columns (by SQL column). */
export interface Relations {
  foreignKeys: ForeignKeyFacts[];
  references: ReadonlyMap<string, { resource: string; label?: string }>;
}

/** cc_card_group → cardgroup: the old API's resource names. */
export function defaultResource(table: string): string {
  return table
    .replace(/^cc_/, '')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase();
}

function humanise(name: string): string {
  const words = name.replace(/^cc_/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function property(
  column: ColumnFacts,
  prior: PropertySchema | undefined,
  primaryKey: boolean,
  reference: { resource: string; label?: string } | undefined,
): PropertySchema {
  const type = prior && sameSqlType(prior['x-sql'].type, column.type) ? prior['x-sql'].type : column.type;
  const sql = parseSqlType(type);
  const zeroDate =
    !column.nullable &&
    isDateKind(sql.kind) &&
    typeof column.default === 'string' &&
    column.default.startsWith('0000-00-00');
  const jsonType = expectedJsonType(sql);
  const jsonTypes: string[] = jsonType === 'any' ? [...ANY_JSON_TYPES] : [jsonType];
  const length = sql.base === 'char' || sql.base === 'varchar' ? sql.length : undefined;
  const maxLength = length === undefined ? prior?.maxLength : Math.min(prior?.maxLength ?? length, length);
  const readOnly = prior?.readOnly ?? (primaryKey && column.autoIncrement ? true : undefined);
  const result: Record<string, unknown> = {
    type: column.nullable || zeroDate ? [...jsonTypes, 'null'] : jsonTypes.length === 1 ? jsonTypes[0] : jsonTypes,
    title: prior?.title ?? humanise(column.name),
    // A description a person wrote wins over the column's COMMENT.
    description: prior?.description ?? column.comment,
    maxLength,
    minLength: prior?.minLength,
    format: prior?.format,
    readOnly,
    writeOnly: prior?.writeOnly,
    'x-choices': prior?.['x-choices'],
    'x-references': prior?.['x-references'] ?? reference,
    'x-sql': {
      type,
      nullable: column.nullable,
      ...(column.default !== undefined && { default: column.default }),
      ...(column.autoIncrement && { autoIncrement: true }),
      ...(prior?.['x-sql'].column !== undefined && { column: prior['x-sql'].column }),
      ...(column.generated !== undefined && { generated: column.generated, expression: column.expression }),
    },
  };
  if (prior !== undefined && 'default' in prior) {
    // JSON defaults sit between minLength and readOnly, as in hand-written files.
    const ordered: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(result)) {
      if (key === 'readOnly') ordered.default = prior.default;
      ordered[key] = value;
    }
    return prune(ordered) as unknown as PropertySchema;
  }
  return prune(result) as unknown as PropertySchema;
}

function prune(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** The constraints as the file writes them: its own property names, the referenced table's SQL columns. */
function foreignKeysOf(keys: readonly ForeignKeyFacts[], nameOf: (column: string) => string) {
  if (keys.length === 0) return undefined;
  return keys.map((key) => ({
    name: key.name,
    columns: key.columns.map(nameOf),
    references: { table: key.referencedTable, columns: key.referencedColumns },
    onDelete: key.onDelete,
    onUpdate: key.onUpdate,
  }));
}

export function schemaFromFacts(
  facts: TableFacts,
  existing?: TableSchema,
  resource?: string,
  relations?: Relations,
): TableSchema {
  // Existing properties by SQL column, so renamed JSON keys survive.
  const prior = new Map(
    Object.entries(existing?.properties ?? {}).map(([name, schema]) => [
      schema['x-sql'].column ?? name,
      { name, schema },
    ]),
  );
  const nameOf = (column: string) => prior.get(column)?.name ?? column;
  const properties: Record<string, PropertySchema> = {};
  for (const column of facts.columns) {
    properties[nameOf(column.name)] = property(
      column,
      prior.get(column.name)?.schema,
      facts.primaryKey.includes(column.name),
      relations?.references.get(column.name),
    );
  }
  const known = new Set(Object.keys(properties));
  const options = existing?.['x-a2gen'];
  const required = existing?.required?.filter((name) => known.has(name));
  const admin = existing?.['x-admin'];
  return prune({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: existing?.title ?? humanise(facts.table),
    description: existing?.description,
    'x-a2gen': prune({
      table: facts.table,
      resource: options?.resource ?? resource ?? defaultResource(facts.table),
      // A view has no key of its own: one declared by hand is kept.
      primaryKey: facts.view ? viewKey(options?.primaryKey, known) : nonEmpty(facts.primaryKey.map(nameOf)),
      view: facts.view || undefined,
      definition: facts.view ? options?.definition : undefined,
      engine: facts.engine,
      charset: facts.charset,
      collation: facts.collation,
      indexes: facts.view
        ? undefined
        : facts.indexes.map((index) =>
            prune({ name: index.name, unique: index.unique ? true : undefined, columns: index.columns.map(nameOf) }),
          ),
      seed: options?.seed,
      foreignKeys: relations ? foreignKeysOf(relations.foreignKeys, nameOf) : options?.foreignKeys,
      adjustments: options?.adjustments?.filter((name) => known.has(name)),
      readOnly: options?.readOnly,
      managed: options?.managed,
    }),
    type: 'object',
    additionalProperties: false,
    required: required && required.length > 0 ? required : undefined,
    properties,
    'x-admin': admin && adminHints(admin, known),
  }) as unknown as TableSchema;
}

/**
 * Every admin hint as written, in its place, less what names a column that is gone: the lists lose it, a
 * group its field, an ordering by it goes, and so does an action that sets or asks for it.
 */
function adminHints(admin: NonNullable<TableSchema['x-admin']>, known: Set<string>): TableSchema['x-admin'] {
  const kept = (names: string[]) => names.filter((name) => known.has(name));
  const ordering = admin.ordering?.replace(/^-/, '');
  return prune({
    ...admin,
    ...(admin.list && { list: kept(admin.list) }),
    ...(admin.search && { search: kept(admin.search) }),
    ...(admin.filter && { filter: kept(admin.filter) }),
    ...(admin.maintained && { maintained: kept(admin.maintained) }),
    ...(admin.groups && { groups: admin.groups.map((group) => ({ ...group, fields: kept(group.fields) })) }),
    ordering: ordering === undefined || known.has(ordering) ? admin.ordering : undefined,
    ...(admin.actions && {
      actions: admin.actions.filter((action) =>
        [...Object.keys(action.set ?? {}), ...(action.ask ?? [])].every((name) => known.has(name)),
      ),
    }),
  }) as TableSchema['x-admin'];
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

function viewKey(declared: string[] | undefined, known: Set<string>): string[] | undefined {
  return declared !== undefined && declared.every((name) => known.has(name)) ? declared : undefined;
}

/** Stands in for a seed row while the rest of the file is printed. */
const SEED_ROW = '@@a2gen-seed-row-';

/**
 * Two-space JSON, except that each seed row takes one line: a seed of a few
 * hundred rows (cc_country) stays a readable table.
 */
export function formatSchema(schema: TableSchema): string {
  const seed = schema['x-a2gen'].seed;
  if (seed === undefined || seed.length === 0) return `${JSON.stringify(schema, null, 2)}\n`;
  const placeholders = {
    ...schema,
    'x-a2gen': { ...schema['x-a2gen'], seed: seed.map((_, index) => `${SEED_ROW}${index}`) },
  };
  const text = JSON.stringify(placeholders, null, 2).replace(
    new RegExp(`"${SEED_ROW}(\\d+)"`, 'g'),
    (_, index: string) => {
      const row = seed[Number(index)]!;
      return `{ ${Object.entries(row)
        .map(([name, value]) => `${JSON.stringify(name)}: ${JSON.stringify(value)}`)
        .join(', ')} }`;
    },
  );
  return `${text}\n`;
}
