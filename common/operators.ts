/**
 * The filter operators of `?field__op=value`, and which kinds of column take
 * which. The generator documents them (OpenAPI), the runtime parses them.
 */
import type { ValueRule } from './value-rules.js';

/** Comparisons every column takes. */
export const COMPARISON_OPERATORS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'between'] as const;
/** Pattern matches, for text columns only. */
export const TEXT_OPERATORS = ['like', 'ilike', 'regexp', 'contains', 'icontains', 'startswith', 'endswith'] as const;

export type FilterOperator = (typeof COMPARISON_OPERATORS)[number] | (typeof TEXT_OPERATORS)[number] | 'is_null';

/** Every operator, in the order the documentation lists them. */
export const OPERATORS: readonly FilterOperator[] = [...COMPARISON_OPERATORS, ...TEXT_OPERATORS, 'is_null'];

/** Operators whose value is a comma-separated list. */
export const LIST_OPERATORS: ReadonlySet<FilterOperator> = new Set(['in', 'not_in']);

/** The operators a column accepts: none for a write-only one, `is_null` where it can be null. */
export function operatorsFor(rule: ValueRule, nullable: boolean, writeOnly: boolean): FilterOperator[] {
  if (writeOnly) return [];
  const operators: FilterOperator[] = [...COMPARISON_OPERATORS];
  if (rule.kind === 'string') operators.push(...TEXT_OPERATORS);
  if (nullable) operators.push('is_null');
  return operators;
}
