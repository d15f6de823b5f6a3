/**
 * Builds the HTTP service from the generated models: /api/ behind Basic
 * auth, health endpoints, JSON errors everywhere.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { ResourceModule } from './api/resource.js';
import { registerBodyParsers } from './api/body-parsers.js';
import { clientErrorHandler } from './api/client-errors.js';
import { errorResponse, registerErrorHandler } from './api/error-handler.js';
import { NotFoundError } from './api/http-errors.js';
import { createBodyValidator } from './api/validation.js';
import { registerBasicAuth } from './auth/basic-auth.js';
import { UserStore } from './auth/user-store.js';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { registerHealth } from './health.js';

export interface ServerOptions {
  db: Db;
  resources: readonly ResourceModule[];
  config: Config;
  logger?: FastifyServerOptions['logger'];
}

export async function buildServer({ db, resources, config, logger }: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    bodyLimit: config.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true },
    clientErrorHandler,
    // Errors Fastify raises before routing (a malformed URL) get the same JSON as the rest.
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = errorResponse(error);
      void (reply as FastifyReply).status(status).send(body);
    },
  });
  registerErrorHandler(app);
  const bodyValidator = createBodyValidator();
  app.setValidatorCompiler(({ schema }) => bodyValidator.compile(schema));
  app.setNotFoundHandler((request) => {
    throw new NotFoundError(`no route for ${request.method} ${request.url.split('?')[0]}`);
  });

  registerHealth(app, db, resources);

  await app.register(async (api) => {
    await registerBodyParsers(api);
    registerBasicAuth(api, {
      users: new UserStore(db),
      maxFailures: config.authMaxFailures,
      failureWindowMs: config.authWindowSeconds * 1000,
      cacheTtlMs: config.authCacheSeconds * 1000,
    });
    for (const resource of resources) await resource.routes(api, { db, maxLimit: config.maxLimit });
    api.get('/api/', async () => ({ resources: resources.map((resource) => `/api/${resource.spec.resource}/`) }));
    // Unknown resources answer 404 only to authenticated clients.
    api.all('/api/*', async (request) => {
      throw new NotFoundError(`no resource at ${request.url.split('?')[0]}`);
    });
  });
  return app;
}
