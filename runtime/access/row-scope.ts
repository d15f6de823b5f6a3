/**
 * A row scope compiled into SQL: a condition over the model's own columns
 * with one `?` per attribute of the caller, put into the WHERE clause of
 * every statement that reads or writes the model's rows; and, for writes,
 * how to tell whether the values sent keep the row in scope.
 *
 * `id_group: {in: cardgroup}` becomes
 *   (SELECT 1 FROM cc_card_group WHERE cc_card_group.id = cc_card.id_group AND (id_agent = ?)) = 1
 * when the caller's scope of cardgroup is `id_agent: {attribute: agent}`.
 *
 * A correlated scalar subquery, not `id_group IN (SELECT …)`: MariaDB turns an
 * IN subquery into a semi-join and, with no index on id_group, reads and sorts
 * the whole card table for every page (1.4 s a 20-card page of 10,000 cards,
 * measured); this form keeps the page's own plan (the key's order, stopping
 * at LIMIT) and looks each row's group up by its key, which the server's
 * subquery cache answers once per group. Outer columns are qualified with
 * the table's name, inner ones are not: the nearest table is the one meant.
 */
import type { Column, Resource } from '../store/resource.js';

/** How a value written to a scoped column is tested. */
export type ValueCheck =
  | { readonly column: Column; readonly attribute: string }
  | {
      readonly column: Column;
      /** The keys among `count` values that name rows in scope: the values, then `attributes` in order. */
      readonly keysInScope: (count: number) => string;
      readonly attributes: readonly string[];
    };

export interface ScopeTemplate {
  /** A condition over the model's own columns; one `?` per entry of `attributes`, in order. */
  readonly sql: string;
  readonly attributes: readonly string[];
  /** One test per scoped column, for creates and updates. */
  readonly checks: readonly ValueCheck[];
}

/** One column's part of a scope, before the parts are joined. */
export interface ScopePart {
  readonly column: Column;
  /** Equal to this attribute of the caller. */
  readonly attribute?: string;
  /** Else: a key of a row of `target` within `targetScope` (undefined: any row of it). */
  readonly target?: Resource;
  readonly targetScope?: ScopeTemplate;
}

/** `(SELECT 1 FROM target WHERE target.key = outer.column AND (…)) = 1`: the row's reference is in scope. */
function referenceInScope(outer: Resource, column: Column, target: Resource, scope: ScopeTemplate | undefined): string {
  const within = scope === undefined ? '' : ` AND (${scope.sql})`;
  const key = `${target.table}.${target.key[0]!.sql}`;
  return `(SELECT 1 FROM ${target.table} WHERE ${key} = ${outer.table}.${column.sql}${within}) = 1`;
}

/** Joins the parts of `resource`'s scope with AND, in the order given. */
export function scopeTemplate(resource: Resource, parts: readonly ScopePart[]): ScopeTemplate {
  const conditions: string[] = [];
  const attributes: string[] = [];
  const checks: ValueCheck[] = [];
  for (const { column, attribute, target, targetScope } of parts) {
    if (attribute !== undefined) {
      conditions.push(`${column.sql} = ?`);
      attributes.push(attribute);
      checks.push({ column, attribute });
      continue;
    }
    // A NULL reference is in no scope: the subquery finds no row, and NULL = 1 is never true.
    conditions.push(referenceInScope(resource, column, target!, targetScope));
    attributes.push(...(targetScope?.attributes ?? []));
    const within = targetScope === undefined ? '' : ` AND (${targetScope.sql})`;
    const key = target!.key[0]!.sql;
    checks.push({
      column,
      keysInScope: (count) =>
        `SELECT ${key} AS \`k\` FROM ${target!.table} WHERE ${key} IN (${Array.from({ length: count }, () => '?').join(', ')})${within}`,
      attributes: targetScope?.attributes ?? [],
    });
  }
  return {
    sql: conditions.length === 1 ? conditions[0]! : conditions.map((condition) => `(${condition})`).join(' AND '),
    attributes,
    checks,
  };
}
