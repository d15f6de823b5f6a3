/**
 * The operation journal (`a2gen_operation`, InnoDB): a business operation
 * that changes several of A2Billing's MyISAM tables (a refill: the balance,
 * a cc_logrefill row, a cc_logpayment row) cannot share a transaction, so it
 * is written down first, advanced step by step, and marked done. A process
 * that dies anywhere in between leaves a row that says how far it got; the
 * recovery (recovery.ts) finishes it from there. The journal also makes
 * retries idempotent (`Idempotency-Key`) and runs the operations on one
 * target (one card) one at a time, across workers and instances.
 */
import { hash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db, Row } from '../db/db.js';
import { DuplicateKeyError, MissingTableError } from '../db/errors.js';

export const OPERATION_TABLE_DDL: { mysql: string; sqlite: string } = {
  mysql: `CREATE TABLE IF NOT EXISTS \`a2gen_operation\` (
  \`id\` bigint(20) NOT NULL AUTO_INCREMENT,
  \`kind\` varchar(32) NOT NULL,
  \`target\` varchar(100) NOT NULL,
  \`running_on\` varchar(100) NULL DEFAULT NULL,
  \`idempotency\` char(64) NULL DEFAULT NULL,
  \`request_digest\` char(64) NULL DEFAULT NULL,
  \`username\` varchar(255) NOT NULL,
  \`input\` text NOT NULL,
  \`step\` varchar(32) NOT NULL,
  \`progress\` text NOT NULL,
  \`status\` smallint NULL DEFAULT NULL,
  \`result\` text NULL DEFAULT NULL,
  \`created_at\` bigint NOT NULL,
  \`updated_at\` bigint NOT NULL,
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`a2gen_operation_running_on\` (\`running_on\`),
  UNIQUE KEY \`a2gen_operation_idempotency\` (\`idempotency\`),
  KEY \`a2gen_operation_step\` (\`step\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  sqlite: `CREATE TABLE IF NOT EXISTS \`a2gen_operation\` (
  \`id\` INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  \`kind\` varchar(32) NOT NULL,
  \`target\` varchar(100) NOT NULL,
  \`running_on\` varchar(100) NULL DEFAULT NULL UNIQUE,
  \`idempotency\` char(64) NULL DEFAULT NULL UNIQUE,
  \`request_digest\` char(64) NULL DEFAULT NULL,
  \`username\` varchar(255) NOT NULL,
  \`input\` text NOT NULL,
  \`step\` varchar(32) NOT NULL,
  \`progress\` text NOT NULL,
  \`status\` smallint NULL DEFAULT NULL,
  \`result\` text NULL DEFAULT NULL,
  \`created_at\` bigint NOT NULL,
  \`updated_at\` bigint NOT NULL
)`,
};

/** The last step of every operation; `refused` ends one that could not be done (and undid its steps). */
export const DONE = 'done';
export const REFUSED = 'refused';
export const FIRST_STEP = 'recorded';

// `running_on` holds the target while the operation runs: a second operation on it waits for the first.
const INSERT_OPERATION =
  'INSERT INTO `a2gen_operation` (`kind`, `target`, `running_on`, `idempotency`, `request_digest`, `username`, ' +
  "`input`, `step`, `progress`, `created_at`, `updated_at`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?)";
const SELECT_BY_IDEMPOTENCY = 'SELECT * FROM `a2gen_operation` WHERE `idempotency` = ?';
const SELECT_BY_ID = 'SELECT * FROM `a2gen_operation` WHERE `id` = ?';
const ADVANCE =
  'UPDATE `a2gen_operation` SET `step` = ?, `progress` = ?, `updated_at` = ? WHERE `id` = ? AND `step` = ?';
const FINISH =
  'UPDATE `a2gen_operation` SET `step` = ?, `status` = ?, `result` = ?, `running_on` = NULL, `updated_at` = ? ' +
  'WHERE `id` = ?';
const UNFINISHED_BEFORE =
  "SELECT * FROM `a2gen_operation` WHERE `step` NOT IN ('done', 'refused') AND `updated_at` < ? ORDER BY `id`";
const CLAIM = 'UPDATE `a2gen_operation` SET `updated_at` = ? WHERE `id` = ? AND `updated_at` = ?';

/** An operation as the journal holds it. */
export interface Operation {
  readonly id: number;
  readonly kind: string;
  readonly target: string;
  readonly username: string;
  readonly input: Record<string, unknown>;
  step: string;
  /** What the steps so far produced (row ids), for the steps after them and for the answer. */
  progress: Record<string, unknown>;
  readonly updatedAt: number;
  readonly status: number | undefined;
  readonly result: unknown;
}

export interface NewOperation {
  readonly kind: string;
  /** What the operation changes, e.g. `card:7`: operations on one target run one at a time. */
  readonly target: string;
  readonly username: string;
  readonly input: Record<string, unknown>;
  /** The client's Idempotency-Key, scoped by the caller (user and route), and the request it came with. */
  readonly idempotency?: { readonly key: string; readonly request: string };
}

/** A retry of an operation already finished: its stored answer, or a key reused for another request. */
export type Replay =
  { readonly outcome: 'replay'; readonly status: number; readonly result: unknown } | { readonly outcome: 'mismatch' };

/** How long a second operation on a busy target, or a retry of one still running, waits for it. */
const WAIT_MS = 15_000;

function digest(text: string): string {
  return hash('sha256', text, 'hex');
}

function toOperation(row: Row): Operation {
  return {
    id: Number(row.id),
    kind: String(row.kind),
    target: String(row.target),
    username: String(row.username),
    input: JSON.parse(String(row.input)) as Record<string, unknown>,
    step: String(row.step),
    progress: JSON.parse(String(row.progress)) as Record<string, unknown>,
    updatedAt: Number(row.updated_at),
    status: row.status === null || row.status === undefined ? undefined : Number(row.status),
    result: row.result === null || row.result === undefined ? undefined : JSON.parse(String(row.result)),
  };
}

export class Journal {
  private tableReady: Promise<void> | undefined;

  constructor(
    /** The primary: the journal is what a restarted process reads back, never a replica. */
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Created on first use (the table is a2gen's own, like `user`). */
  ensureTable(): Promise<void> {
    this.tableReady ??= this.db.run(OPERATION_TABLE_DDL[this.db.dialect]).then(
      () => undefined,
      (error: unknown) => {
        this.tableReady = undefined;
        throw error;
      },
    );
    return this.tableReady;
  }

  /**
   * Records a new operation, or answers a retry: the stored result of the
   * operation the same Idempotency-Key started (waiting for it if it is
   * still running), or `mismatch` when that key came with another request.
   * Waits while another operation runs on the same target.
   */
  async begin(operation: NewOperation): Promise<Operation | Replay> {
    await this.ensureTable();
    const idempotency = operation.idempotency && digest(operation.idempotency.key);
    const requestDigest = operation.idempotency && digest(operation.idempotency.request);
    const deadline = this.now() + WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      if (idempotency !== undefined) {
        const replay = await this.replayOf(idempotency, requestDigest!, deadline);
        if (replay !== undefined) return replay;
      }
      const now = this.now();
      try {
        const { insertId } = await this.db.run(INSERT_OPERATION, [
          operation.kind,
          operation.target,
          operation.target,
          idempotency ?? null,
          requestDigest ?? null,
          operation.username,
          JSON.stringify(operation.input),
          FIRST_STEP,
          now,
          now,
        ]);
        crashHook(FIRST_STEP);
        return {
          id: insertId,
          kind: operation.kind,
          target: operation.target,
          username: operation.username,
          input: operation.input,
          step: FIRST_STEP,
          progress: {},
          updatedAt: now,
          status: undefined,
          result: undefined,
        };
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
        // The target is busy (or the same key just started elsewhere: the next turn answers that).
        if (this.now() > deadline) throw new BusyError(operation.target);
        await sleep(Math.min(2 + attempt, 20));
      }
    }
  }

  private async replayOf(idempotency: string, requestDigest: string, deadline: number): Promise<Replay | undefined> {
    for (;;) {
      const [row] = await this.db.all(SELECT_BY_IDEMPOTENCY, [idempotency]);
      if (row === undefined) return undefined;
      if (row.request_digest !== requestDigest) return { outcome: 'mismatch' };
      const stored = toOperation(row);
      if (stored.status !== undefined) return { outcome: 'replay', status: stored.status, result: stored.result };
      if (this.now() > deadline) throw new BusyError(stored.target);
      await sleep(10);
    }
  }

  /** Moves to the next step, keeping what the step produced; false when another process moved it first. */
  async advance(operation: Operation, step: string, progress: Record<string, unknown>): Promise<boolean> {
    const merged = { ...operation.progress, ...progress };
    // The step's work is done but not yet noted: the window a recovery must find the work in.
    crashHook(`before:${step}`);
    const { affectedRows } = await this.db.run(ADVANCE, [
      step,
      JSON.stringify(merged),
      this.now(),
      operation.id,
      operation.step,
    ]);
    if (affectedRows === 0) return false;
    operation.step = step;
    operation.progress = merged;
    crashHook(step);
    return true;
  }

  /** About to run the statement that moves the operation to `step` with its change (the crash hook's point). */
  reaching(step: string): void {
    crashHook(`before:${step}`);
  }

  /** The operation reached `step` through a statement of its own that moved the journal row with its change. */
  reached(operation: Operation, step: string): void {
    operation.step = step;
    crashHook(step);
  }

  /** Marks it done (or refused) with the answer a retry gets, and frees its target. */
  async finish(operation: Operation, step: typeof DONE | typeof REFUSED, status: number, result: unknown) {
    await this.db.run(FINISH, [step, status, JSON.stringify(result), this.now(), operation.id]);
    operation.step = step;
  }

  async get(id: number): Promise<Operation | undefined> {
    const [row] = await this.db.all(SELECT_BY_ID, [id]);
    return row === undefined ? undefined : toOperation(row);
  }

  /**
   * Unfinished operations nobody has touched for `idleMs`, each claimed for
   * this process (a worker that reads the same one a moment later sees it
   * claimed): left by a process that died.
   */
  async abandoned(idleMs: number): Promise<Operation[]> {
    let rows: Row[];
    try {
      rows = await this.db.all(UNFINISHED_BEFORE, [this.now() - idleMs]);
    } catch (error) {
      if (error instanceof MissingTableError) return [];
      throw error;
    }
    const claimed: Operation[] = [];
    for (const row of rows) {
      const operation = toOperation(row);
      const now = this.now();
      const { affectedRows } = await this.db.run(CLAIM, [now, operation.id, operation.updatedAt]);
      if (affectedRows === 1) claimed.push({ ...operation, updatedAt: now });
    }
    return claimed;
  }
}

/** Another operation kept the target busy for longer than a request may wait. */
export class BusyError extends Error {
  readonly statusCode = 503;
  constructor(target: string) {
    super(`another operation on ${target} is still running; retry shortly`);
    this.name = 'BusyError';
  }
}

/**
 * A test hook: with A2B_TEST_CRASH_AFTER_STEP=<step>, the process dies right
 * after an operation reaches that step, as a power cut would stop it; with
 * `before:<step>`, after the step's work but before the journal notes it.
 * The tests prove the recovery finishes every operation from each of those
 * points. Never set it in production.
 */
function crashHook(step: string): void {
  if (process.env.A2B_TEST_CRASH_AFTER_STEP === step) process.kill(process.pid, 'SIGKILL');
}
