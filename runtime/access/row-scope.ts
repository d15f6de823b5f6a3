/**
 * A row scope compiled into SQL: a condition over the model's own columns
 * with one `?` per attribute of the caller, put into the WHERE clause of
 * every statement that reads or writes the model's rows; and, for writes,
 * how to tell whether the values sent keep the row in scope.
 *
 * `id_group: {in: cardgroup}` becomes
 *   id_group IN (SELECT id FROM cc_card_group WHERE id_agent = ?)
 * when the caller's scope of cardgroup is `id_agent: {attribute: agent}`.
 */
import type { Column, Resource } from '../store/resource.js';

/** How a value written to a scoped column is tested. */
export type ValueCheck =
  | { readonly column: Column; readonly attribute: string }
  /** `SELECT 1 … WHERE key = ? AND (…)`: the value, then `attributes` in order. */
  | { readonly column: Column; readonly sql: string; readonly attributes: readonly string[] };

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

function subquery(target: Resource, scope: ScopeTemplate | undefined): string {
  const where = scope === undefined ? '' : ` WHERE ${scope.sql}`;
  return `SELECT ${target.key[0]!.sql} FROM ${target.table}${where}`;
}

/** Joins the parts with AND, in the order given. */
export function scopeTemplate(parts: readonly ScopePart[]): ScopeTemplate {
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
    // A NULL reference is in no scope: `NULL IN (…)` is never true.
    conditions.push(`${column.sql} IN (${subquery(target!, targetScope)})`);
    attributes.push(...(targetScope?.attributes ?? []));
    const within = targetScope === undefined ? '' : ` AND (${targetScope.sql})`;
    checks.push({
      column,
      sql: `SELECT 1 FROM ${target!.table} WHERE ${target!.key[0]!.sql} = ?${within} LIMIT 1`,
      attributes: targetScope?.attributes ?? [],
    });
  }
  return {
    sql: conditions.length === 1 ? conditions[0]! : conditions.map((condition) => `(${condition})`).join(' AND '),
    attributes,
    checks,
  };
}
