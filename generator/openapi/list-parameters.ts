/**
 * The query parameters of `GET /api/<resource>/`: paging, ordering, field
 * selection, `field=value` for each filterable column, and one `filters`
 * object whose pattern properties describe every `field__op` and every
 * filter through a reference compactly (one pattern per value type, not one
 * parameter per column and operator).
 */
import type { FilterOperator } from '../../common/operators.js';
import type { ColumnModel, TableModel } from '../model.js';
import { filterValueSchema, type JsonObject } from './column-schemas.js';

/** Page size when `limit` is not given, and the service's default largest one (A2B_MAX_LIMIT). */
export const DEFAULT_LIMIT = 20;
export const DEFAULT_MAX_LIMIT = 100;
const MAX_PAGE = 2 ** 31 - 1;

/** Each operator in words, and what repeating its parameter does. */
export const OPERATORS: Record<FilterOperator, { words: string; repeat: string }> = {
  eq: { words: 'equals the value', repeat: 'Repeat the parameter to match any of several values' },
  ne: { words: 'differs from the value', repeat: 'Repeated values must all differ (none of them matches)' },
  lt: { words: 'is less than the value', repeat: 'Repeated values match any of them' },
  lte: { words: 'is less than or equal to the value', repeat: 'Repeated values match any of them' },
  gt: { words: 'is greater than the value', repeat: 'Repeated values match any of them' },
  gte: { words: 'is greater than or equal to the value', repeat: 'Repeated values match any of them' },
  in: { words: 'is one of the comma-separated values', repeat: 'Repeated parameters add values' },
  not_in: {
    words: 'is none of the comma-separated values',
    repeat: 'Repeated parameters add values; rows matching any of them are excluded',
  },
  between: {
    words: 'lies between two comma-separated values, bounds included: low,high',
    repeat: 'Repeated ranges match any of them',
  },
  like: {
    words: 'matches the SQL LIKE pattern (% stands for any run of characters, _ for one character); case-sensitive',
    repeat: 'Repeated patterns match any of them',
  },
  ilike: {
    words: 'matches the SQL LIKE pattern (% and _ as for like), ignoring case',
    repeat: 'Repeated patterns match any of them',
  },
  regexp: { words: 'matches the regular expression', repeat: 'Repeated expressions match any of them' },
  contains: {
    words: 'contains the text; case-sensitive, and % and _ match themselves',
    repeat: 'Repeated values match any of them',
  },
  icontains: {
    words: 'contains the text, ignoring case; % and _ match themselves',
    repeat: 'Repeated values match any of them',
  },
  startswith: {
    words: 'starts with the text; case-sensitive, and % and _ match themselves',
    repeat: 'Repeated values match any of them',
  },
  endswith: {
    words: 'ends with the text; case-sensitive, and % and _ match themselves',
    repeat: 'Repeated values match any of them',
  },
  has: {
    words: 'holds the word (a SET column; the whole set is `eq`, its words comma-separated)',
    repeat: 'Repeated words must all be held',
  },
  is_null: { words: 'is null (true) or is not null (false)', repeat: 'Given more than once, the last value counts' },
};

/** Operators whose value is something other than one value of the field. */
const SPECIAL_OPERATORS = new Set(['in', 'not_in', 'between', 'is_null']);

function query(name: string, description: string, schema: JsonObject, extra: JsonObject = {}): JsonObject {
  return { name, in: 'query', description, schema, ...extra };
}

/** `^(a|b|c)`: names as a regular expression alternation (field names are plain identifiers). */
function alternation(names: string[]): string {
  return names.length === 1 ? names[0]! : `(${names.join('|')})`;
}

/**
 * The `field__op` filters of a model's own columns as JSON Schema pattern
 * properties: columns taking the same value with the same single-value
 * operators share one pattern, and one pattern each covers the list and
 * range operators and is_null.
 */
function ownFilterPatterns(columns: ColumnModel[]): Record<string, JsonObject> {
  const filterable = columns.filter((column) => column.operators.length > 0);
  if (filterable.length === 0) return {};
  const patterns: Record<string, JsonObject> = {};
  for (const { names, operators, schema } of groupColumns(
    filterable,
    (column) => filterValueSchema(column),
    SPECIAL_OPERATORS,
  )) {
    // A column with is_null alone (JSON, geometry) has no single-value operator.
    if (operators.length > 0) patterns[`^${alternation(names)}__${alternation(operators)}$`] = schema;
  }
  const listed = filterable.filter((column) => column.operators.includes('in'));
  const ranged = listed.filter((column) => column.operators.includes('between'));
  const listPatterns: [ColumnModel[], string][] = [
    [ranged, 'in|not_in|between'],
    [listed.filter((column) => !ranged.includes(column)), 'in|not_in'],
  ];
  for (const [group, operators] of listPatterns) {
    if (group.length === 0) continue;
    patterns[`^${alternation(group.map((column) => column.name))}__(${operators})$`] = {
      type: 'string',
      description:
        "Comma-separated values of the field's type; two (low,high) for between. A value cannot contain a comma.",
    };
  }
  const nullable = filterable.filter((column) => column.operators.includes('is_null'));
  if (nullable.length > 0) {
    patterns[`^${alternation(nullable.map((column) => column.name))}__is_null$`] = {
      type: 'boolean',
      description: 'true: only rows where the field is null (the zero date counts as null); false: the others.',
    };
  }
  return patterns;
}

/**
 * `reference__field` and `reference__field__op` through one reference: one
 * pattern per set of operators; values are those of the referenced field
 * (its own filters in the target's Filters schema say how).
 */
function referenceFilterPatterns(reference: ColumnModel, target: TableModel): Record<string, JsonObject> {
  const filterable = target.columns.filter((column) => column.operators.length > 0);
  const patterns: Record<string, JsonObject> = {};
  for (const { names, operators } of groupColumns(filterable, () => ({}), new Set())) {
    // Without an operator a filter is eq, which JSON and geometry columns do not take.
    const optional = operators.includes('eq') ? '?' : '';
    patterns[`^${reference.name}__${alternation(names)}(__${alternation(operators)})${optional}$`] = {
      type: 'string',
      description: `A filter on the ${target.resource} that ${reference.name} refers to: its field, then an operator (none: eq), with values as in ${target.typeName}Filters.`,
    };
  }
  return patterns;
}

/** Columns grouped by value schema and operators (leaving out `skip`), in column order. */
function groupColumns(
  columns: ColumnModel[],
  schemaOf: (column: ColumnModel) => JsonObject,
  skip: Set<string>,
): { names: string[]; operators: string[]; schema: JsonObject }[] {
  const groups = new Map<string, { names: string[]; operators: string[]; schema: JsonObject }>();
  for (const column of columns) {
    const operators = column.operators.filter((operator) => !skip.has(operator));
    const schema = schemaOf(column);
    const key = JSON.stringify([operators, schema]);
    const group = groups.get(key) ?? { names: [], operators, schema };
    group.names.push(column.name);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Every filter but the fields' own `field=value` as one schema: the
 * `filters` parameter (style form, exploded) carries each of its properties
 * as a query parameter of its own.
 */
export function filtersSchema(model: TableModel, models: TableModel[]): JsonObject {
  const patterns = ownFilterPatterns(model.columns);
  for (const column of model.columns) {
    const target = column.references && models.find((candidate) => candidate.resource === column.references!.resource);
    if (target === undefined || column.operators.length === 0) continue;
    Object.assign(patterns, referenceFilterPatterns(column, target));
  }
  return {
    type: 'object',
    title: `${model.title} filters`,
    description: `The filters of \`GET /api/${model.resource}/\` besides \`field=value\`: \`field__op=value\`, and through references \`reference__field=value\` and \`reference__field__op=value\`. Each property pattern names the fields and operators it covers; the operators are described in the API description.`,
    patternProperties: patterns,
    additionalProperties: false,
  };
}

/** Two filters of the model (one through a reference, if it has one), for the `filters` parameter's description. */
function filterExample(model: TableModel, models: TableModel[]): string {
  const column =
    model.columns.find((candidate) => candidate.operators.includes('gte')) ?? model.key[0] ?? model.columns[0]!;
  const reference = model.columns.find((candidate) => candidate.references && candidate.operators.length > 0);
  const target = reference && models.find((candidate) => candidate.resource === reference.references!.resource);
  const through =
    reference && target ? `&${reference.name}__${reference.references!.label ?? target.key[0]!.name}=x` : '';
  return `${column.name}__gte=1${through}`;
}

/** `?field=value` for one column; its other operators are in `filters`. */
function fieldParameter(column: ColumnModel): JsonObject {
  return query(column.name, `${column.title}: equals.`, filterValueSchema(column));
}

/**
 * A key of several columns as one text: its parts in key order, separated by
 * commas, each percent-encoded (so a part never holds a bare comma).
 */
export function compositeKeySchema(model: TableModel): JsonObject {
  const example = model.key.map((column) => (column.kind === 'integer' ? '1' : 'a')).join(',');
  return { type: 'string', pattern: `^[^,]+(,[^,]+){${model.key.length - 1}}$`, examples: [example] };
}

export function listParameters(model: TableModel, models: TableModel[]): JsonObject[] {
  const keys = model.key;
  const keyNames = keys.map((column) => column.name).join(',');
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
      `Sort keys, comma-separated: a field name sorts ascending, -name descending. Rows are always ordered, with ${keys.length === 0 ? 'every field, in table order, as the last keys (there is no key)' : `${keyNames} as the last ${keys.length === 1 ? 'key' : 'keys'}`}, so pages are stable.`,
      { type: 'array', items: { type: 'string', enum: sortable.flatMap((name) => [name, `-${name}`]) }, minItems: 1 },
      { style: 'form', explode: false },
    ),
    query(
      'fields',
      'Only these fields, comma-separated, in each object.',
      { type: 'array', items: { type: 'string', enum: readable }, minItems: 1 },
      { style: 'form', explode: false },
    ),
    ...afterParameter(model),
    ...model.columns.filter((column) => column.operators.includes('eq')).map((column) => fieldParameter(column)),
    {
      name: 'filters',
      in: 'query',
      description: `Every other filter: each property is a query parameter of its own (\`?${filterExample(model, models)}\`), as ${model.typeName}Filters lists them by pattern.`,
      style: 'form',
      explode: true,
      schema: { $ref: `#/components/schemas/${model.typeName}Filters` },
    },
  ];
}

/** `after=<key>` (keyset paging), for a model whose rows have a key. */
function afterParameter(model: TableModel): JsonObject[] {
  const keys = model.key;
  if (keys.length === 0) return [];
  const keyNames = keys.map((column) => column.name).join(',');
  const descending = keys.map((column) => `-${column.name}`).join(',');
  return [
    query(
      'after',
      keys.length === 1
        ? `Keyset paging: only rows after this ${keyNames} in the ordering; needs ordering=${keyNames} or ordering=${descending}. The next link then carries after too.`
        : `Keyset paging: only rows after this key (${keyNames}, comma-separated, each part percent-encoded) in the ordering; needs ordering=${keyNames} or ordering=${descending}. The next link then carries after too.`,
      keys.length === 1 ? filterValueSchema(keys[0]!) : compositeKeySchema(model),
    ),
  ];
}

/** The operators, as a Markdown table for the list operation's description. */
export function operatorTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = Object.entries(OPERATORS).map(
    ([name, { words, repeat }]) => `| \`${name}\` | ${cell(words)} | ${cell(repeat)} |`,
  );
  return ['| operator | a row matches when the field … | repeated |', '|---|---|---|', ...rows].join('\n');
}
