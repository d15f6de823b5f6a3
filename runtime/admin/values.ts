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
  const text = String(value);
  if (field.input === 'datetime-local') return text.replace(' ', 'T');
  return text;
}

/** A stored value as the list shows it: choices by label. */
export function displayValue(field: AdminField | undefined, value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  const choice = field?.choices?.find((candidate) => candidate.value === text);
  return choice ? choice.label : text;
}

/**
 * One form input as the API body value: an empty input is NULL for a
 * nullable column and "" otherwise (which a number or date column refuses
 * with its usual message).
 */
export function bodyValue(field: AdminField, text: string): string | null {
  if (text === '' && field.nullable) return null;
  return text;
}

/** The value an input stands for, so that equal values compare equal however they were typed. */
export function canonical(field: AdminField, text: string): string {
  if (field.rule.kind === 'string') return text;
  if (text.trim() === '') return '';
  const checked = checkValue(field.rule, text);
  if (!checked.ok) return `invalid:${text}`;
  if (field.rule.kind === 'decimal') return normalizeDecimal(String(checked.value));
  return String(checked.value);
}

function normalizeDecimal(text: string): string {
  const match = /^([+-]?)0*(\d*)(?:\.(\d*?)0*)?$/.exec(text.trim());
  if (!match) return text;
  const [, sign, integer, fraction = ''] = match;
  const body = `${integer || '0'}${fraction ? `.${fraction}` : ''}`;
  return body === '0' ? '0' : `${sign === '-' ? '-' : ''}${body}`;
}
