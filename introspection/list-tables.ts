/**
 * The tables and views of the connected database, by name: what
 * `--tables all` takes.
 */
import type { QueryRows } from './read-table.js';

const TABLES_SQL = `
SELECT TABLE_NAME AS name
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME`;

/** Every base table and view (MariaDB's system-versioned tables too), in name order. */
export async function listTables(query: QueryRows): Promise<string[]> {
  return (await query(TABLES_SQL)).map((row) => String(row.name));
}
