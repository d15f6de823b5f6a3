/**
 * A2B_DATABASE_READ_URL: reads (`all`) go to a replica, writes (`run`) to the
 * primary. A client that wrote less than `readYourWritesMs` ago reads from
 * the primary, so it always sees its own write even while the replica lags
 * (as long as the lag stays under that window). A replica that fails is left
 * alone for a few seconds and its reads go to the primary meanwhile.
 *
 * Why a time window rather than GTIDs (remember @@last_gtid after a write,
 * MASTER_GTID_WAIT on the replica before a read): the window costs no extra
 * round trip, needs no pinned connection to read the write's GTID, and works
 * unchanged on MySQL, MariaDB, Galera, group replication and proxies, whose
 * GTID functions differ or are missing.
 */
import { LRUCache } from 'lru-cache';
import { currentClient } from '../client-context.js';
import type { Db, Row, RunResult, SqlValue, Statement, StatementOptions } from './db.js';
import { DatabaseUnavailableError, MissingTableError } from './errors.js';

/** Clients that wrote recently; shared between the workers of a cluster (see runtime/cluster.ts). */
export class RecentWrites {
  private readonly clients: LRUCache<string, true> | undefined;
  private readonly listeners: Array<(client: string) => void> = [];

  constructor(
    readonly windowMs: number,
    maxClients = 100_000,
  ) {
    this.clients = windowMs > 0 ? new LRUCache<string, true>({ max: maxClients, ttl: windowMs }) : undefined;
  }

  /** A write by `client` in this process: remembered, and told to the listeners (other workers). */
  record(client: string): void {
    this.remember(client);
    for (const listener of this.listeners) listener(client);
  }

  /** A write by `client`, here or in another worker. */
  remember(client: string): void {
    this.clients?.set(client, true);
  }

  wroteRecently(client: string): boolean {
    return this.clients?.has(client) ?? false;
  }

  onRecord(listener: (client: string) => void): void {
    this.listeners.push(listener);
  }
}

export interface ReadWriteSplitOptions {
  readYourWritesMs: number;
  /** After the replica fails, reads stay on the primary this long before it is tried again. */
  replicaRetryMs?: number;
  /** Who the current call is for; default: the current HTTP request's client. */
  client?: () => string | undefined;
}

/** Where reads went, for tests and the closing figures. */
export interface ReadCounts {
  replica: number;
  primary: number;
  /** Reads the replica failed and the primary then answered (also counted in primary). */
  fallback: number;
}

export class ReadWriteSplitDb implements Db {
  readonly dialect;
  readonly adapter;
  readonly description: string;
  readonly recentWrites: RecentWrites;
  readonly reads: ReadCounts = { replica: 0, primary: 0, fallback: 0 };
  private readonly replicaRetryMs: number;
  private readonly client: () => string | undefined;
  private replicaDownUntil = 0;

  constructor(
    readonly primary: Db,
    readonly replica: Db,
    options: ReadWriteSplitOptions,
  ) {
    this.dialect = primary.dialect;
    this.adapter = primary.adapter;
    this.description = `${primary.description}, reads from ${replica.description}`;
    this.recentWrites = new RecentWrites(options.readYourWritesMs);
    this.replicaRetryMs = options.replicaRetryMs ?? 3000;
    this.client = options.client ?? currentClient;
    this.writer = {
      dialect: this.dialect,
      adapter: this.adapter,
      description: primary.description,
      all: (sql, params, statementOptions) => {
        this.reads.primary += 1;
        return this.primary.all(sql, params, statementOptions);
      },
      run: (sql, params) => this.run(sql, params),
      pinned: (work, pinOptions) => this.pinned(work, pinOptions),
      atomically: (statements) => this.atomically(statements),
      ping: () => this.primary.ping(),
      // The split owns both connections; closing the view closes nothing.
      close: async () => {},
    };
  }

  /** For the write path: reads from the primary as well, writes still remembered for read-your-writes. */
  readonly writer: Db;

  /** The replica failed recently; reads are on the primary until it is tried again. */
  get replicaDown(): boolean {
    return Date.now() < this.replicaDownUntil;
  }

  async all(sql: string, params?: readonly SqlValue[], options?: StatementOptions): Promise<Row[]> {
    if (this.readsFromReplica()) {
      try {
        const rows = await this.replica.all(sql, params, options);
        this.reads.replica += 1;
        return rows;
      } catch (error) {
        // A replica that is down or not yet set up must not fail the read: the primary has the data.
        if (!(error instanceof DatabaseUnavailableError || error instanceof MissingTableError)) throw error;
        this.replicaDownUntil = Date.now() + this.replicaRetryMs;
        this.reads.fallback += 1;
      }
    }
    this.reads.primary += 1;
    return this.primary.all(sql, params, options);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return this.asWrite(() => this.primary.run(sql, params));
  }

  /** A session of its own (a transaction, a read-back) is always on the primary, and counts as a write. */
  pinned<T>(work: (connection: Db) => Promise<T>, options?: { transaction?: boolean }): Promise<T> {
    return this.asWrite(() => this.primary.pinned(work, options));
  }

  atomically(statements: readonly Statement[]): Promise<RunResult[]> {
    return this.asWrite(() => this.primary.atomically(statements));
  }

  /** Runs a write on the primary, and keeps the client's reads there for the read-your-writes window. */
  private async asWrite<T>(write: () => Promise<T>): Promise<T> {
    const client = this.client();
    // Remembered before the write too: a read the same client sends meanwhile must not miss it.
    if (client !== undefined) this.recentWrites.remember(client);
    try {
      return await write();
    } finally {
      // The window starts when the write is done (a failed write may still have been applied).
      if (client !== undefined) this.recentWrites.record(client);
    }
  }

  /** The primary answers: the service can work, with or without its replica. */
  ping(): Promise<void> {
    return this.primary.ping();
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), this.replica.close()]);
  }

  /** Outside a request (startup checks, CLI) there is no client to track: read from the primary. */
  private readsFromReplica(): boolean {
    if (this.replicaDown) return false;
    const client = this.client();
    return client !== undefined && !this.recentWrites.wroteRecently(client);
  }
}

/** The database writes go to (the Db itself when there is no split): for reads that must never lag. */
export function primaryOf(db: Db): Db {
  return db instanceof ReadWriteSplitDb ? db.primary : db;
}
