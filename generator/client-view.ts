/**
 * What templates/client.ts.hbs prints: the typed client's row, input, patch,
 * filter and key types of every model, derived from the same column model as
 * types.ts (row types are the column's `tsType`; request values are the same
 * JSON type, with decimals also taken as exact strings, as the API takes
 * them), and the operator sets of common/operators.ts that the runtime
 * accepts per column.
 */
import { COMPARISON_OPERATORS, LIST_OPERATORS, OPERATORS, TEXT_OPERATORS } from '../common/operators.js';
import { tsTypeOf } from './column-facts.js';
import { ModelError, type ColumnModel, type TableModel } from './table-model.js';
import { doc } from './views.js';

/** Names the client's fixed part declares: a model's types must not take them. */
const FIXED_NAMES = [
  'Auth',
  'ApiError',
  'Client',
  'ClientOptions',
  'Ordering',
  'ComparisonOperator',
  'ErrorCode',
  'FetchInit',
  'FetchLike',
  'FieldFilter',
  'FieldProblem',
  'GetOptions',
  'HttpCall',
  'HttpSend',
  'FilterOperator',
  'ListOperator',
  'ListPage',
  'ListQuery',
  'ListResource',
  'OperatorValue',
  'ReadResource',
  'RequestOptions',
  'Selected',
  'ResponseLike',
  'Result',
  'PatternOperator',
  'WriteResource',
  'Adjustment',
  'Adjusted',
  'AdjustOptions',
  'WriteOptions',
  'BulkOptions',
];

function union(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(' | ');
}

/** A value of the column in a request (body, filter, key): its JSON type; a decimal also as exact text. */
function requestType(column: ColumnModel): string {
  const base = tsTypeOf(column.jsonType, false);
  return column.kind === 'decimal' && base === 'number' ? 'number | string' : base;
}

/** A set of operators as a union, by the groups it holds whole (`ComparisonOperator | 'is_null'`). */
function compactUnion(operators: readonly string[]): string {
  const parts: string[] = [];
  let rest = [...operators];
  for (const [name, group] of [
    ['ComparisonOperator', COMPARISON_OPERATORS],
    ['PatternOperator', TEXT_OPERATORS],
  ] as const) {
    if (!group.every((operator) => rest.includes(operator))) continue;
    parts.push(name);
    rest = rest.filter((operator) => !(group as readonly string[]).includes(operator));
  }
  return [...parts, ...rest.map((operator) => `'${operator}'`)].join(' | ');
}

/** The name of a set of operators, from what it holds; sets that would share a name are numbered. */
function operatorSetName(operators: readonly string[]): string {
  const has = (operator: string) => operators.includes(operator);
  // Text: comparisons and patterns; Comparison: ordered values; Set: a SET's words; Equality: ENUM words, bytes.
  const kind = has('like') ? 'Text' : has('lt') ? 'Comparison' : has('has') ? 'Set' : 'Equality';
  return `${has('is_null') ? 'Nullable' : ''}${kind}Operator`;
}

export function clientView(models: TableModel[]) {
  // The distinct operator sets of every filterable column, each a named union.
  const operatorSets = new Map<string, string>();
  const setNames = new Set<string>(FIXED_NAMES);
  const operatorSetOf = (operators: readonly string[]): string => {
    const members = compactUnion(operators);
    if (members === 'ComparisonOperator') return 'ComparisonOperator';
    let name = operatorSets.get(members);
    if (name === undefined) {
      const base = operatorSetName(operators);
      name = base;
      for (let number = 2; setNames.has(name); number++) name = `${base}${number}`;
      setNames.add(name);
      operatorSets.set(members, name);
    }
    return name;
  };
  const byResource = new Map(models.map((model) => [model.resource, model]));

  const tables = models.map((model) => {
    const { typeName } = model;
    const readable = model.columns.filter((column) => !column.writeOnly);
    const writable = model.columns.filter((column) => !column.readOnly);
    // The key rows are addressed by: the primary key, a NOT NULL unique key standing in for it, or none.
    const key = model.key;
    const keyTuple = `readonly [${key.map((column) => `${column.name}: ${requestType(column)}`).join(', ')}]`;
    return {
      resource: model.resource,
      table: model.table,
      title: model.title,
      typeName,
      readOnly: model.readOnly,
      // Rows without a key have no URL of their own: the model is listed only.
      keyed: key.length > 0,
      keyNames: key.length > 0 ? union(key.map((column) => column.name)) : 'never',
      keyList: key.map((column) => column.name).join(', '),
      // A key of one column may also be given bare: card.get(7).
      keyType: key.length === 1 ? `${requestType(key[0]!)} | ${keyTuple}` : keyTuple,
      row: readable.map((column) => ({ name: column.name, doc: doc(column), tsType: column.tsType })),
      create: writable.map((column) => ({
        name: column.name,
        doc: doc(column),
        optional: !column.requiredOnCreate,
        // Required on create, so null is not enough (runtime/http/schemas.ts).
        tsType: `${requestType(column)}${column.jsonNullable && !column.requiredOnCreate ? ' | null' : ''}`,
      })),
      // An update never changes the key.
      patch: writable
        .filter((column) => !column.primaryKey)
        .map((column) => ({
          name: column.name,
          doc: doc(column),
          tsType: `${requestType(column)}${column.jsonNullable ? ' | null' : ''}`,
        })),
      filters: model.columns
        .filter((column) => column.operators.length > 0)
        .map((column) => {
          const target = column.references && byResource.get(column.references.resource);
          return {
            name: column.name,
            doc: doc(column),
            valueType: requestType(column),
            operators: operatorSetOf(column.operators),
            // A reference is followed by naming the target's fields: id_group: { name: 'DEFAULT' }.
            via: target && `Omit<${target.typeName}Filters, FilterOperator>`,
          };
        }),
      adjustments: model.adjustments.map((column) => ({
        name: column.name,
        fn: `adjust${column.name.charAt(0).toUpperCase()}${column.name.slice(1)}`,
      })),
    };
  });

  checkNames(models, [...operatorSets.values()]);
  return {
    operators: union(OPERATORS),
    operatorList: OPERATORS.map((operator) => `'${operator}'`).join(', '),
    comparisonOperators: union(COMPARISON_OPERATORS),
    patternOperators: union(TEXT_OPERATORS),
    listOperators: union([...LIST_OPERATORS]),
    listOperatorList: [...LIST_OPERATORS].map((operator) => `'${operator}'`).join(', '),
    operatorSets: [...operatorSets].map(([members, name]) => ({ name, members })),
    // Only what is used is declared: a caller's noUnusedLocals must hold for any set of models.
    anyKeyed: models.some((model) => model.key.length > 0),
    anyWritable: models.some((model) => !model.readOnly),
    anyAdjustments: models.some((model) => model.adjustments.length > 0),
    tables,
  };
}

export type ClientView = ReturnType<typeof clientView>;

/**
 * Every type name the client declares is declared once. A model's names all end in one of these suffixes, none
 * of which ends another, and no fixed name is a suffix alone: so a table named `result` or `client` is
 * `ResultRow`, `ClientClient`, and this check is a guard for fixed names yet to come.
 */
const MODEL_SUFFIXES = ['Row', 'Create', 'Patch', 'Filters', 'Key', 'Client'];

function checkNames(models: TableModel[], operatorSets: string[]): void {
  const seen = new Map<string, string>([...FIXED_NAMES, ...operatorSets].map((name) => [name, 'the client itself']));
  for (const model of models) {
    const names = MODEL_SUFFIXES.map((suffix) => model.typeName + suffix);
    for (const name of names) {
      const other = seen.get(name);
      if (other !== undefined)
        throw new ModelError(model.source, '/title', `the client's type ${name} is also declared by ${other}`);
      seen.set(name, model.source);
    }
  }
}
