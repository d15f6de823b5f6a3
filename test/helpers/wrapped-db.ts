/**
 * A Db that forwards everything to another, with `all`, `run`, `pinned`
 * and `insertReturning` replaceable: for tests that count, record or interfere
 * with the statements a service runs.
 */
import type { Db } from '../../runtime/db/db.js';

export function wrapDb(db: Db, overrides: Partial<Pick<Db, 'all' | 'run' | 'pinned' | 'insertReturning'>>): Db {
  return {
    dialect: db.dialect,
    adapter: db.adapter,
    description: db.description,
    all: overrides.all ?? ((sql, params) => db.all(sql, params)),
    run: overrides.run ?? ((sql, params) => db.run(sql, params)),
    get insertReturning() {
      return 'insertReturning' in overrides ? overrides.insertReturning : db.insertReturning;
    },
    pinned: overrides.pinned ?? ((work, options) => db.pinned(work, options)),
    atomically: (statements) => db.atomically(statements),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}
