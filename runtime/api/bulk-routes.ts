/**
 * The collection-wide writes of one model, beside resource-routes.ts: a
 * create of many rows (`POST /api/<model>/` with a JSON array, or text/csv
 * with a header row), and the guarded update and delete of every row a
 * list's filters match (`PATCH`/`DELETE /api/<model>/?<filters>` with
 * `Prefer: max-affected=N`). See the store's createMany, updateWhere, deleteWhere.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify';
import { CsvRows, TooManyRowsError } from '../http/csv-body.js';
import { preferencesOf } from '../http/prefer.js';
import { rawQuery, writeContext } from '../http/request.js';
import { invalidQuery } from '../store/errors.js';
import { parseListQuery, RESERVED } from '../store/list-query.js';
import type { Resource } from '../store/resource.js';
import type { Match } from '../store/store.js';
import type { Access } from '../access/access.js';
import { clientOf } from '../client-context.js';

/** POST's body: one row to create, or an array of them (each checked as one row is). */
export function createOrBulkSchema(create: object): object {
  return { if: { type: 'array' }, then: { type: 'array', minItems: 1, items: create }, else: create };
}

/** preValidation of POST: a CSV body becomes the rows it lists; more rows than the bulk limit is a 413. */
export function bulkBody(resource: Resource, maxBulk: number) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.body instanceof CsvRows) request.body = request.body.rows(resource);
    if (Array.isArray(request.body) && request.body.length > maxBulk)
      throw new TooManyRowsError(maxBulk, request.body.length);
  };
}

/** POST /api/<model>/: one row as before, or many (answered `{"objects": [...]}` in the order sent). */
export async function createOneOrMany(
  caller: Access,
  resource: Resource,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const body = request.body;
  if (!Array.isArray(body)) return caller.create(writeContext(request), resource, body as Record<string, unknown>);
  const objects = await caller.createMany(writeContext(request), resource, body as Record<string, unknown>[]);
  // Rows as the store read them: write-only columns are never selected, so JSON.stringify shows what a row does.
  return reply.type('application/json; charset=utf-8').send(JSON.stringify({ objects }));
}

/** An onSend hook that applies to one-row answers only (a bulk create's answer has no ETag). */
export function unlessBulk<P>(
  hook: (request: FastifyRequest, reply: FastifyReply, payload: P, done: (error: null, payload?: P) => void) => void,
) {
  return (request: FastifyRequest, reply: FastifyReply, payload: P, done: (error: null, payload?: P) => void) =>
    Array.isArray(request.body) ? done(null, payload) : hook(request, reply, payload, done);
}

/** The filters of a bulk update or delete, and its limit; a request that names neither is refused. */
function guardedMatch(request: FastifyRequest, caller: Access, resource: Resource, maxLimit: number) {
  const query = parseListQuery(
    resource,
    rawQuery(request),
    caller.adapter,
    maxLimit,
    clientOf(request),
    caller.on(resource),
  );
  const paging = query.search.filter(([name]) => (RESERVED as readonly string[]).includes(name));
  if (paging.length > 0)
    throw invalidQuery(
      paging.map(([name]) => ({
        field: name,
        message: 'is not a filter: a bulk update or delete changes every row its filters match',
      })),
    );
  if (!query.filtered)
    throw invalidQuery([
      { field: 'query', message: 'needs at least one filter: a bulk write never changes every row' },
    ]);
  const { maxAffected } = preferencesOf(request);
  if (maxAffected === undefined)
    throw invalidQuery([
      { field: 'Prefer', message: 'send Prefer: max-affected=N, the most rows this write may change' },
    ]);
  const match: Match = { where: query.where, params: query.params };
  return { match, maxAffected };
}

export interface CollectionWriteOptions {
  /** Who asks: the rows a write reaches are those its filters and the caller's scope both match. */
  readonly callerOf: (request: FastifyRequest) => Access;
  /** A preValidation hook refusing (403) a caller whose role lacks the operation, before the body is read. */
  readonly permitted: (operation: 'update' | 'delete') => preValidationHookHandler;
  readonly resource: Resource;
  readonly maxLimit: number;
  /** PATCH's body: any subset of the writable columns, as for one row. */
  readonly update: object;
}

/** PATCH and DELETE on the collection URL (`url`, the list's). */
export function registerCollectionWrites(
  app: FastifyInstance,
  url: string,
  { callerOf, permitted, resource, maxLimit, update }: CollectionWriteOptions,
): void {
  app.route({
    method: 'PATCH',
    url,
    prefixTrailingSlash: 'slash',
    schema: { body: update, response: { 200: { type: 'object', properties: { updated: { type: 'integer' } } } } },
    preValidation: permitted('update'),
    handler: async (request) => {
      const values = request.body as Record<string, unknown>;
      const caller = callerOf(request);
      const { match, maxAffected } = guardedMatch(request, caller, resource, maxLimit);
      // `{}` writes nothing, as for one row.
      if (Object.keys(values).length === 0) return { updated: 0 };
      return { updated: await caller.updateWhere(writeContext(request), resource, match, values, maxAffected) };
    },
  });
  app.route({
    method: 'DELETE',
    url,
    prefixTrailingSlash: 'slash',
    schema: { response: { 200: { type: 'object', properties: { deleted: { type: 'integer' } } } } },
    handler: async (request) => {
      const caller = callerOf(request);
      const { match, maxAffected } = guardedMatch(request, caller, resource, maxLimit);
      return { deleted: await caller.deleteWhere(writeContext(request), resource, match, maxAffected) };
    },
  });
}
