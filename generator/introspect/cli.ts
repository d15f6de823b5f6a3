/**
 * `a2gen init`, `a2gen introspect` and `a2gen diff`: start from an existing
 * database, and keep schema files and the live database honest with each other.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import mysql from 'mysql2/promise';
import { loadSchemas, SchemaValidationError, type TableSchema } from '../load-schemas.js';
import { diffTable } from '../../introspection/diff-table.js';
import { readTable, type QueryRows, type TableFacts } from '../../introspection/read-table.js';
import { chooseRowKey } from '../row-key.js';
import { formatSchema, schemaFromFacts } from './to-schema.js';

interface ConnectionFlags {
  url?: string;
  project: string;
}

function databaseUrl(flags: ConnectionFlags): string {
  const url = flags.url ?? process.env.A2B_DATABASE_URL;
  if (!url) throw new UsageError('give --url mysql://user:pass@host:3306/database (or set A2B_DATABASE_URL)');
  if (!url.startsWith('mysql://')) throw new UsageError('--url must start with mysql://');
  return url;
}

class UsageError extends Error {}

/** The rows of one statement over a mysql2 connection. */
function rowsOf(connection: mysql.Connection): QueryRows {
  return async (sql, params) => (await connection.query(sql, params))[0] as Record<string, unknown>[];
}

async function connect(url: string): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({ uri: url, connectTimeout: 5000 });
  } catch (error) {
    throw new UsageError(`cannot connect to ${url.replace(/:[^:@/]*@/, ':****@')}: ${(error as Error).message}`);
  }
}

async function readExisting(file: string): Promise<TableSchema | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as TableSchema;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`${file} exists but is not valid JSON: ${(error as Error).message}`);
  }
}

/** Runs a command body, turning expected failures into `a2gen: message` and exit code 1. */
async function report(task: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await task();
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof SchemaValidationError)) throw error;
    console.error(`a2gen: ${error.message}`);
    process.exitCode = 1;
  }
}

/** Writes (or updates) schema/<table>.json and says what it did. */
async function introspectTable(
  connection: mysql.Connection,
  project: string,
  table: string,
  resource?: string,
): Promise<string> {
  const facts = await readTable(rowsOf(connection), table);
  if (facts === undefined) throw new UsageError(`no table ${table} in that database`);
  const file = path.join(project, 'schema', `${table}.json`);
  const existing = await readExisting(file);
  const text = formatSchema(schemaFromFacts(facts, existing, resource));
  const before = existing === undefined ? undefined : await readFile(file, 'utf8');
  const what = `${facts.columns.length} columns${howServed(facts)}`;
  if (before === text) return `schema/${table}.json is up to date (${what})`;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return `${existing ? 'updated' : 'wrote'} schema/${table}.json (${what}); run \`npx a2gen build\` next`;
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

/** A starter .env: the database and a fresh admin-session secret, readable by its owner only. */
function starterEnv(url: string): string {
  return [
    '# a2gen configuration, written by `a2gen init`. Keep this file out of version control.',
    `A2B_DATABASE_URL=${url}`,
    '# Session key of the admin panel: every instance behind one load balancer needs the same value.',
    `A2B_SECRET=${randomBytes(32).toString('hex')}`,
    '',
  ].join('\n');
}

export function registerIntrospectCommands(program: Command): void {
  program
    .command('init')
    .description('start a deployment: write .env (database URL, secret) and introspect the chosen tables')
    .requiredOption('--url <url>', 'mysql://user:pass@host:3306/a2billing')
    .option('--tables <names>', 'comma-separated tables to serve', 'cc_card,cc_card_group')
    .option('--force', 'replace an existing .env')
    .option('--project <dir>', 'project root holding schema/ and .env', process.cwd())
    .action((flags: ConnectionFlags & { tables: string; force?: boolean }) =>
      report(async () => {
        const url = databaseUrl(flags);
        const envFile = path.join(flags.project, '.env');
        const connection = await connect(url);
        try {
          const tables = flags.tables
            .split(',')
            .map((table) => table.trim())
            .filter(Boolean);
          for (const table of tables) console.log(await introspectTable(connection, flags.project, table));
        } finally {
          await connection.end();
        }
        try {
          await writeFile(envFile, starterEnv(url), { flag: flags.force ? 'w' : 'wx', mode: 0o600 });
          console.log('wrote .env (A2B_DATABASE_URL, A2B_SECRET)');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          console.log('.env exists and was left as it is (--force replaces it)');
        }
        console.log('next: npx a2gen build && npx a2gen create-admin --username NAME && npm start');
        return 0;
      }),
    );

  program
    .command('introspect')
    .description('write schema/<table>.json from a live MySQL/MariaDB table, keeping annotations already in the file')
    .requiredOption('--table <name>', 'the table to read, e.g. cc_callerid')
    .option('--resource <name>', 'URL name for /api/<resource>/ (default: the table without cc_ and underscores)')
    .option('--url <url>', 'mysql://user:pass@host:3306/database (default: A2B_DATABASE_URL)')
    .option('--project <dir>', 'project root holding schema/', process.cwd())
    .action((flags: ConnectionFlags & { table: string; resource?: string }) =>
      report(async () => {
        const connection = await connect(databaseUrl(flags));
        try {
          console.log(await introspectTable(connection, flags.project, flags.table, flags.resource));
          return 0;
        } finally {
          await connection.end();
        }
      }),
    );

  program
    .command('diff')
    .description(
      'compare every schema file with the live database: exit 0 when they agree, 2 when they differ, 1 on error',
    )
    .option('--url <url>', 'mysql://user:pass@host:3306/database (default: A2B_DATABASE_URL)')
    .option('--project <dir>', 'project root holding schema/', process.cwd())
    .action((flags: ConnectionFlags) =>
      report(async () => {
        const files = await loadSchemas(flags.project);
        const connection = await connect(databaseUrl(flags));
        try {
          const differences: string[] = [];
          for (const { schema } of files) {
            const table = schema['x-a2gen'].table;
            const facts = await readTable(rowsOf(connection), table);
            // a2gen's own tables (the audit trail) are the service's to create: not there yet is not drift.
            if (facts === undefined && schema['x-a2gen'].managed) {
              console.log(`${table}: not created yet (a2gen's own table; the service creates it at startup)`);
              continue;
            }
            differences.push(...diffTable(schema, facts));
          }
          if (differences.length === 0) {
            console.log(`schema/ and the database agree (${files.length} tables)`);
            return 0;
          }
          for (const line of differences) console.log(line);
          console.log(
            `${differences.length} difference${differences.length === 1 ? '' : 's'} between schema/ and the database`,
          );
          return 2;
        } finally {
          await connection.end();
        }
      }),
    );
}
