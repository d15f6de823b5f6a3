/**
 * Stops statements the service has given up on. A statement past the query
 * timeout has already answered its request with 503; without this it would
 * run on in the server for as long as it takes (a catastrophic regexp: many
 * seconds), holding its pooled connection and the server's CPU. `KILL QUERY`
 * goes over a connection of its own, outside the pool: a pool full of
 * stalled statements must not stand in the way of their own killing.
 */
import mysql from 'mysql2';

/** MariaDB and MySQL: "Unknown thread id": the connection, and so its statement, is gone already. */
const ER_NO_SUCH_THREAD = 1094;
/** The killing connection is closed once it has had nothing to do for this long. */
const IDLE_MS = 5000;

export class QueryKiller {
  private connection: mysql.Connection | undefined;
  private busy = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    /** How long a KILL may take, connecting included. */
    private readonly timeoutMs: number,
  ) {}

  /**
   * Resolves true once the server has taken `KILL QUERY threadId` (or the
   * thread is gone), false when it could not be told (unreachable, frozen).
   */
  kill(threadId: number | null | undefined): Promise<boolean> {
    if (typeof threadId !== 'number') return Promise.resolve(false);
    clearTimeout(this.idleTimer);
    this.busy += 1;
    const connection = this.open();
    return new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (killed: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.busy -= 1;
        if (this.busy === 0) this.idleTimer = setTimeout(() => this.drop(this.connection), IDLE_MS).unref();
        resolve(killed);
      };
      const timer = setTimeout(() => {
        this.drop(connection);
        finish(false);
      }, this.timeoutMs);
      connection.query(`KILL QUERY ${Math.trunc(threadId)}`, (error) => {
        if (error && error.errno !== ER_NO_SUCH_THREAD) {
          if (error.fatal) this.drop(connection);
          finish(false);
        } else finish(true);
      });
    });
  }

  close(): void {
    clearTimeout(this.idleTimer);
    this.drop(this.connection);
  }

  private open(): mysql.Connection {
    if (this.connection) return this.connection;
    const connection = mysql.createConnection({ uri: this.url, connectTimeout: this.timeoutMs });
    // A lost connection fails the KILL in flight (its callback); the next one opens a new connection.
    connection.on('error', () => this.drop(connection));
    this.connection = connection;
    return connection;
  }

  private drop(connection: mysql.Connection | undefined): void {
    if (connection === undefined) return;
    if (this.connection === connection) this.connection = undefined;
    connection.destroy();
  }
}
