/**
 * Finishes the operations a stopped process left unfinished: at startup and
 * then periodically (a worker of another process, or another instance, may
 * have died mid-operation). An operation counts as left behind once nobody
 * has advanced it for `idleMs`; each is claimed by one process, continued
 * from its last recorded step, and logged. One that cannot be finished (its
 * card was deleted, the database refuses) is logged as an error and tried
 * again at the next round, so it is never silently lost.
 */
import type { Journal, Operation } from './journal.js';

/** How an operation of each kind is taken from its last recorded step to the end. */
export type Continuations = Readonly<Record<string, (operation: Operation) => Promise<unknown>>>;

/** Where the recovery reports (pino's logger fits). */
export interface RecoveryLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface RecoveryOptions {
  /** An unfinished operation untouched this long is taken to be abandoned. */
  readonly idleMs: number;
  readonly log: RecoveryLog;
}

export class OperationRecovery {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly journal: Journal,
    private readonly continuations: Continuations,
    private readonly options: RecoveryOptions,
  ) {}

  start(): void {
    // Looked at twice per idle period, so an abandoned operation waits at most 1.5 × idleMs.
    const every = Math.min(Math.max(this.options.idleMs / 2, 100), 5000);
    this.timer ??= setInterval(() => void this.check(), every);
    this.timer.unref();
    void this.check();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round; the number of operations it finished. */
  async check(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let finished = 0;
    try {
      for (const operation of await this.journal.abandoned(this.options.idleMs)) {
        const { id, kind, step, target } = operation;
        try {
          const continuation = this.continuations[kind];
          if (continuation === undefined) throw new Error(`no operation of kind ${kind} is known to this version`);
          await continuation(operation);
          finished += 1;
          this.options.log.warn(
            { operation: id, kind, target, fromStep: step },
            `finished operation ${id} (${kind} on ${target}) that a stopped process left at step "${step}"`,
          );
        } catch (error) {
          this.options.log.error(
            { err: error, operation: id, kind, target, step },
            `could not finish operation ${id} (${kind} on ${target}), left at step "${step}"; will retry`,
          );
        }
      }
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not look for interrupted operations; will retry');
    } finally {
      this.running = false;
    }
    return finished;
  }
}
