/**
 * The value rules a column imposes, shared by the generator (which derives
 * one rule per column and documents it) and the runtime (body validation,
 * query parameters, keys in URLs). checkValue returns the value to bind in SQL.
 */
import { checkBinary } from './binary-values.js';
import type { Checked } from './checked.js';
import { checkGeometry } from './wkt.js';
import { checkTime, checkYear, fractionOf } from './time-values.js';
import { checkJson } from './json-text.js';
import { checkEnum, checkSet } from './word-values.js';

/** A2Billing's zero date: in a NOT NULL column it stands for "no date" and reads as null. */
export const ZERO_DATE = '0000-00-00 00:00:00';
export const ZERO_DAY = '0000-00-00';

export type ValueRule =
  /** `bit`: a BIT(n) column, which mysql2 returns as bytes. */
  | { kind: 'integer'; min: string; max: string; bit?: true }
  | { kind: 'decimal'; precision: number; scale: number; unsigned: boolean }
  /** `precision`/`scale`: FLOAT(7,4), DOUBLE(10,2), which round to their scale and bound the integer digits. */
  | { kind: 'float' | 'double'; unsigned: boolean; precision?: number; scale?: number }
  | { kind: 'string'; maxLength: number; utf8mb3: boolean }
  /** `fraction`: digits of fractional seconds, DATETIME(n)/TIMESTAMP(n). */
  | { kind: 'timestamp' | 'datetime' | 'date'; zeroDate: boolean; fraction?: number }
  | { kind: 'time'; fraction: number }
  | { kind: 'year' }
  /** Bytes, as base64 in JSON; `fixed`: BINARY(n), which pads to n bytes with zeros. */
  | { kind: 'binary'; maxBytes: number; fixed?: true }
  | { kind: 'enum' | 'set'; values: readonly string[] }
  | { kind: 'json' }
  /** Well-known text; `shape`: the column's geometry type (`geometry` takes any). */
  | { kind: 'geometry'; shape: string };

/** What is bound in SQL: bytes for binary columns, text or a number for every other. */
export type { Checked } from './checked.js';

/** The largest magnitude a single-precision FLOAT column holds. */
export const FLOAT_MAX = 3.402823466e38;
/** TIMESTAMP's range, in UTC (the session time zone the service sets). */
export const TIMESTAMP_MIN = '1970-01-01 00:00:01';
export const TIMESTAMP_MAX = '2038-01-19 03:14:07';
const SUPPLEMENTARY_CHARACTER = /[\u{10000}-\u{10FFFF}]/u;
/** Half of a surrogate pair without the other half: JSON allows "\ud800", UTF-8 cannot encode it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function checkValue(rule: ValueRule, value: unknown): Checked {
  switch (rule.kind) {
    case 'integer':
      return checkInteger(rule, value);
    case 'decimal':
      return checkDecimal(rule, value);
    case 'float':
    case 'double':
      return checkFloat(rule, value);
    case 'string':
      return checkString(rule, value);
    case 'time':
      return checkTime(rule, value);
    case 'year':
      return checkYear(value);
    case 'binary':
      return checkBinary(rule, value);
    case 'enum':
      return checkEnum(rule, value);
    case 'set':
      return checkSet(rule, value);
    case 'json':
      return checkJson(value);
    case 'geometry':
      return checkGeometry(rule, value);
    default:
      return checkDate(rule, value);
  }
}

/** Up to 15 digits and nothing else: exact as a double. */
const PLAIN_DIGITS = /^\d{1,15}$/;

function checkInteger(rule: { min: string; max: string }, value: unknown): Checked {
  let digits: string;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { ok: false, message: 'must be a whole number' };
    if (!Number.isSafeInteger(value))
      return {
        ok: false,
        message: `must be a whole number between ${rule.min} and ${rule.max}; send numbers past 2^53 as strings`,
      };
    const inRange = safeRange(rule, value);
    if (inRange !== undefined) return inRange;
    digits = String(value);
  } else if (typeof value === 'string' && PLAIN_DIGITS.test(value)) {
    // Digits alone (a key in a URL, most query values): no trimming or sign to strip.
    const inRange = safeRange(rule, Number(value));
    if (inRange !== undefined) return inRange;
    digits = value;
  } else if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) {
    digits = value.trim().replace(/^\+/, '');
    // Up to 15 digits a double holds exactly: no BigInt needed while the bounds are safe too.
    if (digits.length <= 16) {
      const inRange = safeRange(rule, Number(digits));
      if (inRange !== undefined) return inRange;
    }
  } else {
    return { ok: false, message: 'must be a whole number' };
  }
  const big = BigInt(digits);
  if (big < BigInt(rule.min) || big > BigInt(rule.max)) {
    return { ok: false, message: `must be between ${rule.min} and ${rule.max}` };
  }
  const asNumber = Number(big);
  return { ok: true, value: Number.isSafeInteger(asNumber) ? asNumber : big.toString() };
}

/** The check of a safe integer against bounds that are safe integers too; undefined when either is not. */
function safeRange(rule: { min: string; max: string }, value: number): Checked | undefined {
  const min = Number(rule.min);
  const max = Number(rule.max);
  if (!Number.isSafeInteger(value) || !Number.isSafeInteger(min) || !Number.isSafeInteger(max)) return undefined;
  if (value < min || value > max) return { ok: false, message: `must be between ${rule.min} and ${rule.max}` };
  return { ok: true, value };
}

/** Splits a decimal number into sign, integer digits and fraction digits, exactly. */
function decimalParts(value: unknown): { negative: boolean; integer: string; fraction: string } | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const [, sign = '', integerPart = '', fractionPart = '', exponentText] = match;
  let digits = integerPart + fractionPart;
  let point = integerPart.length + Number(exponentText ?? 0);
  if (Math.abs(point) > 400) return undefined;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  } else if (point > digits.length) {
    digits += '0'.repeat(point - digits.length);
  }
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const fraction = digits.slice(point).replace(/0+$/, '');
  return { negative: sign === '-' && /[1-9]/.test(digits), integer, fraction };
}

function checkDecimal(rule: { precision: number; scale: number; unsigned: boolean }, value: unknown): Checked {
  const parts = decimalParts(value);
  if (parts === undefined) return { ok: false, message: 'must be a decimal number' };
  const integerDigits = rule.precision - rule.scale;
  if (parts.fraction.length > rule.scale) {
    return { ok: false, message: `has ${parts.fraction.length} decimal places; at most ${rule.scale} allowed` };
  }
  if ((parts.integer === '0' ? 0 : parts.integer.length) > integerDigits) {
    const limit = `${'9'.repeat(integerDigits) || '0'}${rule.scale > 0 ? `.${'9'.repeat(rule.scale)}` : ''}`;
    return { ok: false, message: `is out of range: at most ${limit} in absolute value` };
  }
  if (rule.unsigned && parts.negative) return { ok: false, message: 'must not be negative' };
  const text = `${parts.negative ? '-' : ''}${parts.integer}${parts.fraction ? `.${parts.fraction}` : ''}`;
  return { ok: true, value: text };
}

function checkFloat(
  rule: { kind: 'float' | 'double'; unsigned: boolean; precision?: number; scale?: number },
  value: unknown,
): Checked {
  const decimal = typeof value === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim());
  const given = decimal ? Number(value) : value;
  if (typeof given !== 'number' || !Number.isFinite(given)) return { ok: false, message: 'must be a number' };
  let number = given;
  if (rule.precision !== undefined && rule.scale !== undefined) {
    // FLOAT(p,s) rounds to s decimals, as MySQL does, and holds fewer than 10^(p-s) in absolute value.
    number = Number(number.toFixed(rule.scale));
    const limit = 10 ** (rule.precision - rule.scale);
    if (Math.abs(number) >= limit) return { ok: false, message: `must be less than ${limit} in absolute value` };
  }
  if (rule.kind === 'float' && Math.abs(number) > FLOAT_MAX)
    return { ok: false, message: `must be within ±${FLOAT_MAX}` };
  if (rule.unsigned && number < 0) return { ok: false, message: 'must not be negative' };
  // A FLOAT holds single precision: bind exactly that, so stored values and filters agree on both databases.
  return { ok: true, value: rule.kind === 'float' ? Math.fround(number) : number };
}

function checkString(rule: { maxLength: number; utf8mb3: boolean }, value: unknown): Checked {
  if (typeof value !== 'string') return { ok: false, message: 'must be a string' };
  // A NUL byte is never meant in A2Billing's text, and drivers disagree on what they store for it.
  if (value.includes('\u0000')) return { ok: false, message: 'contains a NUL character' };
  if (LONE_SURROGATE.test(value))
    return { ok: false, message: 'contains an unpaired UTF-16 surrogate, which is not text' };
  if (rule.utf8mb3 && SUPPLEMENTARY_CHARACTER.test(value)) {
    return { ok: false, message: 'contains a 4-byte character (such as an emoji) that this utf8 column cannot store' };
  }
  // MySQL counts characters (code points), not UTF-16 units.
  let length = 0;
  for (const _ of value) length++;
  if (length > rule.maxLength)
    return { ok: false, message: `is ${length} characters long; at most ${rule.maxLength} allowed` };
  return { ok: true, value };
}

function checkDate(
  rule: { kind: 'timestamp' | 'datetime' | 'date'; zeroDate: boolean; fraction?: number },
  value: unknown,
): Checked {
  if (typeof value !== 'string') return { ok: false, message: 'must be a string' };
  const text = value.trim();
  if (rule.zeroDate && (text === ZERO_DATE || text === ZERO_DAY)) return { ok: true, value: zeroDateOf(rule) };
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/.exec(text);
  const fraction = rule.kind === 'date' ? 0 : (rule.fraction ?? 0);
  const expected =
    rule.kind === 'date'
      ? 'a date "YYYY-MM-DD"'
      : `a date and time "YYYY-MM-DD HH:MM:SS${fraction > 0 ? `[.${'f'.repeat(fraction)}]` : ''}"`;
  if (!match) return { ok: false, message: `must be ${expected}` };
  const [, year, month, day, hour = '00', minute = '00', second = '00', digits = ''] = match;
  const fractionText = fractionOf(digits, fraction);
  if (fractionText === undefined)
    return { ok: false, message: `has more than ${fraction} digits of fractional seconds` };
  const date = new Date(
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)),
  );
  if (
    date.getUTCFullYear() !== Number(year) ||
    date.getUTCMonth() !== Number(month) - 1 ||
    date.getUTCDate() !== Number(day) ||
    date.getUTCHours() !== Number(hour) ||
    date.getUTCMinutes() !== Number(minute) ||
    date.getUTCSeconds() !== Number(second) ||
    Number(year) < 1000
  ) {
    return { ok: false, message: `is not a valid ${rule.kind === 'date' ? 'date' : 'date and time'}` };
  }
  if (rule.kind === 'date') return { ok: true, value: `${year}-${month}-${day}` };
  const normalized = `${year}-${month}-${day} ${hour}:${minute}:${second}`;
  if (rule.kind === 'timestamp' && (normalized < TIMESTAMP_MIN || normalized > TIMESTAMP_MAX)) {
    return { ok: false, message: `is outside the TIMESTAMP range ${TIMESTAMP_MIN} … ${TIMESTAMP_MAX} UTC` };
  }
  return { ok: true, value: normalized + fractionText };
}

/** The zero date a NULL stores in a zero-date column of this kind. */
export function zeroDateOf(rule: ValueRule): string {
  return rule.kind === 'date' ? ZERO_DAY : ZERO_DATE;
}
