/**
 * Atomic adjustments (`credit = credit + delta`): one generated statement,
 * with the bound in its WHERE clause, so two refills at once never lose one.
 */
import { addDecimals, formatDecimal } from '../../common/decimal.js';
import type { Db, Statement } from '../db/db.js';
import { conflict, notFound } from './errors.js';
import { formatKey } from './keys.js';
import type { KeyValues } from './model.js';
import type { WriteScope } from './write-scope.js';

export interface AdjustRequest {
  /** Exact decimal text, as validated against the column. */
  readonly delta: string;
  /** The result may not fall below this; a conflict and nothing written when it would. */
  readonly atLeast?: string;
  readonly note?: string;
}

export interface AdjustResult {
  readonly key: KeyValues;
  /** The new value, exact, with the column's decimal places. */
  readonly value: string;
  readonly delta: string;
}

/** Runs the adjustment; returns the value it stored, or undefined when it matched no row. */
async function apply(db: Db, statement: Statement): Promise<unknown> {
  if (db.adapter.updateReturning) return (await db.all(statement.sql, statement.params))[0]?.value;
  // No UPDATE … RETURNING: the statement leaves the new value in a session variable, read on the same connection.
  return db.pinned(async (connection) => {
    if ((await connection.run(statement.sql, statement.params)).affectedRows === 0) return undefined;
    return (await connection.all(connection.adapter.adjustedValue))[0]?.value;
  });
}

export async function adjustColumn(
  scope: WriteScope,
  name: string,
  key: KeyValues,
  request: AdjustRequest,
): Promise<AdjustResult> {
  const { db, resource } = scope;
  const bind = resource.model.statements.adjust?.[name];
  const rule = resource.byName.get(name)?.rule;
  if (bind === undefined || rule?.kind !== 'decimal') throw new Error(`${resource.name} has no adjustment of ${name}`);
  const stored = await apply(db, bind(db.dialect, key, request.delta, request.atLeast));
  if (stored === undefined) {
    const select = resource.model.statements.select!(key);
    if ((await db.all(select.sql, select.params)).length === 0) throw notFound(resource.name, formatKey(key));
    throw conflict(
      `${name} of ${resource.name} ${formatKey(key)} would fall below ${request.atLeast}: nothing was written`,
      [{ field: 'delta', message: `would take ${name} below min_balance ${request.atLeast}` }],
    );
  }
  const value = formatDecimal(stored, rule.scale);
  const delta = formatDecimal(request.delta, rule.scale);
  const previous = addDecimals(value, delta.startsWith('-') ? delta.slice(1) : `-${delta}`, rule.scale);
  await scope.record({
    action: 'adjust',
    resource: resource.name,
    key: formatKey(key),
    before: { [name]: previous },
    after: { [name]: value },
    note: request.note,
  });
  return { key, value, delta };
}
