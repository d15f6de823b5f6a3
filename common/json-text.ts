/**
 * JSON columns hold any JSON value, stored as its text: MySQL's JSON type,
 * MariaDB's LONGTEXT checked with json_valid, SQLite's TEXT.
 */
import type { Checked } from './checked.js';

/** Any JSON value but null (which is SQL NULL), stored as its JSON text. */
export function checkJson(value: unknown): Checked {
  // JSON.stringify gives undefined for what is no JSON value (a symbol, a function).
  const text = value === null ? undefined : (JSON.stringify(value) as string | undefined);
  if (text === undefined) return { ok: false, message: 'must be a JSON value' };
  return { ok: true, value: text };
}
