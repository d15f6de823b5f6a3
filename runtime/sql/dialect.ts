/**
 * The few SQL spellings that differ between MySQL and SQLite in statements
 * the runtime assembles from whitelisted parts.
 */
import type { Dialect } from '../db/db.js';

export interface SqlDialect {
  /** Case-folding of every letter, not only ASCII. */
  lower(expression: string): string;
  /** Makes `\` the LIKE escape character (MySQL's default; SQLite has none). */
  readonly likeEscape: string;
}

const DIALECTS: Record<Dialect, SqlDialect> = {
  mysql: { lower: (expression) => `LOWER(${expression})`, likeEscape: '' },
  sqlite: { lower: (expression) => `unicode_lower(${expression})`, likeEscape: " ESCAPE '\\'" },
};

export function sqlDialect(dialect: Dialect): SqlDialect {
  return DIALECTS[dialect];
}
