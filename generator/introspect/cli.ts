/**
 * `a2gen init`, `a2gen introspect` and `a2gen diff`: start from an existing
 * database, and keep schema files and the live database honest with each other.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import mysql from 'mysql2/promise';
import { loadSchemas, SchemaValidationError } from '../load-schemas.js';
import { diffTable } from '../../introspection/diff-table.js';
import { readTable, type QueryRows } from '../../introspection/read-table.js';
import { EXIT_SKIPPED, introspectTables, NoSuchTableError, summary } from './introspect-tables.js';

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

/** Runs a command body, turning expected failures into `a2gen: message` and exit code 1. */
async function report(task: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await task();
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof SchemaValidationError || error instanceof NoSuchTableError))
      throw error;
    console.error(`a2gen: ${error.message}`);
    process.exitCode = 1;
  }
}

/** `a,b` or `all` (every base table and view: undefined). */
function tableList(text: string): string[] | undefined {
  if (text.trim() === 'all') return undefined;
  const tables = text
    .split(',')
    .map((table) => table.trim())
    .filter(Boolean);
  if (tables.length === 0) throw new UsageError('name at least one table, or all');
  return tables;
}

/** Introspects the tables and prints the summary; the exit status is EXIT_SKIPPED when a table was skipped. */
async function introspectAndReport(
  connection: mysql.Connection,
  project: string,
  tables: string[] | undefined,
  resource?: string,
): Promise<{ status: number; written: boolean }> {
  const results = await introspectTables(rowsOf(connection), project, tables, { resource });
  for (const line of summary(results)) console.log(line);
  return {
    status: results.some((result) => result.outcome === 'skipped') ? EXIT_SKIPPED : 0,
    written: results.some((result) => result.outcome === 'written'),
  };
}

const EXIT_CODES = `
Exit status:
  0  every table was written or already up to date
  ${EXIT_SKIPPED}  some tables were skipped, each named with its reason; the others were written
  1  nothing could be done: no connection, a table that does not exist, a bad option`;

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
    .option(
      '--tables <names>',
      'comma-separated tables to serve, or all (every base table and view)',
      'cc_card,cc_card_group',
    )
    .option('--force', 'replace an existing .env')
    .option('--project <dir>', 'project root holding schema/ and .env', process.cwd())
    .addHelpText('after', EXIT_CODES)
    .action((flags: ConnectionFlags & { tables: string; force?: boolean }) =>
      report(async () => {
        const url = databaseUrl(flags);
        const envFile = path.join(flags.project, '.env');
        const tables = tableList(flags.tables);
        const connection = await connect(url);
        let status: number;
        try {
          ({ status } = await introspectAndReport(connection, flags.project, tables));
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
        return status;
      }),
    );

  program
    .command('introspect')
    .description(
      'write schema/<table>.json from live MySQL/MariaDB tables, keeping annotations already in the files; a table a2gen cannot serve is skipped with its reason',
    )
    .option('--table <name>', 'the table to read, e.g. cc_callerid')
    .option('--tables <names>', 'comma-separated tables, or all (every base table and view)')
    .option('--resource <name>', 'URL name for /api/<resource>/ (default: the table without cc_ and underscores)')
    .option('--url <url>', 'mysql://user:pass@host:3306/database (default: A2B_DATABASE_URL)')
    .option('--project <dir>', 'project root holding schema/', process.cwd())
    .addHelpText('after', EXIT_CODES)
    .action((flags: ConnectionFlags & { table?: string; tables?: string; resource?: string }) =>
      report(async () => {
        if ((flags.table === undefined) === (flags.tables === undefined))
          throw new UsageError('give either --table <name> or --tables <names|all>');
        const tables = flags.table !== undefined ? [flags.table] : tableList(flags.tables!);
        if (flags.resource !== undefined && tables?.length !== 1)
          throw new UsageError('--resource names the resource of one table; give --table with it');
        const connection = await connect(databaseUrl(flags));
        try {
          const { status, written } = await introspectAndReport(connection, flags.project, tables, flags.resource);
          if (written) console.log('next: npx a2gen build');
          return status;
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
