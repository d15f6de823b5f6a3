/**
 * The throwaway MariaDB database every server of a run shares: this
 * checkout's DDL and seed rows, the benchmark cards and API user; dropped on cleanup.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import { models } from '../../generated/index.js';
import { seedStatements } from '../../runtime/db/seed.js';
import { BENCH_USER, createBenchUserMysql, loadCardsMysql, PROJECT_ROOT } from '../load-data.js';
import { onCleanup } from './cleanup.js';
import { progress } from './progress.js';

export const MYSQL_SERVER = (process.env.A2B_BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

export interface BenchDatabase {
  url: string;
  version: string;
  cards: number;
}

export async function createDatabase(password: string): Promise<BenchDatabase> {
  const name = `a2gen_bench_${randomBytes(5).toString('hex')}`;
  let admin: mysql.Connection;
  try {
    admin = await mysql.createConnection({ uri: MYSQL_SERVER, multipleStatements: true });
  } catch (error) {
    throw new Error(`MariaDB is not reachable at ${MYSQL_SERVER} (set A2B_BENCH_MYSQL): ${(error as Error).message}`);
  }
  onCleanup(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
    progress(`dropped database ${name}`);
  });
  const [[{ version }]] = (await admin.query('SELECT VERSION() AS version')) as unknown as [[{ version: string }]];
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8 COLLATE utf8_bin`);
  await admin.query(`USE ${name}`);
  await admin.query(
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'",
  );
  await admin.query(readFileSync(path.join(PROJECT_ROOT, 'generated/ddl/mysql.sql'), 'utf8'));
  for (const model of models) {
    for (const statement of (model.seed ?? []).flatMap(seedStatements))
      await admin.query(statement.sql, statement.params);
  }
  const started = performance.now();
  const loaded = await loadCardsMysql(admin);
  await createBenchUserMysql(admin, password);
  const [[range]] = (await admin.query(
    'SELECT COUNT(*) AS n, MIN(id) AS low, MAX(id) AS high FROM cc_card',
  )) as unknown as [[{ n: number; low: number; high: number }]];
  if (Number(range.low) !== 1 || Number(range.high) !== loaded)
    throw new Error(`unexpected card ids ${range.low}…${range.high}`);
  progress(
    `database ${name}: ${loaded} cards and user ${BENCH_USER} loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return { url: `${MYSQL_SERVER}/${name}`, version, cards: loaded };
}
