/**
 * `POST /api/<resource>/<key>/<column>`: `column = column + delta` in one
 * statement, the new value answered as exact text. Registered for the few
 * models whose schema declares adjustments (the card's credit), each with a
 * route of its own under `/api/<resource>`; the rest of a model's API is the
 * one set of routes every model shares (resource-routes.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Access, AccessControl } from '../access/access.js';
import { idempotencyKeyOf, sendOutcome } from '../http/idempotency.js';
import { allowOnly, keyOf, writeContext } from '../http/request.js';
import { adjustmentSchema } from '../http/schemas.js';
import type { AdjustOperations } from '../operations/adjust-operation.js';
import type { Resource } from '../store/resource.js';

type HookDone = (error?: Error) => void;

export interface AdjustmentRoutesOptions {
  readonly access: AccessControl;
  readonly resource: Resource;
  /** Adjustments sent with an Idempotency-Key, journalled; absent: the header is refused. */
  readonly adjustments?: AdjustOperations;
}

/** Register with `{ prefix: '/api/<resource>' }` for a model with adjustments. */
export async function adjustmentRoutes(
  app: FastifyInstance,
  { access, resource, adjustments }: AdjustmentRoutesOptions,
): Promise<void> {
  const callerOf = (request: FastifyRequest): Access => access.of(request.user!);
  // The role is checked before the body is looked at.
  const permitted = (request: FastifyRequest, _reply: FastifyReply, done: HookDone) => {
    try {
      callerOf(request).on(resource).require('adjust');
      done();
    } catch (error) {
      done(error as Error);
    }
  };
  for (const name of resource.model.adjustments ?? []) {
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
        if (adjustments === undefined) throw new Error('Idempotency-Key needs the operation journal');
        // The journalled operation writes outside the store: the role and scope are checked first.
        await caller.requireRow(resource, key, 'adjust');
        const outcome = await adjustments.run({
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
}
