/**
 * Turns values as the drivers return them into the JSON the API promises.
 * The generator names one of these per column that needs it; every other
 * column is passed through untouched.
 */
import { ZERO_DATE, ZERO_DAY } from '../../common/value-rules.js';

/** DECIMAL(p ≤ 15): mysql2 returns "5.00000"; a double holds it exactly. */
export function decimalToNumber(value: unknown): unknown {
  return typeof value === 'string' ? Number(value) : value;
}

/**
 * FLOAT: the binary protocol returns the single-precision value widened to a
 * double (0.10000000149011612); MySQL prints it with 6 significant digits (0.1).
 */
export function floatToNumber(value: unknown): unknown {
  if (typeof value === 'string') value = Number(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  const single = Math.fround(value);
  // Whole numbers of up to 6 digits print as themselves: skip the string round trip (most stored values: 0).
  if (Number.isInteger(single) && single < 1e6 && single > -1e6) return single === 0 ? 0 : single;
  return Number(single.toPrecision(6));
}

/** A zero date in a NOT NULL column reads as null, as the old API showed it. */
export function zeroDateToNull(value: unknown): unknown {
  return value === ZERO_DATE || value === ZERO_DAY ? null : value;
}
