/**
 * What both HTTP faces (api/ and admin/) read off a request: its query
 * string, the row key in its URL, who is asking; and the 405 answer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../store/errors.js';
import { parseKey } from '../store/keys.js';
import type { KeyValues } from '../store/model.js';
import type { Resource } from '../store/resource.js';
import type { WriteContext } from '../store/store.js';
import { MethodNotAllowedError, ReadOnlyMethodError } from './errors.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The query string of a request URL, without the `?`. */
export function rawQuery(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index === -1 ? '' : request.url.slice(index + 1);
}

/**
 * The row key from the URL segment after the resource name (`/api/card/7/`,
 * `/admin/tariffgroupplan/1,2/`), read still percent-encoded so that `%2C`
 * stays a comma inside a value. A key that cannot name a row is a 404, as
 * for a row that does not exist.
 */
export function keyOf(request: FastifyRequest, resource: Resource): KeyValues {
  const { url } = request;
  const start = url.indexOf(resource.segmentMarker) + resource.segmentMarker.length;
  let end = start;
  while (end < url.length && url[end] !== '/' && url[end] !== '?') end++;
  const segment = url.slice(start, end);
  const key = parseKey(resource, segment);
  if (key === undefined) throw notFound(resource.name, segment);
  return key;
}

/** Who writes (the API's user unless told another), from where and through which route: for the audit trail. */
export function writeContext(request: FastifyRequest, user = request.user?.username): WriteContext {
  return {
    log: request.log,
    actor: {
      user: user ?? '',
      client: request.ip,
      route: `${request.method} ${routeOf(request)}`,
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The route a request of a route that serves every model was found to be, as if that model had a route of
     * its own (`/api/card/:id/`, `/admin/card/action/block/`); set once the model and page are known to
     * exist, so it never holds a name the service does not serve. Null: the route's own pattern says it.
     */
    servedRoute: string | null;
  }
}

/** Call once on the root instance, before any route. */
export function decorateServedRoute(app: FastifyInstance): void {
  app.decorateRequest('servedRoute', null);
}

/** The route a request took, as its pattern: `/api/card/:id/`; what the audit trail and the metrics name. */
export function routeOf(request: FastifyRequest): string {
  return request.servedRoute ?? request.routeOptions.url ?? request.url;
}

/** Answers 405 with an Allow header for every method a URL does not serve; `why` says why, if given. */
export function allowOnly(app: FastifyInstance, url: string, allowed: readonly string[], why?: string): void {
  const others = METHODS.filter((method) => !allowed.includes(method));
  const allow = allowed.join(', ');
  app.route({
    method: others as unknown as string[],
    url,
    // Under a prefix, `/` is the prefix with its slash (`/api/card/`), as the route it guards.
    prefixTrailingSlash: 'slash',
    handler: async (request, reply) => {
      reply.header('Allow', allow);
      if (request.method === 'OPTIONS') return reply.status(204).send();
      if (why !== undefined) throw new ReadOnlyMethodError(request.method, request.url.split('?')[0], why);
      throw new MethodNotAllowedError(request.method, url);
    },
  });
}
