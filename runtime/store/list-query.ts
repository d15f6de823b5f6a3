/**
 * Parses the query string of `GET /api/<resource>/` into a list query:
 * filters, ordering, field selection and paging, all checked against the
 * generated column whitelist. Anything unknown is a 400 naming it.
 */
import { LIST_OPERATORS, OPERATORS, type FilterOperator } from '../../common/operators.js';
import { checkValue, type ValueRule } from '../../common/value-rules.js';
import type { SqlAdapter, SqlValue } from '../db/db.js';
import { didYouMean } from './did-you-mean.js';
import { invalidQuery, type FieldProblem } from './errors.js';
import { filterCondition, type Condition } from './filters.js';
import type { Column, Resource } from './resource.js';
import type { ListParts } from './sql-builder.js';

export const DEFAULT_LIMIT = 20;
const MAX_PAGE = 2 ** 31 - 1;
const RESERVED = ['page', 'limit', 'ordering', 'fields', 'after'] as const;
export interface ListQuery extends ListParts {
  page: number;
  /** Properties requested with `fields=`, or undefined for all. */
  fields: string[] | undefined;
  /** Paging by key (`after=`) rather than by offset. */
  keyset: boolean;
  /** The query string as sent, in order, to build next/previous links. */
  search: [string, string][];
}

/**
 * URLSearchParams turns escaped bytes that are not UTF-8 into U+FFFD; refuse
 * them instead. A `%` that starts no escape stays literal, as it does there
 * (`?name__like=M%` is a pattern, not an error).
 */
function checkEncoding(rawQuery: string): void {
  for (const escaped of rawQuery.match(/(?:%[0-9a-fA-F]{2})+/g) ?? []) {
    try {
      decodeURIComponent(escaped);
    } catch {
      throw invalidQuery([
        { field: 'query', message: `is not valid percent-encoded UTF-8 near ${JSON.stringify(escaped.slice(0, 40))}` },
      ]);
    }
  }
}

export function parseListQuery(resource: Resource, rawQuery: string, adapter: SqlAdapter, maxLimit: number): ListQuery {
  checkEncoding(rawQuery);
  const search = [...new URLSearchParams(rawQuery)];
  const { byName: columns, key: primaryKey, readableSelect } = resource;
  const problems: FieldProblem[] = [];
  const reserved = new Map<string, string>();
  const filters = new Map<string, Filter>();

  for (const [key, value] of search) {
    if ((RESERVED as readonly string[]).includes(key)) {
      if (reserved.has(key)) problems.push({ field: key, message: 'is given more than once' });
      reserved.set(key, value);
      continue;
    }
    const filter = filters.get(key) ?? resolveFilter(key, resource, problems);
    if (filter === undefined) continue;
    filter.raw.push(value);
    filters.set(key, filter);
  }

  const page = positiveInteger('page', reserved.get('page'), 1, problems);
  const limit = Math.min(positiveInteger('limit', reserved.get('limit'), DEFAULT_LIMIT, problems), maxLimit);
  const ordering = parseOrdering(reserved.get('ordering'), columns, primaryKey, problems);
  const fields = parseFields(reserved.get('fields'), columns, problems);

  const conditions: Condition[] = [];
  for (const [key, { column, operator, hops, raw }] of filters) {
    const values = parseFilterValues(key, column, operator, raw, problems);
    if (values !== undefined)
      conditions.push(throughRelations(hops, filterCondition(column, operator, values, adapter)));
  }

  const afterText = reserved.get('after');
  const keyset = afterText !== undefined && keysetCondition(afterText, primaryKey, ordering, conditions, problems);
  if (problems.length > 0) throw invalidQuery(problems);

  return {
    select:
      fields === undefined
        ? readableSelect
        : selectWithKey(fields, columns, primaryKey)
            .map((column) => column.select)
            .join(', '),
    where: conditions.length > 0 ? ` WHERE ${conditions.map((condition) => condition.sql).join(' AND ')}` : '',
    params: conditions.flatMap((condition) => condition.params),
    orderBy: ` ORDER BY ${ordering.map(({ column, descending }) => `${column.sql}${descending ? ' DESC' : ''}`).join(', ')}`,
    limit,
    offset: keyset ? 0 : (page - 1) * limit,
    page,
    fields,
    keyset,
    search,
  };
}

/** Every operator name: a path segment that is one of these ends the path. */
const OPERATOR_NAMES = new Set<string>(OPERATORS);

/**
 * `after=<key>` (keyset paging): only rows past that key, in an ordering by
 * exactly the key's columns, all ascending or all descending. A composite
 * key compares as a row value: `(a, b) > (?, ?)`.
 */
function keysetCondition(
  text: string,
  key: readonly Column[],
  ordering: OrderKey[],
  conditions: Condition[],
  problems: FieldProblem[],
): boolean {
  const parts = text.split(',');
  const names = key.map((column) => column.name).join(',');
  if (parts.length !== key.length) {
    problems.push({ field: 'after', message: `must be a key: ${names}` });
    return false;
  }
  const values: SqlValue[] = [];
  for (const [index, column] of key.entries()) {
    const checked = checkValue(column.rule, key.length === 1 ? text : decodeURIComponent(parts[index]!));
    if (!checked.ok) {
      problems.push({
        field: 'after',
        message: key.length === 1 ? checked.message : `${column.name} ${checked.message}`,
      });
      return false;
    }
    values.push(checked.value);
  }
  const descending = ordering[0]?.descending === true;
  const byKey =
    ordering.length === key.length &&
    ordering.every((order, index) => order.column === key[index] && order.descending === descending);
  if (!byKey) {
    const descendingNames = key.map((column) => `-${column.name}`).join(',');
    problems.push({ field: 'after', message: `needs ordering by ${names} (or ${descendingNames})` });
    return false;
  }
  const columns = key.length === 1 ? key[0]!.sql : `(${key.map((column) => column.sql).join(', ')})`;
  const placeholders = key.length === 1 ? '?' : `(${key.map(() => '?').join(', ')})`;
  conditions.push({ sql: `${columns} ${descending ? '<' : '>'} ${placeholders}`, params: values });
  return true;
}

/** One step of a filter path through a reference: `id_group` of card into cardgroup. */
interface Hop {
  column: Column;
  target: Resource;
}

interface Filter {
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
function resolveFilter(key: string, resource: Resource, problems: FieldProblem[]): Filter | undefined {
  const segments = key.split('__');
  const hops: Hop[] = [];
  let current = resource;
  for (let index = 0; index < segments.length; index++) {
    const name = segments[index]!;
    const column = current.byName.get(name);
    if (column === undefined || column.writeOnly) {
      const readable = current.columns.filter((candidate) => !candidate.writeOnly).map((candidate) => candidate.name);
      const where = hops.length > 0 ? ` of ${current.name}` : '';
      problems.push(
        column
          ? { field: key, message: 'is write-only and cannot be filtered' }
          : {
              field: key,
              message: hops.length > 0 ? `names ${name}, which is not a field${where}` : 'is not a known parameter',
              hint: didYouMean(name, hops.length > 0 ? readable : [...RESERVED, ...readable]),
            },
      );
      return undefined;
    }
    const next = segments[index + 1];
    const target = next !== undefined && !OPERATOR_NAMES.has(next) ? current.target(name) : undefined;
    if (target !== undefined) {
      hops.push({ column, target });
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
function throughRelations(hops: Hop[], condition: Condition): Condition {
  let result = condition;
  for (const { column, target } of [...hops].reverse()) {
    // A reference holds a single-column key (the generator checks it).
    result = {
      sql: `${column.sql} IN (SELECT ${target.key[0]!.sql} FROM ${target.table} WHERE ${result.sql})`,
      params: result.params,
    };
  }
  return result;
}

/** Filters compare, they do not store: strings need no length limit, dates no TIMESTAMP range. */
function filterRule(rule: ValueRule): ValueRule {
  if (rule.kind === 'string') return { ...rule, maxLength: Number.MAX_SAFE_INTEGER };
  if (rule.kind === 'timestamp') return { kind: 'datetime', zeroDate: rule.zeroDate };
  return rule;
}

function parseFilterValues(
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
  const rule = filterRule(column.rule);
  const values: SqlValue[] = [];
  for (const text of texts) {
    const checked = checkValue(rule, text);
    if (!checked.ok) {
      problems.push({ field: key, message: `${checked.message} (got ${JSON.stringify(text)})` });
      return undefined;
    }
    values.push(checked.value);
  }
  return values;
}

function positiveInteger(name: string, text: string | undefined, fallback: number, problems: FieldProblem[]): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_PAGE) {
    problems.push({
      field: name,
      message: `must be a whole number from 1 to ${MAX_PAGE} (got ${JSON.stringify(text)})`,
    });
    return fallback;
  }
  return Number(text);
}

interface OrderKey {
  column: Column;
  descending: boolean;
}

function parseOrdering(
  text: string | undefined,
  columns: ReadonlyMap<string, Column>,
  primaryKey: readonly Column[],
  problems: FieldProblem[],
): OrderKey[] {
  const keys: OrderKey[] = [];
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const descending = part.startsWith('-');
    const name = part.replace(/^[-+]/, '');
    const column = columns.get(name);
    if (column === undefined || !column.sortable) {
      const sortable = [...columns.values()].filter((c) => c.sortable).map((c) => c.name);
      problems.push({
        field: 'ordering',
        message: column ? `cannot sort by write-only ${name}` : `cannot sort by unknown field ${name}`,
        hint: column ? undefined : didYouMean(name, sortable),
      });
      continue;
    }
    if (!keys.some((key) => key.column === column)) keys.push({ column, descending });
  }
  // The primary key breaks ties, so pages are stable.
  for (const column of primaryKey)
    if (!keys.some((key) => key.column === column)) keys.push({ column, descending: false });
  return keys;
}

function parseFields(
  text: string | undefined,
  columns: ReadonlyMap<string, Column>,
  problems: FieldProblem[],
): string[] | undefined {
  if (text === undefined) return undefined;
  const fields: string[] = [];
  for (const name of text.split(',').filter(Boolean)) {
    const column = columns.get(name);
    if (column === undefined || column.writeOnly) {
      const readable = [...columns.values()].filter((c) => !c.writeOnly).map((c) => c.name);
      problems.push({
        field: 'fields',
        message: column ? `cannot return write-only ${name}` : `names unknown field ${name}`,
        hint: column ? undefined : didYouMean(name, readable),
      });
      continue;
    }
    if (!fields.includes(name)) fields.push(name);
  }
  if (fields.length === 0 && problems.length === 0)
    problems.push({ field: 'fields', message: 'must name at least one field' });
  return fields;
}

/** The primary key is always read: the next page's `after=` needs it. */
function selectWithKey(
  fields: string[],
  columns: ReadonlyMap<string, Column>,
  primaryKey: readonly Column[],
): Column[] {
  const selected = fields.map((name) => columns.get(name)!);
  for (const column of [...primaryKey].reverse()) if (!selected.includes(column)) selected.unshift(column);
  return selected;
}
