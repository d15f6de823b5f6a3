/**
 * Fresh, empty databases of each dialect, for tests of runtime-owned tables.
 * MariaDB being down is a failure, not a skip.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Db } from '../../runtime/db/db.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import { openSqlite } from '../../runtime/db/sqlite/driver.js';
import { MYSQL_SERVER } from './backends.js';

/** All the helpers need of a tap test. */
export type Scope = { teardown(fn: () => unknown): void };

export const emptyDatabases: Record<string, (t: Scope) => Promise<Db>> = {
  async sqlite(t) {
    const file = join(tmpdir(), `a2gen-empty-${randomBytes(6).toString('hex')}.sqlite`);
    const db = openSqlite(file);
    t.teardown(async () => {
      await db.close();
      await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(file + suffix, { force: true })));
    });
    return db;
  },
  async mysql(t) {
    const name = `a2gen_test_${randomBytes(6).toString('hex')}`;
    const server = await mysql.createConnection({ uri: MYSQL_SERVER });
    await server.query(`CREATE DATABASE \`${name}\``);
    const db = openMysql(`${MYSQL_SERVER}/${name}`);
    t.teardown(async () => {
      await db.close();
      await server.query(`DROP DATABASE \`${name}\``);
      await server.end();
    });
    return db;
  },
};
