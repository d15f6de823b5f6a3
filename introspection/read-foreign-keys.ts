/**
 * Reads a table's FOREIGN KEY constraints from information_schema: each
 * constraint's columns in key order, the table and columns it references,
 * and its ON DELETE / ON UPDATE rules. Only references within the same
 * database are kept: a2gen serves one database.
 */
import type { QueryRows } from './read-table.js';

/** What the database does to referencing rows when the referenced row is deleted or re-keyed. */
export type ReferentialAction = 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'NO ACTION' | 'SET DEFAULT';

export interface ForeignKeyFacts {
  name: string;
  /** The referencing columns (SQL names), in key order. */
  columns: string[];
  referencedTable: string;
  /** The referenced columns (SQL names), position by position with `columns`. */
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

const FOREIGN_KEYS_SQL = `
SELECT k.CONSTRAINT_NAME AS name, k.COLUMN_NAME AS column_name,
       k.REFERENCED_TABLE_NAME AS referenced_table, k.REFERENCED_COLUMN_NAME AS referenced_column,
       r.DELETE_RULE AS on_delete, r.UPDATE_RULE AS on_update
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME
 AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ?
  AND k.REFERENCED_TABLE_SCHEMA = k.TABLE_SCHEMA
ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION`;

const ACTIONS = new Set<string>(['RESTRICT', 'CASCADE', 'SET NULL', 'NO ACTION', 'SET DEFAULT']);

function action(text: unknown): ReferentialAction {
  const upper = String(text).toUpperCase();
  return (ACTIONS.has(upper) ? upper : 'RESTRICT') as ReferentialAction;
}

export async function readForeignKeys(query: QueryRows, table: string): Promise<ForeignKeyFacts[]> {
  const byName = new Map<string, ForeignKeyFacts>();
  for (const row of await query(FOREIGN_KEYS_SQL, [table])) {
    const name = String(row.name);
    const key = byName.get(name) ?? {
      name,
      columns: [],
      referencedTable: String(row.referenced_table),
      referencedColumns: [],
      onDelete: action(row.on_delete),
      onUpdate: action(row.on_update),
    };
    key.columns.push(String(row.column_name));
    key.referencedColumns.push(String(row.referenced_column));
    byName.set(name, key);
  }
  return [...byName.values()];
}
