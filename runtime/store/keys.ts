/**
 * Primary keys in URLs and in the audit trail: one part per key column,
 * separated by commas, each part percent-encoded (a comma inside a value is
 * `%2C`): `/api/card/7/`, `/api/iso639/fr/`, `/api/tariffgroupplan/1,2/`.
 */
import type { Row, SqlValue } from '../db/db.js';
import type { KeyValues } from './model.js';
import type { Resource } from './resource.js';

function decodePart(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * The key named by a URL segment as sent (still percent-encoded), checked
 * against the key columns; undefined when it cannot name a row (a 404).
 */
export function parseKey(resource: Resource, segment: string): KeyValues | undefined {
  // The common case, a single column and nothing encoded (`/api/card/7/`), without splitting or decoding.
  if (resource.key.length === 1 && !segment.includes(',') && !segment.includes('%')) {
    const value = segment === '' ? undefined : resource.keyParts[0]!(segment);
    return value === undefined ? undefined : [value];
  }
  const parts = segment.split(',');
  if (parts.length !== resource.key.length) return undefined;
  const values: SqlValue[] = [];
  for (let index = 0; index < parts.length; index++) {
    const text = decodePart(parts[index]!);
    const value = text === undefined || text === '' ? undefined : resource.keyParts[index]!(text);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}

/** A key in URL form. */
export function formatKey(values: KeyValues): string {
  if (values.length === 1 && typeof values[0] === 'number') return String(values[0]);
  // A BINARY key part is bytes once parsed; in a URL it is its base64, as the API shows it.
  const text = (value: SqlValue) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('base64') : String(value);
  return values.map((value) => encodeURIComponent(text(value))).join(',');
}

/** A row's key values (the row as the API shows it). */
export function keyOf(resource: Resource, row: Row): KeyValues {
  return resource.key.map((column) => row[column.name] as SqlValue);
}
