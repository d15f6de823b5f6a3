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
  /** The row's key in URL form (store/keys.ts): `7`, `fr`, `1,2`. */
  readonly key: string;
  /** Values before the change (null for a create); write-only columns masked. */
  readonly before: Record<string, unknown> | null;
  /** Values after the change (null for a delete); write-only columns masked. */
  readonly after: Record<string, unknown> | null;
  readonly note?: string;
}

/** What a write-only column's value is replaced with in the trail. */
export const MASKED = '********';

export const AUDIT_TABLE = 'a2gen_audit';

const AUDIT_COLUMNS = '(at, username, client, route, resource, row_key, action, old_values, new_values, note)';
const ROW_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** One entry; a batch of n entries is one INSERT of n rows (see AuditWriter). */
export const INSERT_AUDIT = `INSERT INTO ${AUDIT_TABLE}\n  ${AUDIT_COLUMNS}\nVALUES ${ROW_PLACEHOLDERS}`;

function insertRows(count: number): string {
  return count === 1
    ? INSERT_AUDIT
    : `INSERT INTO ${AUDIT_TABLE}\n  ${AUDIT_COLUMNS}\nVALUES ${Array(count).fill(ROW_PLACEHOLDERS).join(', ')}`;
}

let formattedSecond = -1;
let formatted = '';

/** Time of the change in UTC, to the second, as DATETIME text (formatted once a second, not once a write). */
function utcNow(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== formattedSecond) {
    formattedSecond = second;
    formatted = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  return formatted;
}

function json(values: Record<string, unknown> | null): string | null {
  return values === null ? null : JSON.stringify(values);
}

function rowParams(actor: Actor, entry: AuditEntry): (string | null)[] {
  return [
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
  ];
}

/** Appends one entry on the given connection: inside a write's transaction (InnoDB). */
export async function appendAudit(db: Db, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.run(INSERT_AUDIT, rowParams(actor, entry));
}

/** The most entries one INSERT carries (and so the most distinct prepared statements a batch size needs). */
const MAX_BATCH = 32;

/** Appends many entries on the given connection (a bulk write's transaction or table lock), MAX_BATCH an INSERT. */
export async function appendAuditEntries(db: Db, actor: Actor, entries: readonly AuditEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += MAX_BATCH) {
    const batch = entries.slice(start, start + MAX_BATCH);
    await db.run(
      insertRows(batch.length),
      batch.flatMap((entry) => rowParams(actor, entry)),
    );
  }
}

interface Pending {
  params: (string | null)[];
  done: (error?: unknown) => void;
}

/**
 * Appends entries outside a transaction, as a group commit: the entries of
 * every write that reaches this point in the same turn of the event loop
 * (their UPDATEs answered together) go in one INSERT, sent once that turn's
 * I/O callbacks have run (setImmediate: no timer, no fixed delay); entries
 * that arrive while an INSERT is on its way go together in the next. Every
 * caller still waits until its own row is stored (or the INSERT failed), so
 * a request answers only after its audit row is in; under load, ten
 * concurrent writes cost one audit statement instead of ten.
 */
export class AuditWriter {
  private readonly queue: Pending[] = [];
  private writing = false;

  constructor(private readonly db: Db) {}

  append(actor: Actor, entry: AuditEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        params: rowParams(actor, entry),
        done: (error) => (error === undefined ? resolve() : reject(error)),
      });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.db.run(
          insertRows(batch.length),
          batch.flatMap((pending) => pending.params),
        );
        for (const pending of batch) pending.done();
      } catch (error) {
        for (const pending of batch) pending.done(error ?? new Error('audit INSERT failed'));
      }
    }
    this.writing = false;
  }
}
