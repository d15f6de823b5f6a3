/**
 * One `?field__op=value` of a list query: the field resolved against the
 * model's whitelist (following references, `id_group__name__ilike`), its
 * values checked against the column's rule, and the condition wrapped into
 * a subquery for each reference followed.
 */
import { LIST_OPERATORS, OPERATORS, type FilterOperator } from '../../common/operators.js';
import { checkValue, type ValueRule } from '../../common/value-rules.js';
import type { SqlValue } from '../db/db.js';
import { regexpProblem } from '../db/regexp.js';
import { didYouMean } from './did-you-mean.js';
import type { FieldProblem } from './errors.js';
import type { Condition } from './filters.js';
import type { Column, Resource } from './resource.js';
import type { RowScope } from './sql-builder.js';

/**
 * What one caller may see when listing (its role: runtime/access/): the columns its role hides are
 * unknown to its filters, orderings and `fields=`, and a filter through a reference only ever
 * looks at rows of the referenced model that are within the caller's scope of it.
 */
export interface ListView {
  /** The caller's row scope of the listed model: every row listed, counted or changed meets it. */
  readonly scope: RowScope | undefined;
  /** False for a column the caller's role hides. */
  visible(resource: Resource, column: Column): boolean;
  /** The caller's scope of a model a filter goes through; null: the caller may not read that model at all. */
  scopeOf(resource: Resource): RowScope | undefined | null;
}

/** Every operator name: a path segment that is one of these ends the path. */
const OPERATOR_NAMES = new Set<string>(OPERATORS);

/** One step of a filter path through a reference: `id_group` of card into cardgroup. */
export interface Hop {
  column: Column;
  target: Resource;
  /** The caller's scope of `target`, which the subquery keeps to. */
  scope?: RowScope;
}

export interface Filter {
  column: Column;
  operator: FilterOperator;
  /** References followed before `column`, outermost first. */
  hops: Hop[];
  raw: string[];
}

/**
 * Resolves `column`, `column__op`, or a path through references such as
 * `id_group__name__ilike`, against the whitelist of each model on the way.
 */
export function resolveFilter(
  key: string,
  resource: Resource,
  reserved: readonly string[],
  problems: FieldProblem[],
  view?: ListView,
): Filter | undefined {
  const segments = key.split('__');
  const hops: Hop[] = [];
  let current = resource;
  for (let index = 0; index < segments.length; index++) {
    const name = segments[index]!;
    const found = current.byName.get(name);
    // A column the caller's role hides is, to that caller, no column at all.
    const column = found !== undefined && view !== undefined && !view.visible(current, found) ? undefined : found;
    if (column === undefined || column.writeOnly) {
      const readable = current.columns
        .filter((candidate) => !candidate.writeOnly && (view === undefined || view.visible(current, candidate)))
        .map((candidate) => candidate.name);
      const where = hops.length > 0 ? ` of ${current.name}` : '';
      problems.push(
        column
          ? { field: key, message: 'is write-only and cannot be filtered' }
          : {
              field: key,
              message: hops.length > 0 ? `names ${name}, which is not a field${where}` : 'is not a known parameter',
              hint: didYouMean(name, hops.length > 0 ? readable : [...reserved, ...readable]),
            },
      );
      return undefined;
    }
    const next = segments[index + 1];
    const target = next !== undefined && !OPERATOR_NAMES.has(next) ? current.target(name) : undefined;
    if (target !== undefined) {
      const scope = view === undefined ? undefined : view.scopeOf(target);
      if (scope === null) {
        problems.push({ field: key, message: `goes through ${target.name}, which your role may not read` });
        return undefined;
      }
      hops.push({ column, target, scope });
      current = target;
      continue;
    }
    const operator = next ?? 'eq';
    if (segments.length > index + 2 || !(column.operators as readonly string[]).includes(operator)) {
      const known = column.operators;
      problems.push({
        field: key,
        message: `uses an unknown operator "${segments.slice(index + 1).join('__')}" for ${name}; known: ${known.join(', ')}`,
        hint: didYouMean(operator, known),
      });
      return undefined;
    }
    return { column, operator: operator as FilterOperator, hops, raw: [] };
  }
  return undefined;
}

/** Wraps a condition on a referenced model into `column IN (SELECT key FROM target WHERE …)`, hop by hop. */
export function throughRelations(hops: Hop[], condition: Condition): Condition {
  let result = condition;
  for (const { column, target, scope } of [...hops].reverse()) {
    // A reference holds a single-column key (the generator checks it).
    result =
      scope === undefined
        ? {
            sql: `${column.sql} IN (SELECT ${target.key[0]!.sql} FROM ${target.table} WHERE ${result.sql})`,
            params: result.params,
          }
        : {
            sql: `${column.sql} IN (SELECT ${target.key[0]!.sql} FROM ${target.table} WHERE ${result.sql} AND (${scope.sql}))`,
            params: [...result.params, ...scope.params],
          };
  }
  return result;
}

/** Filters compare, they do not store: strings need no length limit, dates no TIMESTAMP range. */
function filterRule(rule: ValueRule, operator: FilterOperator): ValueRule {
  if (rule.kind === 'string') return { ...rule, maxLength: Number.MAX_SAFE_INTEGER };
  if (rule.kind === 'timestamp') return { kind: 'datetime', zeroDate: rule.zeroDate, fraction: rule.fraction };
  // `has` names one word of a SET.
  if (rule.kind === 'set' && operator === 'has') return { kind: 'enum', values: rule.values };
  return rule;
}

/** A query value as the rule reads it: a whole SET is its words separated by commas. */
function filterValue(rule: ValueRule, text: string): unknown {
  return rule.kind === 'set' ? (text === '' ? [] : text.split(',')) : text;
}

export function parseFilterValues(
  key: string,
  column: Column,
  operator: FilterOperator,
  raw: string[],
  problems: FieldProblem[],
): SqlValue[] | undefined {
  if (operator === 'is_null') {
    const value = raw[raw.length - 1]!.toLowerCase();
    if (!['true', 'false', '1', '0'].includes(value)) {
      problems.push({ field: key, message: 'must be true or false' });
      return undefined;
    }
    return [value === 'true' || value === '1' ? 1 : 0];
  }
  let texts = raw;
  if (LIST_OPERATORS.has(operator)) texts = raw.flatMap((value) => value.split(','));
  if (operator === 'between') {
    texts = [];
    for (const value of raw) {
      const parts = value.split(',');
      if (parts.length !== 2) {
        problems.push({ field: key, message: 'must be two values separated by a comma: low,high' });
        return undefined;
      }
      texts.push(...parts);
    }
  }
  const rule = filterRule(column.rule, operator);
  const values: SqlValue[] = [];
  for (const text of texts) {
    const checked = checkValue(rule, filterValue(rule, text));
    if (!checked.ok) {
      problems.push({ field: key, message: `${checked.message} (got ${JSON.stringify(text)})` });
      return undefined;
    }
    if (operator === 'regexp') {
      // One syntax on every database, and nothing a linear-time engine cannot run (see runtime/db/regexp.ts).
      const problem = regexpProblem(String(checked.value));
      if (problem !== undefined) {
        problems.push({ field: key, message: `${problem} (got ${JSON.stringify(text.slice(0, 100))})` });
        return undefined;
      }
    }
    values.push(checked.value);
  }
  return values;
}
