/**
 * Introspects several tables in one run, one table at a time, so that one
 * table a2gen cannot serve yet never stops the others: it is skipped with a
 * one-line reason, the rest are written, and the caller's exit status says
 * something was skipped. Foreign keys become x-references once every table
 * of the run is known, so a reference to a table written later in the same
 * run (and not skipped) is found too.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TableSchema } from '../load-schemas.js';
import { buildTableModel } from '../model.js';
import { chooseRowKey } from '../row-key.js';
import { parseSqlType } from '../sql-type.js';
import { formatSchema, schemaFromFacts } from './to-schema.js';
import { referencesOf } from './references.js';
import { listTables } from '../../introspection/list-tables.js';
import { readForeignKeys, type ForeignKeyFacts } from '../../introspection/read-foreign-keys.js';
import { readTable, type QueryRows, type TableFacts } from '../../introspection/read-table.js';

/** `left out`: one of a2gen's own tables, which `all` does not take (and a named one is skipped). */
export type Outcome = 'written' | 'up to date' | 'skipped' | 'left out';

export interface TableResult {
  table: string;
  outcome: Outcome;
  /** What was written, or why the table was skipped. */
  message: string;
}

/** The exit status of a run that skipped at least one table (1 stays "could not run at all"). */
export const EXIT_SKIPPED = 3;

/**
 * The service's own tables: its users and their password hashes (`user`, the old Flask API's table),
 * sessions, operation journal and audit trail (`a2gen_…`). Never introspected: serving `user` would
 * hand out password hashes, and a2gen's own schema files are a2gen's.
 */
function isOwnTable(table: string): boolean {
  return table === 'user' || table.startsWith('a2gen_');
}

/** How a view or a table without a primary key will be served, as the build will decide it (generator/row-key.ts). */
function howServed(facts: TableFacts): string {
  if (facts.view) return '; a view: read-only, list only unless its schema file declares a primaryKey';
  if (facts.primaryKey.length > 0) return '';
  const notNull = new Set(facts.columns.filter((column) => !column.nullable).map((column) => column.name));
  const key = chooseRowKey([], facts.indexes, (name) => notNull.has(name));
  return key.index === undefined
    ? '; no primary key and no NOT NULL unique key: read-only, list only'
    : `; no primary key: rows are addressed by the unique key ${key.index} (${key.columns.join(', ')})`;
}

/** The first column whose type the generator cannot map, as one line naming it and its type. */
function unmappableColumn(facts: TableFacts): string | undefined {
  for (const column of facts.columns) {
    try {
      parseSqlType(column.type);
    } catch {
      return `column ${column.name} has type ${column.type}, which a2gen cannot map`;
    }
  }
  return undefined;
}

interface Prepared {
  facts: TableFacts;
  foreignKeys: ForeignKeyFacts[];
  existing: TableSchema | undefined;
  /** The file as it would be written without references: what the table looks like to the others. */
  schema: TableSchema;
}

class Skip extends Error {}

/** A table named on the command line that the database does not have: a mistake in the command, not a skip. */
export class NoSuchTableError extends Error {
  constructor(tables: readonly string[]) {
    super(`no table ${tables.join(', ')} in that database`);
    this.name = 'NoSuchTableError';
  }
}

/** A lost connection stops the whole run; anything else is about one table. */
function isFatal(error: unknown): boolean {
  return (error as { fatal?: unknown }).fatal === true;
}

function schemaFile(project: string, table: string): string {
  return path.join(project, 'schema', `${table}.json`);
}

/** Every schema file of the project, by table; files that do not parse are left out here. */
async function schemasByTable(project: string): Promise<Map<string, TableSchema>> {
  const directory = path.join(project, 'schema');
  const names = await readdir(directory).catch(() => [] as string[]);
  const schemas = new Map<string, TableSchema>();
  for (const name of names.filter((file) => file.endsWith('.json'))) {
    try {
      const schema = JSON.parse(await readFile(path.join(directory, name), 'utf8')) as TableSchema;
      if (typeof schema['x-a2gen']?.table === 'string') schemas.set(schema['x-a2gen'].table, schema);
    } catch {
      // Not this run's business: `a2gen build` names what is wrong with it.
    }
  }
  return schemas;
}

async function prepare(
  query: QueryRows,
  existing: TableSchema | undefined,
  table: string,
  resource: string | undefined,
): Promise<Prepared> {
  if (isOwnTable(table)) throw new Skip("a2gen's own table (users, sessions, journal or audit trail); never served");
  const facts = await readTable(query, table);
  if (facts === undefined) throw new Skip('no such table or view in the database');
  const reason = unmappableColumn(facts);
  if (reason !== undefined) throw new Skip(reason);
  const foreignKeys = await readForeignKeys(query, table);
  // The database's foreign keys, not the file's: a key dropped with its column is no reason to skip.
  const schema = schemaFromFacts(facts, existing, resource, { foreignKeys, references: new Map() });
  // What `a2gen build` would refuse is refused now, rather than stopping the build of every table.
  buildTableModel({ source: `schema/${table}.json`, schema });
  return { facts, foreignKeys, existing, schema };
}

async function write(project: string, prepared: Prepared, schema: TableSchema): Promise<TableResult> {
  const { facts, existing } = prepared;
  const file = schemaFile(project, facts.table);
  const text = formatSchema(schema);
  const columns = `${facts.columns.length} columns${howServed(facts)}`;
  const before = existing === undefined ? undefined : await readFile(file, 'utf8').catch(() => undefined);
  if (before === text)
    return {
      table: facts.table,
      outcome: 'up to date',
      message: `schema/${facts.table}.json is up to date (${columns})`,
    };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return {
    table: facts.table,
    outcome: 'written',
    message: `${existing ? 'updated' : 'wrote'} schema/${facts.table}.json (${columns})`,
  };
}

/**
 * Writes (or updates) schema/<table>.json for each table, printing a line per
 * table as it goes; `tables` undefined means every base table and view.
 */
export async function introspectTables(
  query: QueryRows,
  project: string,
  tables: readonly string[] | undefined,
  options: { resource?: string; print?: (line: string) => void; warn?: (line: string) => void } = {},
): Promise<TableResult[]> {
  const print = options.print ?? console.log;
  const warn = options.warn ?? console.error;
  const inDatabase = new Set(await listTables(query));
  const names = tables ?? [...inDatabase].filter((table) => !isOwnTable(table));
  const missing = names.filter((table) => !inDatabase.has(table));
  if (missing.length > 0) throw new NoSuchTableError(missing);
  const known = await schemasByTable(project);
  const results: TableResult[] = [];
  if (tables === undefined) {
    for (const table of [...inDatabase].filter(isOwnTable)) {
      const result: TableResult = { table, outcome: 'left out', message: `left out ${table}: a2gen's own table` };
      results.push(result);
      print(result.message);
    }
  }
  const prepared: Prepared[] = [];
  for (const table of names) {
    try {
      const existing = known.get(table);
      prepared.push(await prepare(query, existing, table, options.resource));
    } catch (error) {
      if (isFatal(error)) throw error;
      const result: TableResult = {
        table,
        outcome: 'skipped',
        message: `skipped ${table}: ${(error as Error).message}`,
      };
      results.push(result);
      warn(result.message);
    }
  }
  // A table skipped above is referenced only if a schema file for it was there already.
  for (const { facts, schema } of prepared) known.set(facts.table, schema);
  for (const one of prepared) {
    const references = referencesOf(one.foreignKeys, known);
    const schema = schemaFromFacts(one.facts, one.existing, options.resource, {
      foreignKeys: one.foreignKeys,
      references,
    });
    const result = await write(project, one, schema);
    results.push(result);
    print(result.message);
  }
  return results;
}

/** The end of a run: how many tables were written, up to date and skipped, then each skip again with its reason. */
export function summary(results: readonly TableResult[]): string[] {
  const count = (outcome: Outcome) => results.filter((result) => result.outcome === outcome).length;
  const taken = results.length - count('left out');
  const tables = `${taken} table${taken === 1 ? '' : 's'}`;
  const own = count('left out') > 0 ? `; left out ${count('left out')} of a2gen's own` : '';
  return [
    `introspected ${tables}: written ${count('written')}, up to date ${count('up to date')}, skipped ${count('skipped')}${own}`,
    ...results.filter((result) => result.outcome === 'skipped').map((result) => `  ${result.message}`),
  ];
}
