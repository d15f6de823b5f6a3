/**
 * The API of one model, registered once per model with its prefix
 * (`/api/<resource>`): list, create, read, update, delete, the legacy
 * delete alias and any adjustment routes. Every model is served by this
 * one plugin; what differs between them is data (the column model).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify';
import type { Operation } from '../access/roles-file.js';

type HookDone = (error?: Error) => void;
import { ifMatchCondition, sendEtag } from '../http/etag.js';
import { idempotencyKeyOf, sendOutcome } from '../http/idempotency.js';
import type { AdjustOperations } from '../operations/adjust-operation.js';
import { allowOnly, keyOf, rawQuery, writeContext } from '../http/request.js';
import { adjustmentSchema, resourceSchemas } from '../http/schemas.js';
import { NotFoundError } from '../http/errors.js';
import { notFound } from '../store/errors.js';
import { formatKey } from '../store/keys.js';
import { parseListQuery } from '../store/list-query.js';
import type { Resource } from '../store/resource.js';
import type { Access, AccessControl } from '../access/access.js';
import { clientOf } from '../client-context.js';
import { bulkBody, createOneOrMany, createOrBulkSchema, registerCollectionWrites, unlessBulk } from './bulk-routes.js';
import { countedPage } from './list-page.js';

export interface ResourceRoutesOptions {
  /** Every route reaches rows through the caller's Access: its role's operations, columns and row scope. */
  readonly access: AccessControl;
  readonly resource: Resource;
  /** Largest page size a list request may ask for. */
  readonly maxLimit: number;
  /** Most rows one bulk create may carry (A2B_MAX_BULK). */
  readonly maxBulk: number;
  /** Adjustments sent with an Idempotency-Key, journalled; absent: the header is refused. */
  readonly adjustments?: AdjustOperations;
}

/** `/api/<resource>/`, as the old API named it (the trailing slash is optional for clients all the same). */
const LIST = '/';
const DETAIL = '/:id/';
const DELETE_ALIAS = '/:id/delete/';
const deletedSchema = { type: 'object', properties: { deleted: { type: 'integer' } } } as const;

function listSchema(row: object): object {
  const meta = {
    model: { type: 'string' },
    next: { type: 'string' },
    previous: { type: 'string' },
    page: { type: 'integer' },
    total: { type: 'integer' },
    total_estimated: { type: 'boolean' },
  };
  return {
    type: 'object',
    properties: { meta: { type: 'object', properties: meta }, objects: { type: 'array', items: row } },
  };
}

export async function resourceRoutes(
  app: FastifyInstance,
  { access, resource, maxLimit, maxBulk, adjustments }: ResourceRoutesOptions,
): Promise<void> {
  const schemas = resourceSchemas(resource);
  // Routes are behind auth: a request here always has its user (or key).
  const callerOf = (request: FastifyRequest): Access => access.of(request.user!);
  // A write the caller's role lacks is a 403 before its body is looked at.
  const permitted = (operation: Operation) => (request: FastifyRequest, _reply: FastifyReply, done: HookDone) => {
    try {
      callerOf(request).on(resource).require(operation);
      done();
    } catch (error) {
      done(error as Error);
    }
  };

  app.get(
    LIST,
    { prefixTrailingSlash: 'slash', schema: { response: { 200: listSchema(schemas.row) } } },
    async (request, reply) => {
      const caller = callerOf(request);
      const view = caller.on(resource);
      view.require('list');
      const query = parseListQuery(resource, rawQuery(request), caller.adapter, maxLimit, clientOf(request), view);
      return countedPage(caller, resource, query, request, reply);
    },
  );

  if (!resource.keyed) {
    const why = readOnlyReason(resource);
    allowOnly(app, LIST, ['GET', 'HEAD'], why);
    // Every method, so that no URL under the list looks like a row that might exist.
    const noun = resource.model.view ? 'a view without a declared key' : 'a table without a key';
    app.all(DETAIL, async () => {
      throw new NotFoundError(
        `${resource.name} is ${noun}: its rows have no URL of their own; list them at /api/${resource.name}/`,
      );
    });
    return;
  }

  // Every response carrying one row has an ETag; If-Match makes a write conditional on it.
  app.get(DETAIL, { schema: { response: { 200: schemas.row } }, onSend: sendEtag }, async (request) => {
    const key = keyOf(request, resource);
    return callerOf(request).found(resource, key);
  });
  if (resource.readOnly) {
    const why = readOnlyReason(resource);
    allowOnly(app, LIST, ['GET', 'HEAD'], why);
    allowOnly(app, DETAIL, ['GET', 'HEAD'], why);
    return;
  }

  // One row, or many: a JSON array or a CSV file (bulk-routes.ts).
  app.post(
    LIST,
    {
      prefixTrailingSlash: 'slash',
      schema: { body: createOrBulkSchema(schemas.create), response: { 200: schemas.row } },
      preValidation: [permitted('create'), bulkBody(resource, maxBulk)],
      onSend: unlessBulk(sendEtag),
    },
    async (request, reply) => createOneOrMany(callerOf(request), resource, request, reply),
  );
  registerCollectionWrites(app, LIST, { callerOf, permitted, resource, maxLimit, update: schemas.update });

  // PUT, PATCH and POST all update partially: only the fields sent are written.
  const update = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = keyOf(request, resource);
    const unchanged = ifMatchCondition(request, reply, schemas.row);
    return callerOf(request).update(
      writeContext(request),
      resource,
      key,
      request.body as Record<string, unknown>,
      unchanged,
    );
  };
  app.route({
    method: ['PUT', 'PATCH', 'POST'],
    url: DETAIL,
    schema: { body: schemas.update, response: { 200: schemas.row } },
    preValidation: permitted('update'),
    onSend: sendEtag,
    handler: update,
  });

  const remove = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = keyOf(request, resource);
    const unchanged = ifMatchCondition(request, reply, schemas.row);
    if (!(await callerOf(request).delete(writeContext(request), resource, key, unchanged)))
      throw notFound(resource.name, formatKey(key));
    return { deleted: 1 };
  };
  app.route({ method: 'DELETE', url: DETAIL, schema: { response: { 200: deletedSchema } }, handler: remove });
  app.route({
    method: ['POST', 'DELETE'],
    url: DELETE_ALIAS,
    schema: { response: { 200: deletedSchema } },
    handler: remove,
  });

  for (const name of resource.model.adjustments ?? [])
    registerAdjustment(app, callerOf, permitted('adjust'), resource, name, adjustments);

  allowOnly(app, LIST, ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE']);
  allowOnly(app, DETAIL, ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
  allowOnly(app, DELETE_ALIAS, ['POST', 'DELETE']);
}

/** Why a resource takes no writes, in the words of its 405s and 404s. */
function readOnlyReason(resource: Resource): string {
  if (resource.model.view) return `${resource.name} is a view: read-only`;
  if (!resource.keyed) return `${resource.name} has no key (no primary key, no NOT NULL unique key): read-only`;
  return `${resource.name} is read-only`;
}

/** `POST /api/<resource>/<key>/<column>`: `column = column + delta` in one statement; the new value as exact text. */
function registerAdjustment(
  app: FastifyInstance,
  callerOf: (request: FastifyRequest) => Access,
  permitted: preValidationHookHandler,
  resource: Resource,
  name: string,
  journalled: AdjustOperations | undefined,
): void {
  const url = `/:id/${name}`;
  const keyProperties = Object.fromEntries(
    resource.key.map((column) => [column.name, { type: ['integer', 'string'] }]),
  );
  const response = {
    type: 'object',
    properties: { ...keyProperties, [name]: { type: 'string' }, delta: { type: 'string' } },
  };
  const schema = { body: adjustmentSchema(resource.byName.get(name)!), response: { 200: response } };
  app.post(url, { schema, preValidation: permitted }, async (request, reply) => {
    const key = keyOf(request, resource);
    const body = request.body as { delta: string; min_balance?: string; note?: string };
    const idempotency = idempotencyKeyOf(request, `${resource.name}/${name}`);
    const caller = callerOf(request);
    if (idempotency !== undefined) {
      if (journalled === undefined) throw new Error('Idempotency-Key needs the operation journal');
      // The journalled operation writes outside the store: the role and scope are checked first.
      await caller.requireRow(resource, key, 'adjust');
      const outcome = await journalled.run({
        resource,
        column: name,
        key,
        delta: body.delta,
        atLeast: body.min_balance,
        note: body.note,
        actor: writeContext(request).actor,
        idempotency: { key: idempotency, request: JSON.stringify([key, body]) },
      });
      return sendOutcome(reply, outcome);
    }
    const result = await caller.adjust(writeContext(request), resource, name, key, {
      delta: body.delta,
      atLeast: body.min_balance,
      note: body.note,
    });
    return {
      ...Object.fromEntries(resource.key.map((column, index) => [column.name, result.key[index]])),
      [name]: result.value,
      delta: result.delta,
    };
  });
  allowOnly(app, url, ['POST']);
}
