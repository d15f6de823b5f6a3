/**
 * `text/csv` bodies: a header row of field names, then one row a record,
 * parsed as the body streams in (csv-parse), never more than the bulk
 * limit's rows nor the body limit's bytes, and strictly UTF-8 (as every
 * body: bad bytes are a 400, never U+FFFD). The cells stay text: the route,
 * which knows the columns, turns them into the JSON a create takes.
 * csv-parse is loaded with the first CSV body: most processes never see one.
 */
import createError from '@fastify/error';
import type { IncomingMessage } from 'node:http';
import type { parse as Parse, CsvError as CsvErrorClass } from 'csv-parse';
import type { FastifyInstance } from 'fastify';
import type { Resource } from '../store/resource.js';

export const InvalidCsvError = createError('invalid_csv', 'request body is not valid CSV: %s', 400);
const InvalidEncodingError = createError('invalid_encoding', 'request body is not valid UTF-8', 400);
/** More rows than one bulk create may carry, as a JSON array or a CSV file. */
export const TooManyRowsError = createError(
  'payload_too_large',
  'a bulk create takes at most %s rows (A2B_MAX_BULK); this one has %s',
  413,
);
const TooLargeError = createError('payload_too_large', 'request body is larger than %s bytes (A2B_BODY_LIMIT)', 413);

/** A CSV body's records, each a field name → cell text, in file order. */
export class CsvRows {
  constructor(readonly records: Record<string, string>[]) {}

  /**
   * The rows a create of `resource` takes. A cell is text, which the column rules read numbers, dates and
   * base64 from too; a SET cell lists its words as MySQL writes them (`a,b`); a JSON cell holds JSON. An
   * empty cell is a field not sent.
   */
  rows(resource: Resource): Record<string, unknown>[] {
    return this.records.map((record) => {
      const row: Record<string, unknown> = {};
      for (const [name, text] of Object.entries(record)) if (text !== '') row[name] = cellValue(resource, name, text);
      return row;
    });
  }
}

function cellValue(resource: Resource, name: string, text: string): unknown {
  const kind = resource.byName.get(name)?.rule.kind;
  if (kind === 'set') return text.split(',');
  if (kind === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Left as text: the column's rule names the field and says it is not JSON.
      return text;
    }
  }
  return text;
}

export function registerCsvParser(app: FastifyInstance, limits: { maxRows: number; maxBytes: number }): void {
  app.addContentTypeParser('text/csv', (_request, payload, done) => {
    // Until the parser is there, the body waits in the paused stream.
    import('csv-parse').then(
      ({ parse, CsvError }) => readCsv(payload, limits, parse, CsvError, done),
      (error: Error) => done(error, undefined),
    );
  });
}

function readCsv(
  payload: IncomingMessage,
  limits: { maxRows: number; maxBytes: number },
  parse: typeof Parse,
  CsvError: typeof CsvErrorClass,
  done: (error: Error | null, body?: unknown) => void,
): void {
  const records: Record<string, string>[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parser = parse({ columns: true, bom: true, skip_empty_lines: true });
  let bytes = 0;
  let finished = false;
  const finish = (error: Error | null) => {
    if (finished) return;
    finished = true;
    if (error === null) return done(null, new CsvRows(records));
    // Read the rest of the body and drop it, so the connection can answer.
    payload.removeAllListeners('data');
    payload.resume();
    parser.destroy();
    done(error, undefined);
  };
  parser.on('readable', () => {
    let record: Record<string, string> | null;
    while ((record = parser.read() as Record<string, string> | null) !== null) {
      if (records.length >= limits.maxRows) return finish(new TooManyRowsError(limits.maxRows, 'more'));
      records.push(record);
    }
  });
  parser.on('error', (error) => finish(error instanceof CsvError ? new InvalidCsvError(error.message) : error));
  parser.on('end', () => finish(null));
  payload.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limits.maxBytes) return finish(new TooLargeError(limits.maxBytes));
    try {
      parser.write(decoder.decode(chunk, { stream: true }));
    } catch {
      finish(new InvalidEncodingError());
    }
  });
  payload.on('end', () => {
    if (finished) return;
    try {
      parser.end(decoder.decode());
    } catch {
      finish(new InvalidEncodingError());
    }
  });
  payload.on('error', (error) => finish(error));
}
