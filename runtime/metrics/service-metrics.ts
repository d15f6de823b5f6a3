/**
 * The service's metrics as the rest of the runtime sees them: requests by
 * route pattern and status class, database errors by kind, the pool's
 * occupancy. They are kept in prom-client (prom-metrics.ts), which with the
 * OpenTelemetry API it brings is ~80 modules and ~30 ms of a start: it is
 * loaded after the service answers its first request (or a second after it
 * is ready), and what was counted before is replayed into it, so no request
 * goes uncounted. /metrics waits for it.
 */
import type { Db } from '../db/db.js';
import type { RequestSeries } from './series.js';
import type { PromMetrics } from './prom-metrics.js';

export interface Exposition {
  contentType: string;
  text: string;
}

export class ServiceMetrics {
  #prom: PromMetrics | undefined;
  #loading: Promise<PromMetrics> | undefined;
  /** What to do with prom-client once it is there: replays of what happened before, and the pool's gauges. */
  #pending: ((prom: PromMetrics) => void)[] = [];

  /** Loads prom-client, once, and replays into it what was counted meanwhile. */
  load(): Promise<PromMetrics> {
    this.#loading ??= import('./prom-metrics.js').then(({ PromMetrics }) => {
      const prom = new PromMetrics();
      for (const replay of this.#pending) replay(prom);
      this.#pending = [];
      this.#prom = prom;
      return prom;
    });
    return this.#loading;
  }

  /** The text /metrics answers, in Prometheus's format. */
  async exposition(): Promise<Exposition> {
    const { registry } = await this.load();
    return { contentType: registry.contentType, text: await registry.metrics() };
  }

  /** The series for one route pattern, method and status class (e.g. "2xx"). */
  requestSeries(method: string, route: string, statusClass: string): RequestSeries {
    if (this.#prom !== undefined) return this.#prom.requestSeries(method, route, statusClass);
    // Until prom-client is there: counted here, replayed when it comes.
    let real: RequestSeries | undefined;
    let counted = 0;
    let observed: number[] = [];
    this.#pending.push((prom) => {
      real = prom.requestSeries(method, route, statusClass);
      for (let i = 0; i < counted; i++) real.count();
      for (const seconds of observed) real.observe(seconds);
      observed = [];
    });
    return {
      count: () => (real === undefined ? void counted++ : real.count()),
      observe: (seconds) => (real === undefined ? void observed.push(seconds) : real.observe(seconds)),
    };
  }

  countDbError(error: unknown): void {
    if (this.#prom !== undefined) this.#prom.countDbError(error);
    else this.#pending.push((prom) => prom.countDbError(error));
  }

  /** Pool gauges for a driver that has a pool; read when scraped, so they cost nothing per request. */
  watchPool(db: Db): void {
    if (this.#prom !== undefined) this.#prom.watchPool(db);
    else this.#pending.push((prom) => prom.watchPool(db));
  }
}
