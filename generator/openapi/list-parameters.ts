/**
 * The query parameters of `GET /api/<resource>/`: paging, ordering, field
 * selection and one parameter per filterable column and operator, each with
 * the value's schema and the operator in words.
 */
import type { ColumnModel, TableModel } from '../model.js';
import { filterValueSchema, sentences, type JsonObject } from './column-schemas.js';

/** Page size when `limit` is not given, and the service's default largest one (A2B_MAX_LIMIT). */
export const DEFAULT_LIMIT = 20;
export const DEFAULT_MAX_LIMIT = 100;
const MAX_PAGE = 2 ** 31 - 1;

/** Each operator in words; `{name}` is the column. */
export const OPERATORS: Record<string, { words: string; repeat: string }> = {
  eq: { words: 'equals the value', repeat: 'Repeat the parameter to match any of several values' },
  ne: { words: 'differs from the value', repeat: 'Repeated values must all differ (none of them matches)' },
  lt: { words: 'is less than the value', repeat: 'Repeated values match any of them' },
  lte: { words: 'is less than or equal to the value', repeat: 'Repeated values match any of them' },
  gt: { words: 'is greater than the value', repeat: 'Repeated values match any of them' },
  gte: { words: 'is greater than or equal to the value', repeat: 'Repeated values match any of them' },
  in: { words: 'is one of the comma-separated values', repeat: 'Repeated parameters add values' },
  not_in: { words: 'is none of the comma-separated values', repeat: 'Repeated parameters add values; rows matching any of them are excluded' },
  between: { words: 'lies between two comma-separated values, bounds included: low,high', repeat: 'Repeated ranges match any of them' },
  like: {
    words: 'matches the SQL LIKE pattern (% stands for any run of characters, _ for one character); case-sensitive',
    repeat: 'Repeated patterns match any of them',
  },
  ilike: { words: 'matches the SQL LIKE pattern (% and _ as for like), ignoring case', repeat: 'Repeated patterns match any of them' },
  regexp: { words: 'matches the regular expression', repeat: 'Repeated expressions match any of them' },
  contains: { words: 'contains the text; case-sensitive, and % and _ match themselves', repeat: 'Repeated values match any of them' },
  icontains: { words: 'contains the text, ignoring case; % and _ match themselves', repeat: 'Repeated values match any of them' },
  startswith: { words: 'starts with the text; case-sensitive, and % and _ match themselves', repeat: 'Repeated values match any of them' },
  endswith: { words: 'ends with the text; case-sensitive, and % and _ match themselves', repeat: 'Repeated values match any of them' },
  is_null: { words: 'is null (true) or is not null (false)', repeat: 'Given more than once, the last value counts' },
};

const LIST_OPERATORS = new Set(['in', 'not_in']);

function query(name: string, description: string, schema: JsonObject, extra: JsonObject = {}): JsonObject {
  return { name, in: 'query', description, schema, ...extra };
}

/**
 * `?column` and `?column__op` for each operator the column supports; with
 * `via`, the same for a column of the model a reference points to
 * (`?id_group__name__ilike=`).
 */
function filterParameters(column: ColumnModel, via?: { column: ColumnModel; target: TableModel }): JsonObject[] {
  const value = filterValueSchema(column);
  const parameters: JsonObject[] = [];
  const base = via ? `${via.column.name}__${column.name}` : column.name;
  const subject = via ? `${via.column.name} refers to a ${via.target.resource} whose ${column.name}` : column.name;
  const zeroDateNote = column.zeroDate ? 'The zero date counts as null' : undefined;
  const commaNote = column.jsonType === 'string' ? 'A value cannot contain a comma' : undefined;
  const make = (name: string, operator: string): JsonObject => {
    const { words, repeat } = OPERATORS[operator] ?? { words: `uses the ${operator} operator`, repeat: '' };
    const text = sentences(`Only rows whose ${subject} ${words}`, repeat, operator === 'is_null' && zeroDateNote, LIST_OPERATORS.has(operator) && commaNote);
    if (operator === 'is_null') return query(name, text, { type: 'boolean' });
    if (LIST_OPERATORS.has(operator)) return query(name, text, { type: 'array', items: value, minItems: 1 }, { style: 'form', explode: false });
    if (operator === 'between') {
      return query(name, sentences(text, commaNote), { type: 'array', items: value, minItems: 2, maxItems: 2 }, { style: 'form', explode: false });
    }
    return query(name, text, value);
  };
  if (column.operators.includes('eq')) parameters.push(make(base, 'eq'));
  for (const operator of column.operators) parameters.push(make(`${base}__${operator}`, operator));
  return parameters;
}

/** A column's own filters, then those through its reference (one hop; the service follows longer paths too). */
function columnFilters(column: ColumnModel, models: TableModel[]): JsonObject[] {
  const own = filterParameters(column);
  const target = column.references && models.find((model) => model.resource === column.references!.resource);
  if (own.length === 0 || target === undefined) return own;
  return [...own, ...target.columns.flatMap((other) => filterParameters(other, { column, target }))];
}

export function listParameters(model: TableModel, models: TableModel[]): JsonObject[] {
  const key = model.primaryKey;
  const sortable = model.columns.filter((column) => column.sortable).map((column) => column.name);
  const readable = model.columns.filter((column) => !column.writeOnly).map((column) => column.name);
  return [
    query(
      'page',
      'Page number, from 1. A page past the end has an empty `objects` list. Not a whole number from 1 to 2^31 - 1: 400.',
      { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1 },
    ),
    query(
      'limit',
      `Page size, from 1 to the service's maximum: ${DEFAULT_MAX_LIMIT} unless A2B_MAX_LIMIT says otherwise. Larger values are clamped to the maximum; values that are not whole numbers from 1 to 2^31 - 1 are a 400.`,
      { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_LIMIT },
      { 'x-maximum-page-size': DEFAULT_MAX_LIMIT },
    ),
    query(
      'ordering',
      `Sort keys, comma-separated: a field name sorts ascending, -name descending. Rows are always ordered, with ${key.name} as the last key, so pages are stable. Sortable: ${sortable.join(', ')}.`,
      { type: 'array', items: { type: 'string', enum: sortable.flatMap((name) => [name, `-${name}`]) }, minItems: 1 },
      { style: 'form', explode: false },
    ),
    query(
      'fields',
      'Only these fields, comma-separated, in each object.',
      { type: 'array', items: { type: 'string', enum: readable }, minItems: 1 },
      { style: 'form', explode: false },
    ),
    query(
      'after',
      `Keyset paging: only rows after this ${key.name} in the ordering; needs ordering=${key.name} or ordering=-${key.name}. The next link then carries after too.`,
      filterValueSchema(key),
    ),
    ...model.columns.flatMap((column) => columnFilters(column, models)),
  ];
}

/** The operators, as a Markdown table for the list operation's description. */
export function operatorTable(): string {
  const rows = Object.entries(OPERATORS).map(([name, { words }]) => `| \`${name}\` | ${words.replace(/\|/g, '\\|')} |`);
  return ['| operator | a row matches when the field … |', '|---|---|', ...rows].join('\n');
}
