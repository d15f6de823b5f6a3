/**
 * Turns values as the drivers return them into the JSON the API promises.
 * The generator names one of these per column that needs it; every other
 * column is passed through untouched.
 */
import { ZERO_DATE, ZERO_DAY } from '../../common/value-rules.js';
import { setWords } from '../../common/word-values.js';

/** DECIMAL(p ≤ 15): mysql2 returns "5.00000"; a double holds it exactly. */
export function decimalToNumber(value: unknown): unknown {
  return typeof value === 'string' ? Number(value) : value;
}

/**
 * FLOAT: the binary protocol returns the single-precision value widened to a
 * double (0.10000000149011612); MySQL prints it with 6 significant digits (0.1).
 */
export function floatToNumber(value: unknown, scale?: number): unknown {
  if (typeof value === 'string') value = Number(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  const single = Math.fround(value);
  // FLOAT(p,s): MySQL shows s decimals (12345.67), which may be more than 6 significant digits.
  if (scale !== undefined) return Number(single.toFixed(scale));
  // Whole numbers of up to 6 digits print as themselves: skip the string round trip (most stored values: 0).
  if (Number.isInteger(single) && single < 1e6 && single > -1e6) return single === 0 ? 0 : single;
  return Number(single.toPrecision(6));
}

/** A zero date in a NOT NULL column reads as null, as the old API showed it. */
export function zeroDateToNull(value: unknown): unknown {
  return value === ZERO_DATE || value === ZERO_DAY ? null : value;
}

/** BIT(n): mysql2 returns its bytes, big-endian; SQLite stores the integer. Past 2^53 it is a string. */
export function bitsToInteger(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  let result = 0n;
  for (const byte of value) result = (result << 8n) | BigInt(byte);
  return result <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(result) : result.toString();
}

/** BINARY and BLOB columns: both drivers return a Buffer; JSON carries base64. */
export function bytesToBase64(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value;
}

/** SET: "a,b" is ["a", "b"]; "" is []. */
export function setToArray(value: unknown): unknown {
  return typeof value === 'string' ? setWords(value) : value;
}

/** JSON columns are read as text (mysql2's jsonStrings, MariaDB's LONGTEXT, SQLite's TEXT): the value is its parse. */
export function parseJson(value: unknown): unknown {
  if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    // Text a column without json_valid's check let in: shown as the text it is.
    return value;
  }
}

/** DATETIME(n): mysql2 prints n digits (".500"); the API writes the fraction without trailing zeros (".5"). */
export function trimFraction(value: unknown): unknown {
  return typeof value === 'string' && value.includes('.') ? value.replace(/\.?0+$/, '') : value;
}
