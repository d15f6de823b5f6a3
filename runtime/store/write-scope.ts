/**
 * What one write works with, and who asked for it: the types the store's
 * write functions (writes.ts, adjust.ts) share with the Store that runs them.
 */
import type { Db } from '../db/db.js';
import type { Actor, AuditEntry } from './audit-log.js';
import type { Resource } from './resource.js';

/** Where a write's failures that must not fail it go (pino's shape). */
export interface Logger {
  error(details: object, message: string): void;
}

/** Who writes, and where to log what cannot be reported to them. */
export interface WriteContext {
  readonly actor: Actor;
  readonly log: Logger;
}

/** What one write works with: its connection (a transaction's, on InnoDB), and how it records itself. */
export interface WriteScope {
  readonly db: Db;
  readonly resource: Resource;
  /** Inside a transaction: the first read locks the row, and the audit row goes with the change. */
  readonly locked: boolean;
  /** Writes are audited (A2B_AUDIT): what the audit row needs is read; else no more than the write needs. */
  readonly audited: boolean;
  record(entry: AuditEntry): Promise<void>;
  /** Many entries at once (a bulk write): in as few INSERTs as the trail takes. */
  recordAll(entries: readonly AuditEntry[]): Promise<void>;
  /** Runs an INSERT or UPDATE; a duplicate unique key becomes the conflict naming its fields. */
  writing<R>(pending: Promise<R>): Promise<R>;
}
