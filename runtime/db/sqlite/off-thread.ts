/**
 * SQLite's regexp list queries, off the event loop. better-sqlite3 runs a
 * statement synchronously, so a list query that tests a regular expression
 * against every row of a large table would hold the whole process (every
 * request, /health/live) for as long as it takes. Such statements go to a
 * worker thread instead, with its own read-only connection to the same file
 * (WAL: it sees every committed write).
 *
 * Each statement has `timeoutMs` from the moment it is asked for: past it the
 * caller gets a timeout error (503), the worker stops the statement at its
 * next row, and a worker that still does not answer is replaced. The worker
 * takes one statement at a time; a FairGate lets each client have one of
 * them running or next, in turn, so one client's many regexp queries delay
 * nobody else's by more than one statement.
 */
import { Worker } from 'node:worker_threads';
import { currentClient } from '../../client-context.js';
import type { Row, SqlValue } from '../db.js';
import { FairGate } from '../fair-gate.js';
import { STATEMENT_TIMEOUT, STATEMENT_TIMEOUT_CODE } from './functions.js';
import type { WorkerReply } from './regexp-worker.js';

/** A worker that has not answered this long after a statement's deadline is stuck: it is replaced. */
const STUCK_AFTER_MS = 1000;

function timeoutError(): Error {
  return Object.assign(new Error(STATEMENT_TIMEOUT), { code: STATEMENT_TIMEOUT_CODE });
}

export class RegexpWorker {
  private worker: Worker | undefined;
  /** Resolves once the current worker has opened its connection. */
  private ready: Promise<void> | undefined;
  private nextId = 1;
  /** Statements sent and not answered yet, with the worker each went to. */
  private readonly pending = new Map<number, { worker: Worker; settle: (reply: WorkerReply) => void }>();
  private readonly gate = new FairGate(1, 1);

  constructor(
    private readonly file: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Rows as better-sqlite3 returns them (integers as BigInt), or the
   * statement's error. The clock starts once the worker is up: starting one
   * (loading its modules, ~0.1 s) is not the statement's time.
   */
  async all(sql: string, params: readonly SqlValue[], client = currentClient()): Promise<Row[]> {
    const asked = performance.now();
    const leave = await this.gate.enter(client ?? '', this.timeoutMs, timeoutError);
    const remaining = Math.max(1, this.timeoutMs - (performance.now() - asked));
    let worker: Worker;
    try {
      worker = await this.started();
    } catch (error) {
      leave();
      throw error;
    }
    return new Promise<Row[]>((resolve, reject) => {
      const id = this.nextId++;
      let late = false;
      let stuck: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        late = true;
        reject(timeoutError());
        stuck = setTimeout(() => this.replace(), STUCK_AFTER_MS);
      }, remaining);
      // The gate is left when the worker is free again, not when the caller gave up.
      const settle = (reply: WorkerReply) => {
        this.pending.delete(id);
        clearTimeout(timer);
        clearTimeout(stuck);
        leave();
        if (late) return;
        if ('rows' in reply) resolve(reply.rows);
        else if ('error' in reply) reject(Object.assign(new Error(reply.error.message), reply.error));
      };
      this.pending.set(id, { worker, settle });
      worker.postMessage({ id, sql, params, timeoutMs: remaining });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  /** The worker, once it has opened its connection; a new one if there is none. */
  private async started(): Promise<Worker> {
    const worker = this.start();
    await this.ready;
    if (this.worker !== worker) {
      throw Object.assign(new Error('the regexp worker could not start'), { code: 'SQLITE_IOERR' });
    }
    return worker;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./regexp-worker.js', import.meta.url), { workerData: { file: this.file } });
    // Requests keep the process alive; an idle worker does not.
    worker.unref();
    this.ready = new Promise<void>((resolve) => {
      worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) resolve();
        else this.pending.get(reply.id)?.settle(reply);
      });
      // A worker that fails to start fails the statements that wait for it: they are in `pending` only
      // once it is ready, so those are answered here.
      const failed = (error: unknown) => {
        resolve();
        this.fail(worker, error);
      };
      worker.on('error', failed);
      worker.on('exit', () => failed(new Error('the regexp worker exited')));
    });
    this.worker = worker;
    return worker;
  }

  /** Ends a stuck worker; the next statement starts a new one. */
  private replace(): void {
    const worker = this.worker;
    if (worker) void worker.terminate();
  }

  private fail(worker: Worker, error: unknown): void {
    if (this.worker === worker) this.worker = undefined;
    // What a worker throws arrives cloned, not always as an Error.
    const message = (error as { message?: unknown } | undefined)?.message;
    const reply = { name: 'Error', message: `regexp worker: ${String(message ?? error)}`, code: 'SQLITE_IOERR' };
    for (const [id, sent] of [...this.pending]) if (sent.worker === worker) sent.settle({ id, error: reply });
  }
}
