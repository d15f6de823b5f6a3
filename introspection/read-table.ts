/**
 * Reads what MySQL or MariaDB knows about a table (or all of them at once)
 * from information_schema and SHOW INDEX, normalised to the way schema files write it (MySQL 5.x
 * spelling: `utf8`, `CURRENT_TIMESTAMP`, unquoted default literals).
 * Shared by the generator (introspect, diff) and the runtime (readiness):
 * it depends on neither, only on a function that runs a query.
 */

/** Runs one statement and returns its rows; a mysql2 connection or the runtime's Db both fit. */
export type QueryRows = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface ColumnFacts {
  name: string;
  /** COLUMN_TYPE as printed: "int(11)", "decimal(15,5)", "int(10) unsigned". */
  type: string;
  nullable: boolean;
  /** undefined: no default; null: DEFAULT NULL; otherwise the literal or CURRENT_TIMESTAMP. */
  default: string | null | undefined;
  autoIncrement: boolean;
  /** COLUMN_COMMENT, where there is one. */
  comment?: string;
  /** A generated column, and the expression the database computes it from. */
  generated?: 'virtual' | 'stored';
  expression?: string;
}

export interface IndexFacts {
  name: string;
  unique: boolean;
  columns: string[];
}

export interface TableFacts {
  table: string;
  /** A view (TABLE_TYPE 'VIEW'): no engine, no charset, no keys, no indexes. */
  view: boolean;
  engine: string | undefined;
  charset: string | undefined;
  collation: string | undefined;
  /** Empty for a table without one. */
  primaryKey: string[];
  columns: ColumnFacts[];
  /** Every index but the primary key, in key order. */
  indexes: IndexFacts[];
}

const COLUMN_FIELDS = `COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
       COLUMN_DEFAULT AS column_default, EXTRA AS extra, COLUMN_COMMENT AS comment,
       GENERATION_EXPRESSION AS expression`;

const COLUMNS_SQL = `
SELECT ${COLUMN_FIELDS}
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
ORDER BY ORDINAL_POSITION`;

/** MariaDB's JSON is LONGTEXT with a CHECK (json_valid(column)): the check is what says JSON. */
const MARIADB_JSON_CHECKS_SQL = `
SELECT CHECK_CLAUSE AS clause
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?`;

/** EXTRA of a generated column: MySQL and MariaDB 10.2+ say "VIRTUAL GENERATED"/"STORED GENERATED", older MariaDB "VIRTUAL"/"PERSISTENT". */
export function generatedKind(extra: string): 'virtual' | 'stored' | undefined {
  if (/\b(stored|persistent)\b/i.test(extra)) return 'stored';
  if (/\bvirtual\b/i.test(extra)) return 'virtual';
  return undefined;
}

/** The columns a MariaDB table checks with json_valid(`column`), from its CHECK clauses. */
function jsonColumns(rows: readonly Record<string, unknown>[]): Set<string> {
  const names = new Set<string>();
  for (const { clause } of rows as { clause: string }[]) {
    const match = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(clause).trim());
    if (match) names.add(match[1]!.replace(/``/g, '`'));
  }
  return names;
}

const TABLE_SQL = `
SELECT ENGINE AS engine, TABLE_COLLATION AS collation, TABLE_TYPE AS type
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`;

/** MariaDB says utf8mb3 where MySQL 5.x (and A2Billing's DDL) says utf8. */
function mysql5Charset(name: string): string {
  return name.replace(/^utf8mb3/, 'utf8');
}

/**
 * MariaDB 10.2+ quotes string defaults ('USD'), prints DEFAULT NULL as the
 * text NULL and no default as SQL NULL; MySQL prints literals bare and NULL
 * for both "DEFAULT NULL" and "no default".
 */
export function normaliseDefault(raw: string | null, nullable: boolean, mariadb: boolean): string | null | undefined {
  if (raw === null) return nullable && !mariadb ? null : undefined;
  if (mariadb && raw === 'NULL') return null;
  if (/^current_timestamp(\(\d*\))?$/i.test(raw)) return 'CURRENT_TIMESTAMP';
  if (mariadb && raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) {
    return raw.slice(1, -1).replace(/''/g, "'").replace(/\\\\/g, '\\');
  }
  return raw;
}

/** The type in lower case, but for the words of an ENUM or SET, which keep their case. */
function lowerCaseType(type: string): string {
  const words = /^(enum|set)(\(.*\))$/is.exec(type);
  return words ? `${words[1]!.toLowerCase()}${words[2]}` : type.toLowerCase();
}

export async function isMariaDb(query: QueryRows): Promise<boolean> {
  const [row] = await query('SELECT VERSION() AS version');
  return /mariadb/i.test(String(row?.version));
}

/** What information_schema says of one table, as rows; the facts are read off them by factsOf. */
interface TableRows {
  table: { engine: string | null; collation: string | null; type: string };
  columns: Record<string, unknown>[];
  checks: Record<string, unknown>[];
  indexes: Record<string, unknown>[];
}

/** The table's facts, or undefined when the database has no such table. */
export async function readTable(query: QueryRows, table: string): Promise<TableFacts | undefined> {
  const tableRow = (await query(TABLE_SQL, [table]))[0] as TableRows['table'] | undefined;
  if (tableRow === undefined) return undefined;
  const view = tableRow.type === 'VIEW';
  const mariadb = await isMariaDb(query);
  return factsOf(
    table,
    {
      table: tableRow,
      columns: await query(COLUMNS_SQL, [table]),
      checks: mariadb ? await query(MARIADB_JSON_CHECKS_SQL, [table]) : [],
      indexes: view ? [] : await query(`SHOW INDEX FROM \`${table.replace(/`/g, '``')}\``),
    },
    mariadb,
  );
}

const ALL_TABLES_SQL = `
SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_COLLATION AS collation, TABLE_TYPE AS type
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE()`;

const ALL_COLUMNS_SQL = `
SELECT TABLE_NAME AS table_name, ${COLUMN_FIELDS}
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, ORDINAL_POSITION`;

const ALL_CHECKS_SQL = `
SELECT TABLE_NAME AS table_name, CHECK_CLAUSE AS clause
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()`;

/** SHOW INDEX's columns, for every table; indexes by name, each index's columns in key order. */
const ALL_INDEXES_SQL = `
SELECT TABLE_NAME AS table_name, INDEX_NAME AS Key_name, NON_UNIQUE AS Non_unique, COLUMN_NAME AS Column_name
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`;

/**
 * The facts of `tables` in four queries for the whole database, where
 * readTable takes five a table: what the service's drift check and its
 * readiness probe read, whatever the number of tables. A table the database
 * lacks is absent from the map. Indexes come in name order, not SHOW INDEX's.
 */
export async function readTables(query: QueryRows, tables: readonly string[]): Promise<Map<string, TableFacts>> {
  const mariadb = await isMariaDb(query);
  const byTable = (rows: Record<string, unknown>[]) => {
    const grouped = new Map<string, Record<string, unknown>[]>();
    for (const row of rows) {
      const name = String(row.table_name);
      const list = grouped.get(name);
      if (list === undefined) grouped.set(name, [row]);
      else list.push(row);
    }
    return grouped;
  };
  const tableRows = new Map(
    (await query(ALL_TABLES_SQL)).map((row) => [String(row.name), row as unknown as TableRows['table']]),
  );
  const columns = byTable(await query(ALL_COLUMNS_SQL));
  const checks = byTable(mariadb ? await query(ALL_CHECKS_SQL) : []);
  const indexes = byTable(await query(ALL_INDEXES_SQL));
  const facts = new Map<string, TableFacts>();
  for (const table of tables) {
    const tableRow = tableRows.get(table);
    if (tableRow === undefined) continue;
    const rows = {
      table: tableRow,
      columns: columns.get(table) ?? [],
      checks: checks.get(table) ?? [],
      indexes: tableRow.type === 'VIEW' ? [] : (indexes.get(table) ?? []),
    };
    facts.set(table, factsOf(table, rows, mariadb));
  }
  return facts;
}

function factsOf(table: string, rows: TableRows, mariadb: boolean): TableFacts {
  const view = rows.table.type === 'VIEW';
  const json = jsonColumns(rows.checks);
  const columns = (
    rows.columns as unknown as {
      name: string;
      type: string;
      nullable: string;
      column_default: string | null;
      extra: string;
      comment: string | null;
      expression: string | null;
    }[]
  ).map((row): ColumnFacts => {
    const generated = generatedKind(row.extra);
    return {
      name: row.name,
      type: json.has(row.name) && /^longtext$/i.test(row.type) ? 'json' : lowerCaseType(row.type),
      nullable: row.nullable === 'YES',
      // A generated column's value is its expression; MariaDB reports it as the default too.
      default: generated ? undefined : normaliseDefault(row.column_default, row.nullable === 'YES', mariadb),
      autoIncrement: /auto_increment/i.test(row.extra),
      ...(row.comment ? { comment: row.comment } : {}),
      ...(generated && row.expression ? { generated, expression: row.expression } : {}),
    };
  });
  const indexes = new Map<string, IndexFacts>();
  for (const row of rows.indexes as unknown as { Key_name: string; Non_unique: number; Column_name: string }[]) {
    const index = indexes.get(row.Key_name) ?? {
      name: row.Key_name,
      unique: Number(row.Non_unique) === 0,
      columns: [],
    };
    index.columns.push(row.Column_name);
    indexes.set(row.Key_name, index);
  }
  const collation = rows.table.collation === null ? undefined : mysql5Charset(rows.table.collation);
  return {
    table,
    view,
    engine: rows.table.engine ?? undefined,
    charset: collation?.split('_')[0],
    collation,
    primaryKey: indexes.get('PRIMARY')?.columns ?? [],
    columns,
    indexes: [...indexes.values()].filter((index) => index.name !== 'PRIMARY'),
  };
}
