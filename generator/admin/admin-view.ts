/**
 * The admin panel's view of a model: what the generated admin page of each
 * model lists, searches, filters and edits, with labels, input types,
 * limits, help text and choices. Derived from the TableModel only, so a
 * schema change is an admin change after `a2gen build`.
 */
import { isDateKind, type ColumnModel, type TableModel } from '../model.js';
import { Code, tsLiteral } from '../ts-literal.js';

const TEXT_FIRST = ['icontains', 'eq', 'ne', 'startswith', 'endswith', 'contains', 'ilike', 'like', 'regexp'];
/** For labelled choices only these make sense. */
const CHOICE_OPERATORS = new Set(['eq', 'ne', 'in', 'not_in', 'is_null']);

/** The operators a column's filter offers, likeliest first (runtime/admin/operator-words.ts says them in words). */
export function filterOperators(column: ColumnModel): string[] {
  // Text is searched more than compared: its likeliest operators come first (the first is the default).
  const order = column.kind === 'string' && column.choices === undefined ? TEXT_FIRST : [];
  const rank = (op: string) => (order.includes(op) ? order.indexOf(op) : order.length);
  return column.operators
    .filter((op) => column.choices === undefined || CHOICE_OPERATORS.has(op))
    .sort((a, b) => rank(a) - rank(b));
}

function plural(title: string): string {
  if (/(s|x|ch|sh)$/i.test(title)) return `${title}es`;
  if (/[^aeiou]y$/i.test(title)) return `${title.slice(0, -1)}ies`;
  return `${title}s`;
}

function inputOf(column: ColumnModel): string {
  if (column.writeOnly) return 'password';
  if (column.choices !== undefined) return 'select';
  switch (column.kind) {
    case 'integer':
    case 'decimal':
    case 'float':
    case 'double':
      // Wide decimals travel as strings: a number input would round them.
      return column.jsonType === 'string' ? 'text' : 'number';
    case 'timestamp':
    case 'datetime':
      return 'datetime-local';
    case 'date':
      return 'date';
    default:
      return (column.maxLength ?? 0) > 100 ? 'textarea' : 'text';
  }
}

function stepOf(column: ColumnModel): string | undefined {
  if (column.kind === 'integer') return '1';
  if (column.kind === 'decimal' && column.jsonType === 'number') {
    const scale = column.sql.scale ?? 0;
    return scale === 0 ? '1' : `0.${'0'.repeat(scale - 1)}1`;
  }
  if (column.kind === 'float' || column.kind === 'double') return 'any';
  if (column.kind === 'timestamp' || column.kind === 'datetime') return '1';
  return undefined;
}

function rangeOf(column: ColumnModel): { min?: string; max?: string } {
  const rule = column.rule;
  if (rule.kind === 'integer') {
    // Past 2^53 a browser cannot check the bound exactly; the server does.
    const safe = (text: string) => (Number.isSafeInteger(Number(text)) ? text : undefined);
    return { min: safe(rule.min), max: safe(rule.max) };
  }
  if ((rule.kind === 'decimal' || rule.kind === 'float' || rule.kind === 'double') && rule.unsigned) return { min: '0' };
  return {};
}

/** The value the create form starts with: the create default, else the database default. */
function initialOf(column: ColumnModel): string {
  if (column.writeOnly || column.readOnly) return '';
  const value = column.jsonDefault !== undefined ? column.jsonDefault.value : column.sqlDefault.kind === 'literal' ? column.sqlDefault.value : null;
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (text.startsWith('0000-00-00')) return '';
  if (column.kind === 'decimal' && column.jsonType === 'number') return String(Number(text));
  if (column.kind === 'timestamp' || column.kind === 'datetime') return text.replace(' ', 'T');
  return text;
}

function helpOf(column: ColumnModel): string {
  const parts: string[] = [];
  if (column.description) parts.push(column.description);
  if (column.writeOnly) parts.push('Never shown: leave empty to keep the stored value.');
  if (column.kind === 'decimal') parts.push(`Up to ${column.sql.scale ?? 0} decimal places.`);
  if (column.kind === 'string' && column.choices === undefined && !column.writeOnly) parts.push(`Up to ${column.maxLength} characters.`);
  if (column.zeroDate) parts.push('Empty means no date (stored as 0000-00-00 00:00:00).');
  else if (column.jsonNullable && !column.writeOnly && column.choices === undefined) parts.push('Empty means NULL.');
  if (column.sqlDefault.kind === 'current_timestamp') parts.push('Empty on create means now.');
  return parts.join(' ');
}

function fieldOf(column: ColumnModel): Record<string, unknown> {
  const input = inputOf(column);
  return {
    name: column.name,
    label: column.title,
    help: helpOf(column),
    input,
    step: input === 'number' || input === 'datetime-local' ? stepOf(column) : undefined,
    ...(input === 'number' ? rangeOf(column) : {}),
    maxLength: column.kind === 'string' ? column.maxLength : undefined,
    required: column.requiredOnCreate,
    nullable: column.jsonNullable,
    readOnly: column.readOnly,
    writeOnly: column.writeOnly,
    choices: column.choices?.map((choice) => ({ value: String(choice.value), label: choice.label })),
    initial: initialOf(column),
    rule: new Code(`columns.${column.name}.rule`),
  };
}

function placeholderOf(column: ColumnModel): string {
  switch (column.kind) {
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
    default:
      return 'text';
  }
}

/**
 * A reference column with a text label is filtered by the referenced row's
 * label first (`?id_group__name__icontains=def`, a join the API builds from
 * the schema): people know a group by its name, not its id.
 */
function labelColumn(column: ColumnModel, models: readonly TableModel[]): ColumnModel | undefined {
  const reference = column.references;
  const target = reference && models.find((model) => model.resource === reference.resource);
  const label = target?.columns.find((candidate) => candidate.name === reference?.label);
  return label === undefined || label.kind !== 'string' || label.choices !== undefined ? undefined : label;
}

export function adminView(model: TableModel, models: readonly TableModel[] = [model]) {
  const byName = new Map(model.columns.map((column) => [column.name, column]));
  const filters = model.admin.filter
    .map((name) => byName.get(name)!)
    .filter((column) => column.operators.length > 0)
    .map((column) => ({ column, label: labelColumn(column, models) }))
    .map(({ column, label }) => ({
      name: column.name,
      label: column.title,
      // Through a reference, its label comes first: "name contains, any case", "name is".
      operators: [...(label ? [`${label.name}__icontains`, label.name] : []), ...filterOperators(column)],
      dates: isDateKind(column.kind) || undefined,
      reference: label?.title.toLowerCase(),
      choices: column.choices?.map((choice) => ({ value: String(choice.value), label: choice.label })),
      placeholder: label ? `${label.title.toLowerCase()}, or an id` : placeholderOf(column),
    }));
  return {
    resource: model.resource,
    typeName: model.typeName,
    valueName: model.valueName,
    pageLiteral: tsLiteral({
      resource: model.resource,
      title: model.title,
      plural: plural(model.title),
      description: model.description ?? '',
      primaryKey: model.primaryKey.name,
      list: model.admin.list,
      search: model.admin.search,
      filters,
      protectedRows: model.admin.protectedRows,
      fields: model.columns.map(fieldOf),
    }),
  };
}

export type AdminView = ReturnType<typeof adminView>;
