/**
 * Parses the query string of `GET /api/<resource>/` into a list query:
 * filters, ordering, field selection and paging, all checked against the
 * generated column whitelist. Anything unknown is a 400 naming it.
 */
import { checkValue } from '../../common/value-rules.js';
import type { SqlAdapter, SqlValue } from '../db/db.js';
import { didYouMean } from './did-you-mean.js';
import { invalidQuery, type FieldProblem } from './errors.js';
import { filterCondition, type Condition } from './filters.js';
import { parseFilterValues, resolveFilter, throughRelations, type Filter, type ListView } from './list-filters.js';
import type { Column, Resource } from './resource.js';
import type { ListParts } from './sql-builder.js';

export const DEFAULT_LIMIT = 20;
const MAX_PAGE = 2 ** 31 - 1;
/** The list parameters that are not filters. */
export const RESERVED = ['page', 'limit', 'ordering', 'fields', 'after'] as const;
export interface ListQuery extends ListParts {
  page: number;
  /** Properties requested with `fields=`, or undefined for all. */
  fields: string[] | undefined;
  /** Paging by key (`after=`) rather than by offset. */
  keyset: boolean;
  /** The query string as sent, in order, to build next/previous links. */
  search: [string, string][];
  /** Who asks (see StatementOptions.client): regexp filters are shared out between clients by it. */
  client?: string;
  /** The query has filters of its own (the caller's row scope, also in `where`, does not count). */
  filtered: boolean;
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

export function parseListQuery(
  resource: Resource,
  rawQuery: string,
  adapter: SqlAdapter,
  maxLimit: number,
  client?: string,
  view?: ListView,
): ListQuery {
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
    const filter = filters.get(key) ?? resolveFilter(key, resource, RESERVED, problems, view);
    if (filter === undefined) continue;
    filter.raw.push(value);
    filters.set(key, filter);
  }

  const page = positiveInteger('page', reserved.get('page'), 1, problems);
  const limit = Math.min(positiveInteger('limit', reserved.get('limit'), DEFAULT_LIMIT, problems), maxLimit);
  const visible = view === undefined ? columns : visibleColumns(resource, view);
  const ordering = parseOrdering(reserved.get('ordering'), visible, tieBreakers(resource), problems);
  const fields = parseFields(reserved.get('fields'), visible, problems);

  const conditions: Condition[] = [];
  for (const [key, { column, operator, hops, raw }] of filters) {
    const values = parseFilterValues(key, column, operator, raw, problems);
    if (values !== undefined)
      conditions.push(throughRelations(hops, filterCondition(column, operator, values, adapter)));
  }

  const afterText = reserved.get('after');
  if (afterText !== undefined && !resource.keyed)
    problems.push({ field: 'after', message: `cannot be used: ${resource.name} has no key; page with page=` });
  const keyset =
    afterText !== undefined && resource.keyed && keysetCondition(afterText, primaryKey, ordering, conditions, problems);
  if (problems.length > 0) throw invalidQuery(problems);
  const filtered = conditions.length > 0;
  // The caller's row scope: the page, its count and a bulk write through this query all keep to it.
  if (view?.scope !== undefined) conditions.push({ sql: `(${view.scope.sql})`, params: [...view.scope.params] });

  return {
    select:
      fields === undefined
        ? readableSelect
        : selectWithKey(fields, columns, primaryKey)
            .map((column) => column.select)
            .join(', '),
    where: conditions.length > 0 ? ` WHERE ${conditions.map((condition) => condition.sql).join(' AND ')}` : '',
    params: conditions.flatMap((condition) => condition.params),
    orderBy: ` ORDER BY ${ordering.map(({ column, descending }) => `${column.ordered}${descending ? ' DESC' : ''}`).join(', ')}`,
    limit,
    offset: keyset ? 0 : (page - 1) * limit,
    page,
    fields,
    keyset,
    search,
    client,
    filtered,
  };
}

const visibleByView = new WeakMap<ListView, ReadonlyMap<string, Column>>();

/** The columns a caller may see, by name: what its ordering and `fields=` may name (made once per view). */
function visibleColumns(resource: Resource, view: ListView): ReadonlyMap<string, Column> {
  let visible = visibleByView.get(view);
  if (visible === undefined) {
    visible = new Map([...resource.byName].filter(([, column]) => view.visible(resource, column)));
    visibleByView.set(view, visible);
  }
  return visible;
}

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

/** The key breaks ties, so pages are stable; rows without a key are ordered by every readable column instead. */
function tieBreakers(resource: Resource): readonly Column[] {
  return resource.keyed ? resource.key : resource.columns.filter((column) => column.sortable);
}

function parseOrdering(
  text: string | undefined,
  columns: ReadonlyMap<string, Column>,
  tieBreakers: readonly Column[],
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
        message: column
          ? column.writeOnly
            ? `cannot sort by write-only ${name}`
            : `cannot sort by ${name}: its values (${column.spec.type}) have no order`
          : `cannot sort by unknown field ${name}`,
        hint: column ? undefined : didYouMean(name, sortable),
      });
      continue;
    }
    if (!keys.some((key) => key.column === column)) keys.push({ column, descending });
  }
  for (const column of tieBreakers)
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
