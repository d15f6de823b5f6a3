/**
 * Builds the HTTP service from the generated models: /api/ behind Basic
 * auth, health endpoints, JSON errors everywhere.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { AccessLogController, logDestination } from './access-log.js';
import type { ResourceModel } from './store/model.js';
import { Registry } from './store/resource.js';
import { Store } from './store/store.js';
import { resourceRoutes } from './api/resource-routes.js';
import { registerBodyParsers } from './http/body-parsers.js';
import { readOpenApiDocument, registerApiDocs } from './api/docs.js';
import { clientErrorHandler } from './http/client-errors.js';
import { registerCrossSiteCheck } from './http/cross-site.js';
import { NOSNIFF, registerNoSniff } from './http/security-headers.js';
import { errorResponse, registerErrorHandler } from './http/error-handler.js';
import { lazySerializers } from './http/lazy-serializers.js';
import { NotFoundError } from './http/errors.js';
import { compileLazily, createBodyValidator } from './http/validation.js';
import { adminPlugin } from './admin/plugin.js';
import { registerBasicAuth, type AuthUser } from './auth/basic-auth.js';
import { CredentialCache } from './auth/credential-cache.js';
import { UserStore } from './auth/user-store.js';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { primaryOf } from './db/read-write-split.js';
import { registerClientContext } from './client-context.js';
import { ReadWriteSplitDb } from './db/read-write-split.js';
import { registerHealth } from './health.js';
import { registerLoadShedding } from './load-shedding.js';
import { registerMetrics } from './metrics/http.js';

export interface ServerOptions {
  db: Db;
  models: readonly ResourceModel[];
  config: Config;
  logger?: FastifyServerOptions['logger'];
  /** The OpenAPI document as JSON text; default generated/openapi.json; false serves no docs. */
  openapi?: string | false;
  /** The admin panel at /admin/, with the session cookie's 32-byte key. Absent: no panel. */
  admin?: { sessionKey: Buffer };
}

export async function buildServer({
  db: driverDb,
  models,
  config,
  logger,
  openapi,
  admin,
}: ServerOptions): Promise<FastifyInstance> {
  const destination = logger === undefined ? logDestination() : undefined;
  const app = Fastify({
    logger: logger ?? {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      stream: destination,
    },
    logController: new AccessLogController(),
    schemaController: lazySerializers,
    bodyLimit: config.bodyLimit,
    // Headers and body must all arrive within the limit, else 408 (runtime/http/client-errors.ts); Node
    // looks for such requests every connectionsCheckingInterval (its default, 30 s, would blur the limit).
    requestTimeout: config.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(config.requestTimeoutMs, 60_000),
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.requestTimeoutMs / 4)),
    },
    routerOptions: { ignoreTrailingSlash: true },
    clientErrorHandler,
    // The error handler words validation errors itself (firstBodyProblems): Fastify's own message, every
    // error joined, would only cost time (110,990 of them in a 1 MB body of unknown keys).
    schemaErrorFormatter: () => new Error('invalid request body'),
    // Errors Fastify raises before routing (a malformed URL) get the same JSON as the rest.
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = errorResponse(error);
      void (reply as FastifyReply)
        .status(status)
        .header(...NOSNIFF)
        .send(body);
    },
  });
  // Buffered log lines are written when the server closes, not only when the process exits.
  if (destination !== undefined) app.addHook('onClose', (_app, done) => destination.flush(() => done()));
  registerErrorHandler(app);
  registerNoSniff(app);
  // Which client each database call is for (the read/write split's read-your-writes rule). Only with a
  // split: an AsyncLocalStorage turns on promise hooks, a cost on every promise of every request.
  if (driverDb instanceof ReadWriteSplitDb) registerClientContext(app);
  const bodyValidator = createBodyValidator();
  app.setValidatorCompiler(({ schema }) => compileLazily(bodyValidator, schema));
  app.setNotFoundHandler((request) => {
    throw new NotFoundError(`no route for ${request.method} ${request.url.split('?')[0]}`);
  });

  // Prometheus metrics (runtime/metrics/): before every route, so each is measured; `db` counts its errors.
  const metrics = registerMetrics(app, driverDb, config);
  const db = metrics.db;

  registerNoSniff(app.metricsListener);
  const health = registerHealth(app, db, models, app.metricsListener);
  const registry = new Registry(models);
  const store = new Store(db, registry, config.audit);
  if (config.maxEventLoopDelayMs > 0) await registerLoadShedding(app, config.maxEventLoopDelayMs);

  // Public: the OpenAPI document and /docs hold no data (registered outside the auth scope below).
  const openapiText = openapi === false ? undefined : (openapi ?? readOpenApiDocument());
  if (openapiText !== undefined) await registerApiDocs(app, openapiText);
  else if (openapi !== false)
    app.log.warn('generated/openapi.json not found: /api/openapi.json and /docs are not served');

  // Logins read users from the primary: a user just created, changed or deactivated counts at once.
  const users = new UserStore(primaryOf(db));
  // Shared with the admin panel, which forgets a user's cached credentials when it changes that user.
  const credentials = new CredentialCache<AuthUser>({ ttlMs: config.authCacheSeconds * 1000 });
  await app.register(async (api) => {
    // Before auth and body parsing: a write another site's page made a browser send is refused unread.
    registerCrossSiteCheck(api, config.allowedOrigins);
    await registerBodyParsers(api);
    registerBasicAuth(api, {
      users,
      maxFailures: config.authMaxFailures,
      failureWindowMs: config.authWindowSeconds * 1000,
      cacheTtlMs: config.authCacheSeconds * 1000,
      cache: credentials,
    });
    for (const resource of registry.all()) {
      await api.register(resourceRoutes, {
        prefix: `/api/${resource.name}`,
        store,
        resource,
        maxLimit: config.maxLimit,
      });
    }
    // /health/ready with its details, for requests with credentials (the anonymous one says ready or not).
    health.registerDetailedRoute(api);
    // /metrics behind the same Basic auth, unless A2B_METRICS_PORT serves it on a listener of its own.
    metrics.registerRoute(api);
    api.get('/api/', async () => ({ resources: models.map((model) => `/api/${model.resource}/`) }));
    // Unknown resources answer 404 only to authenticated clients.
    api.all('/api/*', async (request) => {
      throw new NotFoundError(`no resource at ${request.url.split('?')[0]}`);
    });
  });

  // The admin panel (runtime/admin/): HTML pages in a scope of their own.
  if (admin !== undefined) {
    await app.register(adminPlugin, {
      prefix: '/admin',
      store,
      users,
      sessionKey: admin.sessionKey,
      secureCookie: config.secureCookie,
      maxFailures: config.authMaxFailures,
      failureWindowMs: config.authWindowSeconds * 1000,
      onUserChanged: (id) => credentials.forget((user) => user.id === id),
    });
  }
  return app;
}
