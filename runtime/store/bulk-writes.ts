/**
 * Update and delete of every row a list's filters match, guarded: at most
 * `limit` rows (Prefer: max-affected), else nothing changes. The rows are
 * read first (one more than the limit, to know), then changed by key in one
 * statement, so the guard holds even when other writers change the table
 * meanwhile: the statement never reaches a row that was not read. Each
 * changed row gets its own audit entry.
 */
import type { Row, SqlValue } from '../db/db.js';
import { deleteByKeys, selectByKeys, selectMatching, updateByKeys } from './bulk-sql.js';
import { tooManyRows } from './errors.js';
import { formatKey, keyOf } from './keys.js';
import type { Resource } from './resource.js';
import { pick } from './writes.js';
import type { WriteScope } from './write-scope.js';

/** What a bulk write matches: a list query's WHERE clause and its parameters. */
export interface Match {
  where: string;
  params: readonly SqlValue[];
}

async function matching(scope: WriteScope, match: Match, limit: number): Promise<Row[]> {
  const { db, resource, locked } = scope;
  // Inside a transaction (InnoDB) the rows stay locked until the change and its audit entries are in.
  const statement = selectMatching(resource, match.where, match.params, limit, locked);
  const rows = await db.all(statement.sql, statement.params);
  if (rows.length > limit) throw tooManyRows(resource.name, limit);
  return rows.map((row) => resource.decode(row));
}

const keysOf = (resource: Resource, rows: readonly Row[]) => rows.map((row) => keyOf(resource, row));

/** Returns how many rows the UPDATE matched. */
export async function updateMatching(
  scope: WriteScope,
  match: Match,
  values: Record<string, unknown>,
  limit: number,
): Promise<number> {
  const { db, resource } = scope;
  const before = await matching(scope, match, limit);
  const statement = before.length === 0 ? undefined : updateByKeys(resource, values, keysOf(resource, before));
  if (statement === undefined) return 0;
  const { affectedRows } = await scope.writing(db.run(statement.sql, statement.params));
  if (!scope.audited) return affectedRows;
  const read = selectByKeys(resource, keysOf(resource, before));
  const after = new Map(
    (await db.all(read.sql, read.params)).map((row) => {
      const decoded = resource.decode(row);
      return [formatKey(keyOf(resource, decoded)), decoded];
    }),
  );
  const sent = Object.keys(values).filter((name) => values[name] !== undefined);
  await scope.recordAll(
    before.flatMap((old) => {
      const key = formatKey(keyOf(resource, old));
      const now = after.get(key);
      // Deleted by someone else in the instant since: nothing of ours to record.
      if (now === undefined) return [];
      return [
        {
          action: 'update' as const,
          resource: resource.name,
          key,
          before: pick(resource, old, sent),
          after: pick(resource, now, sent),
        },
      ];
    }),
  );
  return affectedRows;
}

/** Returns how many rows were deleted. */
export async function deleteMatching(scope: WriteScope, match: Match, limit: number): Promise<number> {
  const { db, resource } = scope;
  const before = await matching(scope, match, limit);
  if (before.length === 0) return 0;
  const statement = deleteByKeys(resource, keysOf(resource, before));
  const { affectedRows } = await scope.writing(db.run(statement.sql, statement.params));
  await scope.recordAll(
    before.map((old) => ({
      action: 'delete' as const,
      resource: resource.name,
      key: formatKey(keyOf(resource, old)),
      before: old,
      after: null,
    })),
  );
  return affectedRows;
}
