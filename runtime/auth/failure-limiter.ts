/**
 * Counts failed logins per client address in fixed windows, so password
 * guessing from one address is cut off while everyone else is unaffected.
 */

export interface FailureLimiterOptions {
  /** Failures allowed in one window before the address is refused. */
  maxFailures?: number;
  windowMs?: number;
  /** Addresses tracked at once; the oldest windows are dropped first. */
  maxAddresses?: number;
  /** Clock, replaceable in tests. */
  now?: () => number;
}

interface Window {
  start: number;
  failures: number;
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

  /** Seconds until `ip` may try again, or 0 when it is not blocked. */
  isBlocked(ip: string): number {
    const window = this.windows.get(ip);
    if (window === undefined || window.failures < this.maxFailures) return 0;
    const remainingMs = window.start + this.windowMs - this.now();
    return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
  }

  recordFailure(ip: string): void {
    const now = this.now();
    this.evictExpired(now);
    const window = this.windows.get(ip);
    if (window !== undefined) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= this.maxAddresses) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(ip, { start: now, failures: 1 });
  }

  /** Drops finished windows from the front; stops at the first one still running. */
  private evictExpired(now: number): void {
    for (const [ip, window] of this.windows) {
      if (window.start + this.windowMs > now) return;
      this.windows.delete(ip);
    }
  }
}
