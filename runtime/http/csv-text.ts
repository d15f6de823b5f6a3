/**
 * CSV text already in hand (the admin panel's import form), read as a CSV
 * request body is (csv-body.ts): a header row of field names, at most
 * `maxRows` records.
 */
import { parse as parseText, CsvError } from 'csv-parse/sync';
import { CsvRows, InvalidCsvError, TooManyRowsError } from './csv-body.js';

export function parseCsvText(text: string, maxRows: number): CsvRows {
  let records: Record<string, string>[];
  try {
    records = parseText(text, { columns: true, bom: true, skip_empty_lines: true, to: maxRows + 1 });
  } catch (error) {
    throw error instanceof CsvError ? new InvalidCsvError(error.message) : error;
  }
  if (records.length > maxRows) throw new TooManyRowsError(maxRows, 'more');
  return new CsvRows(records);
}
