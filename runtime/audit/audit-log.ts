/**
 * The audit trail: one row in `a2gen_audit` for every create, update,
 * delete and adjustment, made through the API or the admin panel. The
 * table is described by schema/a2gen_audit.json (served read-only at
 * /api/audit/); this module only appends to it.
 */
import type { Db } from '../db/db.js';

/** Who made a change, from where, through which route. */
export interface Actor {
  readonly user: string;
  /** The client's address as the service sees it. */
  readonly client: string;
  /** `PATCH /api/card/:id/`, `POST /admin/card/:id/`. */
  readonly route: string;
}

export type AuditAction = 'create' | 'update' | 'delete' | 'adjust';

export interface AuditEntry {
  readonly action: AuditAction;
  readonly resource: string;
  readonly key: string | number;
  /** Values before the change (null for a create); write-only columns masked. */
  readonly before: Record<string, unknown> | null;
  /** Values after the change (null for a delete); write-only columns masked. */
  readonly after: Record<string, unknown> | null;
  readonly note?: string;
}

/** What a write-only column's value is replaced with in the trail. */
export const MASKED = '********';

export const AUDIT_TABLE = 'a2gen_audit';

export const INSERT_AUDIT = `INSERT INTO ${AUDIT_TABLE}
  (at, username, client, route, resource, row_key, action, old_values, new_values, note)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Time of the change in UTC, to the second, as DATETIME text. */
function utcNow(): string {
  return new Date().toISOString().slice(0, 19).replace('T', ' ');
}

function json(values: Record<string, unknown> | null): string | null {
  return values === null ? null : JSON.stringify(values);
}

/** Appends one entry, on the given connection (inside the write's transaction when there is one). */
export async function appendAudit(db: Db, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.run(INSERT_AUDIT, [
    utcNow(),
    actor.user.slice(0, 100),
    actor.client.slice(0, 45),
    actor.route.slice(0, 200),
    entry.resource,
    String(entry.key),
    entry.action,
    json(entry.before),
    json(entry.after),
    entry.note ?? null,
  ]);
}
