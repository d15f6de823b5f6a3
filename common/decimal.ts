/**
 * Exact decimal arithmetic on text, for the embedded database: SQLite has no
 * DECIMAL type, so credit adjustments there add through these functions
 * (registered as SQL functions) instead of through floating point.
 */

/** A decimal as an integer count of 10^-scale units. */
function toUnits(value: unknown, scale: number): bigint {
  // SQLite hands stored NUMERIC values over as numbers; toFixed gives their exact decimal rounding.
  const text = typeof value === 'number' ? value.toFixed(scale) : String(value).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && !match[3])) throw new RangeError(`not a decimal number: ${text}`);
  const [, sign, integer = '', fraction = ''] = match;
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) {
    throw new RangeError(`${text} has more than ${scale} decimal places`);
  }
  const units = BigInt(`${integer || '0'}${fraction.slice(0, scale).padEnd(scale, '0')}`);
  return sign === '-' ? -units : units;
}

function fromUnits(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const integer = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${integer}${fraction}`;
}

/** a + b, exactly, written with `scale` decimal places. */
export function addDecimals(a: unknown, b: unknown, scale: number): string {
  return fromUnits(toUnits(a, scale) + toUnits(b, scale), scale);
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareDecimals(a: unknown, b: unknown, scale: number): number {
  const difference = toUnits(a, scale) - toUnits(b, scale);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** The value written with exactly `scale` decimal places: "5" → "5.00000". */
export function formatDecimal(value: unknown, scale: number): string {
  return fromUnits(toUnits(value, scale), scale);
}

/** Decimal places a percentage is taken with (A2Billing keeps VAT in a FLOAT column). */
const PERCENT_SCALE = 6;

/**
 * amount ÷ (1 + percent / 100), rounded half away from zero to `scale`
 * places: the net part of a gross amount, as A2Billing's refill computes
 * the credit without VAT. Exact up to that one rounding.
 */
export function netOfPercent(amount: unknown, percent: unknown, scale: number): string {
  const hundred = 100n * 10n ** BigInt(PERCENT_SCALE);
  const denominator = hundred + toUnits(percent, PERCENT_SCALE);
  if (denominator <= 0n) throw new RangeError(`a percentage of ${String(percent)} leaves nothing to divide by`);
  const numerator = toUnits(amount, scale) * hundred;
  let quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const negative = numerator < 0n;
  if ((negative ? -remainder : remainder) * 2n >= denominator) quotient += negative ? -1n : 1n;
  return fromUnits(quotient, scale);
}
