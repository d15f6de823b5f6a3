/**
 * The embedded SQLite database: what it can do and how it spells what
 * differs from MySQL. Its functions (unicode_lower, a2gen_decimal_add, …)
 * are registered by the driver.
 */
import type { SqlAdapter } from '../db.js';

export const sqliteAdapter: SqlAdapter = {
  name: 'sqlite',
  updateReturning: true,
  sessionVariables: false,
  // One connection serves every request: a rollback would undo other requests' writes too.
  transactions: false,
  // Its tables are created from the generated DDL: only their presence can drift.
  introspection: false,
  lower: (expression) => `unicode_lower(${expression})`,
  likeEscape: " ESCAPE '\\'",
  defaultValues: 'DEFAULT VALUES',
  // `IS` is SQLite's NULL-safe equality; values are stored as they were bound.
  sameValue: (column) => `${column} IS ?`,
  adjustedValue: '',
};
