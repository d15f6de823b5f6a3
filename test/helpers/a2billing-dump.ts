/**
 * The mysqldump of a real A2Billing v2.0.8 install (areski/a2billing-flask-api's
 * data/a2billing_db.mysql: 95 cc_ tables with real rows), loaded into a
 * throwaway MariaDB database that is dropped when the test ends. The dump is
 * the workplace's shared test material, not part of this repository:
 * A2B_A2BILLING_DUMP, else shared/ beside the checkout, else this machine's.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { MYSQL_SERVER, PROJECT_ROOT } from './backends.js';

const run = promisify(execFile);

const DUMP_NAME = 'a2billing/a2billing-v2.0.8-install.sql';

export const A2BILLING_DUMP = [
  process.env.A2B_A2BILLING_DUMP,
  path.resolve(PROJECT_ROOT, '../shared', DUMP_NAME),
  path.join('/work/shared', DUMP_NAME),
].find((file) => file !== undefined && existsSync(file));

export interface LoadedDump {
  /** mysql://…/<database>, for the service and the CLI. */
  url: string;
  /** Raw SQL against the loaded database, bypassing the service. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

export async function loadA2BillingDump(t: { teardown(fn: () => unknown): void }): Promise<LoadedDump> {
  if (A2BILLING_DUMP === undefined)
    throw new Error(
      `the A2Billing install dump is missing: set A2B_A2BILLING_DUMP to ${DUMP_NAME} of the shared material`,
    );
  const name = `a2gen_test_dump_${randomBytes(5).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: MYSQL_SERVER, dateStrings: true });
  t.teardown(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  });
  await admin.query(`CREATE DATABASE ${name}`);
  const server = new URL(MYSQL_SERVER);
  await run('sh', [
    '-c',
    `mariadb --host=${server.hostname} --port=${server.port || 3306} --user=${server.username || 'root'} ${name} < "${A2BILLING_DUMP}"`,
  ]);
  await admin.query(`USE ${name}`);
  return {
    url: `${MYSQL_SERVER}/${name}`,
    async query(sql, params = []) {
      return (await admin.query(sql, params))[0] as Record<string, unknown>[];
    },
  };
}
