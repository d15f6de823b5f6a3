/**
 * Caps how many password verifications run at once, process-wide, and in
 * what order the rest wait.
 *
 * scrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE
 * says otherwise) and costs ~70 ms of CPU. Started unchecked, a flood of
 * wrong logins queues hundreds of runs there, first come first served: a
 * real user's first login then waited behind all of them (300 parallel wrong
 * logins: 35 s here). The gate runs at most `concurrency` verifications and
 * keeps the rest in its own queue, where it can choose the order:
 *
 * - clients (addresses) take turns, one verification each, so one client's
 *   pile of attempts never stands before another client's first;
 * - clients the caller marks as suspect (failed logins in the current
 *   window) wait behind every client that is not;
 * - the queue is bounded: an attempt that finds it full is refused at once
 *   (the caller answers 503 + Retry-After, and counts it for nothing)
 *   instead of making everyone behind it slower. The bound is the wait it
 *   implies (`maxWaitMs`, from a moving average of how long a verification
 *   takes), but never under `minQueued`, so the attempts the failure limits
 *   let through for one address or one username always fit. When the queue
 *   is full, a newcomer from a better placed client (not suspect, or with
 *   fewer attempts waiting) takes the place of the last attempt of the
 *   worst placed one, which is refused instead.
 *
 * What it cannot do: tell a real user's first login from a flood of first
 * logins from as many fresh addresses. Then everyone, the real user too,
 * waits at most about `maxWaitMs` or is refused at once with Retry-After 1.
 */
import { availableParallelism } from 'node:os';

export interface VerificationGateOptions {
  /** Verifications run at once (default: one less than the CPU count, at least 1, at most the thread pool's size). */
  concurrency?: number;
  /** Longest expected wait for a turn before an attempt is refused (default 2000 ms)… */
  maxWaitMs?: number;
  /** …unless fewer than this many are waiting (default 32: above what the limits let one address or username start). */
  minQueued?: number;
  /** What one verification is expected to take until some have been timed (default 100 ms). */
  initialTaskMs?: number;
}

export interface GateTicket {
  /** Who is asking: attempts with the same key take turns with other keys. */
  key: string;
  /** Goes behind every attempt that is not suspect. */
  suspect?: boolean;
}

/** The queue was full: nothing ran. */
export class GateFullError extends Error {
  constructor() {
    super('too many password verifications are waiting');
    this.name = 'GateFullError';
  }
}

interface Waiter {
  start(): void;
  refuse(): void;
}

/** Waiters of one class, per key, in the order the keys take turns. */
type Queues = Map<string, Waiter[]>;

/**
 * One core is left to the event loop: with every core hashing, the main
 * thread that parses requests, answers cached users and sends the 429s
 * competes with scrypt for CPU (measured on 2 cores: a real user's first
 * login during a flood took ~1.2 s with 2 verifications at once, ~0.4 s
 * with 1). More verifications at once than cores would not finish more per
 * second anyway.
 */
function defaultConcurrency(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(availableParallelism() - 1, pool));
}

export class VerificationGate {
  readonly concurrency: number;
  private readonly maxWaitMs: number;
  private readonly minQueued: number;
  /** A moving average of how long one task takes, so the bound on waiting is in time, not a guessed count. */
  private taskMs: number;
  private running = 0;
  private waiting = 0;
  private readonly trusted: Queues = new Map();
  private readonly suspects: Queues = new Map();

  constructor(options: VerificationGateOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? defaultConcurrency());
    this.maxWaitMs = options.maxWaitMs ?? 2000;
    this.minQueued = options.minQueued ?? 32;
    this.taskMs = options.initialTaskMs ?? 100;
  }

  /** Attempts waiting for a turn now. */
  get queued(): number {
    return this.waiting;
  }

  /** Runs `task` when its turn comes; rejects with GateFullError, without running it, when the queue is full. */
  run<T>(ticket: GateTicket, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running += 1;
        const began = performance.now();
        Promise.resolve()
          .then(task)
          .finally(() => {
            this.taskMs = 0.8 * this.taskMs + 0.2 * (performance.now() - began);
            this.running -= 1;
            this.next();
          })
          .then(resolve, reject);
      };
      if (this.running < this.concurrency && this.waiting === 0) {
        start();
        return;
      }
      if (this.waiting >= this.capacity() && !this.makeRoomFor(ticket)) {
        reject(new GateFullError());
        return;
      }
      const queues = ticket.suspect ? this.suspects : this.trusted;
      let queue = queues.get(ticket.key);
      if (queue === undefined) {
        queue = [];
        queues.set(ticket.key, queue);
      }
      queue.push({ start, refuse: () => reject(new GateFullError()) });
      this.waiting += 1;
    });
  }

  /** Attempts that may wait: as many as `concurrency` runners finish within maxWaitMs, at least minQueued. */
  private capacity(): number {
    return Math.max(this.minQueued, Math.floor((this.maxWaitMs / Math.max(this.taskMs, 1)) * this.concurrency));
  }

  /** Starts the next waiter: the next key in turn, trusted keys first. */
  private next(): void {
    while (this.running < this.concurrency && this.waiting > 0) {
      const queues = this.trusted.size > 0 ? this.trusted : this.suspects;
      const [key, queue] = queues.entries().next().value as [string, Waiter[]];
      const waiter = queue.shift()!;
      // The key goes to the back of the line (or leaves it when it has no one else waiting).
      queues.delete(key);
      if (queue.length > 0) queues.set(key, queue);
      this.waiting -= 1;
      waiter.start();
    }
  }

  /**
   * The queue is full: refuse the last waiter of the worst placed key when
   * the newcomer is better placed (trusted against suspect, or, in the same
   * class, its key has fewer waiting). True when a place was freed.
   */
  private makeRoomFor(ticket: GateTicket): boolean {
    const own = ticket.suspect ? this.suspects : this.trusted;
    const ownWaiting = own.get(ticket.key)?.length ?? 0;
    let victims: Queues;
    if (this.suspects.size > 0 && !ticket.suspect) victims = this.suspects;
    else victims = own;
    let worstKey: string | undefined;
    let worst: Waiter[] = [];
    for (const [key, queue] of victims) {
      if (queue.length > worst.length) [worstKey, worst] = [key, queue];
    }
    if (worstKey === undefined) return false;
    // In the same class, only a key with at least two more waiting gives way (one more: it would swap back).
    if (victims === own && worst.length <= ownWaiting + 1) return false;
    const victim = worst.pop()!;
    if (worst.length === 0) victims.delete(worstKey);
    this.waiting -= 1;
    victim.refuse();
    return true;
  }
}

/**
 * The process's gate: the thread pool is shared by the API and the admin
 * panel, so their verifications queue in one line.
 */
export const verificationGate = new VerificationGate();
