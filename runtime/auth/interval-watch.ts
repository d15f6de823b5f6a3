/**
 * One small reading of a table every interval, for what must notice changes
 * made anywhere (another worker or instance, the CLI, a DBA) without a query
 * per request: the `user` table (user-watch.ts) and the API keys
 * (key-watch.ts). A reading still running (a slow database) is not
 * overtaken by the next; a failing one is reported once until one succeeds.
 */

export interface IntervalWatchOptions {
  intervalMs: number;
  /** One reading; throws when the database cannot be read. */
  read: () => Promise<void>;
  /** A reading that failed: reported once until one succeeds again. */
  onError: (error: unknown) => void;
}

export class IntervalWatch {
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly options: IntervalWatchOptions) {}

  /** Starts the timer; the promise is the first reading's (a failure in it is reported, never thrown). */
  start(): Promise<void> {
    this.timer ??= setInterval(() => void this.check(), this.options.intervalMs);
    // Never keeps the process alive on its own.
    this.timer.unref();
    return this.check();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One reading now, or the one already running. */
  check(): Promise<void> {
    this.reading ??= this.readOnce().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    try {
      await this.options.read();
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.options.onError(error);
      this.failing = true;
    }
  }
}
