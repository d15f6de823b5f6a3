/**
 * TIME, YEAR and fractional seconds: the checks of common/value-rules.ts for
 * MySQL's time types, and the one text form both databases store and return.
 * A fraction is written without trailing zeros (10:00:00.5, not 10:00:00.500000),
 * as mysql2 prints TIME values, so stored text compares in time order.
 */
import type { Checked } from './checked.js';

/** TIME's range: -838:59:59 … 838:59:59, in seconds. */
export const TIME_LIMIT_SECONDS = 838 * 3600 + 59 * 60 + 59;

/** YEAR holds 1901 … 2155, and 0 (printed 0000). */
export const YEAR_MIN = 1901;
export const YEAR_MAX = 2155;

/**
 * The fraction as stored: "" when it is zero, else "." and its digits without
 * trailing zeros; undefined when it has more significant digits than the column keeps.
 */
export function fractionOf(digits: string, allowed: number): string | undefined {
  const significant = digits.replace(/0+$/, '');
  if (significant.length > allowed) return undefined;
  return significant === '' ? '' : `.${significant}`;
}

/** "[-]H…H:MM:SS[.f…]", within ±838:59:59; minutes and seconds below 60. */
export function checkTime(rule: { fraction: number }, value: unknown): Checked {
  const expected = `must be a time "HH:MM:SS${rule.fraction > 0 ? `[.${'f'.repeat(rule.fraction)}]` : ''}" between -838:59:59 and 838:59:59`;
  if (typeof value !== 'string') return { ok: false, message: expected };
  const match = /^(-?)(\d{1,3}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(value.trim());
  if (!match) return { ok: false, message: expected };
  const [, sign = '', hours = '0', minutes = '00', seconds = '00', digits = ''] = match;
  if (Number(minutes) > 59 || Number(seconds) > 59)
    return { ok: false, message: `${expected}; minutes and seconds up to 59` };
  const fraction = fractionOf(digits, rule.fraction);
  if (fraction === undefined)
    return { ok: false, message: `has more than ${rule.fraction} digits of fractional seconds` };
  const whole = Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  if (whole > TIME_LIMIT_SECONDS || (whole === TIME_LIMIT_SECONDS && fraction !== ''))
    return { ok: false, message: 'is out of range: TIME holds -838:59:59 … 838:59:59' };
  const negative = sign === '-' && (whole > 0 || fraction !== '');
  return {
    ok: true,
    value: `${negative ? '-' : ''}${hours.replace(/^0+(?=\d\d)/, '').padStart(2, '0')}:${minutes}:${seconds}${fraction}`,
  };
}

/** A four-digit year, 1901 … 2155, or 0: never MySQL's two-digit shorthand (69 → 2069). */
export function checkYear(value: unknown): Checked {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !/^\d{1,4}$/.test(text)) return { ok: false, message: 'must be a year (a whole number)' };
  const year = Number(text);
  if (year !== 0 && (year < YEAR_MIN || year > YEAR_MAX))
    return { ok: false, message: `must be a year between ${YEAR_MIN} and ${YEAR_MAX}, or 0` };
  return { ok: true, value: year };
}
