/**
 * Reads what MySQL or MariaDB knows about a table from information_schema
 * and SHOW INDEX, normalised to the way schema files write it (MySQL 5.x
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

const COLUMNS_SQL = `
SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
       COLUMN_DEFAULT AS column_default, EXTRA AS extra
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
ORDER BY ORDINAL_POSITION`;

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

export async function isMariaDb(query: QueryRows): Promise<boolean> {
  const [row] = await query('SELECT VERSION() AS version');
  return /mariadb/i.test(String(row?.version));
}

/** The table's facts, or undefined when the database has no such table. */
export async function readTable(query: QueryRows, table: string): Promise<TableFacts | undefined> {
  const tableRow = (await query(TABLE_SQL, [table]))[0] as
    { engine: string | null; collation: string | null; type: string } | undefined;
  if (tableRow === undefined) return undefined;
  const view = tableRow.type === 'VIEW';
  const mariadb = await isMariaDb(query);
  const columnRows = await query(COLUMNS_SQL, [table]);
  const columns = (
    columnRows as unknown as {
      name: string;
      type: string;
      nullable: string;
      column_default: string | null;
      extra: string;
    }[]
  ).map((row) => ({
    name: row.name,
    type: row.type.toLowerCase(),
    nullable: row.nullable === 'YES',
    default: normaliseDefault(row.column_default, row.nullable === 'YES', mariadb),
    autoIncrement: /auto_increment/i.test(row.extra),
  }));
  const indexRows = view ? [] : await query(`SHOW INDEX FROM \`${table.replace(/`/g, '``')}\``);
  const indexes = new Map<string, IndexFacts>();
  for (const row of indexRows as unknown as { Key_name: string; Non_unique: number; Column_name: string }[]) {
    const index = indexes.get(row.Key_name) ?? {
      name: row.Key_name,
      unique: Number(row.Non_unique) === 0,
      columns: [],
    };
    index.columns.push(row.Column_name);
    indexes.set(row.Key_name, index);
  }
  const collation = tableRow.collation === null ? undefined : mysql5Charset(tableRow.collation);
  return {
    table,
    view,
    engine: tableRow.engine ?? undefined,
    charset: collation?.split('_')[0],
    collation,
    primaryKey: indexes.get('PRIMARY')?.columns ?? [],
    columns,
    indexes: [...indexes.values()].filter((index) => index.name !== 'PRIMARY'),
  };
}
