/**
 * Compares a schema file with the live table: every difference in a
 * column, key or table option, in one line each, e.g.
 * "cc_card.credit: schema decimal(15,5), database decimal(12,2)".
 */
import type { TableFacts } from './read-table.js';

/** What a schema file says about the table: the part of it that describes the database. */
export interface ExpectedTable {
  'x-a2gen': {
    table: string;
    /** Absent: the table has none. */
    primaryKey?: string[];
    /** A view: its key, if any, is declared by hand and not compared; it has no indexes or engine. */
    view?: boolean;
    engine?: string;
    collation?: string;
    indexes?: { name: string; unique?: boolean; columns: string[] }[];
  };
  properties: Record<
    string,
    { 'x-sql': { type: string; nullable: boolean; default?: string | null; autoIncrement?: boolean; column?: string } }
  >;
}

/** `int` (MySQL 8) and `int(11)` name the same type. */
export function sameSqlType(a: string, b: string): boolean {
  // Display widths are cosmetic; BOOL is printed tinyint(1), YEAR(4) is YEAR.
  const strip = (type: string) =>
    type
      .replace(/^(bool|boolean)$/, 'tinyint')
      .replace(/^year\(4\)$/, 'year')
      .replace(/^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/, '$1');
  return strip(a) === strip(b);
}

function showDefault(value: string | null | undefined): string {
  if (value === undefined) return 'no default';
  if (value === null) return 'default NULL';
  return value === 'CURRENT_TIMESTAMP' ? 'default CURRENT_TIMESTAMP' : `default '${value}'`;
}

export function diffTable(schema: ExpectedTable, facts: TableFacts | undefined): string[] {
  const table = schema['x-a2gen'].table;
  if (facts === undefined) return [`${table}: table missing from the database`];
  const view = schema['x-a2gen'].view === true;
  if (view !== facts.view)
    return [
      `${table}: the schema describes a ${view ? 'view' : 'table'}, the database has a ${facts.view ? 'view' : 'table'}`,
    ];
  const differences: string[] = [];
  const columns = new Map(facts.columns.map((column) => [column.name, column]));
  const described = new Set<string>();
  for (const [name, property] of Object.entries(schema.properties)) {
    const sql = property['x-sql'];
    const column = sql.column ?? name;
    described.add(column);
    const actual = columns.get(column);
    const where = `${table}.${column}`;
    if (actual === undefined) {
      differences.push(`${where}: in the schema, not in the database`);
      continue;
    }
    if (!sameSqlType(sql.type, actual.type)) differences.push(`${where}: schema ${sql.type}, database ${actual.type}`);
    if (sql.nullable !== actual.nullable) {
      differences.push(
        `${where}: schema ${sql.nullable ? 'NULL' : 'NOT NULL'}, database ${actual.nullable ? 'NULL' : 'NOT NULL'}`,
      );
    }
    const expected = 'default' in sql ? sql.default : undefined;
    if (expected !== actual.default && !(expected === undefined && actual.default === null && actual.nullable)) {
      differences.push(`${where}: schema ${showDefault(expected)}, database ${showDefault(actual.default)}`);
    }
    if ((sql.autoIncrement === true) !== actual.autoIncrement) {
      differences.push(
        `${where}: schema ${sql.autoIncrement ? '' : 'not '}AUTO_INCREMENT, database ${actual.autoIncrement ? '' : 'not '}AUTO_INCREMENT`,
      );
    }
  }
  for (const column of facts.columns) {
    if (!described.has(column.name))
      differences.push(`${table}.${column.name}: in the database (${column.type}), not in the schema`);
  }
  const columnOf = (name: string) => schema.properties[name]?.['x-sql'].column ?? name;
  if (view) return differences;
  const expectedKey = (schema['x-a2gen'].primaryKey ?? []).map(columnOf).join(', ');
  if (expectedKey !== facts.primaryKey.join(', ')) {
    const database = facts.primaryKey.join(', ');
    differences.push(`${table}: schema primary key (${expectedKey || 'none'}), database (${database || 'none'})`);
  }
  const show = (index: { unique?: boolean; columns: string[] }) =>
    `${index.unique ? 'UNIQUE ' : ''}(${index.columns.join(', ')})`;
  const actualIndexes = new Map(facts.indexes.map((index) => [index.name, index]));
  const expectedIndexes = schema['x-a2gen'].indexes ?? [];
  for (const index of expectedIndexes) {
    const expected = { unique: index.unique === true, columns: index.columns.map(columnOf) };
    const actual = actualIndexes.get(index.name);
    if (actual === undefined)
      differences.push(`${table}: index ${index.name} ${show(expected)} in the schema, not in the database`);
    else if (show(actual) !== show(expected))
      differences.push(`${table}: index ${index.name}: schema ${show(expected)}, database ${show(actual)}`);
  }
  for (const index of facts.indexes) {
    if (!expectedIndexes.some((expected) => expected.name === index.name)) {
      differences.push(`${table}: index ${index.name} ${show(index)} in the database, not in the schema`);
    }
  }
  const options = schema['x-a2gen'];
  if (options.engine !== undefined && options.engine.toLowerCase() !== facts.engine?.toLowerCase()) {
    differences.push(`${table}: schema ENGINE=${options.engine}, database ENGINE=${facts.engine}`);
  }
  if (options.collation !== undefined && options.collation !== facts.collation) {
    differences.push(`${table}: schema COLLATE=${options.collation}, database COLLATE=${facts.collation}`);
  }
  return differences;
}
