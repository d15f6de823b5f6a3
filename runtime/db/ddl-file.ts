/**
 * The generated DDL (generated/ddl/<database>.sql), read from disk as the one
 * copy of each table's CREATE statements: the embedded database is created
 * from it, and so are a2gen's own tables on MySQL.
 */
import { readFileSync } from 'node:fs';
import type { DatabaseName } from './db.js';

/** From dist/runtime/db/ (the service runs compiled) to the project's generated/ddl/. */
const DDL_DIR = new URL('../../../generated/ddl/', import.meta.url);

/** Each table's statements (CREATE TABLE, then its indexes; or CREATE VIEW), in file order. */
export function readDdl(database: DatabaseName, directory: URL = DDL_DIR): Map<string, string[]> {
  const text = readFileSync(new URL(`${database}.sql`, directory), 'utf8');
  const byTable = new Map<string, string[]>();
  const statements = text
    .split(/;\s*\n/)
    .map((statement) => statement.replace(/^--.*$/gm, '').trim())
    .filter(Boolean);
  for (const statement of statements) {
    const table =
      /^CREATE (?:TABLE|VIEW) IF NOT EXISTS (\S+)|^CREATE (?:UNIQUE )?INDEX IF NOT EXISTS \S+ ON (\S+)|^CREATE OR REPLACE VIEW (\S+)/.exec(
        statement,
      );
    if (table === null)
      throw new Error(`generated/ddl/${database}.sql: cannot tell the table of: ${statement.slice(0, 60)}`);
    const name = (table[1] ?? table[2] ?? table[3]!).replace(/^`|`$/g, '');
    byTable.set(name, [...(byTable.get(name) ?? []), statement]);
  }
  return byTable;
}
