/**
 * The collection-wide writes of a model, called by resource-routes.ts: a
 * create of many rows (`POST /api/<model>/` with a JSON array, or text/csv
 * with a header row), and the guarded update and delete of every row a
 * list's filters match (`PATCH`/`DELETE /api/<model>/?<filters>` with
 * `Prefer: max-affected=N`). See the store's createMany, updateWhere, deleteWhere.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
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

/** Before POST's validation: a CSV body becomes the rows it lists; more rows than the bulk limit is a 413. */
export function bulkRows(request: FastifyRequest, resource: Resource, maxBulk: number): void {
  if (request.body instanceof CsvRows) request.body = request.body.rows(resource);
  if (Array.isArray(request.body) && request.body.length > maxBulk)
    throw new TooManyRowsError(maxBulk, request.body.length);
}

/** POST /api/<model>/ with an array: answered `{"objects": [...]}` in the order sent. */
export async function createMany(
  caller: Access,
  resource: Resource,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const objects = await caller.createMany(writeContext(request), resource, request.body as Record<string, unknown>[]);
  // Rows as the store read them: write-only columns are never selected, so JSON.stringify shows what a row does.
  return reply.type('application/json; charset=utf-8').send(JSON.stringify({ objects }));
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

/** PATCH on the list URL: every row the filters match gets the body's values; how many did. */
export async function updateWhere(
  caller: Access,
  resource: Resource,
  request: FastifyRequest,
  maxLimit: number,
): Promise<number> {
  const values = request.body as Record<string, unknown>;
  const { match, maxAffected } = guardedMatch(request, caller, resource, maxLimit);
  // `{}` writes nothing, as for one row.
  if (Object.keys(values).length === 0) return 0;
  return caller.updateWhere(writeContext(request), resource, match, values, maxAffected);
}

/** DELETE on the list URL: every row the filters match; how many were. */
export async function deleteWhere(
  caller: Access,
  resource: Resource,
  request: FastifyRequest,
  maxLimit: number,
): Promise<number> {
  const { match, maxAffected } = guardedMatch(request, caller, resource, maxLimit);
  return caller.deleteWhere(writeContext(request), resource, match, maxAffected);
}
