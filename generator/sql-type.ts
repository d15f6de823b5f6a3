/**
 * Parses a MySQL column type as information_schema prints it
 * ("decimal(15,5)", "int(11) unsigned", "varchar(50)", "enum('a','b')") into its parts.
 */
import { GEOMETRY_TYPES } from '../common/wkt.js';

export type ValueKind =
  | 'integer'
  | 'decimal'
  | 'float'
  | 'double'
  | 'string'
  | 'timestamp'
  | 'datetime'
  | 'date'
  | 'time'
  | 'year'
  | 'binary'
  | 'enum'
  | 'set'
  | 'json'
  | 'geometry';

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
  /** Digits of fractional seconds: TIME(3), DATETIME(6). */
  fraction?: number;
  /** The words of an ENUM or SET, in the column's order. */
  words?: string[];
}

const INTEGER_BYTES: Record<string, number> = { tinyint: 1, smallint: 2, mediumint: 3, int: 4, integer: 4, bigint: 8 };

/** Longest value a TEXT-family column holds, in bytes (the model turns it into characters per charset). */
const TEXT_LENGTH: Record<string, number> = { tinytext: 255, text: 65535, mediumtext: 16777215, longtext: 4294967295 };
/** Longest value a BLOB-family column holds, in bytes. */
const BLOB_LENGTH: Record<string, number> = { tinyblob: 255, blob: 65535, mediumblob: 16777215, longblob: 4294967295 };

/** One quoted word of an ENUM or SET list: 'it''s'. */
const QUOTED_WORD = /^'((?:[^']|'')*)'(,|$)/;

function parseWords(list: string, text: string): string[] {
  const words: string[] = [];
  let rest = list;
  while (rest !== '') {
    const match = QUOTED_WORD.exec(rest);
    if (!match) throw new Error(`unsupported SQL type "${text}": its words must be quoted, 'a','b'`);
    words.push(match[1]!.replace(/''/g, "'"));
    rest = rest.slice(match[0].length);
    if (match[2] === ',' && rest === '') throw new Error(`unsupported SQL type "${text}": a word is missing`);
  }
  if (words.length === 0) throw new Error(`unsupported SQL type "${text}": no words`);
  if (new Set(words).size !== words.length) throw new Error(`unsupported SQL type "${text}": a word is repeated`);
  return words;
}

export function parseSqlType(text: string): SqlType {
  const words = /^(enum|set)\((.*)\)$/s.exec(text);
  if (words) {
    const base = words[1]!;
    const type: SqlType = {
      text,
      base,
      kind: base as 'enum' | 'set',
      unsigned: false,
      words: parseWords(words[2]!, text),
    };
    if (base === 'set' && type.words!.some((word) => word.includes(',')))
      throw new Error(`unsupported SQL type "${text}": a SET word cannot hold a comma`);
    return type;
  }
  const match = /^([a-z]+)(?:\((\d+)(?:,(\d+))?\))?( unsigned)?$/.exec(text);
  if (!match) throw new Error(`unsupported SQL type "${text}"`);
  const [, base = '', first, second, unsigned] = match;
  const type: SqlType = { text, base, kind: kindOf(base), unsigned: unsigned !== undefined };
  if (type.kind === 'decimal') {
    type.precision = first === undefined ? 10 : Number(first);
    type.scale = second === undefined ? 0 : Number(second);
    if (type.scale > type.precision) throw new Error(`${text}: scale is larger than precision`);
  } else if ((type.kind === 'float' || type.kind === 'double') && second !== undefined) {
    type.precision = Number(first);
    type.scale = Number(second);
    if (type.scale > type.precision) throw new Error(`${text}: scale is larger than precision`);
  } else if (type.kind === 'time' || type.kind === 'datetime' || type.kind === 'timestamp') {
    if (first !== undefined) type.fraction = Number(first);
    if ((type.fraction ?? 0) > 6) throw new Error(`${text}: at most 6 digits of fractional seconds`);
  } else if (first !== undefined) {
    type.length = Number(first);
  }
  if (base === 'bit') {
    type.length = first === undefined ? 1 : Number(first);
    if (type.length < 1 || type.length > 64) throw new Error(`${text}: BIT holds 1 to 64 bits`);
  }
  if (base === 'bool' || base === 'boolean') type.length = 1;
  if (base in TEXT_LENGTH) type.length = TEXT_LENGTH[base];
  if (base in BLOB_LENGTH) type.length = BLOB_LENGTH[base];
  if (type.kind === 'binary' && type.length === undefined) type.length = 1;
  return type;
}

export function isTextFamily(type: SqlType): boolean {
  return type.base in TEXT_LENGTH;
}

function kindOf(base: string): ValueKind {
  if (base in INTEGER_BYTES || base === 'bit' || base === 'bool' || base === 'boolean') return 'integer';
  if (base === 'decimal' || base === 'numeric') return 'decimal';
  if (base === 'float') return 'float';
  if (base === 'double') return 'double';
  if (base === 'char' || base === 'varchar' || base in TEXT_LENGTH) return 'string';
  if (base === 'timestamp' || base === 'datetime' || base === 'date' || base === 'time' || base === 'year') return base;
  if (base === 'binary' || base === 'varbinary' || base in BLOB_LENGTH) return 'binary';
  if (base === 'json') return 'json';
  if ((GEOMETRY_TYPES as readonly string[]).includes(base) || base === 'geomcollection') return 'geometry';
  throw new Error(`unsupported SQL type "${base}"`);
}

/** The inclusive range of an integer column, as decimal strings (BIGINT exceeds 2^53). */
export function integerRange(type: SqlType): { min: string; max: string } {
  if (type.base === 'bit') return { min: '0', max: (2n ** BigInt(type.length ?? 1) - 1n).toString() };
  if (type.base === 'bool' || type.base === 'boolean') return { min: '-128', max: '127' };
  const bits = BigInt(8 * (INTEGER_BYTES[type.base] ?? 8));
  if (type.unsigned) return { min: '0', max: (2n ** bits - 1n).toString() };
  return { min: (-(2n ** (bits - 1n))).toString(), max: (2n ** (bits - 1n) - 1n).toString() };
}
