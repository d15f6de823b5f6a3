/**
 * Turns a validated schema file into the typed model that templates render.
 * Every decision about types, defaults, validation and SQL lives here, where
 * unit tests can reach it; templates only print what this module decided.
 */
import { parseSqlType, type SqlType } from './sql-type.js';
import {
  characterLimit,
  expectedJsonType,
  isDateKind,
  pascalCase,
  readDefault,
  tsTypeOf,
  valueRule,
} from './column-facts.js';
import type { PropertySchema, SchemaFile } from './load-schemas.js';
import { ModelError, type ColumnModel, type TableModel } from './table-model.js';
import { foreignKeysOf } from './foreign-keys.js';
import { chooseRowKey } from './row-key.js';
import { ANY_JSON_TYPES, decoderOf } from '../common/json-values.js';
import { operatorsFor, sortableBy } from '../common/operators.js';
import { checkValue } from '../common/value-rules.js';

export { ZERO_DATE, type ValueRule } from '../common/value-rules.js';

export function buildTableModel(file: SchemaFile): TableModel {
  const { source, schema } = file;
  const options = schema['x-a2gen'];
  const fail = (pointer: string, message: string): never => {
    throw new ModelError(source, pointer, message);
  };
  const required = new Set(schema.required ?? []);
  const charset = options.charset ?? 'utf8';
  const utf8mb3 = charset === 'utf8' || charset === 'utf8mb3';
  const view = options.view === true;
  if (view && options.indexes !== undefined) fail('/x-a2gen/indexes', 'a view has no indexes');
  if (!view && options.definition !== undefined) fail('/x-a2gen/definition', 'only a view has a definition');
  // A view's primaryKey is declared by hand; a table's is its PRIMARY KEY, else a NOT NULL unique key stands in.
  const rowKey = view
    ? { columns: options.primaryKey ?? [], index: undefined }
    : chooseRowKey(options.primaryKey ?? [], options.indexes ?? [], (name) => identifies(schema.properties[name]));
  const keyNames = new Set(rowKey.columns);

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
    const expected = jsonType === 'any' ? [...ANY_JSON_TYPES] : [jsonType];
    if (jsonTypes.length !== expected.length || !expected.every((type) => jsonTypes.includes(type))) {
      fail(
        `${pointer}/type`,
        `a ${sql.text} column is JSON ${expected.map((type) => `"${type}"`).join(', ')}${sqlNullable || zeroDate ? ' (with "null")' : ''}`,
      );
    }
    const generated = property['x-sql'].generated;
    if ((generated === undefined) !== (property['x-sql'].expression === undefined))
      fail(`${pointer}/x-sql`, 'a generated column has both "generated" and "expression"');
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
    if (property.format !== undefined && sql.kind !== 'string')
      fail(`${pointer}/format`, 'only a text column has a format');
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
      generated: generated && { stored: generated === 'stored', expression: property['x-sql'].expression! },
      // A key the database numbers is never sent, nor a column it computes; any other key is chosen on create.
      readOnly: property.readOnly === true || (primaryKey && autoIncrement) || generated !== undefined,
      writeOnly,
      requiredOnCreate: required.has(name) || (primaryKey && !autoIncrement && sqlDefault.kind === 'none'),
      zeroDate,
      jsonNullable,
      jsonType,
      jsonDefault: 'default' in property ? { value: property.default } : undefined,
      minLength: property.minLength,
      format: property.format,
      maxLength,
      choices: property['x-choices'],
      references: property['x-references'] && {
        resource: property['x-references'].resource,
        label: property['x-references'].label,
        onDelete: property['x-references'].onDelete,
      },
      rule,
      operators: operatorsFor(rule, jsonNullable, writeOnly),
      sortable: sortableBy(rule, writeOnly),
      decoder: decoderOf(rule, zeroDate),
      tsType: tsTypeOf(jsonType, jsonNullable),
    };
    if (column.jsonDefault !== undefined)
      checkDefault(column, column.jsonDefault.value, (message) => fail(`${pointer}/default`, message));
    return column;
  });

  const byName = new Map(columns.map((column) => [column.name, column]));
  const key = rowKey.columns.map(
    (name, position) =>
      byName.get(name) ??
      fail(
        rowKey.index === undefined ? `/x-a2gen/primaryKey/${position}` : '/x-a2gen/indexes',
        `no property named "${name}"`,
      ),
  );
  for (const column of key)
    if (column.writeOnly) fail(`/properties/${column.name}`, 'a primary key column cannot be write-only');
  const primaryKey = view ? [] : key.slice(0, options.primaryKey?.length ?? 0);
  // Rows without a key cannot be named, so they cannot be changed either; a view is never written.
  const readOnly = options.readOnly === true || view || key.length === 0;
  const readOnlyReason = view ? 'a view is read-only' : key.length === 0 ? 'a table without a key is read-only' : '';
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
  const foreignKeys = foreignKeysOf(options.foreignKeys ?? [], byName, fail);
  const seed = options.seed ?? [];
  if (view && seed.length > 0) fail('/x-a2gen/seed', 'a view has no rows of its own to seed');
  seed.forEach((row, position) => {
    for (const name of Object.keys(row)) {
      if (!byName.has(name)) fail(`/x-a2gen/seed/${position}`, `"${name}" is not a property`);
    }
  });
  const admin = schema['x-admin'] ?? {};
  const adminColumns = { list: admin.list, search: admin.search, filter: admin.filter, maintained: admin.maintained };
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
  if (readOnly && adjustments.length > 0)
    fail('/x-a2gen/adjustments', `a read-only resource has no adjustments${readOnlyReason && ` (${readOnlyReason})`}`);
  if (key.length === 0 && admin.protectedRows !== undefined)
    fail('/x-admin/protectedRows', 'rows without a key cannot be named, nor deleted');
  const protectedRows = (admin.protectedRows ?? []).map((row, position) => {
    const [only] = key;
    const range = key.length === 1 && only!.rule.kind === 'integer' ? only!.rule : undefined;
    if (range && (BigInt(row.key) < BigInt(range.min) || BigInt(row.key) > BigInt(range.max))) {
      fail(
        `/x-admin/protectedRows/${position}/key`,
        `${row.key} is out of the range of ${only!.name} (${only!.sql.text})`,
      );
    }
    return { key: String(row.key), reason: row.reason };
  });
  const grouped = new Set<string>();
  (admin.groups ?? []).forEach((group, position) =>
    group.fields.forEach((name, index) => {
      const pointer = `/x-admin/groups/${position}/fields/${index}`;
      if (!byName.has(name)) fail(pointer, `"${name}" is not a property`);
      if (grouped.has(name)) fail(pointer, `"${name}" is in an earlier group already`);
      grouped.add(name);
    }),
  );
  const orderedBy = admin.ordering?.replace(/^-/, '');
  if (orderedBy !== undefined) {
    const column = byName.get(orderedBy) ?? fail('/x-admin/ordering', `"${orderedBy}" is not a property`);
    if (!column.sortable) fail('/x-admin/ordering', `"${orderedBy}" (${column.sql.text}) has no order to sort by`);
  }
  const maintainedNames = new Set(admin.maintained ?? []);
  const names = new Set<string>();
  (admin.actions ?? []).forEach((action, position) => {
    const pointer = `/x-admin/actions/${position}`;
    if (readOnly || admin.readOnly) fail(pointer, 'the admin never changes these rows');
    if (names.has(action.name)) fail(`${pointer}/name`, `"${action.name}" is the name of an earlier action`);
    names.add(action.name);
    if (action.set === undefined && action.ask === undefined)
      fail(pointer, 'an action sets values, asks for them, or both');
    const writable = (name: string, at: string) => {
      const column = byName.get(name) ?? fail(at, `"${name}" is not a property`);
      if (column.readOnly || column.writeOnly || column.primaryKey || maintainedNames.has(name))
        fail(at, `"${name}" is not a column the admin writes`);
      return column;
    };
    for (const [name, value] of Object.entries(action.set ?? {}))
      checkDefault(writable(name, `${pointer}/set/${name}`), value, (message) =>
        fail(`${pointer}/set/${name}`, message),
      );
    (action.ask ?? []).forEach((name, index) => {
      writable(name, `${pointer}/ask/${index}`);
      if (action.set !== undefined && name in action.set) fail(`${pointer}/ask/${index}`, `"${name}" is set already`);
    });
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
    key,
    keyIndex: rowKey.index,
    view,
    definition: options.definition,
    columns,
    indexes,
    foreignKeys,
    seed,
    admin: {
      list,
      search: admin.search ?? [],
      searchRelated: admin.searchRelated,
      // Filters are offered for the columns operators narrow lists by; without a hint, the listed ones.
      filter: admin.filter ?? list,
      protectedRows,
      groups: admin.groups?.map((group) => ({ ...group, fields: [...group.fields] })),
      maintained: admin.maintained,
      readOnly: admin.readOnly === true ? true : undefined,
      ordering: admin.ordering,
      actions: admin.actions,
    },
    adjustments,
    readOnly,
    managed: options.managed === true,
    transactional: (options.engine ?? 'MyISAM').toLowerCase() === 'innodb',
  };
}

export { expectedJsonType, isDateKind, type SqlDefault } from './column-facts.js';
export { ModelError, type ColumnModel, type IndexModel, type TableModel } from './table-model.js';

/** A column that can identify a row: NOT NULL, shown, and read back as stored (a zero date reads as null). */
function identifies(property: PropertySchema | undefined): boolean {
  if (property === undefined || property.writeOnly === true) return false;
  const sql = property['x-sql'];
  if (sql.nullable) return false;
  try {
    return !(isDateKind(parseSqlType(sql.type).kind) && sql.default?.startsWith('0000-00-00') === true);
  } catch {
    // A type that does not parse is reported where the column itself is read.
    return false;
  }
}

/** Kinds whose defaults are checked by the JSON type and length below, as they were before the rules grew. */
const LEGACY_KINDS = new Set(['integer', 'decimal', 'float', 'double', 'string', 'timestamp', 'datetime', 'date']);

/** A create default reaches the database on every create that omits it: it must fit the column. */
function checkDefault(column: ColumnModel, value: unknown, fail: (message: string) => never): void {
  if (value === null) {
    if (!column.jsonNullable) fail('is null, but the column is NOT NULL');
    return;
  }
  // The newer kinds are checked by their own rule (an ENUM's words, base64, WKT, …).
  if (!LEGACY_KINDS.has(column.kind)) {
    const checked = checkValue(column.rule, value);
    if (!checked.ok) fail(checked.message);
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
