/**
 * Parses a MySQL column type as information_schema prints it
 * ("decimal(15,5)", "int(11) unsigned", "varchar(50)") into its parts.
 */

export type ValueKind = 'integer' | 'decimal' | 'float' | 'double' | 'string' | 'timestamp' | 'datetime' | 'date';

export interface SqlType {
  /** The type as written in the schema file. */
  text: string;
  base: string;
  kind: ValueKind;
  unsigned: boolean;
  /** Display width of an integer, length of a string. */
  length?: number;
  precision?: number;
  scale?: number;
}

const INTEGER_BYTES: Record<string, number> = { tinyint: 1, smallint: 2, mediumint: 3, int: 4, integer: 4, bigint: 8 };

/** Longest value a TEXT-family column holds, in bytes (the model turns it into characters per charset). */
const TEXT_LENGTH: Record<string, number> = { tinytext: 255, text: 65535, mediumtext: 16777215, longtext: 4294967295 };

export function parseSqlType(text: string): SqlType {
  const match = /^([a-z]+)(?:\((\d+)(?:,(\d+))?\))?( unsigned)?$/.exec(text);
  if (!match) throw new Error(`unsupported SQL type "${text}"`);
  const [, base = '', first, second, unsigned] = match;
  const type: SqlType = { text, base, kind: kindOf(base), unsigned: unsigned !== undefined };
  if (type.kind === 'decimal') {
    type.precision = first === undefined ? 10 : Number(first);
    type.scale = second === undefined ? 0 : Number(second);
    if (type.scale > type.precision) throw new Error(`${text}: scale is larger than precision`);
  } else if (first !== undefined) {
    type.length = Number(first);
  }
  if (base in TEXT_LENGTH) type.length = TEXT_LENGTH[base];
  return type;
}

export function isTextFamily(type: SqlType): boolean {
  return type.base in TEXT_LENGTH;
}

function kindOf(base: string): ValueKind {
  if (base in INTEGER_BYTES) return 'integer';
  if (base === 'decimal' || base === 'numeric') return 'decimal';
  if (base === 'float') return 'float';
  if (base === 'double') return 'double';
  if (base === 'char' || base === 'varchar' || base in TEXT_LENGTH) return 'string';
  if (base === 'timestamp' || base === 'datetime' || base === 'date') return base;
  throw new Error(`unsupported SQL type "${base}"`);
}

/** The inclusive range of an integer column, as decimal strings (BIGINT exceeds 2^53). */
export function integerRange(type: SqlType): { min: string; max: string } {
  const bits = BigInt(8 * (INTEGER_BYTES[type.base] ?? 8));
  if (type.unsigned) return { min: '0', max: (2n ** bits - 1n).toString() };
  return { min: (-(2n ** (bits - 1n))).toString(), max: (2n ** (bits - 1n) - 1n).toString() };
}
