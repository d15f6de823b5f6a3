/**
 * CREATE TABLE statements for both dialects. The MySQL form reproduces the
 * real A2Billing table (types, defaults, keys, engine, charset) so test
 * databases behave like production ones; the SQLite form is the closest
 * equivalent for the embedded default.
 */
import type { ColumnModel, TableModel } from './model.js';
import type { ForeignKeyModel } from './table-model.js';
import { quote } from './ts-literal.js';
import { sqlName } from '../common/sql-identifier.js';

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A BIT default as MySQL prints it, b'101': its value as a decimal integer, else undefined. */
function bitLiteral(column: ColumnModel, text: string): string | undefined {
  const bits = /^b'([01]+)'$/.exec(text)?.[1];
  return column.sql.base === 'bit' && bits !== undefined ? BigInt(`0b${bits}`).toString() : undefined;
}

function mysqlColumn(column: ColumnModel): string {
  const parts = [sqlName(column.column), column.sql.text];
  // MariaDB takes neither NULL nor a default on a generated column; the expression decides both.
  if (column.generated)
    return [...parts, `AS (${column.generated.expression})`, column.generated.stored ? 'STORED' : 'VIRTUAL'].join(' ');
  parts.push(column.sqlNullable ? 'NULL' : 'NOT NULL');
  const value = column.sqlDefault;
  if (value.kind === 'null') parts.push('DEFAULT NULL');
  // MySQL wants the default's fractional digits to be the column's: DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3).
  if (value.kind === 'current_timestamp')
    parts.push(`DEFAULT CURRENT_TIMESTAMP${column.sql.fraction ? `(${column.sql.fraction})` : ''}`);
  if (value.kind === 'literal')
    parts.push(`DEFAULT ${bitLiteral(column, value.value) !== undefined ? value.value : sqlString(value.value)}`);
  if (column.autoIncrement) parts.push('AUTO_INCREMENT');
  return parts.join(' ');
}

/** The same clause in both databases; RESTRICT and NO ACTION are their default, and not spelled out. */
function foreignKeyClause(key: ForeignKeyModel): string {
  const rules = [
    ...(['RESTRICT', 'NO ACTION'].includes(key.onDelete) ? [] : [`ON DELETE ${key.onDelete}`]),
    ...(['RESTRICT', 'NO ACTION'].includes(key.onUpdate) ? [] : [`ON UPDATE ${key.onUpdate}`]),
  ];
  return [
    `CONSTRAINT ${sqlName(key.name)} FOREIGN KEY (${key.columns.map(sqlName).join(', ')})`,
    `REFERENCES ${sqlName(key.table)} (${key.referencedColumns.map(sqlName).join(', ')})`,
    ...rules,
  ].join(' ');
}

/**
 * A view is the database's own: created only from a definition its schema file gives.
 * @param foreignKeys the constraints to declare (see declaredForeignKeys)
 */
export function mysqlCreateTable(model: TableModel, foreignKeys: readonly ForeignKeyModel[] = []): string | undefined {
  if (model.view) return model.definition && `CREATE OR REPLACE VIEW ${sqlName(model.table)} AS\n${model.definition}`;
  const lines = model.columns.map(mysqlColumn);
  if (model.primaryKey.length > 0)
    lines.push(`PRIMARY KEY (${model.primaryKey.map((column) => sqlName(column.column)).join(', ')})`);
  for (const index of model.indexes) {
    lines.push(
      `${index.unique ? 'UNIQUE KEY' : 'KEY'} ${sqlName(index.name)} (${index.columns.map(sqlName).join(', ')})`,
    );
  }
  lines.push(...foreignKeys.map(foreignKeyClause));
  const options = [`ENGINE=${model.engine}`, `DEFAULT CHARSET=${model.charset}`];
  if (model.collation) options.push(`COLLATE=${model.collation}`);
  return `CREATE TABLE IF NOT EXISTS ${sqlName(model.table)} (\n${lines.map((line) => `  ${line}`).join(',\n')}\n) ${options.join(' ')}`;
}

function sqliteType(column: ColumnModel): string {
  switch (column.kind) {
    case 'integer':
    case 'year':
      return 'INTEGER';
    case 'binary':
      return 'BLOB';
    case 'decimal':
      // NUMERIC keeps p ≤ 15 decimals exact as numbers; wider ones must stay text.
      return column.jsonType === 'number' ? 'NUMERIC' : 'TEXT';
    case 'float':
    case 'double':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

/** A single integer key is SQLite's rowid, declared on its column; any other key is a table constraint. */
function isRowid(model: TableModel): boolean {
  return model.primaryKey.length === 1 && model.primaryKey[0]!.kind === 'integer';
}

function sqliteColumn(column: ColumnModel, rowid: boolean): string {
  if (column.primaryKey && rowid)
    return `${sqlName(column.column)} INTEGER PRIMARY KEY${column.autoIncrement ? ' AUTOINCREMENT' : ''}`;
  const parts = [sqlName(column.column), sqliteType(column)];
  // The expression as MySQL prints it; SQLite reads the arithmetic and comparisons most of them are.
  if (column.generated)
    return [
      ...parts,
      `GENERATED ALWAYS AS (${column.generated.expression})`,
      column.generated.stored ? 'STORED' : 'VIRTUAL',
    ].join(' ');
  if (!column.sqlNullable) parts.push('NOT NULL');
  // SQLite's integers stop at 2^63 - 1; past it, it would keep a rounded REAL. Refuse that instead.
  if (column.sql.base === 'bigint' && column.sql.unsigned)
    parts.push(`CONSTRAINT ${sqlName(column.column)} CHECK (typeof(${sqlName(column.column)}) <> 'real')`);
  const value = column.sqlDefault;
  if (value.kind === 'null') parts.push('DEFAULT NULL');
  if (value.kind === 'current_timestamp') parts.push('DEFAULT CURRENT_TIMESTAMP');
  if (value.kind === 'literal') {
    const bits = bitLiteral(column, value.value);
    const numeric = sqliteType(column) !== 'TEXT' && /^-?\d+(\.\d+)?$/.test(value.value);
    parts.push(`DEFAULT ${bits ?? (numeric ? value.value : sqlString(value.value))}`);
  }
  return parts.join(' ');
}

/**
 * A view with a definition is created as a view; without one, as an empty table of its columns, so that the
 * embedded database starts and serves an empty list (MySQL's stored definition names its database and is
 * spelt in its own dialect, so introspection does not copy it).
 */
export function sqliteCreateTable(model: TableModel, foreignKeys: readonly ForeignKeyModel[] = []): string[] {
  if (model.view && model.definition !== undefined)
    return [`CREATE VIEW IF NOT EXISTS ${sqlName(model.table)} AS\n${model.definition}`];
  const rowid = isRowid(model);
  const lines = model.columns.map((column) => sqliteColumn(column, rowid));
  if (!rowid && model.primaryKey.length > 0)
    lines.push(`PRIMARY KEY (${model.primaryKey.map((column) => sqlName(column.column)).join(', ')})`);
  lines.push(...foreignKeys.map(foreignKeyClause));
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${sqlName(model.table)} (\n${lines.map((line) => `  ${line}`).join(',\n')}\n)`,
  ];
  for (const index of model.indexes) {
    // SQLite index names share one namespace across tables.
    const name = sqlName(`${model.table}__${index.name}`);
    const columns = index.columns.map(sqlName).join(', ');
    statements.push(
      `CREATE ${index.unique ? 'UNIQUE INDEX' : 'INDEX'} IF NOT EXISTS ${name} ON ${sqlName(model.table)} (${columns})`,
    );
  }
  return statements;
}

/**
 * Seed rows grouped by their column list (consecutive rows naming the same
 * properties share one INSERT head); the runtime adds the placeholders, so
 * no value is ever spliced into SQL.
 */
export function seedInserts(model: TableModel): { insert: string; rows: unknown[][] }[] {
  const byName = new Map(model.columns.map((column) => [column.name, column]));
  const groups: { names: string[]; insert: string; rows: unknown[][] }[] = [];
  for (const row of model.seed) {
    const names = Object.keys(row);
    let group = groups.at(-1);
    if (group === undefined || group.names.join() !== names.join()) {
      const columns = names.map((name) => sqlName(byName.get(name)!.column)).join(', ');
      group = { names, insert: `INSERT INTO ${sqlName(model.table)} (${columns})`, rows: [] };
      groups.push(group);
    }
    group.rows.push(names.map((name) => row[name]));
  }
  return groups.map(({ insert, rows }) => ({ insert, rows }));
}

/** A statement as a TypeScript template literal. */
export function sqlTemplate(sql: string): string {
  return `\`${sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``;
}

export { quote };
