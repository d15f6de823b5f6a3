/**
 * Many clients for the login-limit tests: HTTP from a chosen loopback
 * address (all of 127.0.0.0/8 is the local host on Linux), so each is its
 * own `request.ip` to the service without trusting X-Forwarded-For; and a
 * count of the password verifications the process's gate ran.
 */
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { GateFullError, verificationGate } from '../../runtime/auth/verification-gate.js';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** From sending to the last byte of the answer. */
  ms: number;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client's address (default 127.0.0.1). */
  from?: string;
}

/** One request on a connection of its own from `from`. */
export function send(baseUrl: string, path: string, options: SendOptions = {}): Promise<Answer> {
  const url = new URL(path, baseUrl);
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, ms: performance.now() - began }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

export const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

/** How many answers had each status, e.g. { 401: 10, 429: 190 }. */
export function tally(answers: readonly Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** Retry-After as whole seconds, or NaN. */
export const retryAfter = (answer: Answer) => Number(answer.headers['retry-after']);

export interface VerificationCount {
  /** Verifications that asked the gate for a turn (counted before the limit on running ones). */
  asked(): number;
  /** Verifications that ran. */
  ran(): number;
  /**
   * For the last verification asked for `key` (a client address): how many
   * others started between its asking and its own start, i.e. how many it
   * waited behind. Undefined until it has started.
   */
  overtakenBy(key: string): number | undefined;
}

/**
 * Counts the verifications of the process's gate (the service under test
 * shares this module instance), until teardown restores it.
 */
export function countVerifications(t: { teardown(fn: () => void): void }): VerificationCount {
  let asked = 0;
  let ran = 0;
  const overtaken = new Map<string, number | undefined>();
  const method = verificationGate.run;
  const original = method.bind(verificationGate);
  verificationGate.run = (ticket, task) => {
    asked += 1;
    const startsBefore = ran;
    overtaken.set(ticket.key, undefined);
    return original(ticket, () => {
      overtaken.set(ticket.key, ran - startsBefore);
      ran += 1;
      return task();
    });
  };
  t.teardown(() => {
    verificationGate.run = method;
  });
  return { asked: () => asked, ran: () => ran, overtakenBy: (key) => overtaken.get(key) };
}

/** Sends every request at once from a worker thread (see login-flood-worker.ts); resolves with their answers. */
export function floodFromWorker(baseUrl: string, requests: (SendOptions & { path: string })[]): Promise<Answer[]> {
  const worker = new Worker(new URL('./login-flood-worker.js', import.meta.url), { workerData: { baseUrl, requests } });
  return new Promise((resolve, reject) => {
    worker.once('message', (answers: Answer[]) => {
      resolve(answers);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * Fills the process's verification gate with tasks that wait, each from a
 * client of its own (so a newcomer cannot take one's place), until it
 * refuses one: the next login finds the queue full. Returns what empties it.
 */
export async function fillGate(): Promise<() => Promise<void>> {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const blockers: Promise<unknown>[] = [];
  for (let i = 0; ; i++) {
    let refused = false;
    const blocker = verificationGate.run({ key: `filler ${i}` }, () => opened);
    blockers.push(blocker.catch((error: unknown) => (refused = error instanceof GateFullError)));
    await new Promise((resolve) => setImmediate(resolve));
    if (refused) break;
    if (i > 10_000) throw new Error('the gate never filled');
  }
  return async () => {
    open();
    await Promise.all(blockers);
  };
}
