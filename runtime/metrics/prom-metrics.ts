/**
 * The service's Prometheus metrics in prom-client: requests by route pattern
 * and status class, database errors by kind, the MySQL pool's occupancy and
 * Node's default process metrics (event-loop lag, memory, GC). One registry
 * per server, so several servers in one process (tests) do not collide.
 * Loaded after the start by service-metrics.ts, which holds what happens before.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/db.js';
import { DB_ERROR_KINDS, dbErrorKind, type RequestSeries } from './series.js';

/** Latency buckets (seconds): the API answers in milliseconds; the top ones catch a stalled database. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class PromMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status_class'>;
  private readonly latency: Histogram<'method' | 'route' | 'status_class'>;
  private readonly dbErrors: Counter<'kind'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route pattern (not raw URL) and status class',
      labelNames: ['method', 'route', 'status_class'],
      registers,
    });
    this.latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, by route pattern and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.dbErrors = new Counter({
      name: 'db_errors_total',
      help: 'Failed database statements, by kind (unavailable, timeout, duplicate_key, ...)',
      labelNames: ['kind'],
      registers,
    });
    // Every kind shows from the start (at 0), so rate() and alerts work before the first error.
    for (const kind of DB_ERROR_KINDS) this.dbErrors.inc({ kind }, 0);
  }

  /** The series for one route pattern, method and status class (e.g. "2xx"). */
  requestSeries(method: string, route: string, statusClass: string): RequestSeries {
    const labels = { method, route, status_class: statusClass };
    const counter = this.requests.labels(labels);
    const histogram = this.latency.labels(labels);
    return { count: () => counter.inc(), observe: (seconds) => histogram.observe(seconds) };
  }

  countDbError(error: unknown): void {
    this.dbErrors.inc({ kind: dbErrorKind(error) });
  }

  /** Pool gauges for a driver that has a pool; read when scraped, so they cost nothing per request. */
  watchPool(db: Db): void {
    const poolStats = db.poolStats?.bind(db);
    if (poolStats === undefined) return;
    const registers = [this.registry];
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state: in_use (running a statement) or idle',
      labelNames: ['state'],
      registers,
      collect() {
        const stats = poolStats();
        this.set({ state: 'in_use' }, stats.inUse);
        this.set({ state: 'idle' }, stats.idle);
      },
    });
    new Gauge({
      name: 'db_pool_queued_requests',
      help: 'Statements waiting for a free pool connection',
      registers,
      collect() {
        this.set(poolStats().queued);
      },
    });
    new Gauge({
      name: 'db_pool_max_connections',
      help: 'The most connections the pool may open (A2B_DB_POOL_SIZE)',
      registers,
      collect() {
        this.set(poolStats().limit);
      },
    });
  }
}
