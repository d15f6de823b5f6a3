/**
 * Values between the database row, the HTML form and the API body: how a
 * value is shown in an input, how an input becomes a JSON value, and when two
 * inputs mean the same value (5 and 5.00, 2024-01-02T03:04 and 2024-01-02 03:04:00).
 */
import { checkValue } from '../../common/value-rules.js';
import type { AdminField } from './contract.js';

/** A stored value as the form shows it. */
export function formValue(field: AdminField, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (field.rule.kind === 'json') return JSON.stringify(value);
  if (Array.isArray(value)) return value.join(',');
  const text = String(value);
  if (field.input === 'datetime-local') return text.replace(' ', 'T');
  return text;
}

/** A stored value as the list shows it: choices by label. */
export function displayValue(field: AdminField | undefined, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (field?.rule.kind === 'json') return JSON.stringify(value);
  if (Array.isArray(value)) return value.join(', ');
  const text = String(value);
  const choice = field?.choices?.find((candidate) => candidate.value === text);
  return choice ? choice.label : text;
}

/**
 * One form input as the API body value: an empty input is NULL for a
 * nullable column and "" otherwise (which a number or date column refuses
 * with its usual message).
 */
export function bodyValue(field: AdminField, text: string): unknown {
  if (text === '' && field.nullable) return null;
  if (field.rule.kind === 'set') return text.trim() === '' ? [] : text.split(',').map((word) => word.trim());
  if (field.rule.kind === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not JSON (a JSON string is typed with its quotes): the JSON check refuses it and names the field.
      return NOT_JSON;
    }
  }
  return text;
}

/** Stands for form text that is not JSON: no JSON value, so it fails the column's check. */
const NOT_JSON = Symbol('not JSON');

/** The value an input stands for, so that equal values compare equal however they were typed. */
export function canonical(field: AdminField, text: string): string {
  if (field.rule.kind === 'string') return text;
  if (text.trim() === '') return '';
  if (field.rule.kind === 'set' || field.rule.kind === 'json') {
    const checked = checkValue(field.rule, bodyValue(field, text));
    return checked.ok ? String(checked.value) : `invalid:${text}`;
  }
  const checked = checkValue(field.rule, text);
  if (!checked.ok) return `invalid:${text}`;
  if (field.rule.kind === 'decimal') return normalizeDecimal(String(checked.value));
  // Bytes compare as base64: their text as UTF-8 would make different bytes look the same.
  if (checked.value instanceof Uint8Array) return Buffer.from(checked.value).toString('base64');
  return String(checked.value);
}

function normalizeDecimal(text: string): string {
  const match = /^([+-]?)0*(\d*)(?:\.(\d*?)0*)?$/.exec(text.trim());
  if (!match) return text;
  const [, sign, integer, fraction = ''] = match;
  const body = `${integer || '0'}${fraction ? `.${fraction}` : ''}`;
  return body === '0' ? '0' : `${sign === '-' ? '-' : ''}${body}`;
}
