/**
 * Test databases: a temporary SQLite file, or a throwaway MariaDB database
 * at 127.0.0.1:3306 created for one test file and dropped after it. A
 * missing MariaDB server fails the test; it is never skipped.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { models } from '../../generated/index.js';
import { createEmbeddedTables } from '../../runtime/database.js';
import type { Db } from '../../runtime/db/db.js';
import { openMysql, SESSION_SQL_MODE } from '../../runtime/db/mysql/driver.js';
import { openSqlite } from '../../runtime/db/sqlite/driver.js';
import { seedStatements } from '../../runtime/db/seed.js';
import { UserStore } from '../../runtime/auth/user-store.js';

export type BackendName = 'sqlite' | 'mysql';
export const BACKENDS: readonly BackendName[] = ['sqlite', 'mysql'];

/** dist/test/helpers → the project root. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const MYSQL_SERVER = process.env.A2B_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306';

export interface Backend {
  name: BackendName;
  db: Db;
  /** For MySQL: the database URL; for SQLite: the data directory. */
  location: string;
  /** Raw SQL against the same database, bypassing the service (to check what was stored). */
  raw(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

export async function createBackend(name: BackendName): Promise<Backend> {
  return name === 'sqlite' ? createSqliteBackend() : createMysqlBackend();
}

async function createSqliteBackend(): Promise<Backend> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'a2gen-test-'));
  const db = openSqlite(path.join(directory, 'a2billing.sqlite'));
  await createEmbeddedTables(db, models);
  return {
    name: 'sqlite',
    db,
    location: directory,
    async raw(sql, params = []) {
      if (/^\s*(select|pragma|with)\b/i.test(sql))
        return db.all(sql, params as never[]) as Promise<Record<string, unknown>[]>;
      await db.run(sql, params as never[]);
      return [];
    },
    async cleanup() {
      await db.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Creates a database loaded with the generated A2Billing DDL and seed rows. */
export async function createMysqlDatabase(
  server = MYSQL_SERVER,
  name = `a2gen_test_${randomBytes(6).toString('hex')}`,
): Promise<{ url: string; admin: mysql.Connection; drop(): Promise<void> }> {
  let admin: mysql.Connection;
  try {
    admin = await mysql.createConnection({ uri: server, multipleStatements: true, dateStrings: true });
  } catch (error) {
    throw new Error(`MariaDB is required for the tests and is not reachable at ${server}: ${(error as Error).message}`);
  }
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8 COLLATE utf8_bin`);
  await admin.query(`USE ${name}`);
  await admin.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}', time_zone = '+00:00'`);
  await admin.query(readFileSync(path.join(PROJECT_ROOT, 'generated/ddl/mysql.sql'), 'utf8'));
  for (const model of models) {
    for (const statement of (model.seed ?? []).flatMap(seedStatements))
      await admin.query(statement.sql, statement.params);
  }
  return {
    url: `${server}/${name}`,
    admin,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

async function createMysqlBackend(): Promise<Backend> {
  const database = await createMysqlDatabase();
  const db = openMysql(database.url);
  await new UserStore(db).ensureTable();
  return {
    name: 'mysql',
    db,
    location: database.url,
    async raw(sql, params = []) {
      const [rows] = await database.admin.query(sql, params);
      return rows as Record<string, unknown>[];
    },
    async cleanup() {
      await db.close();
      await database.drop();
    },
  };
}
