/**
 * The SQL a column is read and written through, where it is not the bare
 * column and `?`: geometry is stored in MySQL's binary form, so it is read
 * with ST_AsText and written with ST_GeomFromText; TIME is ordered by its
 * seconds (its text does not sort past 99 hours or below zero). The same
 * spelling serves both databases: the embedded SQLite has these functions
 * too (runtime/db/sqlite/functions.ts), over the text it stores.
 */
import type { ValueRule } from './value-rules.js';

/** What a SELECT reads for the column `sql` (a quoted name). */
export function readExpression(rule: ValueRule, sql: string): string {
  return rule.kind === 'geometry' ? `ST_AsText(${sql})` : sql;
}

/** What an INSERT or UPDATE writes for one bound value. */
export function writePlaceholder(rule: ValueRule): string {
  return rule.kind === 'geometry' ? 'ST_GeomFromText(?)' : '?';
}

/** What ordering and range filters compare, for the column or a bound value (`?`). */
export function orderedExpression(rule: ValueRule, sql: string): string {
  return rule.kind === 'time' ? `TIME_TO_SEC(${sql})` : sql;
}
