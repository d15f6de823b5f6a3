/**
 * How one part of a key in a URL becomes the value to bind: checked against
 * the key column's rule, or undefined when it cannot name a row (a 404).
 * Built once per key column, since every GET, PUT and DELETE of one row
 * parses its key.
 */
import { checkValue, type ValueRule } from '../../common/value-rules.js';
import type { SqlValue } from '../db/db.js';

export type KeyPartParser = (text: string) => SqlValue | undefined;

/** Integer keys in a URL are positive whole numbers, as the old API had them; anything else names no row. */
const POSITIVE_INTEGER = /^[1-9][0-9]{0,19}$/;
/** Up to 15 digits a double holds exactly. */
const EXACT_DIGITS = 15;

export function keyPartParser(rule: ValueRule): KeyPartParser {
  const checked: KeyPartParser = (text) => {
    const result = checkValue(rule, text);
    return result.ok ? result.value : undefined;
  };
  if (rule.kind !== 'integer') return checked;
  const min = Number(rule.min);
  const max = Number(rule.max);
  // Bounds past 2^53 (BIGINT UNSIGNED) are compared exactly, by the general rule.
  const numericBounds = Number.isSafeInteger(min) && Number.isSafeInteger(max);
  return (text) => {
    if (!POSITIVE_INTEGER.test(text)) return undefined;
    if (!numericBounds || text.length > EXACT_DIGITS) return checked(text);
    const value = Number(text);
    return value >= min && value <= max ? value : undefined;
  };
}
