/**
 * `a2gen serve --workers N`: a primary process forks N workers, each a whole
 * service (runtime/main.js) on one shared listening port (node:cluster hands
 * connections out in turn). The primary restarts a worker that dies (waiting
 * longer after each quick death, so a worker that cannot start does not
 * fork in a loop), relays "this client wrote" between workers for the read
 * replica's read-your-writes rule, and on SIGTERM/SIGINT stops every worker
 * gracefully and exits once all have stopped.
 */
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import type { RecentWrites } from './db/read-write-split.js';

/** A worker that lived this long was healthy: its death restarts the backoff. */
const STABLE_MS = 30_000;
const FIRST_RESTART_MS = 500;
const MAX_RESTART_MS = 30_000;

export const STOP_SIGNALS: Array<'SIGTERM' | 'SIGINT'> = ['SIGTERM', 'SIGINT'];

/** `--workers`: a whole number; 0 or "auto" is one worker per available core. */
export function parseWorkerCount(text: string): number {
  if (text === 'auto' || text === '0') return os.availableParallelism();
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 1024) {
    throw new RangeError(`--workers must be a whole number from 0 to 1024, or auto (got "${text}")`);
  }
  return count;
}

/** How long to wait before replacing a dead worker: longer after each death that came soon after a start. */
export class RestartBackoff {
  private quickDeaths = 0;

  afterDeath(livedMs: number): number {
    this.quickDeaths = livedMs >= STABLE_MS ? 0 : this.quickDeaths + 1;
    return Math.min(MAX_RESTART_MS, FIRST_RESTART_MS * 2 ** Math.min(this.quickDeaths, 10));
  }
}

export interface PrimaryOptions {
  workers: number;
  /** The script each worker runs. */
  exec: string;
  log?: (message: string) => void;
}

/** Runs the primary until every worker has stopped after SIGTERM/SIGINT; resolves with the exit code. */
export function runPrimary({ workers, exec, log = console.log }: PrimaryOptions): Promise<number> {
  cluster.setupPrimary({ exec, args: [] });
  const startedAt = new Map<Worker, number>();
  const pendingRestarts = new Set<NodeJS.Timeout>();
  const backoff = new RestartBackoff();
  let stopping = false;
  let failedStops = 0;

  function fork(): void {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
  }

  return new Promise((resolve) => {
    const finishIfDone = () => {
      if (stopping && startedAt.size === 0) {
        log(`all workers stopped${failedStops > 0 ? ` (${failedStops} did not stop cleanly)` : ''}`);
        resolve(failedStops > 0 ? 1 : 0);
      }
    };

    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
      startedAt.delete(worker);
      if (stopping) {
        if (code !== 0) failedStops += 1;
        finishIfDone();
        return;
      }
      const delay = backoff.afterDeath(lived);
      log(
        `worker ${worker.process.pid} died (${signal ?? `exit code ${code}`}) after ${Math.round(lived / 1000)} s; starting another in ${delay} ms`,
      );
      const timer = setTimeout(() => {
        pendingRestarts.delete(timer);
        if (!stopping) fork();
      }, delay);
      pendingRestarts.add(timer);
    });

    cluster.on('message', (from, message) => {
      if (!isWroteMessage(message)) return;
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (worker !== undefined && worker !== from && worker.isConnected())
          worker.send(message, undefined, () => undefined);
      }
    });

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log(`${signal} received: stopping ${startedAt.size} workers gracefully`);
      for (const timer of pendingRestarts) clearTimeout(timer);
      for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
      finishIfDone();
    };
    for (const signal of STOP_SIGNALS) process.on(signal, stop);

    log(`primary ${process.pid}: starting ${workers} workers`);
    for (let i = 0; i < workers; i += 1) fork();
  });
}

/**
 * In a worker: `stop` runs once, on the first SIGTERM or SIGINT. A terminal's
 * Ctrl-C reaches the workers and the primary (which forwards SIGTERM): the
 * second signal must not turn a graceful stop into an abrupt one.
 */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): void {
  let stopped = false;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (stopped) return;
      stopped = true;
      stop(signal);
    });
  }
}

interface WroteMessage {
  a2gen: 'wrote';
  client: string;
}

function isWroteMessage(message: unknown): message is WroteMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as WroteMessage).a2gen === 'wrote' &&
    typeof (message as WroteMessage).client === 'string'
  );
}

/** In a worker: tells the other workers (through the primary) who wrote here, and learns who wrote there. */
export function shareRecentWrites(writes: RecentWrites): void {
  writes.onRecord((client) => {
    if (process.connected)
      process.send?.({ a2gen: 'wrote', client } satisfies WroteMessage, undefined, {}, () => undefined);
  });
  process.on('message', (message) => {
    if (isWroteMessage(message)) writes.remember(message.client);
  });
}
