/**
 * How a column's value travels as JSON, decided by its value rule alone:
 * the generator documents and types it, the runtime validates, serialises
 * and decodes by the same decision.
 */
import type { ValueRule } from './value-rules.js';

/** Up to 15 significant digits survive a double exactly; wider decimals travel as text. */
export const MAX_EXACT_DECIMAL_PRECISION = 15;

/** `array`: a SET's words; `any`: a JSON column's value, whatever its JSON type. */
export type JsonType = 'integer' | 'number' | 'string' | 'array' | 'any';

/** The JSON types a schema file lists for a JSON column (with "null" where it can be NULL). */
export const ANY_JSON_TYPES = ['array', 'boolean', 'number', 'object', 'string'] as const;

export function jsonTypeOf(rule: ValueRule): JsonType {
  switch (rule.kind) {
    case 'integer':
    case 'year':
      return 'integer';
    case 'decimal':
      return rule.precision <= MAX_EXACT_DECIMAL_PRECISION ? 'number' : 'string';
    case 'float':
    case 'double':
      return 'number';
    case 'set':
      return 'array';
    case 'json':
      return 'any';
    default:
      return 'string';
  }
}

/** What turns the driver's value into the JSON value, where the value needs it. */
export type Decoder =
  | 'decimalToNumber'
  | 'floatToNumber'
  | 'zeroDateToNull'
  | 'bitsToInteger'
  | 'bytesToBase64'
  | 'setToArray'
  | 'parseJson'
  | 'trimFraction';

export function decoderOf(rule: ValueRule, zeroDate: boolean): Decoder | undefined {
  if (rule.kind === 'decimal' && rule.precision <= MAX_EXACT_DECIMAL_PRECISION) return 'decimalToNumber';
  if (rule.kind === 'float') return 'floatToNumber';
  if (zeroDate) return 'zeroDateToNull';
  if (rule.kind === 'integer' && rule.bit) return 'bitsToInteger';
  if (rule.kind === 'binary') return 'bytesToBase64';
  if (rule.kind === 'set') return 'setToArray';
  if (rule.kind === 'json') return 'parseJson';
  if ((rule.kind === 'datetime' || rule.kind === 'timestamp') && (rule.fraction ?? 0) > 0) return 'trimFraction';
  return undefined;
}

/** Integers of this SQL type can pass 2^53: past it they travel as strings. */
export function isBigint(sqlType: string): boolean {
  return /^bigint\b/i.test(sqlType) || Number(/^bit\((\d+)\)/i.exec(sqlType)?.[1] ?? 0) > 53;
}
