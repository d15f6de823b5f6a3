/**
 * Keeps the key ring in step with `a2gen_api_key`: one reading of the live
 * keys every interval (a revocation, expiry change or deletion made by any
 * process bites everywhere within it), and the keys' last uses written on
 * the same beat, at most one UPDATE per key used since the last one.
 */
import type { ApiKeyStore } from './api-key-store.js';
import { IntervalWatch } from './interval-watch.js';
import type { KeyRing } from './key-ring.js';

export interface KeyWatchOptions {
  intervalMs: number;
  /** A reading or write that failed: reported once until one succeeds again. */
  onError: (error: unknown) => void;
  /** Keys left out because their stored attributes are not a JSON object of strings; told when that set changes. */
  onUnreadable: (names: readonly string[]) => void;
}

export class KeyWatch {
  private readonly watch: IntervalWatch;
  private unreadable = '';

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly ring: KeyRing,
    private readonly options: KeyWatchOptions,
  ) {
    this.watch = new IntervalWatch({
      intervalMs: options.intervalMs,
      read: () => this.read(),
      onError: options.onError,
    });
  }

  /** Resolves once the first reading is done (or failed, and was reported). */
  start(): Promise<void> {
    return this.watch.start();
  }

  /** Stops, and writes the uses not yet written (a failure is reported, not thrown). */
  async stop(): Promise<void> {
    this.watch.stop();
    await this.flush().catch((error: unknown) => this.options.onError(error));
  }

  check(): Promise<void> {
    return this.watch.check();
  }

  private async read(): Promise<void> {
    const unreadable = this.ring.replace(await this.keys.live());
    if (unreadable.join('\n') !== this.unreadable) {
      this.unreadable = unreadable.join('\n');
      if (unreadable.length > 0) this.options.onUnreadable(unreadable);
    }
    await this.flush();
  }

  private async flush(): Promise<void> {
    const uses = this.ring.takeUses();
    try {
      await this.keys.recordUses(uses);
    } catch (error) {
      // Kept for the next beat (unless newer uses came meanwhile), so a short outage loses none.
      for (const [id, at] of uses) this.ring.rememberUse(id, at);
      throw error;
    }
  }
}
