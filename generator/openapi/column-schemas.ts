/**
 * The JSON Schema of one column as the OpenAPI document shows it: in a row
 * the service returns, in a create or update body, and as a filter value.
 * Types, limits and wording follow the same model decisions as the
 * generated route schemas, so the document describes what the service checks.
 */
import { FLOAT_MAX, TIMESTAMP_MAX, TIMESTAMP_MIN } from '../../common/value-rules.js';
import { ANY_JSON_TYPES } from '../../common/json-values.js';
import { setWords } from '../../common/word-values.js';
import type { ColumnModel } from '../model.js';

export type JsonObject = Record<string, unknown>;

/** TIMESTAMP's range, in UTC (the runtime refuses values outside it). */
const TIMESTAMP_RANGE = `${TIMESTAMP_MIN} … ${TIMESTAMP_MAX} UTC`;
/** As the runtime's error message prints it: 3.402823466e38. */
const FLOAT_LIMIT = FLOAT_MAX.toExponential().replace('+', '');
const DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2})?)?$';
const FRACTIONAL_DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?)?$';
const TIME_PATTERN = '^-?\\d{1,3}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?$';
const BASE64_PATTERN = '^[A-Za-z0-9+/]*={0,2}$';
const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const INTEGER_PATTERN = '^[+-]?\\d+$';
const DECIMAL_PATTERN = '^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?$';
const DATE_TIME_EXAMPLE = '2024-01-31 12:00:00';
const DATE_EXAMPLE = '2024-01-31';

/** Joins sentences, skipping empty ones; each ends with a full stop. */
export function sentences(...parts: (string | undefined | false)[]): string {
  return parts
    .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
    .map((part) => part.trim().replace(/([^.!?])$/, '$1.'))
    .join(' ');
}

function withNull(types: string[], nullable: boolean): string | string[] {
  const all = nullable ? [...types, 'null'] : types;
  return all.length === 1 ? all[0]! : all;
}

function safeNumber(text: string): number | undefined {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function isBigint(column: ColumnModel): boolean {
  return column.sql.base === 'bigint' || (column.sql.base === 'bit' && (column.sql.length ?? 1) > 53);
}

function sqlTypeName(column: ColumnModel): string {
  return column.sql.text.toUpperCase();
}

/** "Labelled values: 0 = CANCELLED, 1 = ACTIVE." */
function choicesText(column: ColumnModel): string | undefined {
  if (!column.choices || column.choices.length === 0) return undefined;
  return `Labelled values: ${column.choices.map((choice) => `${JSON.stringify(choice.value)} = ${choice.label}`).join(', ')}`;
}

function baseDescription(column: ColumnModel): string | undefined {
  const reference =
    column.references && `Refers to a ${column.references.resource}: /api/${column.references.resource}/{id}/`;
  return sentences(column.description, reference) || undefined;
}

/** What a returned value looks like, beyond its JSON type. */
function rowNote(column: ColumnModel): string | undefined {
  switch (column.kind) {
    case 'integer':
      return isBigint(column)
        ? 'BIGINT: a JSON number up to 2^53 - 1, a string of digits beyond it, so no digit is lost'
        : undefined;
    case 'decimal':
      return column.jsonType === 'number'
        ? `${sqlTypeName(column)}: exact as a JSON number, at most ${column.sql.scale ?? 0} decimals`
        : `${sqlTypeName(column)}, as a string: too wide for an exact JSON number`;
    case 'float':
      return 'FLOAT, as MySQL shows it (0.1, not 0.10000000149011612)';
    case 'timestamp':
    case 'datetime':
      return sentences(
        '"YYYY-MM-DD HH:MM:SS", without "T" or time zone',
        column.zeroDate && 'null stands for the zero date 0000-00-00 00:00:00',
      );
    case 'date':
      return sentences('"YYYY-MM-DD"', column.zeroDate && 'null stands for the zero date 0000-00-00');
    default:
      return KIND_NOTES[column.kind];
  }
}

/** What a value of the newer kinds is, returned or sent alike. */
const KIND_NOTES: Partial<Record<ColumnModel['kind'], string>> = {
  time: 'TIME: "[-]HH:MM:SS[.ffffff]" from -838:59:59 to 838:59:59 (a duration, not only a time of day); a fraction is written without trailing zeros',
  year: 'YEAR: 1901 … 2155, or 0',
  binary: 'Bytes, base64-encoded',
  enum: 'One of the listed words',
  set: "Some of the listed words, each at most once, in the column's order",
  json: 'Any JSON value, returned as the same JSON value (not as a string of JSON); null is SQL NULL',
  geometry: 'Well-known text (WKT) as MySQL prints it, e.g. "POINT(1 2)"; no EMPTY, no Z or M coordinates',
};

function fractionNote(fraction: number | undefined): string | undefined {
  return fraction
    ? `Up to ${fraction} digits of fractional seconds (".123"), returned without trailing zeros`
    : undefined;
}

/** What a request body may send, beyond its JSON type. */
function inputNote(column: ColumnModel): string | undefined {
  const rule = column.rule;
  switch (rule.kind) {
    case 'integer':
      // The range and "a number or a string of digits" are the schema's minimum, maximum, type and pattern.
      return isBigint(column) ? 'Send values past 2^53 as strings' : undefined;
    case 'decimal': {
      const integerDigits = rule.precision - rule.scale;
      return sentences(
        `${sqlTypeName(column)}: ${column.jsonType === 'number' ? 'a JSON number or a numeric string' : 'a numeric string'} with at most ${integerDigits} digits before the point and ${rule.scale} after it (scale ${rule.scale})`,
        'More decimals than the scale are refused with a 400, never rounded',
        rule.unsigned && 'Must not be negative',
      );
    }
    case 'float':
      return sentences(
        `FLOAT (single precision): a JSON number or a numeric string within ±${FLOAT_LIMIT}`,
        rule.unsigned && 'Must not be negative',
      );
    case 'double':
      return sentences('DOUBLE: a JSON number or a numeric string', rule.unsigned && 'Must not be negative');
    case 'string':
      // The length is maxLength; the utf8 rule is stated once for the whole body (bodyNotes).
      return undefined;
    case 'timestamp':
      return sentences(
        `"YYYY-MM-DD HH:MM:SS" (a "T" separator, missing seconds or a date alone are accepted), within TIMESTAMP's range ${TIMESTAMP_RANGE}`,
        fractionNote(rule.fraction),
        column.zeroDate && 'null stores the zero date 0000-00-00 00:00:00, which reads back as null',
      );
    case 'datetime':
      return sentences(
        '"YYYY-MM-DD HH:MM:SS" (a "T" separator, missing seconds or a date alone are accepted)',
        fractionNote(rule.fraction),
        column.zeroDate && 'null stores the zero date 0000-00-00 00:00:00, which reads back as null',
      );
    case 'date':
      return sentences(
        '"YYYY-MM-DD"',
        column.zeroDate && 'null stores the zero date 0000-00-00, which reads back as null',
      );
    case 'binary':
      return sentences(
        `Bytes, base64-encoded (standard alphabet, with padding): at most ${rule.maxBytes} bytes once decoded`,
        rule.fixed && `Shorter values are padded with zero bytes to ${rule.maxBytes}, as BINARY stores them`,
      );
    case 'time':
      return sentences(
        KIND_NOTES.time,
        rule.fraction > 0 ? `At most ${rule.fraction} digits of fractional seconds` : 'No fractional seconds',
      );
    default:
      return KIND_NOTES[rule.kind];
  }
}

/** The limits of a value, as JSON Schema keywords (only what a JSON number can state exactly). */
function valueKeywords(column: ColumnModel, use: 'input' | 'filter'): JsonObject {
  const rule = column.rule;
  switch (rule.kind) {
    case 'integer': {
      const minimum = safeNumber(rule.min);
      const maximum = safeNumber(rule.max);
      return {
        // Past 2^53 a JSON number cannot state BIGINT's bounds exactly: int64 says it instead.
        ...(isBigint(column) && { format: 'int64' }),
        ...(minimum !== undefined && { minimum }),
        ...(maximum !== undefined && { maximum }),
        ...(use === 'input' && { pattern: INTEGER_PATTERN }),
      };
    }
    case 'decimal':
      return {
        ...(rule.unsigned && column.jsonType === 'number' && { minimum: 0 }),
        ...((use === 'input' || column.jsonType === 'string') && { pattern: DECIMAL_PATTERN }),
        ...(column.jsonType === 'string' && { examples: ['1'] }),
      };
    case 'float':
    case 'double':
      return {
        ...(rule.unsigned && { minimum: 0 }),
        ...(use === 'input' && { pattern: DECIMAL_PATTERN }),
      };
    case 'string':
      return use === 'input'
        ? { ...(column.minLength !== undefined && { minLength: column.minLength }), maxLength: rule.maxLength }
        : {};
    case 'year':
      return { minimum: 0, maximum: 2155 };
    case 'time':
      return { pattern: TIME_PATTERN, examples: ['12:30:00'] };
    case 'binary':
      return {
        contentEncoding: 'base64',
        pattern: BASE64_PATTERN,
        ...(use === 'input' && { maxLength: 4 * Math.ceil(rule.maxBytes / 3) }),
      };
    case 'enum':
      return { enum: column.jsonNullable && use === 'input' ? [...rule.values, null] : [...rule.values] };
    case 'set':
      // A filter's `eq` takes the words comma-separated, `has` one word.
      return use === 'input' ? { items: { type: 'string', enum: [...rule.values] }, uniqueItems: true } : {};
    case 'json':
      return {};
    case 'geometry':
      return { examples: [GEOMETRY_EXAMPLES[rule.shape] ?? 'POINT(1 2)'] };
    case 'date':
      return { pattern: DATE_PATTERN, examples: [DATE_EXAMPLE] };
    default:
      return {
        pattern: rule.fraction ? FRACTIONAL_DATE_TIME_PATTERN : DATE_TIME_PATTERN,
        examples: [DATE_TIME_EXAMPLE],
      };
  }
}

const GEOMETRY_EXAMPLES: Record<string, string> = {
  linestring: 'LINESTRING(0 0,1 1)',
  polygon: 'POLYGON((0 0,1 0,1 1,0 0))',
  multipoint: 'MULTIPOINT(0 0,1 1)',
  multilinestring: 'MULTILINESTRING((0 0,1 1))',
  multipolygon: 'MULTIPOLYGON(((0 0,1 0,1 1,0 0)))',
  geometrycollection: 'GEOMETRYCOLLECTION(POINT(1 2))',
};

/** JSON types a request body may use: numbers may also come as numeric strings. */
function inputTypes(column: ColumnModel): string[] {
  if (column.jsonType === 'any') return [...ANY_JSON_TYPES];
  if (column.jsonType === 'array') return ['array'];
  if (column.jsonType === 'string') return ['string'];
  return [column.jsonType === 'integer' ? 'integer' : 'number', 'string'];
}

/** The column in a row the service returns. */
export function rowSchema(column: ColumnModel): JsonObject {
  // BIGINT values past 2^53 travel as strings, as the generated response schema allows.
  const types = isBigint(column)
    ? ['integer', 'string']
    : column.jsonType === 'any'
      ? [...ANY_JSON_TYPES]
      : [column.jsonType];
  return {
    type: withNull(types, column.jsonNullable),
    title: column.title,
    ...describe(
      baseDescription(column),
      choicesText(column),
      rowNote(column),
      column.readOnly && 'Read-only: set by the database',
    ),
    ...(column.readOnly && { readOnly: true }),
    ...(column.kind === 'string' && column.maxLength !== undefined && { maxLength: column.maxLength }),
    ...(column.format !== undefined && { format: column.format }),
    ...rowKeywords(column),
    ...choicesExtension(column),
  };
}

/** What a returned value of the newer kinds promises beyond its type. */
function rowKeywords(column: ColumnModel): JsonObject {
  const rule = column.rule;
  if (rule.kind === 'binary') return { contentEncoding: 'base64' };
  if (rule.kind === 'enum') return { enum: column.jsonNullable ? [...rule.values, null] : [...rule.values] };
  if (rule.kind === 'set') return { items: { type: 'string', enum: [...rule.values] }, uniqueItems: true };
  return {};
}

/**
 * The column in a request body. On create, a required column never accepts
 * null, and a column left out gets its default.
 */
export function inputSchema(column: ColumnModel, use: 'create' | 'update'): JsonObject {
  const nullable = column.jsonNullable && !(use === 'create' && column.requiredOnCreate);
  const fallback = use === 'create' ? createDefault(column) : undefined;
  return {
    type: withNull(inputTypes(column), nullable),
    title: column.title,
    ...describe(
      baseDescription(column),
      choicesText(column),
      inputNote(column),
      column.writeOnly && 'Write-only: stored, but never returned, filtered, sorted or exported',
      fallback?.text,
    ),
    ...(column.writeOnly && { writeOnly: true }),
    ...valueKeywords(column, 'input'),
    ...(fallback && 'value' in fallback && { default: fallback.value }),
    ...choicesExtension(column),
  };
}

/** What holds for every field of a request body, said once instead of per field. */
export function bodyNotes(columns: ColumnModel[]): string {
  const utf8 = columns.some((column) => column.rule.kind === 'string' && column.rule.utf8mb3);
  return sentences(
    'Numeric fields also accept numeric strings',
    utf8 &&
      'Text fields are utf8 columns: 4-byte UTF-8 characters (emoji and anything else outside the Basic Multilingual Plane) are refused with a 400, never truncated',
  );
}

/** One value of a filter on the column, as a query parameter carries it. */
export function filterValueSchema(column: ColumnModel): JsonObject {
  // Filters compare, they do not store: no length limit, no TIMESTAMP range. A SET's words come comma-separated.
  const type = column.jsonType === 'array' || column.jsonType === 'any' ? 'string' : column.jsonType;
  return { type, ...valueKeywords(column, 'filter') };
}

function describe(...parts: (string | undefined | false)[]): { description?: string } {
  const text = sentences(...parts);
  return text ? { description: text } : {};
}

function choicesExtension(column: ColumnModel): JsonObject {
  return column.choices && column.choices.length > 0
    ? { 'x-choices': column.choices.map(({ value, label }) => ({ value, label })) }
    : {};
}

/** What a create request that leaves the column out stores, as the database or the schema defines it. */
function createDefault(column: ColumnModel): { value: unknown; text?: string } | { text: string } | undefined {
  if (column.jsonDefault !== undefined) return { value: column.jsonDefault.value };
  const sqlDefault = column.sqlDefault;
  switch (sqlDefault.kind) {
    case 'none':
      return undefined;
    case 'null':
      return { value: null };
    case 'current_timestamp':
      return { text: 'Defaults to the current time' };
    case 'literal': {
      if (column.zeroDate && sqlDefault.value.startsWith('0000-00-00')) return { value: null };
      if (column.rule.kind === 'set') return { value: setWords(sqlDefault.value) };
      if (column.jsonType === 'any' || column.kind === 'binary' || column.kind === 'geometry') return undefined;
      if (column.jsonType === 'string') return { value: sqlDefault.value };
      const number = Number(sqlDefault.value);
      if (!Number.isFinite(number)) return undefined;
      if (column.kind === 'integer' && !Number.isSafeInteger(number)) return { value: sqlDefault.value };
      return { value: number };
    }
  }
}
