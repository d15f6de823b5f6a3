/**
 * Turns one `?column__op=value` filter into a SQL condition with bound
 * parameters. Column names come only from the generated whitelist; every
 * value is a parameter.
 */
import type { FilterOperator } from '../../common/operators.js';
import { orderedExpression } from '../../common/sql-expressions.js';
import { ZERO_DATE } from '../../common/value-rules.js';
import type { SqlAdapter, SqlValue } from '../db/db.js';
import { regexpCondition } from '../db/regexp.js';
import type { Column } from './resource.js';

export interface Condition {
  sql: string;
  params: SqlValue[];
}

/** Escapes LIKE wildcards so that contains/startswith/endswith match literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function anyOf(conditions: Condition[]): Condition {
  if (conditions.length === 1) return conditions[0]!;
  return {
    sql: `(${conditions.map((condition) => condition.sql).join(' OR ')})`,
    params: conditions.flatMap((condition) => condition.params),
  };
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

const COMPARISON: Partial<Record<FilterOperator, string>> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

/**
 * Builds the condition for one filter key. `values` are already parsed for
 * the column's type (for `between`, pairs flattened; for `is_null`, one boolean).
 */
export function filterCondition(
  column: Column,
  operator: FilterOperator,
  values: SqlValue[],
  adapter: SqlAdapter,
): Condition {
  const target = column.sql;
  // TIME is ordered by its seconds, column and bound value alike; every other column by itself.
  const ordered = column.ordered;
  const bound = orderedExpression(column.rule, '?');
  switch (operator) {
    case 'eq':
    case 'in':
      return values.length === 1
        ? { sql: `${target} = ?`, params: values }
        : { sql: `${target} IN (${placeholders(values.length)})`, params: values };
    case 'ne':
    case 'not_in':
      // Repeated values AND: "none of these", not "any of these".
      return values.length === 1
        ? { sql: `${target} <> ?`, params: values }
        : { sql: `${target} NOT IN (${placeholders(values.length)})`, params: values };
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return anyOf(values.map((value) => ({ sql: `${ordered} ${COMPARISON[operator]} ${bound}`, params: [value] })));
    case 'between': {
      const pairs: Condition[] = [];
      for (let index = 0; index < values.length; index += 2) {
        pairs.push({ sql: `${ordered} BETWEEN ${bound} AND ${bound}`, params: [values[index]!, values[index + 1]!] });
      }
      return anyOf(pairs);
    }
    case 'has':
      // Repeated words must all be held. FIND_IN_SET is MySQL's; the embedded SQLite has one too.
      return {
        sql:
          values.length === 1
            ? `FIND_IN_SET(?, ${target}) > 0`
            : `(${values.map(() => `FIND_IN_SET(?, ${target}) > 0`).join(' AND ')})`,
        params: values,
      };
    case 'like':
      return anyOf(values.map((value) => ({ sql: `${target} LIKE ?${adapter.likeEscape}`, params: [value] })));
    case 'ilike':
      return anyOf(
        values.map((value) => ({
          sql: `${adapter.lower(target)} LIKE ${adapter.lower('?')}${adapter.likeEscape}`,
          params: [value],
        })),
      );
    case 'regexp':
      return anyOf(values.map((value) => ({ sql: regexpCondition(target), params: [value] })));
    case 'contains':
    case 'startswith':
    case 'endswith': {
      const pattern = (value: SqlValue) => wrapPattern(operator, escapeLike(String(value)));
      return anyOf(values.map((value) => ({ sql: `${target} LIKE ?${adapter.likeEscape}`, params: [pattern(value)] })));
    }
    case 'icontains':
      return anyOf(
        values.map((value) => ({
          sql: `${adapter.lower(target)} LIKE ${adapter.lower('?')}${adapter.likeEscape}`,
          params: [`%${escapeLike(String(value))}%`],
        })),
      );
    case 'is_null': {
      const wanted = values[values.length - 1] === 1;
      if (column.zeroDate) {
        // A zero date reads as null, so it must also filter as null.
        return wanted
          ? { sql: `(${target} IS NULL OR ${target} = ?)`, params: [ZERO_DATE] }
          : { sql: `(${target} IS NOT NULL AND ${target} <> ?)`, params: [ZERO_DATE] };
      }
      return { sql: `${target} IS ${wanted ? '' : 'NOT '}NULL`, params: [] };
    }
  }
}

function wrapPattern(operator: 'contains' | 'startswith' | 'endswith', escaped: string): string {
  if (operator === 'startswith') return `${escaped}%`;
  if (operator === 'endswith') return `%${escaped}`;
  return `%${escaped}%`;
}
