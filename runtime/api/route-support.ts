/**
 * Small helpers the generated route modules call, so each generated handler
 * stays a few readable lines.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MethodNotAllowedError, NotFoundError } from './http-errors.js';
import type { ResourceSpec, RouteContext } from './resource.js';
import type { WriteContext } from './writes.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The query string of a request URL, without the `?`. */
export function rawQuery(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index === -1 ? '' : request.url.slice(index + 1);
}

/**
 * The primary key from the URL. Anything but a positive integer in the
 * column's range cannot name a row: 404, as for a row that does not exist.
 */
export function primaryKeyOf(request: FastifyRequest, spec: ResourceSpec): number | string {
  const text = (request.params as { id?: string }).id ?? '';
  if (!/^[1-9][0-9]{0,19}$/.test(text)) throw notFound(spec.resource, text);
  const number = Number(text);
  if (Number.isSafeInteger(number)) return number;
  if (BigInt(text) > largestKey(spec)) throw notFound(spec.resource, text);
  return text;
}

const largestKeys = new WeakMap<ResourceSpec, bigint>();

/** The primary key column's upper bound, looked up once per resource. */
function largestKey(spec: ResourceSpec): bigint {
  let max = largestKeys.get(spec);
  if (max === undefined) {
    const column = spec.columns.find((candidate) => candidate.name === spec.primaryKey)!;
    max = column.rule.kind === 'integer' ? BigInt(column.rule.max) : 2n ** 63n - 1n;
    largestKeys.set(spec, max);
  }
  return max;
}

export function notFound(resource: string, id: unknown): Error {
  return new NotFoundError(`${resource} ${String(id)} not found`);
}

/** The row, or a 404 when it does not exist (any more). */
export function found<T>(row: T | undefined, resource: string, id: unknown): T {
  if (row === undefined) throw notFound(resource, id);
  return row;
}

/** Answers 405 with an Allow header for every method a URL does not serve. */
export function allowOnly(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  const others = METHODS.filter((method) => !allowed.includes(method));
  const allow = allowed.join(', ');
  app.route({
    method: others as unknown as string[],
    url,
    handler: async (request, reply) => {
      reply.header('Allow', allow);
      if (request.method === 'OPTIONS') return reply.status(204).send();
      throw new MethodNotAllowedError(request.method, url);
    },
  });
}

/** Who writes, from where and through which route: for the audit trail. */
export function writeContext(request: FastifyRequest, { db, audit }: RouteContext): WriteContext {
  return {
    db,
    audit,
    log: request.log,
    actor: { user: request.user?.username ?? '', client: request.ip, route: `${request.method} ${request.routeOptions.url ?? request.url}` },
  };
}
