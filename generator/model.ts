/**
 * Turns a validated schema file into the typed model that templates render.
 * Every decision about types, defaults, validation and SQL lives here, where
 * unit tests can reach it; templates only print what this module decided.
 */
import { integerRange, isTextFamily, parseSqlType, type SqlType, type ValueKind } from './sql-type.js';
import type { SchemaFile } from './load-schemas.js';
import { decoderOf, jsonTypeOf, type Decoder } from '../common/json-values.js';
import { operatorsFor } from '../common/operators.js';
import type { ValueRule } from '../common/value-rules.js';

export { ZERO_DATE, type ValueRule } from '../common/value-rules.js';

export type SqlDefault =
  { kind: 'none' } | { kind: 'null' } | { kind: 'current_timestamp' } | { kind: 'literal'; value: string };

export interface ColumnModel {
  /** JSON property name. */
  name: string;
  /** SQL column name. */
  column: string;
  title: string;
  description: string | undefined;
  sql: SqlType;
  kind: ValueKind;
  sqlNullable: boolean;
  sqlDefault: SqlDefault;
  autoIncrement: boolean;
  primaryKey: boolean;
  readOnly: boolean;
  writeOnly: boolean;
  requiredOnCreate: boolean;
  /** NOT NULL date column whose zero date reads as null and is written for null. */
  zeroDate: boolean;
  /** null may be sent and returned. */
  jsonNullable: boolean;
  jsonType: 'integer' | 'number' | 'string';
  /** The value a create request gets when it leaves the column out. */
  jsonDefault: { value: unknown } | undefined;
  minLength: number | undefined;
  maxLength: number | undefined;
  choices: { value: unknown; label: string }[] | undefined;
  /** Another model whose primary key this column holds; `label` names the column that describes its rows. */
  references: { resource: string; label: string | undefined } | undefined;
  rule: ValueRule;
  operators: string[];
  sortable: boolean;
  /** Runtime function that turns the driver's value into the JSON value, if any is needed. */
  decoder: Decoder | undefined;
  tsType: string;
}

export interface IndexModel {
  name: string;
  unique: boolean;
  columns: string[];
}

export interface TableModel {
  /** schema/cc_card.json, relative to the project. */
  source: string;
  table: string;
  resource: string;
  title: string;
  description: string | undefined;
  /** PascalCase name for types: Card, CardGroup. */
  typeName: string;
  /** camelCase name for values: card, cardGroup. */
  valueName: string;
  engine: string;
  charset: string;
  collation: string | undefined;
  /** The primary key's columns, in key order: one or more, of any kind. */
  primaryKey: ColumnModel[];
  columns: ColumnModel[];
  indexes: IndexModel[];
  seed: Record<string, unknown>[];
  admin: {
    list: string[];
    search: string[];
    /** Columns the list page offers filters for. */
    filter: string[];
    /** Rows the admin refuses to delete (by primary key, as text), with the reason shown. */
    protectedRows: { key: string; reason: string }[];
  };
  /** Columns with an atomic `POST /api/<resource>/<id>/<column>` adjustment (credit = credit + delta). */
  adjustments: ColumnModel[];
  /** Served for reading only: no create, update or delete routes. */
  readOnly: boolean;
  /** a2gen's own table: the service creates it when it is missing, on MySQL too. */
  managed: boolean;
  /** InnoDB: a write and its audit row commit in one transaction. */
  transactional: boolean;
}

export class ModelError extends Error {
  constructor(
    readonly file: string,
    readonly pointer: string,
    message: string,
  ) {
    super(`${file}${pointer ? ` at ${pointer}` : ''}: ${message}`);
    this.name = 'ModelError';
  }
}

export function buildTableModel(file: SchemaFile): TableModel {
  const { source, schema } = file;
  const options = schema['x-a2gen'];
  const fail = (pointer: string, message: string): never => {
    throw new ModelError(source, pointer, message);
  };
  const required = new Set(schema.required ?? []);
  const charset = options.charset ?? 'utf8';
  const utf8mb3 = charset === 'utf8' || charset === 'utf8mb3';
  const keyNames = new Set(options.primaryKey);

  const columns = Object.entries(schema.properties).map(([name, property]) => {
    const pointer = `/properties/${name}`;
    let sql: SqlType;
    try {
      sql = parseSqlType(property['x-sql'].type);
    } catch (error) {
      return fail(`${pointer}/x-sql/type`, (error as Error).message);
    }
    const types = Array.isArray(property.type) ? property.type : [property.type];
    const jsonTypes = types.filter((type) => type !== 'null');
    const sqlNullable = property['x-sql'].nullable;
    const sqlDefault = readDefault(property['x-sql'], sql);
    const zeroDate =
      !sqlNullable &&
      isDateKind(sql.kind) &&
      sqlDefault.kind === 'literal' &&
      sqlDefault.value.startsWith('0000-00-00');
    const jsonNullable = types.includes('null');
    const jsonType = expectedJsonType(sql);
    if (jsonTypes.length !== 1 || jsonTypes[0] !== jsonType) {
      fail(
        `${pointer}/type`,
        `a ${sql.text} column is JSON "${jsonType}"${sqlNullable || zeroDate ? ' (with "null")' : ''}`,
      );
    }
    if (jsonNullable !== (sqlNullable || zeroDate)) {
      fail(
        `${pointer}/type`,
        jsonNullable
          ? `"null" is allowed but the column is NOT NULL without a zero-date default`
          : `the column can be NULL (or a zero date), so the type must include "null"`,
      );
    }
    if (property.maxLength !== undefined && sql.length !== undefined && property.maxLength > sql.length) {
      fail(`${pointer}/maxLength`, `${property.maxLength} exceeds the column's length ${sql.length}`);
    }
    if (property.readOnly && property.writeOnly) fail(pointer, 'a column cannot be both readOnly and writeOnly');
    const primaryKey = keyNames.has(name);
    const autoIncrement = property['x-sql'].autoIncrement === true;
    if (primaryKey && sqlNullable) fail(pointer, 'a primary key column cannot be NULL');
    const maxLength = sql.kind === 'string' ? (property.maxLength ?? characterLimit(sql, charset)) : undefined;
    const rule = valueRule(sql, { maxLength, utf8mb3, zeroDate });
    const writeOnly = property.writeOnly === true;
    const column: ColumnModel = {
      name,
      column: property['x-sql'].column ?? name,
      title: property.title ?? name,
      description: property.description,
      sql,
      kind: sql.kind,
      sqlNullable,
      sqlDefault,
      autoIncrement,
      primaryKey,
      // A key the database numbers is never sent; any other key is chosen on create (and never updated).
      readOnly: property.readOnly === true || (primaryKey && autoIncrement),
      writeOnly,
      requiredOnCreate: required.has(name) || (primaryKey && !autoIncrement && sqlDefault.kind === 'none'),
      zeroDate,
      jsonNullable,
      jsonType,
      jsonDefault: 'default' in property ? { value: property.default } : undefined,
      minLength: property.minLength,
      maxLength,
      choices: property['x-choices'],
      references: property['x-references'] && {
        resource: property['x-references'].resource,
        label: property['x-references'].label,
      },
      rule,
      operators: operatorsFor(rule, jsonNullable, writeOnly),
      sortable: !writeOnly,
      decoder: decoderOf(rule, zeroDate),
      tsType: tsTypeOf(jsonType, jsonNullable),
    };
    if (column.jsonDefault !== undefined)
      checkDefault(column, column.jsonDefault.value, (message) => fail(`${pointer}/default`, message));
    return column;
  });

  const byName = new Map(columns.map((column) => [column.name, column]));
  const primaryKey = options.primaryKey.map(
    (name, position) => byName.get(name) ?? fail(`/x-a2gen/primaryKey/${position}`, `no property named "${name}"`),
  );
  for (const column of primaryKey)
    if (column.writeOnly) fail(`/properties/${column.name}`, 'a primary key column cannot be write-only');
  for (const name of required) {
    const column = byName.get(name) ?? fail('/required', `"${name}" is not a property`);
    if (column.readOnly) fail('/required', `"${name}" is read-only and cannot be required`);
  }
  const indexes = (options.indexes ?? []).map((index, position) => {
    for (const name of index.columns) {
      if (!byName.has(name)) fail(`/x-a2gen/indexes/${position}/columns`, `"${name}" is not a property`);
    }
    return {
      name: index.name,
      unique: index.unique === true,
      columns: index.columns.map((name) => byName.get(name)!.column),
    };
  });
  const seed = options.seed ?? [];
  seed.forEach((row, position) => {
    for (const name of Object.keys(row)) {
      if (!byName.has(name)) fail(`/x-a2gen/seed/${position}`, `"${name}" is not a property`);
    }
  });
  const admin = schema['x-admin'] ?? {};
  const adminColumns = { list: admin.list, search: admin.search, filter: admin.filter };
  for (const [key, names] of Object.entries(adminColumns)) {
    (names ?? []).forEach((name, position) => {
      const column = byName.get(name) ?? fail(`/x-admin/${key}/${position}`, `"${name}" is not a property`);
      if (column.writeOnly) fail(`/x-admin/${key}/${position}`, `"${name}" is write-only and cannot be shown`);
    });
  }

  const adjustments = (options.adjustments ?? []).map((name, position) => {
    const pointer = `/x-a2gen/adjustments/${position}`;
    const column = byName.get(name) ?? fail(pointer, `"${name}" is not a property`);
    if (column.kind !== 'decimal')
      fail(pointer, `"${name}" is ${column.sql.text}; only decimal columns are adjusted (exact arithmetic)`);
    if (column.readOnly || column.writeOnly)
      fail(pointer, `"${name}" is ${column.readOnly ? 'read-only' : 'write-only'}`);
    if (column.sqlNullable) fail(pointer, `"${name}" can be NULL, and NULL plus a delta stays NULL`);
    // /api/<resource>/<id>/delete/ is the old API's delete route.
    if (name === 'delete') fail(pointer, '"delete" would collide with the delete route');
    return column;
  });
  if (options.readOnly && adjustments.length > 0)
    fail('/x-a2gen/adjustments', 'a read-only resource has no adjustments');
  const protectedRows = (admin.protectedRows ?? []).map((row, position) => {
    const [only] = primaryKey;
    const range = primaryKey.length === 1 && only!.rule.kind === 'integer' ? only!.rule : undefined;
    if (range && (BigInt(row.key) < BigInt(range.min) || BigInt(row.key) > BigInt(range.max))) {
      fail(
        `/x-admin/protectedRows/${position}/key`,
        `${row.key} is out of the range of ${only!.name} (${only!.sql.text})`,
      );
    }
    return { key: String(row.key), reason: row.reason };
  });
  const list =
    admin.list ??
    columns
      .filter((column) => !column.writeOnly)
      .slice(0, 6)
      .map((column) => column.name);

  const title = schema.title ?? options.resource;
  const typeName = pascalCase(title) || pascalCase(options.resource);
  return {
    source,
    table: options.table,
    resource: options.resource,
    title,
    description: schema.description,
    typeName,
    valueName: typeName.charAt(0).toLowerCase() + typeName.slice(1),
    engine: options.engine ?? 'MyISAM',
    charset,
    collation: options.collation,
    primaryKey,
    columns,
    indexes,
    seed,
    admin: {
      list,
      search: admin.search ?? [],
      // Filters are offered for the columns operators narrow lists by; without a hint, the listed ones.
      filter: admin.filter ?? list,
      protectedRows,
    },
    adjustments,
    readOnly: options.readOnly === true,
    managed: options.managed === true,
    transactional: (options.engine ?? 'MyISAM').toLowerCase() === 'innodb',
  };
}

/** Checks what only makes sense across files: unique tables, resources and type names; references. */
export function checkModels(models: TableModel[]): void {
  const byResource = new Map(models.map((model) => [model.resource, model]));
  for (const model of models) {
    for (const column of model.columns) {
      if (column.references === undefined) continue;
      const pointer = `/properties/${column.name}/x-references`;
      const target = byResource.get(column.references.resource);
      if (target === undefined)
        throw new ModelError(model.source, pointer, `no model has the resource "${column.references.resource}"`);
      const [targetKey, ...more] = target.primaryKey;
      if (more.length > 0)
        throw new ModelError(
          model.source,
          pointer,
          `${target.resource} has a composite key; a column can reference a single-column key only`,
        );
      if (column.kind !== targetKey!.kind) {
        throw new ModelError(
          model.source,
          pointer,
          `${column.name} is ${column.sql.text}, but ${target.resource}'s key ${targetKey!.name} is ${targetKey!.sql.text}`,
        );
      }
      const label = column.references.label;
      if (label !== undefined && !target.columns.some((other) => other.name === label && !other.writeOnly)) {
        throw new ModelError(
          model.source,
          `${pointer}/label`,
          `"${label}" is not a readable property of ${target.resource}`,
        );
      }
    }
  }
  for (const key of ['table', 'resource', 'typeName'] as const) {
    const seen = new Map<string, string>();
    for (const model of models) {
      const other = seen.get(model[key]);
      const pointer = key === 'typeName' ? '/title' : `/x-a2gen/${key}`;
      if (other !== undefined)
        throw new ModelError(model.source, pointer, `${key} "${model[key]}" is also used by ${other}`);
      seen.set(model[key], model.source);
    }
  }
}

/** TEXT limits are bytes; the API counts characters, so allow only what fits in the worst case. */
function characterLimit(sql: SqlType, charset: string): number {
  const length = sql.length ?? 255;
  if (!isTextFamily(sql)) return length;
  const bytesPerCharacter = charset === 'utf8mb4' ? 4 : charset === 'utf8' || charset === 'utf8mb3' ? 3 : 1;
  return Math.floor(length / bytesPerCharacter);
}

/** A create default reaches the database on every create that omits it: it must fit the column. */
function checkDefault(column: ColumnModel, value: unknown, fail: (message: string) => never): void {
  if (value === null) {
    if (!column.jsonNullable) fail('is null, but the column is NOT NULL');
    return;
  }
  if (column.jsonType === 'string') {
    if (typeof value !== 'string') fail(`must be a string for a ${column.sql.text} column`);
    const length = [...(value as string)].length;
    if (column.maxLength !== undefined && length > column.maxLength)
      fail(`is ${length} characters long; the column holds ${column.maxLength}`);
    return;
  }
  const numeric = typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value));
  if (!numeric) fail(`must be a number for a ${column.sql.text} column`);
  if (column.kind === 'integer' && !/^-?\d+$/.test(String(value)))
    fail(`must be a whole number for a ${column.sql.text} column`);
}

function readDefault(sqlColumn: { default?: string | null }, sql: SqlType): SqlDefault {
  if (!('default' in sqlColumn) || sqlColumn.default === undefined) return { kind: 'none' };
  if (sqlColumn.default === null) return { kind: 'null' };
  if (isDateKind(sql.kind) && /^current_timestamp(\(\))?$/i.test(sqlColumn.default))
    return { kind: 'current_timestamp' };
  return { kind: 'literal', value: sqlColumn.default };
}

export function isDateKind(kind: ValueKind): kind is 'timestamp' | 'datetime' | 'date' {
  return kind === 'timestamp' || kind === 'datetime' || kind === 'date';
}

/** The JSON type of a column's values (common/json-values.ts decides it from the value rule). */
export function expectedJsonType(sql: SqlType): 'integer' | 'number' | 'string' {
  return jsonTypeOf(valueRule(sql, { maxLength: undefined, utf8mb3: false, zeroDate: false }));
}

function valueRule(
  sql: SqlType,
  context: { maxLength: number | undefined; utf8mb3: boolean; zeroDate: boolean },
): ValueRule {
  switch (sql.kind) {
    case 'integer':
      return { kind: 'integer', ...integerRange(sql) };
    case 'decimal':
      return { kind: 'decimal', precision: sql.precision ?? 10, scale: sql.scale ?? 0, unsigned: sql.unsigned };
    case 'float':
    case 'double':
      return { kind: sql.kind, unsigned: sql.unsigned };
    case 'string':
      return { kind: 'string', maxLength: context.maxLength ?? 255, utf8mb3: context.utf8mb3 };
    default:
      return { kind: sql.kind, zeroDate: context.zeroDate };
  }
}

function tsTypeOf(jsonType: string, nullable: boolean): string {
  const base = jsonType === 'string' ? 'string' : 'number';
  return nullable ? `${base} | null` : base;
}

function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')
    .replace(/^[0-9]+/, '');
}
