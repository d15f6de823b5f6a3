/**
 * Adds a column this runtime added to one of its own tables when an older
 * table lacks it (the `user` table of an existing install). Several workers
 * may start at once: one that loses the race finds the column there and is
 * content.
 */
import type { Db } from '../db/db.js';
import { DatabaseUnavailableError } from '../db/errors.js';

const HAS_COLUMN: Record<'mysql' | 'sqlite', string> = {
  mysql:
    'SELECT COUNT(*) AS `n` FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
  sqlite: 'SELECT COUNT(*) AS `n` FROM pragma_table_info(?) WHERE name = ?',
};

async function hasColumn(db: Db, table: string, column: string): Promise<boolean> {
  const [row] = await db.all(HAS_COLUMN[db.dialect], [table, column]);
  return Number(row?.n ?? 0) > 0;
}

/**
 * `table`, `column` and `definition` are constants of the runtime, never input. A database user without
 * the ALTER privilege cannot add it: the error says what to run or grant, once.
 */
export async function addColumnIfMissing(db: Db, table: string, column: string, definition: string): Promise<void> {
  if (await hasColumn(db, table, column)) return;
  const statement = `ALTER TABLE \`${table}\` ADD COLUMN \`${column}\` ${definition}`;
  try {
    await db.run(statement);
  } catch (error) {
    if (await hasColumn(db, table, column)) return;
    if (error instanceof DatabaseUnavailableError) throw error;
    throw new Error(
      `the ${table} table needs the column ${column}, and adding it failed (${(error as Error).message}): ` +
        `grant ALTER on it to this database user once, or run as an administrator: ${statement}`,
      { cause: error },
    );
  }
}
