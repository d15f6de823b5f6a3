/**
 * The ajv instance that validates request bodies. Generated body schemas use
 * two keywords of ours: `sqlValue` (the column's value rule, which also
 * normalises the value to what is bound in SQL) and `readOnlyColumn`.
 * Unlike Fastify's default, nothing is coerced and nothing is silently
 * removed: an unknown field is an error.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types/index.js';
import { checkValue, type ValueRule } from '../../common/value-rules.js';
import { didYouMean } from '../store/did-you-mean.js';
import type { FieldProblem } from './errors.js';

/** One @, no spaces, a dot in the domain: what a mail server could deliver to, not RFC 5322 in full. */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

export function createBodyValidator(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    coerceTypes: false,
    useDefaults: false,
    allowUnionTypes: true,
    verbose: true,
    strict: true,
  });
  ajv.addKeyword({
    keyword: 'sqlValue',
    // For every type at once: a keyword with types runs once per type group, and would see its own output
    // (a SET's array turned text, bytes turned a Buffer) as the next group's input.
    modifying: true,
    errors: true,
    schemaType: 'object',
    validate: function sqlValue(rule: ValueRule, data: unknown, _parentSchema, context): boolean {
      // null is the property's type's to admit or refuse.
      if (data === null) return true;
      const checked = checkValue(rule, data);
      if (!checked.ok) {
        (sqlValue as unknown as ValidateFunction).errors = [
          { keyword: 'sqlValue', message: checked.message, params: {} } as unknown as ErrorObject,
        ];
        return false;
      }
      if (context?.parentData !== undefined)
        (context.parentData as Record<string, unknown>)[context.parentDataProperty] = checked.value;
      return true;
    },
  });
  ajv.addKeyword({
    keyword: 'emailAddress',
    type: 'string',
    schemaType: 'boolean',
    errors: true,
    validate: function emailAddress(_schema: boolean, data: string): boolean {
      // Empty is "no address", as A2Billing stores it; anything else has one @ and a dotted domain.
      if (data === '' || EMAIL.test(data)) return true;
      (emailAddress as unknown as ValidateFunction).errors = [
        {
          keyword: 'emailAddress',
          message: 'is not an email address (name@example.com)',
          params: {},
        } as unknown as ErrorObject,
      ];
      return false;
    },
  });
  ajv.addKeyword({
    keyword: 'readOnlyColumn',
    schemaType: 'boolean',
    errors: true,
    validate: function readOnlyColumn(): boolean {
      (readOnlyColumn as unknown as ValidateFunction).errors = [
        { keyword: 'readOnlyColumn', message: 'is read-only and cannot be set', params: {} } as unknown as ErrorObject,
      ];
      return false;
    },
  });
  return ajv;
}

/** A validator as Fastify and the admin forms call it: true, or false with `errors` set. */
export interface LazyValidateFunction {
  (data: unknown, context?: DataValidationCxt): boolean;
  errors?: ErrorObject[] | null;
  /** Set so that Fastify passes the data's parent (which ajv needs to normalise a root value), as it does to ajv's own functions. */
  schemaEnv: true;
}

/**
 * Compiles `schema` when it first validates something rather than at
 * startup: ajv takes 3–130 ms per body schema (card's is the largest),
 * ~0.5 s for every model's, and most processes never see a write to most models. The generated schemas are
 * compiled by the tests, so a broken one cannot wait for production to show.
 */
export function compileLazily(ajv: Ajv, schema: object): LazyValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = (data: unknown, context?: DataValidationCxt): boolean => {
    compiled ??= ajv.compile(schema);
    const valid = compiled(data, context);
    validate.errors = compiled.errors;
    return valid;
  };
  validate.errors = undefined as ErrorObject[] | null | undefined;
  validate.schemaEnv = true as const;
  return validate;
}

/** What a value of each kind must look like, in words. */
const EXPECTED: Record<ValueRule['kind'], string> = {
  integer: 'must be a whole number',
  decimal: 'must be a decimal number',
  float: 'must be a number',
  double: 'must be a number',
  string: 'must be a string',
  timestamp: 'must be a date and time "YYYY-MM-DD HH:MM:SS"',
  datetime: 'must be a date and time "YYYY-MM-DD HH:MM:SS"',
  date: 'must be a date "YYYY-MM-DD"',
  time: 'must be a time "HH:MM:SS"',
  year: 'must be a year',
  binary: 'must be a base64 string',
  enum: 'must be one of the words',
  set: 'must be an array of words',
  json: 'must be a JSON value',
  geometry: 'must be well-known text (WKT)',
};

/** Turns ajv's errors into one problem per field, in words a client can act on. */
export function bodyProblems(errors: readonly ErrorObject[]): FieldProblem[] {
  return firstBodyProblems(errors, Number.POSITIVE_INFINITY).fields;
}

/** How many fields an error answer names; the rest are counted. */
export const LISTED_PROBLEMS = 20;

/**
 * The problems of the first `limit` fields, and how many other fields have
 * one. A body of a hundred thousand unknown keys is answered with twenty
 * of them and a count, and the others cost no hint (each hint compares the
 * name with every field of the model).
 */
export function firstBodyProblems(
  errors: readonly ErrorObject[],
  limit = LISTED_PROBLEMS,
): { fields: FieldProblem[]; more: number } {
  const problems = new Map<string, FieldProblem>();
  const others = new Set<string>();
  for (const error of errors) {
    // A bulk body's `if` says only that its `then` failed; the errors of the rows themselves follow.
    if (error.keyword === 'if') continue;
    const field = fieldOf(error);
    if (problems.has(field)) continue;
    if (problems.size < limit) problems.set(field, describe(error, field));
    else others.add(field);
  }
  return { fields: [...problems.values()], more: others.size };
}

/**
 * The field an error is about: the property missing or unknown, else where
 * in the body it is; in a bulk body, with its row first (`[3].credit`).
 */
function fieldOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  // Only a bulk body is an array, and column names never start with a digit: a leading number in the
  // path is a row. A key named in the error (an unknown "1000") is a name, whatever it looks like.
  const row = path.length > 0 && /^\d+$/.test(path[0]!) ? path.shift() : undefined;
  if (error.keyword === 'required') path.push(String(params.missingProperty));
  else if (error.keyword === 'additionalProperties') path.push(String(params.additionalProperty));
  const field = path.join('.');
  if (row === undefined) return field || 'body';
  return `[${row}]${field ? `.${field}` : ''}`;
}

function describe(error: ErrorObject, field: string): FieldProblem {
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as {
    sqlValue?: ValueRule;
    properties?: Record<string, { readOnlyColumn?: boolean }>;
    type?: unknown;
  };
  switch (error.keyword) {
    case 'required':
      return { field, message: 'is required' };
    case 'additionalProperties': {
      const writable = Object.entries(parent.properties ?? {})
        .filter(([, schema]) => !schema.readOnlyColumn)
        .map(([key]) => key);
      return { field, message: 'is not a known field', hint: didYouMean(field.replace(/^\[\d+\]\./, ''), writable) };
    }
    case 'type': {
      if (field === 'body' || /^\[\d+\]$/.test(field)) return { field, message: 'must be a JSON object' };
      const nullable = Array.isArray(parent.type) && parent.type.includes('null');
      const expected = parent.sqlValue ? EXPECTED[parent.sqlValue.kind] : `must be ${String(params.type)}`;
      return { field, message: `${expected}${nullable ? ' or null' : ''}` };
    }
    case 'minLength':
      return {
        field,
        message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`,
      };
    case 'minItems':
      return { field, message: 'must list at least one row' };
    case 'maxLength':
      return { field, message: `is longer than ${String(params.limit)} characters` };
    default:
      return { field, message: error.message ?? 'is invalid' };
  }
}
