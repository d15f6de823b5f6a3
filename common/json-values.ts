/**
 * How a column's value travels as JSON, decided by its value rule alone:
 * the generator documents and types it, the runtime validates, serialises
 * and decodes by the same decision.
 */
import type { ValueRule } from './value-rules.js';

/** Up to 15 significant digits survive a double exactly; wider decimals travel as text. */
export const MAX_EXACT_DECIMAL_PRECISION = 15;

export function jsonTypeOf(rule: ValueRule): 'integer' | 'number' | 'string' {
  switch (rule.kind) {
    case 'integer':
      return 'integer';
    case 'decimal':
      return rule.precision <= MAX_EXACT_DECIMAL_PRECISION ? 'number' : 'string';
    case 'float':
    case 'double':
      return 'number';
    default:
      return 'string';
  }
}

/** What turns the driver's value into the JSON value, where the value needs it. */
export type Decoder = 'decimalToNumber' | 'floatToNumber' | 'zeroDateToNull';

export function decoderOf(rule: ValueRule, zeroDate: boolean): Decoder | undefined {
  if (rule.kind === 'decimal' && rule.precision <= MAX_EXACT_DECIMAL_PRECISION) return 'decimalToNumber';
  if (rule.kind === 'float') return 'floatToNumber';
  if (zeroDate) return 'zeroDateToNull';
  return undefined;
}

/** Integers of this SQL type can pass 2^53: past it they travel as strings. */
export function isBigint(sqlType: string): boolean {
  return /^bigint\b/i.test(sqlType);
}
