/**
 * Counts failed logins per key (a client address, a username) in fixed
 * windows, so password guessing is cut off while everyone else is unaffected.
 *
 * An attempt is counted before it is verified, not after: `reserve` takes a
 * slot for it, and the slot is settled as a failure or released once the
 * verification is done. A verification takes tens of milliseconds, so a
 * burst of parallel guesses would otherwise all pass the check before the
 * first of them failed (200 parallel guesses: 200 verifications, the right
 * password among them got in). With reservations, attempts in flight count
 * against the limit like failures do, and a burst is limited like a sequence.
 */

export interface FailureLimiterOptions {
  /** Failures allowed in one window before the key is refused. */
  maxFailures?: number;
  windowMs?: number;
  /** Keys tracked at once; the oldest windows are dropped first. */
  maxAddresses?: number;
  /** Clock, replaceable in tests. */
  now?: () => number;
}

interface Window {
  start: number;
  failures: number;
  /** Attempts reserved and not yet settled: they may all fail, so they count against the limit. */
  pending: number;
}

/**
 * How long to wait when the failures in the window do not reach the limit
 * but attempts in flight do: they settle within a verification's time, after
 * which the key is either free again or refused for the rest of the window.
 */
const IN_FLIGHT_RETRY_SECONDS = 1;

/** One reserved attempt: settle it exactly once (later calls do nothing). */
export interface Reservation {
  /** The attempt failed: it counts as a failure in the key's current window. */
  failed(): void;
  /** The attempt succeeded, or never reached a verdict (an error, shed for load): it counts for nothing. */
  release(): void;
}

export class FailureLimiter {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  // Insertion order equals window start order (a new window is re-inserted), so the oldest is always first.
  private readonly windows = new Map<string, Window>();

  constructor(options: FailureLimiterOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until `key` may try again, counting settled failures only; 0 when it is not blocked. */
  isBlocked(key: string): number {
    const window = this.windows.get(key);
    if (window === undefined || window.failures < this.maxFailures) return 0;
    const remainingMs = window.start + this.windowMs - this.now();
    return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
  }

  /** Settled failures of `key` in its current window. */
  failuresOf(key: string): number {
    const window = this.windows.get(key);
    return window === undefined || window.start + this.windowMs <= this.now() ? 0 : window.failures;
  }

  /**
   * Seconds until `key` may start another attempt, counting attempts in
   * flight as failures (they may all fail); 0 when it may start one now.
   */
  retryAfter(key: string): number {
    const blocked = this.isBlocked(key);
    if (blocked > 0) return blocked;
    const window = this.current(key, this.now());
    if (window === undefined || window.failures + window.pending < this.maxFailures) return 0;
    return IN_FLIGHT_RETRY_SECONDS;
  }

  /**
   * Takes a slot for one attempt; check `retryAfter(key)` first (the caller
   * decides, so one attempt can be checked against several limiters before it
   * reserves in any). Synchronous: nothing can come between the check and the
   * reservation.
   */
  reserve(key: string): Reservation {
    const window = this.windowOf(key, this.now());
    window.pending += 1;
    let settled = false;
    const settle = (failed: boolean) => {
      if (settled) return;
      settled = true;
      // The window object the slot was taken in: the same one unless the key was evicted meanwhile,
      // and then the decrement lands on an object nobody reads.
      window.pending -= 1;
      if (failed) this.recordFailure(key);
      // A window with nothing in it tells nothing: drop it, so attempts that end without a verdict (refused
      // for load, say) cannot fill the map with empty windows and push out the ones that hold failures.
      else if (window.failures === 0 && window.pending === 0 && this.windows.get(key) === window)
        this.windows.delete(key);
    };
    return { failed: () => settle(true), release: () => settle(false) };
  }

  recordFailure(key: string): void {
    this.windowOf(key, this.now()).failures += 1;
  }

  /** The key's running window, undefined when it has none; a finished one is restarted. */
  private current(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window === undefined || window.start + this.windowMs > now) return window;
    this.restart(key, window, now);
    return window;
  }

  /** The key's running window, made when missing. */
  private windowOf(key: string, now: number): Window {
    this.evictExpired(now);
    const existing = this.current(key, now);
    if (existing !== undefined) return existing;
    if (this.windows.size >= this.maxAddresses) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    const window: Window = { start: now, failures: 0, pending: 0 };
    this.windows.set(key, window);
    return window;
  }

  /**
   * A finished window starts again from no failures, keeping its attempts in
   * flight (they still count until settled), and moves to the back.
   */
  private restart(key: string, window: Window, now: number): void {
    window.start = now;
    window.failures = 0;
    this.windows.delete(key);
    this.windows.set(key, window);
  }

  /** Drops finished windows from the front; stops at the first one still running. */
  private evictExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.start + this.windowMs > now) return;
      // Attempts still in flight keep the key (restarted, at the back): they count until settled.
      if (window.pending > 0) this.restart(key, window, now);
      else this.windows.delete(key);
    }
  }
}
