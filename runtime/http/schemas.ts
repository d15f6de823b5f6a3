/**
 * The JSON Schemas of one model's requests and responses, derived from its
 * column model once: the API validates and serialises with them, and the
 * admin panel validates its forms by exactly the same rules. Two keywords
 * are ours (runtime/http/validation.ts): `sqlValue`, the column's value
 * rule, and `readOnlyColumn`.
 */
import type { Column, Resource } from '../store/resource.js';

type Schema = Record<string, unknown>;

export interface ResourceSchemas {
  /** POST /api/<resource>/: required columns, keys chosen by the client, every writable column. */
  readonly create: Schema;
  /** PUT/PATCH: any subset of the writable columns; keys and read-only columns refused. */
  readonly update: Schema;
  /** One row as the API returns it. */
  readonly row: Schema;
}

/** The JSON types a body may send for each JSON type of column: numbers may come as numeric strings. */
const BODY_TYPES: Record<Column['json'], readonly string[]> = {
  integer: ['number', 'string'],
  number: ['number', 'string'],
  string: ['string'],
  array: ['array'],
  any: ['string', 'number', 'boolean', 'array', 'object'],
};

/** The schema of one column in a request body. */
function bodyProperty(column: Column, allowNull: boolean, writable: boolean): Schema {
  if (!writable) return { readOnlyColumn: true };
  const types = [...BODY_TYPES[column.json]];
  if (allowNull) types.push('null');
  const property: Schema = { type: types.length === 1 ? types[0] : types };
  if (column.spec.minLength !== undefined) property.minLength = column.spec.minLength;
  property.sqlValue = column.rule;
  if (column.spec.format === 'email') property.emailAddress = true;
  return property;
}

function responseProperty(column: Column): Schema {
  // A JSON column's value is any JSON; a SET's is its words.
  if (column.json === 'any') return {};
  if (column.json === 'array')
    return { type: column.nullable ? ['array', 'null'] : 'array', items: { type: 'string' } };
  // BIGINT values past 2^53 cannot be JSON numbers without losing digits: they travel as strings.
  const types: string[] = column.bigint ? ['integer', 'string'] : [column.json];
  if (column.nullable) types.push('null');
  return { type: types.length === 1 ? types[0] : types };
}

export function resourceSchemas(resource: Resource): ResourceSchemas {
  const create: Schema = {};
  const update: Schema = {};
  const required: string[] = [];
  for (const column of resource.columns) {
    const required_ = column.spec.required === true && !column.readOnly;
    if (required_) required.push(column.name);
    // Required on create, so null is not enough.
    create[column.name] = bodyProperty(column, column.nullable && !required_, !column.readOnly);
    update[column.name] = bodyProperty(column, column.nullable, !column.readOnly && !column.primaryKey);
  }
  const row = Object.fromEntries(
    resource.columns.filter((column) => !column.writeOnly).map((column) => [column.name, responseProperty(column)]),
  );
  return {
    create: { type: 'object', additionalProperties: false, required, properties: create },
    update: { type: 'object', additionalProperties: false, properties: update },
    row: { type: 'object', properties: row },
  };
}

/** `POST /api/<resource>/<key>/<column>`: add `delta` (negative to subtract), optionally never below `min_balance`. */
export function adjustmentSchema(column: Column): Schema {
  // A delta or a bound may be negative even where the column is unsigned.
  const rule = { ...column.rule, unsigned: false };
  return {
    type: 'object',
    additionalProperties: false,
    required: ['delta'],
    properties: {
      delta: { type: ['number', 'string'], sqlValue: rule },
      min_balance: { type: ['number', 'string'], sqlValue: rule },
      note: { type: 'string', maxLength: 1000 },
    },
  };
}
