/**
 * MySQL / MariaDB: what it can do and how it spells what differs from SQLite.
 */
import type { ValueRule } from '../../../common/value-rules.js';
import type { SqlAdapter } from '../db.js';

/** `column <=> ?` that is exact for the column's type: no string-to-double comparison. */
function sameValue(column: string, rule: ValueRule, sqlType: string): string {
  // A text comparison under a case-insensitive collation would miss 'abc' → 'ABC'; bytes do not.
  if (rule.kind === 'string' || rule.kind === 'enum' || rule.kind === 'set') return `BINARY ${column} <=> ?`;
  // MySQL's JSON type compares as JSON, not as the text read; MariaDB's JSON is text already.
  if (rule.kind === 'json') return `BINARY CAST(${column} AS CHAR) <=> ?`;
  if (rule.kind === 'decimal') return `${column} <=> CAST(? AS DECIMAL(${rule.precision},${rule.scale}))`;
  // BIT reads as its bytes; compared with a BIT column, bytes would be taken for a decimal number.
  if (rule.kind === 'integer' && rule.bit) return `${column} + 0 <=> CAST(CONV(HEX(?), 16, 10) AS UNSIGNED)`;
  // Keys past 2^53 are bound as text; compare them as exact numbers, not doubles.
  if (/^bigint\b/i.test(sqlType)) return `${column} <=> CAST(? AS DECIMAL(20,0))`;
  return `${column} <=> ?`;
}

export const mysqlAdapter: SqlAdapter = {
  name: 'mysql',
  updateReturning: false,
  sessionVariables: true,
  transactions: true,
  introspection: true,
  lower: (expression) => `LOWER(${expression})`,
  likeEscape: '',
  defaultValues: '() VALUES ()',
  sameValue,
  adjustedValue: 'SELECT @a2gen_adjusted AS value',
  lockTables: (tables) => ({
    lock: `LOCK TABLES ${tables.map((table) => `${table} WRITE`).join(', ')}`,
    unlock: 'UNLOCK TABLES',
  }),
};
