/**
 * The filter operators of `?field__op=value`, and which kinds of column take
 * which, decided here once per value rule. The generator documents them
 * (OpenAPI), the runtime parses them.
 */
import type { ValueRule } from './value-rules.js';

/** Comparisons every ordered column takes. */
export const COMPARISON_OPERATORS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'between'] as const;
/** Pattern matches, for text columns only. */
export const TEXT_OPERATORS = ['like', 'ilike', 'regexp', 'contains', 'icontains', 'startswith', 'endswith'] as const;
/** Equality without order: ENUM words (MySQL orders them by position, SQLite by text) and bytes. */
export const EQUALITY_OPERATORS = ['eq', 'ne', 'in', 'not_in'] as const;

/** `has`: a SET column holds this word (MySQL's FIND_IN_SET). */
export type FilterOperator =
  (typeof COMPARISON_OPERATORS)[number] | (typeof TEXT_OPERATORS)[number] | 'has' | 'is_null';

/** Every operator, in the order the documentation lists them. */
export const OPERATORS: readonly FilterOperator[] = [...COMPARISON_OPERATORS, ...TEXT_OPERATORS, 'has', 'is_null'];

/** Operators whose value is a comma-separated list. */
export const LIST_OPERATORS: ReadonlySet<FilterOperator> = new Set(['in', 'not_in']);

/** The operators of a column's values, before null checks. */
function valueOperators(rule: ValueRule): FilterOperator[] {
  switch (rule.kind) {
    case 'string':
      return [...COMPARISON_OPERATORS, ...TEXT_OPERATORS];
    case 'enum':
    case 'binary':
      return [...EQUALITY_OPERATORS];
    case 'set':
      // The whole set ("a,b", in any order) or one word of it.
      return ['eq', 'ne', 'has'];
    case 'json':
    case 'geometry':
      // No order, and no equality both databases agree on (JSON text spacing, geometry encodings).
      return [];
    default:
      return [...COMPARISON_OPERATORS];
  }
}

/** The operators a column accepts: none for a write-only one, `is_null` where it can be null. */
export function operatorsFor(rule: ValueRule, nullable: boolean, writeOnly: boolean): FilterOperator[] {
  if (writeOnly) return [];
  const operators = valueOperators(rule);
  if (nullable) operators.push('is_null');
  return operators;
}

/** Lists can be ordered by the column: not by bytes, sets, JSON or geometry, nor by ENUM (orders differ). */
export function sortableBy(rule: ValueRule, writeOnly: boolean): boolean {
  return !writeOnly && !['binary', 'enum', 'set', 'json', 'geometry'].includes(rule.kind);
}
