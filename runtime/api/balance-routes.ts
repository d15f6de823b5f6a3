/**
 * The old API's two business endpoints, same URLs, request and answer keys:
 *
 *   POST /custom_api/refill/<card>        {"credit": 5}  → card_id, current_balance, credit_without_vat,
 *                                                          credited, vat, logrefill_id, logpayment_id
 *   POST /custom_api/extra_charge/<card>  {"amount": 5}  → card_id, current_balance, amount, charge_id
 *
 * Amounts are exact decimals, answered as JSON numbers written exactly
 * ("current_balance": 6511.00000). An `Idempotency-Key` header makes a
 * retry answer the first result instead of charging twice.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { compareDecimals } from '../../common/decimal.js';
import type { BalanceOperations, Kind } from '../operations/balance-operations.js';
import { invalidBody, NotFoundError } from '../http/errors.js';
import { idempotencyKeyOf, sendOutcome } from '../http/idempotency.js';
import { allowOnly, writeContext } from '../http/request.js';
import type { Resource } from '../store/resource.js';
import type { AccessControl } from '../access/access.js';

export interface BalanceRoutesOptions {
  readonly operations: BalanceOperations;
  readonly card: Resource;
  /** A refill or a charge is the card's `adjust` operation, on a card in the caller's scope. */
  readonly access: AccessControl;
}

const CARD_ID = /^[1-9][0-9]{0,17}$/;

const ROUTES: readonly { kind: Kind; url: string; field: 'credit' | 'amount' }[] = [
  { kind: 'refill', url: '/custom_api/refill/:card', field: 'credit' },
  { kind: 'extra_charge', url: '/custom_api/extra_charge/:card', field: 'amount' },
];

export async function balanceRoutes(
  app: FastifyInstance,
  { operations, card, access }: BalanceRoutesOptions,
): Promise<void> {
  // The amounts obey the balance column's rule (DECIMAL(15,5) in A2Billing): digits, places, range.
  const rule = { ...card.byName.get('credit')!.rule, unsigned: false };
  const amount = { type: ['number', 'string'], sqlValue: rule };
  for (const route of ROUTES) {
    const properties: Record<string, object> = { [route.field]: amount, note: { type: 'string', maxLength: 1000 } };
    if (route.kind === 'extra_charge') properties.min_balance = amount;
    const schema = { body: { type: 'object', additionalProperties: false, required: [route.field], properties } };
    app.post(route.url, { schema }, async (request, reply) => {
      const { card: id } = request.params as { card: string };
      // Refused before anything is journalled: a card outside the caller's scope is "no card", as for none.
      if (CARD_ID.test(id)) await access.of(request.user!).requireRow(card, [Number(id)], 'adjust');
      return handle(operations, route, request, reply);
    });
    allowOnly(app, route.url, ['POST']);
  }
}

async function handle(
  operations: BalanceOperations,
  route: (typeof ROUTES)[number],
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { card } = request.params as { card: string };
  if (!CARD_ID.test(card)) throw new NotFoundError(`no card ${card}`);
  const body = request.body as Record<string, string | undefined>;
  const value = body[route.field]!;
  if (compareDecimals(value, '0', 30) <= 0) throw invalidBody([{ field: route.field, message: 'must be more than 0' }]);
  const key = idempotencyKeyOf(request, route.kind);
  const username = request.user?.username ?? '';
  const outcome = await operations.run({
    kind: route.kind,
    cardId: Number(card),
    amount: value,
    minBalance: body.min_balance,
    note: body.note,
    username,
    actor: writeContext(request).actor,
    // A key is the client's own: scoped by user and route, and tied to the request it first came with.
    idempotency: key === undefined ? undefined : { key, request: JSON.stringify([card, body]) },
  });
  return sendOutcome(reply, outcome);
}
