/**
 * The worker thread that runs SQLite's regexp list queries (see
 * off-thread.ts): a read-only connection of its own to the same file, with
 * the same SQL functions. A statement still running at its deadline is
 * stopped by the regexp function itself, between two values.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { SqlValue } from '../db.js';
import { configureConnection, registerFunctions, STATEMENT_TIMEOUT, STATEMENT_TIMEOUT_CODE } from './functions.js';

export interface WorkerRequest {
  id: number;
  sql: string;
  params: SqlValue[];
  /** How long the statement may still run. */
  timeoutMs: number;
}

export type WorkerReply =
  | { id: 0; ready: true }
  | { id: number; rows: Record<string, unknown>[] }
  | { id: number; error: { name: string; message: string; code?: string } };

const { file } = workerData as { file: string };
const database = new Database(file, { readonly: true, fileMustExist: true });
configureConnection(database);
let deadline = Number.POSITIVE_INFINITY;
registerFunctions(database, {
  checkDeadline() {
    if (performance.now() > deadline) throw new Error(STATEMENT_TIMEOUT);
  },
});

const statements = new Map<string, Database.Statement>();
function prepare(sql: string): Database.Statement {
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = database.prepare(sql);
    if (statement.reader) statement.safeIntegers(true);
    if (statements.size >= 100) statements.clear();
    statements.set(sql, statement);
  }
  return statement;
}

// Its first message: the connection is open and statements can start their clocks.
parentPort!.postMessage({ id: 0, ready: true } satisfies WorkerReply);
parentPort!.on('message', ({ id, sql, params, timeoutMs }: WorkerRequest) => {
  deadline = performance.now() + timeoutMs;
  let reply: WorkerReply;
  try {
    reply = { id, rows: prepare(sql).all(...params) as Record<string, unknown>[] };
  } catch (error) {
    const { name, message, code } = error as Error & { code?: string };
    reply = { id, error: { name, message, code: message === STATEMENT_TIMEOUT ? STATEMENT_TIMEOUT_CODE : code } };
  } finally {
    deadline = Number.POSITIVE_INFINITY;
  }
  parentPort!.postMessage(reply);
});
