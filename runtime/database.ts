/**
 * Opens the configured database. MySQL is used as it is: the only DDL ever
 * run there creates the runtime's own tables (`user`, `a2gen_api_key`, the
 * audit trail) when they are missing, and adds the `user` table's newer columns. The
 * embedded SQLite file is created on first use, with the generated tables
 * and their seed rows.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import type { ResourceModel } from './store/model.js';
import { UserStore } from './auth/user-store.js';
import { ApiKeyStore } from './auth/api-key-store.js';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { DatabaseUnavailableError } from './db/errors.js';
import { ReadWriteSplitDb } from './db/read-write-split.js';
import { readDdl } from './db/ddl-file.js';
import { seedStatements } from './db/seed.js';

export const EMBEDDED_FILE = 'a2billing.sqlite';
/** Modes of what the embedded database creates: owner only (before the umask, which can only take away). */
export const PRIVATE_DIRECTORY = 0o700;
export const PRIVATE_FILE = 0o600;

export interface OpenedDatabase {
  db: Db;
  /** The embedded file did not exist before this call. */
  created: boolean;
}

export async function openDatabase(config: Config, models: readonly ResourceModel[]): Promise<OpenedDatabase> {
  // Each driver is loaded only where it is the one configured (better-sqlite3 alone costs ~12 ms of a start).
  if (config.databaseUrl !== undefined) {
    const { openMysql } = await import('./db/mysql/driver.js');
    const options = {
      poolSize: config.dbPoolSize,
      timeZone: config.dbTimeZone,
      queryTimeoutMs: config.dbQueryTimeoutMs,
    };
    const primary = openMysql(config.databaseUrl, options);
    await ensureOwnTables(primary, models);
    if (config.databaseReadUrl === undefined) return { db: primary, created: false };
    const replica = openMysql(config.databaseReadUrl, options);
    return {
      db: new ReadWriteSplitDb(primary, replica, { readYourWritesMs: config.readYourWritesMs }),
      created: false,
    };
  }
  // Password hashes and card secrets: the directory and the file are the service user's alone. SQLite
  // gives its -wal and -shm files the database file's mode. Existing ones are left as they are.
  mkdirSync(config.dataDir, { recursive: true, mode: PRIVATE_DIRECTORY });
  const file = path.join(config.dataDir, EMBEDDED_FILE);
  const created = !existsSync(file);
  if (created) closeSync(openSync(file, 'a', PRIVATE_FILE));
  const { openSqlite } = await import('./db/sqlite/driver.js');
  const db = openSqlite(file, { queryTimeoutMs: config.dbQueryTimeoutMs });
  await createEmbeddedTables(db, models);
  return { db, created };
}

/**
 * Creates a2gen's own tables when they are missing: `user`, `a2gen_api_key` and the managed
 * models' (the audit trail). A database that is down at startup does not
 * stop the service: requests answer 503 meanwhile, and the tables are
 * created as soon as the database answers.
 */
async function ensureOwnTables(db: Db, models: readonly ResourceModel[], retryMs = 2000): Promise<void> {
  try {
    await new UserStore(db).ensureTable();
    await new ApiKeyStore(db).ensureTable();
    // Each statement is CREATE TABLE IF NOT EXISTS: an existing table is left as it is.
    const managed = models.filter((model) => model.managed);
    const ddl = managed.length > 0 ? readDdl('mysql') : new Map<string, string[]>();
    for (const model of managed) for (const statement of ddl.get(model.table) ?? []) await db.run(statement);
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError)) throw error;
    const retry = setTimeout(() => void ensureOwnTables(db, models, retryMs).catch(() => undefined), retryMs);
    // Never keeps the process alive on its own.
    retry.unref();
  }
}

/** Creates missing tables and seeds the ones it created. */
export async function createEmbeddedTables(db: Db, models: readonly ResourceModel[]): Promise<void> {
  const ddl = readDdl('sqlite');
  // In the DDL file's order, where referenced tables come first: their seed rows go in before those pointing at them.
  const tables = [...ddl.keys()];
  const ordered = [...models].sort((a, b) => tables.indexOf(a.table) - tables.indexOf(b.table));
  for (const model of ordered) {
    const existing = await db.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [model.table]);
    for (const statement of ddl.get(model.table) ?? []) await db.run(statement);
    if (existing.length === 0) {
      for (const statement of (model.seed ?? []).flatMap(seedStatements)) await db.run(statement.sql, statement.params);
    }
  }
  await new UserStore(db).ensureTable();
  await new ApiKeyStore(db).ensureTable();
}
