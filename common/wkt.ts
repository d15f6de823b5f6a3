/**
 * The GEOMETRY family as well-known text (WKT), the form MySQL reads with
 * ST_GeomFromText and prints with ST_AsText. A value is parsed here so that
 * a malformed one, or one of the wrong shape for its column (a POLYGON in a
 * POINT column), is a 400 rather than a database error, and is stored in
 * the form MySQL prints: `LINESTRING(0 0,1.5 2)`. EMPTY and Z/M coordinates
 * are refused (MariaDB reads neither).
 */
import type { Checked } from './checked.js';

/** Column types of the family; `geometry` holds any of the others. */
export const GEOMETRY_TYPES = [
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
] as const;

/** Longest WKT accepted: a body is at most a few megabytes anyway, and parsing is linear. */
const MAX_LENGTH = 1_000_000;

class WktError extends Error {}

/** A cursor over the text: tokens are words, numbers, "(", ")" and ",". */
class Reader {
  private position = 0;
  constructor(private readonly text: string) {}

  private skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position]!)) this.position++;
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.position] ?? '';
  }

  expect(character: string): void {
    if (this.peek() !== character) throw new WktError(`expected "${character}" at character ${this.position + 1}`);
    this.position++;
  }

  word(): string {
    this.skipSpace();
    const match = /^[A-Za-z]+/.exec(this.text.slice(this.position, this.position + 32));
    if (!match) throw new WktError(`expected a geometry type at character ${this.position + 1}`);
    this.position += match[0].length;
    return match[0].toUpperCase();
  }

  number(): string {
    this.skipSpace();
    const match = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(this.text.slice(this.position, this.position + 64));
    if (!match) throw new WktError(`expected a number at character ${this.position + 1}`);
    this.position += match[0].length;
    const value = Number(match[0]);
    if (!Number.isFinite(value)) throw new WktError(`${match[0]} is not a finite number`);
    return String(value === 0 ? 0 : value);
  }

  end(): void {
    this.skipSpace();
    if (this.position < this.text.length) throw new WktError(`unexpected text at character ${this.position + 1}`);
  }
}

function point(reader: Reader): string {
  return `${reader.number()} ${reader.number()}`;
}

/** "(…, …)" of items read by `item`, at least `minimum` of them. */
function list(reader: Reader, item: (reader: Reader) => string, minimum: number, what: string): string[] {
  reader.expect('(');
  const items = [item(reader)];
  while (reader.peek() === ',') {
    reader.expect(',');
    items.push(item(reader));
  }
  reader.expect(')');
  if (items.length < minimum) throw new WktError(`${what} needs at least ${minimum} points`);
  return items;
}

const lineString = (reader: Reader) => `(${list(reader, point, 2, 'a line string').join(',')})`;

function ring(reader: Reader): string {
  const points = list(reader, point, 4, 'a polygon ring');
  if (points[0] !== points[points.length - 1]) throw new WktError('a polygon ring must end where it starts');
  return `(${points.join(',')})`;
}

const polygon = (reader: Reader) => `(${list(reader, ring, 1, 'a polygon').join(',')})`;

/** MULTIPOINT(1 2,3 4) and MULTIPOINT((1 2),(3 4)) are both WKT; MySQL prints the first. */
function multiPointMember(reader: Reader): string {
  if (reader.peek() !== '(') return point(reader);
  reader.expect('(');
  const text = point(reader);
  reader.expect(')');
  return text;
}

function geometry(reader: Reader, depth: number): string {
  const type = reader.word();
  switch (type) {
    case 'POINT': {
      reader.expect('(');
      const text = point(reader);
      reader.expect(')');
      return `POINT(${text})`;
    }
    case 'LINESTRING':
      return `LINESTRING${lineString(reader)}`;
    case 'POLYGON':
      return `POLYGON${polygon(reader)}`;
    case 'MULTIPOINT':
      return `MULTIPOINT(${list(reader, multiPointMember, 1, 'a multipoint').join(',')})`;
    case 'MULTILINESTRING':
      return `MULTILINESTRING(${list(reader, lineString, 1, 'a multilinestring').join(',')})`;
    case 'MULTIPOLYGON':
      return `MULTIPOLYGON(${list(reader, polygon, 1, 'a multipolygon').join(',')})`;
    case 'GEOMETRYCOLLECTION':
    case 'GEOMCOLLECTION':
      if (depth > 32) throw new WktError('geometry collections are nested too deeply');
      return `GEOMETRYCOLLECTION(${list(reader, (inner) => geometry(inner, depth + 1), 1, 'a geometry collection').join(',')})`;
    default:
      throw new WktError(`${type} is not a geometry type`);
  }
}

/** The value as MySQL prints it, or a WktError saying what is wrong. */
export function normaliseWkt(text: string): string {
  const reader = new Reader(text);
  const result = geometry(reader, 0);
  reader.end();
  return result;
}

export function checkGeometry(rule: { shape: string }, value: unknown): Checked {
  if (typeof value !== 'string') return { ok: false, message: 'must be well-known text (WKT), e.g. "POINT(1 2)"' };
  if (value.length > MAX_LENGTH) return { ok: false, message: `is longer than ${MAX_LENGTH} characters` };
  let normalised: string;
  try {
    normalised = normaliseWkt(value);
  } catch (error) {
    if (!(error instanceof WktError)) throw error;
    return { ok: false, message: `is not well-known text (WKT): ${error.message}` };
  }
  const shape = rule.shape === 'geomcollection' ? 'geometrycollection' : rule.shape;
  if (shape !== 'geometry' && !normalised.toLowerCase().startsWith(`${shape}(`))
    return {
      ok: false,
      message: `must be a ${shape.toUpperCase()}, not a ${normalised.slice(0, normalised.indexOf('('))}`,
    };
  return { ok: true, value: normalised };
}
