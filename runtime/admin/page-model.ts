/**
 * The admin panel's page of a model: what it lists, searches, filters and
 * edits, with labels, input types, limits, help text and choices. Derived
 * at startup from the model's columns alone, so a schema change is an admin
 * change after `a2gen build`, and no table needs admin code of its own.
 */
import { resourceSchemas } from '../http/schemas.js';
import type { ColumnSpec } from '../store/model.js';
import type { Column, Resource } from '../store/resource.js';
import type { AdminField, AdminFilter, AdminGroup, AdminPage } from './contract.js';

type Kind = ColumnSpec['rule']['kind'];

function isDateKind(kind: Kind): boolean {
  return kind === 'timestamp' || kind === 'datetime' || kind === 'date';
}

const TEXT_FIRST = ['icontains', 'eq', 'ne', 'startswith', 'endswith', 'contains', 'ilike', 'like', 'regexp'];
/** For labelled choices only these make sense. */
const CHOICE_OPERATORS = new Set(['eq', 'ne', 'in', 'not_in', 'is_null']);

/** The operators a column's filter offers, likeliest first (runtime/admin/operator-words.ts says them in words). */
function filterOperators(column: Column): string[] {
  const choices = column.spec.choices;
  // Text is searched more than compared: its likeliest operators come first (the first is the default).
  const order = column.rule.kind === 'string' && choices === undefined ? TEXT_FIRST : [];
  const rank = (op: string) => (order.includes(op) ? order.indexOf(op) : order.length);
  return column.operators
    .filter((op) => choices === undefined || CHOICE_OPERATORS.has(op))
    .sort((a, b) => rank(a) - rank(b));
}

function plural(title: string): string {
  if (/(s|x|ch|sh)$/i.test(title)) return `${title}es`;
  if (/[^aeiou]y$/i.test(title)) return `${title.slice(0, -1)}ies`;
  return `${title}s`;
}

/** A date column whose database default is the time of the insert. */
function defaultsToNow(spec: ColumnSpec): boolean {
  return isDateKind(spec.rule.kind) && /^current_timestamp(\(\))?$/i.test(spec.sqlDefault ?? '');
}

function inputOf(column: Column): AdminField['input'] {
  const spec = column.spec;
  if (spec.writeOnly) return 'password';
  if (spec.choices !== undefined || spec.rule.kind === 'enum') return 'select';
  switch (spec.rule.kind) {
    case 'integer':
    case 'year':
    case 'decimal':
    case 'float':
    case 'double':
      // Wide decimals travel as strings: a number input would round them.
      return column.json === 'string' ? 'text' : 'number';
    case 'timestamp':
    case 'datetime':
      return 'datetime-local';
    case 'date':
      return 'date';
    case 'string':
      if (spec.format === 'email') return 'email';
      return spec.rule.maxLength > 100 ? 'textarea' : 'text';
    case 'binary':
      return spec.rule.maxBytes > 75 ? 'textarea' : 'text';
    case 'json':
    case 'geometry':
      return 'textarea';
    default:
      // TIME, and a SET's words separated by commas.
      return 'text';
  }
}

/** The choices a select offers: the schema's labelled values, else an ENUM's words. */
function choicesOf(spec: ColumnSpec): { value: string; label: string }[] | undefined {
  if (spec.choices !== undefined)
    return spec.choices.map((choice) => ({ value: String(choice.value), label: choice.label }));
  if (spec.rule.kind === 'enum') return spec.rule.values.map((word) => ({ value: word, label: word }));
  return undefined;
}

function stepOf(column: Column): string | undefined {
  const rule = column.rule;
  if (rule.kind === 'integer') return '1';
  if (rule.kind === 'decimal' && column.json === 'number')
    return rule.scale === 0 ? '1' : `0.${'0'.repeat(rule.scale - 1)}1`;
  if (rule.kind === 'float' || rule.kind === 'double') return 'any';
  if (rule.kind === 'timestamp' || rule.kind === 'datetime') return rule.fraction ? 'any' : '1';
  if (rule.kind === 'year') return '1';
  return undefined;
}

function rangeOf(spec: ColumnSpec): { min?: string; max?: string } {
  const rule = spec.rule;
  if (rule.kind === 'integer') {
    // Past 2^53 a browser cannot check the bound exactly; the server does.
    const safe = (text: string) => (Number.isSafeInteger(Number(text)) ? text : undefined);
    return { min: safe(rule.min), max: safe(rule.max) };
  }
  if (rule.kind === 'year') return { min: '0', max: '2155' };
  if ((rule.kind === 'decimal' || rule.kind === 'float' || rule.kind === 'double') && rule.unsigned)
    return { min: '0' };
  return {};
}

/** The value the create form starts with: the create default, else the database default. */
function initialOf(column: Column): string {
  const spec = column.spec;
  if (spec.writeOnly || spec.readOnly) return '';
  const value = 'default' in spec ? spec.default : defaultsToNow(spec) ? null : spec.sqlDefault;
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (text.startsWith('0000-00-00')) return '';
  if (spec.rule.kind === 'decimal' && column.json === 'number') return String(Number(text));
  if (spec.rule.kind === 'timestamp' || spec.rule.kind === 'datetime') return text.replace(' ', 'T');
  return text;
}

/** How the newer kinds are typed into a form. */
const FORMAT_HELP: Partial<Record<Kind, string>> = {
  time: 'A time HH:MM:SS, from -838:59:59 to 838:59:59.',
  year: 'A year from 1901 to 2155, or 0.',
  binary: 'Bytes, as base64.',
  set: 'Some of its words, separated by commas.',
  json: 'A JSON value.',
  geometry: 'Well-known text (WKT), e.g. POINT(1 2).',
};

function helpOf(spec: ColumnSpec, maintained: boolean): string {
  const parts: string[] = [];
  if (maintained) parts.push('Kept up to date by the system; shown here, not edited.');
  const rule = spec.rule;
  if (spec.description) parts.push(spec.description);
  if (rule.kind === 'decimal') parts.push(`Up to ${rule.scale} decimal places.`);
  if (rule.kind === 'string' && spec.choices === undefined && !spec.writeOnly)
    parts.push(`Up to ${rule.maxLength} characters.`);
  const format = FORMAT_HELP[rule.kind];
  if (format !== undefined) parts.push(format);
  if (rule.kind === 'binary') parts.push(`Up to ${rule.maxBytes} bytes.`);
  if (rule.kind === 'set') parts.push(`Words: ${rule.values.join(', ')}.`);
  if (spec.zeroDate) parts.push('Empty means no date (stored as 0000-00-00 00:00:00).');
  else if (spec.nullable && !spec.writeOnly && spec.choices === undefined) parts.push('Empty means NULL.');
  if (defaultsToNow(spec)) parts.push('Empty on create means now.');
  return parts.join(' ');
}

function fieldOf(column: Column, maintained: boolean): AdminField {
  const spec = column.spec;
  const input = inputOf(column);
  return {
    name: spec.name,
    label: column.title,
    help: helpOf(spec, maintained),
    input,
    step: input === 'number' || input === 'datetime-local' ? stepOf(column) : undefined,
    ...(input === 'number' ? rangeOf(spec) : {}),
    maxLength: spec.rule.kind === 'string' ? spec.rule.maxLength : undefined,
    required: spec.required === true,
    nullable: spec.nullable === true,
    // A key is chosen on create and never changed afterwards; the form shows it read-only when editing.
    readOnly: column.readOnly || maintained,
    maintained: maintained || undefined,
    key: column.primaryKey,
    writeOnly: column.writeOnly,
    choices: choicesOf(spec),
    initial: initialOf(column),
    rule: spec.rule,
  };
}

function placeholderOf(kind: Kind): string {
  switch (kind) {
    case 'integer':
      return 'e.g. 10, or 1,5 for lists and ranges';
    case 'decimal':
    case 'float':
    case 'double':
      return 'e.g. 12.50';
    case 'timestamp':
    case 'datetime':
      return 'YYYY-MM-DD HH:MM:SS';
    case 'date':
      return 'YYYY-MM-DD';
    case 'time':
      return 'HH:MM:SS';
    case 'year':
      return 'e.g. 2024';
    case 'set':
      return 'a word of the set';
    default:
      return 'text';
  }
}

/**
 * A reference column with a text label is filtered by the referenced row's
 * label first (`?id_group__name__icontains=def`, a join the API builds from
 * the schema): people know a group by its name, not its id.
 */
function labelColumn(resource: Resource, column: Column): Column | undefined {
  const name = resource.label(column.name);
  const label = name === undefined ? undefined : resource.target(column.name)?.byName.get(name);
  return label === undefined || label.rule.kind !== 'string' || label.spec.choices !== undefined ? undefined : label;
}

/** How a column's from–to boxes are typed, when it can be filtered by a range at all. */
function rangeKind(column: Column): AdminFilter['range'] {
  if (column.spec.choices !== undefined || !column.operators.includes('gte') || !column.operators.includes('lte'))
    return undefined;
  const kind = column.rule.kind;
  if (kind === 'date') return 'date';
  if (kind === 'timestamp' || kind === 'datetime') return 'datetime';
  return NUMERIC_KINDS.has(kind) ? 'number' : undefined;
}

const NUMERIC_KINDS = new Set<Kind>(['integer', 'decimal', 'float', 'double']);

function filterOf(resource: Resource, column: Column): AdminFilter {
  const label = labelColumn(resource, column);
  return {
    name: column.name,
    label: column.title,
    // Through a reference, its label comes first: "name contains, any case", "name is".
    operators: [...(label ? [`${label.name}__icontains`, label.name] : []), ...filterOperators(column)],
    dates: isDateKind(column.rule.kind) || undefined,
    range: rangeKind(column),
    reference: label?.title.toLowerCase(),
    choices: choicesOf(column.spec),
    placeholder: label ? `${label.title.toLowerCase()}, or an id` : placeholderOf(column.rule.kind),
  };
}

/** The schema's groups, then "Other" for the fields in none; one group without a title when the schema has none. */
function groupsOf(resource: Resource): AdminGroup[] {
  const declared = resource.model.admin.groups ?? [];
  const grouped = new Set(declared.flatMap((group) => group.fields));
  const rest = resource.columns.map((column) => column.name).filter((name) => !grouped.has(name));
  if (declared.length === 0) return [{ title: '', fields: rest }];
  return [...declared, ...(rest.length > 0 ? [{ title: 'Other', fields: rest }] : [])];
}

export function adminPage(resource: Resource): AdminPage {
  const { model } = resource;
  const schemas = resourceSchemas(resource);
  const maintained = new Set(model.admin.maintained ?? []);
  return {
    resource: model.resource,
    title: model.title,
    plural: plural(model.title),
    description: model.description ?? '',
    list: model.admin.list,
    search: model.admin.search,
    filters: model.admin.filter
      .map((name) => resource.byName.get(name)!)
      .filter((column) => column.operators.length > 0)
      .map((column) => filterOf(resource, column)),
    protectedRows: model.admin.protectedRows,
    fields: resource.columns.map((column) => fieldOf(column, maintained.has(column.name))),
    groups: groupsOf(resource),
    readOnly: resource.readOnly || model.admin.readOnly === true,
    ordering: model.admin.ordering ?? '',
    actions: model.admin.actions ?? [],
    model: resource,
    createBodySchema: schemas.create,
    updateBodySchema: schemas.update,
  };
}
