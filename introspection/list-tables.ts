/**
 * The tables and views of the connected database, by name, with their kind:
 * what `--tables all` takes, and how a named table is told from a view.
 */
import type { QueryRows } from './read-table.js';

export type TableKind = 'table' | 'view';

const TABLES_SQL = `
SELECT TABLE_NAME AS name, TABLE_TYPE AS type
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME`;

/** Every base table and view, in name order (MariaDB's system-versioned tables are tables too). */
export async function listTables(query: QueryRows): Promise<Map<string, TableKind>> {
  const tables = new Map<string, TableKind>();
  for (const row of await query(TABLES_SQL))
    tables.set(String(row.name), /view/i.test(String(row.type)) ? 'view' : 'table');
  return tables;
}
