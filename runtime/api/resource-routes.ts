/**
 * The API of every model, registered once with the prefix `/api/:resource`:
 * list, create, read, update, delete and the legacy delete alias. What
 * differs between models is data (served-resource.ts), looked up by the
 * name in the URL, so the routes, and what Fastify keeps per route, do not
 * grow with the schema. Metrics and the audit trail still name the model's
 * own route (`/api/card/:id/`): nameServedRoutes says which each request was.
 *
 * Each request runs, in this order: the model by name (404), the method for
 * that URL of that model (405, with Allow), the caller's role (403), a CSV or
 * bulk body (413), the body's validation (400), then the handler.
 */
import type { Ajv } from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Operation } from '../access/roles-file.js';
import type { Access, AccessControl } from '../access/access.js';
import { ifMatchCondition, sendEtag } from '../http/etag.js';
import { keyOf, rawQuery, writeContext } from '../http/request.js';
import { MethodNotAllowedError, NotFoundError, ReadOnlyMethodError } from '../http/errors.js';
import { notFound } from '../store/errors.js';
import { formatKey } from '../store/keys.js';
import { parseListQuery } from '../store/list-query.js';
import type { Registry } from '../store/resource.js';
import { clientOf } from '../client-context.js';
import { bulkRows, createMany, deleteWhere, updateWhere } from './bulk-routes.js';
import { countedPage } from './list-page.js';
import { ServedResources, type ServedResource, type UrlKind } from './served-resource.js';

export interface ResourceRoutesOptions {
  /** Every route reaches rows through the caller's Access: its role's operations, columns and row scope. */
  readonly access: AccessControl;
  readonly registry: Registry;
  /** Validates request bodies (http/validation.ts). */
  readonly validator: Ajv;
  /** Largest page size a list request may ask for. */
  readonly maxLimit: number;
  /** Most rows one bulk create may carry (A2B_MAX_BULK). */
  readonly maxBulk: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The model a request of the shared API routes is for, once its name and method were checked. */
    served: ServedResource | null;
  }
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** `/api/<resource>/`, as the old API named it (the trailing slash is optional for clients all the same). */
const URLS: Record<UrlKind, string> = { list: '/', row: '/:id/', deleteAlias: '/:id/delete/' };

/** Every method but GET, whose route Fastify also answers HEAD with. */
const OTHER_METHODS: HTTPMethods[] = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const JSON_TYPE = 'application/json; charset=utf-8';

/** Whose role must allow what, before the body is looked at; the other operations are checked where they run. */
const GUARDED: Partial<Record<UrlKind, Partial<Record<string, Operation>>>> = {
  list: { POST: 'create', PATCH: 'update' },
  row: { POST: 'update', PUT: 'update', PATCH: 'update' },
};

/** The answers that carry one row, and so an ETag. */
const ONE_ROW: Record<UrlKind, ReadonlySet<string>> = {
  list: new Set(['POST']),
  row: new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH']),
  deleteAlias: new Set(),
};

export async function resourceRoutes(
  app: FastifyInstance,
  { access, registry, validator, maxLimit, maxBulk }: ResourceRoutesOptions,
): Promise<void> {
  const resources = new ServedResources(registry, validator);
  // Routes are behind auth: a request here always has its user (or key).
  const callerOf = (request: FastifyRequest): Access => access.of(request.user!);
  app.decorateRequest('served', null);

  /** The model and method checks, then the role, the bulk body and the body's validation; throws what it refuses. */
  function check(kind: UrlKind, request: FastifyRequest, reply: FastifyReply): void {
    const { resource: name } = request.params as { resource: string };
    const served = resources.get(name);
    const path = () => request.url.split('?')[0]!;
    if (served === undefined) throw new NotFoundError(`no resource at ${path()}`);
    const allowed = served.methods[kind];
    if (allowed === undefined) {
      if (kind === 'row' && served.noRowUrl !== undefined) throw new NotFoundError(served.noRowUrl);
      throw new NotFoundError(`no resource at ${path()}`);
    }
    if (!allowed.includes(request.method)) {
      void reply.header('Allow', allowed.join(', '));
      // OPTIONS is answered by the handler: 204 with the Allow header.
      if (request.method === 'OPTIONS') return;
      if (served.readOnlyReason !== undefined)
        throw new ReadOnlyMethodError(request.method, path(), served.readOnlyReason);
      throw new MethodNotAllowedError(request.method, URLS[kind]);
    }
    request.served = served;
    const operation = GUARDED[kind]?.[request.method];
    if (operation === undefined) return;
    callerOf(request).on(served.resource).require(operation);
    if (operation === 'create') bulkRows(request, served.resource, maxBulk);
    const body = operation === 'create' ? served.createBody : served.updateBody;
    if (!body(request.body, { parentData: request, parentDataProperty: 'body' } as never))
      throw invalidBody(body.errors ?? []);
  }

  // Callback style: it runs on every request, and a promise per call costs.
  const admit = (kind: UrlKind) => (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    try {
      check(kind, request, reply);
    } catch (error) {
      return done(error as Error);
    }
    done();
  };

  /** Adds the ETag to the answers that carry one row (a bulk create's answer has none). */
  const etagOf =
    (kind: UrlKind) =>
    (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload?: unknown) => void) =>
      ONE_ROW[kind].has(request.method) && !Array.isArray(request.body)
        ? sendEtag(request, reply, payload, done)
        : done(null, payload);

  const list: Handler = async (request, reply) => {
    const { resource, serializeList } = request.served!;
    const caller = callerOf(request);
    const view = caller.on(resource);
    view.require('list');
    const query = parseListQuery(resource, rawQuery(request), caller.adapter, maxLimit, clientOf(request), view);
    const page = await countedPage(caller, resource, query, request, reply);
    return reply.type(JSON_TYPE).send(serializeList(page));
  };

  const create: Handler = async (request, reply) => {
    const { resource, serializeRow } = request.served!;
    const caller = callerOf(request);
    if (Array.isArray(request.body)) return createMany(caller, resource, request, reply);
    const row = await caller.create(writeContext(request), resource, request.body as Record<string, unknown>);
    return reply.type(JSON_TYPE).send(serializeRow(row));
  };

  const read: Handler = async (request, reply) => {
    const { resource, serializeRow } = request.served!;
    const row = await callerOf(request).found(resource, keyOf(request, resource));
    return reply.type(JSON_TYPE).send(serializeRow(row));
  };

  // PUT, PATCH and POST all update partially: only the fields sent are written.
  const update: Handler = async (request, reply) => {
    const { resource, serializeRow } = request.served!;
    const key = keyOf(request, resource);
    const unchanged = ifMatchCondition(request, serializeRow);
    const row = await callerOf(request).update(
      writeContext(request),
      resource,
      key,
      request.body as Record<string, unknown>,
      unchanged,
    );
    return reply.type(JSON_TYPE).send(serializeRow(row));
  };

  const remove: Handler = async (request) => {
    const { resource, serializeRow } = request.served!;
    const key = keyOf(request, resource);
    const unchanged = ifMatchCondition(request, serializeRow);
    if (!(await callerOf(request).delete(writeContext(request), resource, key, unchanged)))
      throw notFound(resource.name, formatKey(key));
    return { deleted: 1 };
  };

  const handlers: Record<UrlKind, Partial<Record<string, Handler>>> = {
    list: {
      GET: list,
      POST: create,
      PATCH: async (request) => ({
        updated: await updateWhere(callerOf(request), request.served!.resource, request, maxLimit),
      }),
      DELETE: async (request) => ({
        deleted: await deleteWhere(callerOf(request), request.served!.resource, request, maxLimit),
      }),
    },
    row: { GET: read, POST: update, PUT: update, PATCH: update, DELETE: remove },
    deleteAlias: { POST: remove, DELETE: remove },
  };

  for (const kind of Object.keys(URLS) as UrlKind[]) {
    const byMethod = handlers[kind];
    const options = {
      url: URLS[kind],
      // Under the prefix, `/` is the prefix with its slash (`/api/card/`).
      prefixTrailingSlash: 'slash' as const,
      preValidation: admit(kind),
      onSend: etagOf(kind),
      // A method the model lacks was refused by admit (405); HEAD runs GET's handler.
      handler: (request: FastifyRequest, reply: FastifyReply) =>
        request.method === 'OPTIONS'
          ? reply.status(204).send()
          : byMethod[request.method === 'HEAD' ? 'GET' : request.method]!(request, reply),
    };
    app.route({ ...options, method: 'GET' });
    app.route({ ...options, method: OTHER_METHODS });
  }
}

/** A body the model's schema refuses: the error Fastify's own validation raises, worded by the error handler. */
function invalidBody(errors: unknown[]): Error {
  return Object.assign(new Error('invalid request body'), {
    statusCode: 400,
    code: 'FST_ERR_VALIDATION',
    validation: errors,
    validationContext: 'body',
  });
}

/**
 * Names the route of each request to these routes as if its model had routes of its own (`/api/card/:id/`,
 * `request.servedRoute`), for the metrics and the audit trail. Register it on the scope, before its auth:
 * a request refused there (401, or 503 with the database down) is still counted under its model. A name
 * the service does not serve keeps the pattern (`/api/:resource/`), so the labels stay bounded.
 */
export function nameServedRoutes(scope: FastifyInstance, registry: Registry): void {
  const byPattern = new Map<string, Map<string, string>>();
  scope.addHook('onRequest', (request, _reply, done) => {
    const pattern = request.routeOptions.url;
    const name = (request.params as { resource?: string } | undefined)?.resource;
    if (pattern === undefined || name === undefined || registry.get(name) === undefined) return done();
    let byName = byPattern.get(pattern);
    if (byName === undefined) byPattern.set(pattern, (byName = new Map()));
    let route = byName.get(name);
    if (route === undefined) byName.set(name, (route = pattern.replace(':resource', name)));
    request.servedRoute = route;
    done();
  });
}
