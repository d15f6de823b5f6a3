/**
 * A Db that lets "another writer" change a row at the worst moment: right
 * after the write path has read the row it is about to change, before its
 * UPDATE or DELETE. Only a condition inside that statement can notice.
 */
import type { Db } from '../../runtime/db/db.js';
import { wrapDb } from './wrapped-db.js';

export interface InterferingDb {
  db: Db;
  /** Runs `interfere` once, after the `nth` read (1 = the next) of `sql`. */
  arm(sql: string, interfere: (db: Db) => Promise<void>, nth?: number): void;
}

export function interferingDb(db: Db): InterferingDb {
  let trap: { sql: string; interfere: (db: Db) => Promise<void>; remaining: number } | undefined;
  const wrapped = wrapDb(db, {
    async all(sql, params) {
      const rows = await db.all(sql, params);
      if (trap !== undefined && sql === trap.sql && --trap.remaining === 0) {
        const { interfere } = trap;
        trap = undefined;
        await interfere(db);
      }
      return rows;
    },
  });
  return {
    db: wrapped,
    arm(sql, interfere, nth = 1) {
      trap = { sql, interfere, remaining: nth };
    },
  };
}
