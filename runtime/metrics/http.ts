/**
 * Puts the metrics on the HTTP service: per-route hooks that count and time
 * every response, and /metrics itself, either on the main port behind the
 * API's Basic auth or on a listener of its own for a Prometheus scraper.
 */
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteHandlerMethod,
} from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { withErrorCounting } from './instrumented-db.js';
import type { RequestSeries } from './series.js';
import { ServiceMetrics } from './service-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The separate /metrics listener (A2B_METRICS_PORT), or null when /metrics is on the main port. */
    metricsListener: FastifyInstance | null;
  }
}

/** How long after the start prom-client is loaded at the latest, when no request came first. */
const METRICS_LOAD_DELAY_MS = 1000;

/** The route label of requests that matched no route: raw URLs would make the series unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

type ResponseHook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

export interface Metrics {
  /** The database, with its failed statements counted. */
  db: Db;
  /** Adds GET /metrics to `scope` (the API's, so its Basic auth applies) unless it is served apart. */
  registerRoute(scope: FastifyInstance): void;
}

/** Call before any route is added: only routes added after it are measured. */
export function registerMetrics(
  app: FastifyInstance,
  db: Db,
  config: Pick<Config, 'metricsPort' | 'metricsHost'>,
): Metrics {
  const metrics = new ServiceMetrics();
  const countingDb = withErrorCounting(db, metrics);
  metrics.watchPool(countingDb);

  // Each route gets its own hook that already knows its pattern: no per-request lookup of the route.
  app.addHook('onRoute', (route) => {
    const hook = recorder(metrics, route.url);
    const existing = route.onResponse;
    // A new array: Fastify's copy of these options for the automatic HEAD route shares the old one.
    route.onResponse = existing === undefined ? [hook] : [...(Array.isArray(existing) ? existing : [existing]), hook];
  });
  const unmatched = patternRecorder(metrics, UNMATCHED_ROUTE);
  // prom-client is loaded once the first answer is out, or a second after the start, whichever comes first.
  const load = () =>
    void metrics.load().catch((error: unknown) => app.log.error({ err: error }, 'metrics unavailable'));
  let loadSoon: (() => void) | undefined = () => {
    loadSoon = undefined;
    setImmediate(load);
  };
  app.addHook('onReady', (done) => {
    setTimeout(() => loadSoon?.(), METRICS_LOAD_DELAY_MS).unref();
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    loadSoon?.();
    if (request.is404) unmatched(request, reply, done);
    else done();
  });

  const handler = metricsHandler(metrics);
  if (config.metricsPort === undefined) {
    app.decorate('metricsListener', null);
    return { db: countingDb, registerRoute: (scope) => void scope.get('/metrics', handler) };
  }
  const listener = Fastify({ logger: false });
  listener.get('/metrics', handler);
  app.decorate('metricsListener', listener);
  const { metricsPort: port, metricsHost: host } = config;
  app.addHook('onReady', async () => {
    await listener.listen({ port, host });
  });
  app.addHook('onClose', async () => {
    await listener.close();
  });
  return { db: countingDb, registerRoute: () => undefined };
}

function metricsHandler(metrics: ServiceMetrics): RouteHandlerMethod {
  return async (_request, reply) => {
    const { contentType, text } = await metrics.exposition();
    return reply.type(contentType).send(text);
  };
}

/**
 * Counts and times the responses of one route, by its pattern or, for a route that serves every model, by the
 * route the request was found to be (`request.servedRoute`). The label sets are built once, on first use.
 */
function recorder(metrics: ServiceMetrics, route: string): ResponseHook {
  const own = patternRecorder(metrics, route);
  const served = new Map<string, ResponseHook>();
  return function recordResponse(request, reply, done) {
    if (!request.servedRoute) return own(request, reply, done);
    let hook = served.get(request.servedRoute);
    if (hook === undefined) {
      hook = patternRecorder(metrics, request.servedRoute);
      served.set(request.servedRoute, hook);
    }
    hook(request, reply, done);
  };
}

function patternRecorder(metrics: ServiceMetrics, route: string): ResponseHook {
  // Per method (a route may serve several), per status class (index 1 to 5).
  const seriesByMethod = new Map<string, (RequestSeries | undefined)[]>();
  return function recordPattern(request, reply, done) {
    const statusIndex = Math.trunc(reply.statusCode / 100);
    let byStatus = seriesByMethod.get(request.method);
    if (byStatus === undefined) {
      byStatus = [];
      seriesByMethod.set(request.method, byStatus);
    }
    const series = (byStatus[statusIndex] ??= metrics.requestSeries(request.method, route, `${statusIndex}xx`));
    series.count();
    series.observe(reply.elapsedTime / 1000);
    done();
  };
}
