/**
 * Value conversion and schema building blocks for the hand-written baseline.
 * mysql2 is opened with dateStrings and DECIMAL-as-string, so every column
 * that needs a conversion is named explicitly by the table modules.
 */

export const ZERO_DATE = '0000-00-00 00:00:00';

/** A2Billing's zero date in a NOT NULL TIMESTAMP column reads as null. */
export function zeroDateToNull(value: unknown): unknown {
  return value === ZERO_DATE ? null : value;
}

/** DECIMAL(p ≤ 15, s): "5.50000" → 5.5, exact in a double. */
export function decimal(value: unknown): unknown {
  return typeof value === 'string' ? Number(value) : value;
}

/** FLOAT over the binary protocol arrives widened (0.10000000149011612); print it as MySQL does (0.1). */
export function float6(value: unknown): unknown {
  return typeof value === 'number' ? Number(Math.fround(value).toPrecision(6)) : value;
}

// Response schema pieces (fast-json-stringify).
export const INT = { type: 'integer' } as const;
export const INT_OR_NULL = { type: ['integer', 'null'] } as const;
export const NUM = { type: 'number' } as const;
export const STR = { type: 'string' } as const;
export const STR_OR_NULL = { type: ['string', 'null'] } as const;

// Request body schema pieces (ajv).
const DATETIME = '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2})?$';
const DECIMAL = '^[+-]?\\d{1,10}(\\.\\d{1,5})?$';
export const inInt = { type: 'integer' } as const;
export const inIntOrNull = { type: ['integer', 'null'] } as const;
export const inDecimal = { type: ['number', 'string'], pattern: DECIMAL } as const;
export const inFloat = { type: 'number' } as const;
export const inTimestamp = { type: 'string', pattern: DATETIME } as const;
/** A zero-date column: null stores the zero date again. */
export const inTimestampOrNull = { type: ['string', 'null'], pattern: DATETIME } as const;
export const inStr = (maxLength: number) => ({ type: 'string', maxLength }) as const;
export const inStrOrNull = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

export interface ListMeta {
  model: string;
  next: string;
  previous: string;
  page: number;
}

export const listMetaSchema = {
  type: 'object',
  properties: { model: STR, next: STR, previous: STR, page: INT },
} as const;

/** next/previous: the request's own query string with `page` replaced (appended when absent). */
export function pageLink(path: string, url: string, page: number): string {
  const index = url.indexOf('?');
  const params = new URLSearchParams(index === -1 ? '' : url.slice(index + 1));
  params.set('page', String(page));
  return `${path}?${params.toString()}`;
}

export function listMeta(model: string, path: string, url: string, page: number, hasNext: boolean): ListMeta {
  return {
    model,
    next: hasNext ? pageLink(path, url, page + 1) : '',
    previous: page > 1 ? pageLink(path, url, page - 1) : '',
    page,
  };
}

/** Column names and placeholders for the (already schema-validated) keys of a write body. */
export function writeParts(
  body: Record<string, unknown>,
  zeroDateColumns: ReadonlySet<string>,
): { columns: string[]; params: (string | number | null)[] } {
  const columns: string[] = [];
  const params: (string | number | null)[] = [];
  for (const key of Object.keys(body)) {
    const value = body[key] as string | number | null;
    columns.push(key);
    params.push(value === null && zeroDateColumns.has(key) ? ZERO_DATE : value);
  }
  return { columns, params };
}
