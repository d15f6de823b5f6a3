/**
 * Facts of one column derived from its SQL type and schema keywords: its
 * value rule, JSON and TypeScript types, character limit and defaults.
 * generator/model.ts puts them together; introspection reads some of them.
 */
import { jsonTypeOf, type JsonType } from '../common/json-values.js';
import type { ValueRule } from '../common/value-rules.js';
import { integerRange, isTextFamily, type SqlType, type ValueKind } from './sql-type.js';

export type SqlDefault =
  { kind: 'none' } | { kind: 'null' } | { kind: 'current_timestamp' } | { kind: 'literal'; value: string };

/** TEXT limits are bytes; the API counts characters, so allow only what fits in the worst case. */
export function characterLimit(sql: SqlType, charset: string): number {
  const length = sql.length ?? 255;
  if (!isTextFamily(sql)) return length;
  const bytesPerCharacter = charset === 'utf8mb4' ? 4 : charset === 'utf8' || charset === 'utf8mb3' ? 3 : 1;
  return Math.floor(length / bytesPerCharacter);
}

export function readDefault(sqlColumn: { default?: string | null }, sql: SqlType): SqlDefault {
  if (!('default' in sqlColumn) || sqlColumn.default === undefined) return { kind: 'none' };
  if (sqlColumn.default === null) return { kind: 'null' };
  if (isDateKind(sql.kind) && /^current_timestamp(\(\))?$/i.test(sqlColumn.default))
    return { kind: 'current_timestamp' };
  return { kind: 'literal', value: sqlColumn.default };
}

export function isDateKind(kind: ValueKind): kind is 'timestamp' | 'datetime' | 'date' {
  return kind === 'timestamp' || kind === 'datetime' || kind === 'date';
}

/** The JSON type of a column's values (common/json-values.ts decides it from the value rule). */
export function expectedJsonType(sql: SqlType): JsonType {
  return jsonTypeOf(valueRule(sql, { maxLength: undefined, utf8mb3: false, zeroDate: false }));
}

export function valueRule(
  sql: SqlType,
  context: { maxLength: number | undefined; utf8mb3: boolean; zeroDate: boolean },
): ValueRule {
  switch (sql.kind) {
    case 'integer':
      return sql.base === 'bit'
        ? { kind: 'integer', ...integerRange(sql), bit: true }
        : { kind: 'integer', ...integerRange(sql) };
    case 'decimal':
      return { kind: 'decimal', precision: sql.precision ?? 10, scale: sql.scale ?? 0, unsigned: sql.unsigned };
    case 'float':
    case 'double':
      return sql.precision === undefined
        ? { kind: sql.kind, unsigned: sql.unsigned }
        : { kind: sql.kind, unsigned: sql.unsigned, precision: sql.precision, scale: sql.scale ?? 0 };
    case 'string':
      return { kind: 'string', maxLength: context.maxLength ?? 255, utf8mb3: context.utf8mb3 };
    case 'time':
      return { kind: 'time', fraction: sql.fraction ?? 0 };
    case 'year':
      return { kind: 'year' };
    case 'binary':
      return sql.base === 'binary'
        ? { kind: 'binary', maxBytes: sql.length ?? 1, fixed: true }
        : { kind: 'binary', maxBytes: sql.length ?? 255 };
    case 'enum':
    case 'set':
      return { kind: sql.kind, values: sql.words ?? [] };
    case 'json':
      return { kind: 'json' };
    case 'geometry':
      return { kind: 'geometry', shape: sql.base };
    case 'date':
      return { kind: 'date', zeroDate: context.zeroDate };
    default:
      return sql.fraction
        ? { kind: sql.kind, zeroDate: context.zeroDate, fraction: sql.fraction }
        : { kind: sql.kind, zeroDate: context.zeroDate };
  }
}

export function tsTypeOf(jsonType: JsonType, nullable: boolean): string {
  if (jsonType === 'any') return 'unknown';
  const base = jsonType === 'string' ? 'string' : jsonType === 'array' ? 'string[]' : 'number';
  return nullable ? `${base} | null` : base;
}

export function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')
    .replace(/^[0-9]+/, '');
}
