/**
 * Every table of a real A2Billing install (the shared v2.0.8 dump, 97 tables
 * and views) served by a scratch copy of a checkout: `a2gen init --tables all`,
 * `a2gen build` and the TypeScript compile timed, as a user adopting a2gen on
 * a whole A2Billing database would run them. The database is dropped and the
 * copies removed on cleanup.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { createBenchUserMysql, PROJECT_ROOT } from '../load-data.js';
import { onCleanup } from './cleanup.js';
import { MYSQL_SERVER } from './database.js';
import { progress } from './progress.js';

const run = promisify(execFile);

const DUMP_NAME = 'a2billing/a2billing-v2.0.8-install.sql';

/** The dump: A2B_A2BILLING_DUMP, else shared/ beside the checkout, else this machine's (as the tests find it). */
export const A2BILLING_DUMP = [
  process.env.A2B_A2BILLING_DUMP,
  path.resolve(PROJECT_ROOT, '../shared', DUMP_NAME),
  path.join('/work/shared', DUMP_NAME),
].find((file) => file !== undefined && existsSync(file));

/** What a checkout needs to generate and compile a project of its own (no tests, benchmarks or schema/). */
const APP_ENTRIES = [
  'bin',
  'common',
  'generator',
  'introspection',
  'runtime',
  'templates',
  'package.json',
  'tsconfig.json',
  'tsconfig.app.json',
];

/** A throwaway database holding the dump and the API user `bench`; its mysql:// URL. */
export async function loadDumpDatabase(password: string): Promise<string> {
  if (A2BILLING_DUMP === undefined)
    throw new Error(`the A2Billing dump is missing: set A2B_A2BILLING_DUMP (${DUMP_NAME})`);
  const name = `a2gen_bench_full_${randomBytes(5).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: MYSQL_SERVER });
  onCleanup(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
    progress(`dropped database ${name}`);
  });
  await admin.query(`CREATE DATABASE ${name}`);
  const server = new URL(MYSQL_SERVER);
  await run('sh', [
    '-c',
    `mariadb --host=${server.hostname} --port=${server.port || 3306} --user=${decodeURIComponent(server.username) || 'root'} ` +
      `${server.password ? `--password=${decodeURIComponent(server.password)} ` : ''}${name} < "${A2BILLING_DUMP}"`,
  ]);
  await admin.query(`USE ${name}`);
  await createBenchUserMysql(admin, password);
  return `${MYSQL_SERVER}/${name}`;
}

export interface FullSchemaProject {
  /** The copy's root: its service is dist/runtime/main.js there. */
  dir: string;
  tables: number;
  /** `a2gen build`, seconds (wall). */
  buildSeconds: number;
  /** `tsc -p tsconfig.app.json` (what `npm run build` runs), seconds (wall). */
  compileSeconds: number;
}

/** Copies `checkout` to `dir`, introspects every table of `url` into it, builds and compiles it. */
export async function fullSchemaProject(checkout: string, dir: string, url: string): Promise<FullSchemaProject> {
  mkdirSync(path.join(dir, 'schema'), { recursive: true });
  for (const entry of APP_ENTRIES) cpSync(path.join(checkout, entry), path.join(dir, entry), { recursive: true });
  symlinkSync(path.join(checkout, 'node_modules'), path.join(dir, 'node_modules'));
  const audit = path.join(checkout, 'schema/a2gen_audit.json');
  if (existsSync(audit)) cpSync(audit, path.join(dir, 'schema/a2gen_audit.json'));
  const cli = path.join(checkout, 'dist/bin/a2gen.js');
  const options = { cwd: dir, maxBuffer: 64 * 1024 * 1024 };
  const init = await run(process.execPath, [cli, 'init', '--url', url, '--tables', 'all', '--project', dir], options);
  const tables = Number(/introspected (\d+) tables/.exec(init.stdout)?.[1] ?? Number.NaN);
  let started = performance.now();
  await run(process.execPath, [cli, 'build', '--project', dir], options);
  const buildSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await run(process.execPath, [path.join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.app.json'], options);
  const compileSeconds = (performance.now() - started) / 1000;
  return { dir, tables, buildSeconds, compileSeconds };
}
