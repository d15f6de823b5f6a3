/**
 * Builds the HTTP service from the generated models: /api/ behind Basic
 * auth, health endpoints, JSON errors everywhere.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { AccessLogController, logDestination } from './access-log.js';
import type { ResourceModel } from './store/model.js';
import { Registry } from './store/resource.js';
import { Store } from './store/store.js';
import { nameServedRoutes, resourceRoutes } from './api/resource-routes.js';
import { adjustmentRoutes } from './api/adjustment-routes.js';
import { registerBodyParsers } from './http/body-parsers.js';
import { registerCsvParser } from './http/csv-body.js';
import { openApiDocument, registerApiDocs } from './api/docs.js';
import { clientErrorHandler } from './http/client-errors.js';
import { registerCrossSiteCheck } from './http/cross-site.js';
import { NOSNIFF, registerNoSniff } from './http/security-headers.js';
import { errorResponse, registerErrorHandler } from './http/error-handler.js';
import { lazySerializers } from './http/lazy-serializers.js';
import { NotFoundError } from './http/errors.js';
import { decorateServedRoute } from './http/request.js';
import { compileLazily, createBodyValidator } from './http/validation.js';
import { adminPlugin } from './admin/plugin.js';
import { registerBasicAuth, type AuthUser } from './auth/basic-auth.js';
import { CredentialCache } from './auth/credential-cache.js';
import { UserStore } from './auth/user-store.js';
import { SessionStore } from './auth/session-store.js';
import { UserWatch } from './auth/user-watch.js';
import { ApiKeyStore } from './auth/api-key-store.js';
import { keyRingOf } from './auth/key-ring-service.js';
import { balanceRoutes } from './api/balance-routes.js';
import { BalanceOperations } from './operations/balance-operations.js';
import { balanceTables } from './operations/balance-tables.js';
import { Journal, type Operation } from './operations/journal.js';
import { AdjustOperations, KIND as ADJUST } from './operations/adjust-operation.js';
import type { Resource } from './store/resource.js';
import { CardAccounts, KIND as CARD_ACCOUNTS } from './operations/card-accounts.js';
import { OperationRecovery } from './operations/recovery.js';
import type { Actor, AuditEntry } from './store/audit-log.js';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { primaryOf } from './db/read-write-split.js';
import { registerClientContext } from './client-context.js';
import { ReadWriteSplitDb } from './db/read-write-split.js';
import { registerHealth } from './health.js';
import { registerLoadShedding } from './load-shedding.js';
import { registerMetrics } from './metrics/http.js';
import { AccessControl } from './access/access.js';
import { Policy } from './access/policy.js';
import { readRolesFile, roleChecker, type RolesFile } from './access/roles-file.js';

/** How long an admin session lasts without activity. */
const ADMIN_SESSION_SECONDS = 12 * 3600;
/**
 * How often the `user` and `a2gen_api_key` tables are read for changes made elsewhere (another worker or
 * instance, the CLI, the database directly): a deactivation, a new password, a new role or a revoked key
 * bites everywhere within this interval. A quarter second, though the promise is one second: the next
 * request still has to verify again, and on a loaded machine that and the polling took 1.08 s with 500 ms.
 * Each reading is one small query per table per process.
 */
const USER_WATCH_MS = 250;

export interface ServerOptions {
  db: Db;
  models: readonly ResourceModel[];
  config: Config;
  logger?: FastifyServerOptions['logger'];
  /** The OpenAPI document as JSON text; default generated/openapi.json; false serves no docs. */
  openapi?: string | false;
  /** The admin panel at /admin/, with the session cookie's 32-byte key. Absent: no panel. */
  admin?: { sessionKey: Buffer };
  /** The roles; default: the roles file the configuration names (config.rolesFile). */
  roles?: RolesFile;
}

export async function buildServer({
  db: driverDb,
  models,
  config,
  logger,
  openapi,
  admin,
  roles,
}: ServerOptions): Promise<FastifyInstance> {
  const destination = logger === undefined ? logDestination() : undefined;
  const app = Fastify({
    logger: logger ?? {
      level: config.logLevel,
      // No `redact` of req.headers.authorization and .cookie: Fastify's req serializer, which every line with a
      // `req` goes through, never writes headers, and redacting cost ~1.5 % of a GET's CPU (a clone per line).
      stream: destination,
    },
    logController: new AccessLogController(),
    schemaController: lazySerializers,
    bodyLimit: config.bodyLimit,
    // Only these peers may say, in X-Forwarded-For/-Proto, who the client is and whether it used HTTPS.
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
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
  decorateServedRoute(app);
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
  // Who may do what (runtime/access/): a mistake in the roles file stops the start, naming it.
  const rolesFile = roles ?? readRolesFile(config.rolesFile, config.rolesFileRequired);
  const policy = new Policy(rolesFile, registry, (message) => app.log.warn(message));
  const access = new AccessControl(policy, store);
  if (config.maxEventLoopDelayMs > 0) await registerLoadShedding(app, config.maxEventLoopDelayMs);

  // Public: the OpenAPI document and /docs hold no data (registered outside the auth scope below).
  const openapiText = openapi === false ? undefined : openapi !== undefined ? () => openapi : openApiDocument();
  if (openapiText !== undefined) registerApiDocs(app, openapiText);
  else if (openapi !== false)
    app.log.warn('generated/openapi.json not found: /api/openapi.json and /docs are not served');

  // Logins read users from the primary: a user just created, changed or deactivated counts at once.
  const users = new UserStore(primaryOf(db));
  // Shared with the admin panel, which forgets a user's cached credentials when it changes that user.
  const credentials = new CredentialCache<AuthUser>({ ttlMs: config.authCacheSeconds * 1000 });
  const sessions = new SessionStore(primaryOf(db), ADMIN_SESSION_SECONDS * 1000);
  const { balance, adjustments } = journalledOperations(app, store, primaryOf(db), config.recoverAfterMs);
  watchUsers(app, credentials, sessions, primaryOf(db));
  // API keys are verified in memory (runtime/auth/key-ring.ts): read from the primary, like users.
  const keys = keyRingOf(app, primaryOf(db), USER_WATCH_MS);
  await app.register(async (api) => {
    // First: the metrics and the audit trail name each request's model, refused or not.
    nameServedRoutes(api, registry);
    // Before auth and body parsing: a write another site's page made a browser send is refused unread.
    registerCrossSiteCheck(api, config.allowedOrigins);
    await registerBodyParsers(api);
    registerCsvParser(api, { maxRows: config.maxBulk, maxBytes: config.bodyLimit });
    registerBasicAuth(api, {
      users,
      maxFailures: config.authMaxFailures,
      failureWindowMs: config.authWindowSeconds * 1000,
      cacheTtlMs: config.authCacheSeconds * 1000,
      cache: credentials,
      keys,
    });
    // One set of routes for every model; only the few adjustments (the card's credit) are routes of their own.
    await api.register(resourceRoutes, {
      prefix: '/api/:resource',
      access,
      registry,
      validator: bodyValidator,
      maxLimit: config.maxLimit,
      maxBulk: config.maxBulk,
    });
    for (const resource of registry.all()) {
      if (resource.keyed && !resource.readOnly && (resource.model.adjustments?.length ?? 0) > 0)
        await api.register(adjustmentRoutes, { prefix: `/api/${resource.name}`, access, resource, adjustments });
    }
    if (balance !== undefined) await api.register(balanceRoutes, { ...balance, access });
    // /health/ready with its details, for requests with credentials (the anonymous one says ready or not).
    health.registerDetailedRoute(api);
    // /metrics behind the same Basic auth, unless A2B_METRICS_PORT serves it on a listener of its own.
    metrics.registerRoute(api);
    // The resources the caller's role may list.
    api.get('/api/', async (request) => {
      const caller = access.of(request.user!);
      const listed = registry.all().filter((resource) => caller.allows(resource, 'list'));
      return { resources: listed.map((resource) => `/api/${resource.name}/`) };
    });
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
      access,
      checkRole: roleChecker(rolesFile),
      users,
      apiKeys: new ApiKeyStore(primaryOf(db)),
      sessionKey: admin.sessionKey,
      secureCookie: config.secureCookie,
      sessions,
      balance,
      maxFailures: config.authMaxFailures,
      failureWindowMs: config.authWindowSeconds * 1000,
      maxBulk: config.maxBulk,
      onUserChanged: (id) => credentials.forget((user) => user.id === id),
    });
  }
  return app;
}

/**
 * A user changed anywhere: this process forgets the credentials it verified for them, so the API
 * checks the database again; a user who may no longer use the admin panel loses every session.
 */
function watchUsers(
  app: FastifyInstance,
  credentials: CredentialCache<AuthUser>,
  sessions: SessionStore,
  db: Db,
): void {
  const watch = new UserWatch(db, {
    intervalMs: USER_WATCH_MS,
    onChange: async (changes) => {
      credentials.forget((user) => changes.has(user.id));
      for (const [id, user] of changes) if (!user?.active || !user.admin) await sessions.endAllOf(id);
      app.log.info({ users: [...changes.keys()] }, 'users changed: their cached credentials were dropped');
    },
    onError: (error) => app.log.warn({ err: error }, 'could not read the user table to notice changes; retrying'),
  });
  app.addHook('onReady', (done) => {
    watch.start();
    done();
  });
  app.addHook('onClose', (_app, done) => {
    watch.stop();
    done();
  });
}

/**
 * The journalled operations (runtime/operations/): adjustments sent with an Idempotency-Key, and, when the
 * schema has A2Billing's tables, the old API's refill and extra charge and cards created with their VoIP
 * accounts; with the recovery that finishes what a stopped process left half-done.
 */
function journalledOperations(app: FastifyInstance, store: Store, db: Db, recoverAfterMs: number) {
  const journal = new Journal(db);
  const audit = (actor: Actor, entry: AuditEntry) => store.recordChange({ actor, log: app.log }, entry);
  const adjustments = new AdjustOperations(db, journal, store.registry, audit);
  const continuations: Record<string, (operation: Operation) => Promise<unknown>> = {
    [ADJUST]: (operation) => adjustments.continue(operation),
  };
  let balance: { operations: BalanceOperations; card: Resource } | undefined;
  const tables = balanceTables(store.registry);
  if (tables !== undefined) {
    const operations = new BalanceOperations(db, journal, tables, audit);
    continuations.refill = (operation) => operations.continue(operation, true);
    continuations.extra_charge = (operation) => operations.continue(operation, true);
    balance = { operations, card: tables.card };
    const sip = store.registry.get('sipbuddy');
    const iax = store.registry.get('iaxbuddy');
    if (sip !== undefined && iax !== undefined) {
      const accounts = new CardAccounts(store, db, journal, tables.card, sip, iax, app.log);
      store.createThrough(tables.card.name, accounts.create, accounts.refuseInBulk);
      continuations[CARD_ACCOUNTS] = (operation) => accounts.continue(operation, true);
    }
  }
  const recovery = new OperationRecovery(journal, continuations, { idleMs: recoverAfterMs, log: app.log });
  app.addHook('onReady', (done) => {
    recovery.start();
    done();
  });
  app.addHook('onClose', (_app, done) => {
    recovery.stop();
    done();
  });
  return { balance, adjustments };
}
