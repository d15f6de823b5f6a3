/**
 * The API's filter operators in words, for the admin's filter panel and
 * its chips. Each page names the operators its filters offer; the words
 * live here once, one for every operator of common/operators.ts.
 */
import type { FilterOperator } from '../../common/operators.js';
import type { AdminFilter } from './contract.js';

const OPERATOR_WORDS: Readonly<Record<FilterOperator, string>> & Readonly<Record<string, string | undefined>> = {
  eq: 'is',
  ne: 'is not',
  lt: 'is less than',
  lte: 'is at most',
  gt: 'is more than',
  gte: 'is at least',
  in: 'is one of (a,b,…)',
  not_in: 'is none of (a,b,…)',
  between: 'is between (low,high)',
  like: 'matches pattern (% and _)',
  ilike: 'matches pattern, any case',
  regexp: 'matches regular expression',
  contains: 'contains',
  icontains: 'contains, any case',
  startswith: 'starts with',
  endswith: 'ends with',
  has: 'has the word',
  is_null: 'is empty (true/false)',
};

/** Dates read better as before/after. */
const DATE_WORDS: Readonly<Record<string, string>> = {
  lt: 'is before',
  lte: 'is on or before',
  gt: 'is after',
  gte: 'is on or after',
};

/**
 * `icontains` → "contains, any case"; on a date, `lt` → "is before"; through
 * a reference's label, `name__icontains` → "name contains, any case".
 */
export function operatorLabel(filter: AdminFilter, op: string): string {
  if (filter.reference !== undefined && !Object.hasOwn(OPERATOR_WORDS, op)) {
    const separator = op.lastIndexOf('__');
    const base = separator > 0 ? op.slice(separator + 2) : 'eq';
    return `${filter.reference} ${OPERATOR_WORDS[base] ?? base}`;
  }
  return (filter.dates && DATE_WORDS[op]) || OPERATOR_WORDS[op] || op;
}
