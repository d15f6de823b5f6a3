/**
 * Admits at most `total` expensive statements (regexp filters) at once, and
 * at most `perClient` of them for any one client (its user, else its
 * address; see client-context.ts). Those over a limit wait, served in turn
 * client by client (round robin, oldest first within a client), until their
 * deadline. So one client's slow queries take at most `perClient` of the
 * database's connections (MySQL) or turns (the SQLite regexp worker), and
 * everything else keeps at least `poolSize - total` connections.
 */

/** Called once when the admitted statement is done with the database. */
export type Leave = () => void;

interface Waiter {
  admit(leave: Leave): void;
  timer: NodeJS.Timeout;
}

export class FairGate {
  private running = 0;
  private readonly inFlight = new Map<string, number>();
  /** Waiting statements by client; the Map's order is the round-robin order. */
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    readonly total: number,
    readonly perClient: number,
  ) {}

  /**
   * Resolves once the statement may run, with the function to call when it is
   * done; rejects with `expired()` if that has not happened `waitMs` from now.
   */
  enter(client: string, waitMs: number, expired: () => unknown): Promise<Leave> {
    if (this.running < this.total && (this.inFlight.get(client) ?? 0) < this.perClient) {
      return Promise.resolve(this.admit(client));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          const queue = this.waiting.get(client);
          const index = queue?.indexOf(waiter) ?? -1;
          if (index < 0) return;
          queue!.splice(index, 1);
          if (queue!.length === 0) this.waiting.delete(client);
          reject(expired());
        }, waitMs),
      };
      const queue = this.waiting.get(client);
      if (queue) queue.push(waiter);
      else this.waiting.set(client, [waiter]);
    });
  }

  /** Statements running now, and waiting (for /metrics and tests). */
  get load(): { running: number; waiting: number } {
    let waiting = 0;
    for (const queue of this.waiting.values()) waiting += queue.length;
    return { running: this.running, waiting };
  }

  private admit(client: string): Leave {
    this.running += 1;
    this.inFlight.set(client, (this.inFlight.get(client) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.running -= 1;
      const count = this.inFlight.get(client)! - 1;
      if (count === 0) this.inFlight.delete(client);
      else this.inFlight.set(client, count);
      this.next();
    };
  }

  private next(): void {
    while (this.running < this.total) {
      let chosen: string | undefined;
      for (const client of this.waiting.keys()) {
        if ((this.inFlight.get(client) ?? 0) < this.perClient) {
          chosen = client;
          break;
        }
      }
      if (chosen === undefined) return;
      const queue = this.waiting.get(chosen)!;
      const waiter = queue.shift()!;
      // The client goes to the back of the line, behind every other client that waits.
      this.waiting.delete(chosen);
      if (queue.length > 0) this.waiting.set(chosen, queue);
      clearTimeout(waiter.timer);
      waiter.admit(this.admit(chosen));
    }
  }
}
