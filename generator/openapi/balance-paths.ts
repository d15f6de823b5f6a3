/**
 * The old API's refill and extra charge (runtime/api/balance-routes.ts), in
 * the document when the schemas have the tables they write: cc_card,
 * cc_logrefill, cc_logpayment and cc_charge.
 */
import type { TableModel } from '../model.js';
import type { JsonObject } from './column-schemas.js';
import { jsonContent } from './components.js';
import { ALWAYS, errors, IDEMPOTENCY_KEY_PARAMETER, WITH_BODY } from './paths.js';

const NEEDED = ['card', 'logrefill', 'logpayment', 'charge'];

const amount = (description: string): JsonObject => ({
  type: ['number', 'string'],
  description: `${description} More than 0, at most 5 decimal places; a string keeps it exact.`,
  examples: [5],
});
const exactNumber = (description: string): JsonObject => ({
  type: 'number',
  description: `${description} Written exactly, with 5 decimal places (\`20.50000\`).`,
});
const note = { type: 'string', maxLength: 1000, description: "Stored as the log rows' description." };
const cardParameter = {
  name: 'card',
  in: 'path',
  required: true,
  description: "The card's id.",
  schema: { type: 'integer', minimum: 1 },
};

function operation(summary: string, description: string, body: JsonObject, answer: JsonObject, id: string) {
  return {
    summary,
    description: `${description} POST only (any other method is a 405); the path works with or without a trailing slash. Journalled: a crash at any step is finished by the next process, never left half-done (README: "A2Billing's refill and extra charge").`,
    parameters: [cardParameter, IDEMPOTENCY_KEY_PARAMETER],
    post: {
      tags: ['card'],
      summary,
      operationId: id,
      requestBody: { required: true, content: jsonContent(body) },
      responses: {
        '200': { description: 'Done.', content: jsonContent(answer) },
        ...errors(...WITH_BODY, 404, 409, 422, ...ALWAYS),
      },
    },
  };
}

export function balancePaths(models: readonly TableModel[]): Record<string, JsonObject> {
  if (!NEEDED.every((resource) => models.some((model) => model.resource === resource))) return {};
  return {
    '/custom_api/refill/{card}': operation(
      "Refill a card (the old API's refill)",
      "Adds `credit` to the card's balance in one exact statement and writes a cc_logrefill row (refill_type 0) and a cc_logpayment row (payment_type 0, linked to the refill), both dated now.",
      {
        type: 'object',
        additionalProperties: false,
        required: ['credit'],
        properties: { credit: amount('What to add to the balance.'), note },
      },
      {
        type: 'object',
        properties: {
          card_id: { type: 'integer' },
          current_balance: exactNumber('The balance right after the refill.'),
          credit_without_vat: exactNumber("`credit / (1 + vat / 100)` with the card's VAT, rounded."),
          credited: exactNumber('The credit added.'),
          vat: { type: 'number', description: "The card's VAT percent." },
          logrefill_id: { type: 'integer' },
          logpayment_id: { type: 'integer' },
        },
      },
      'refillCard',
    ),
    '/custom_api/extra_charge/{card}': operation(
      "Charge a card (the old API's extra charge)",
      "Subtracts `amount` from the card's balance in one exact statement and writes a cc_charge row (chargetype 4) dated now. With `min_balance`, a charge that would take the balance below it is refused (409) and nothing is written.",
      {
        type: 'object',
        additionalProperties: false,
        required: ['amount'],
        properties: {
          amount: amount('What to subtract from the balance.'),
          min_balance: { type: ['number', 'string'], description: 'The lowest balance the charge may leave.' },
          note,
        },
      },
      {
        type: 'object',
        properties: {
          card_id: { type: 'integer' },
          current_balance: exactNumber('The balance right after the charge.'),
          amount: exactNumber('The amount charged.'),
          charge_id: { type: 'integer' },
        },
      },
      'chargeCard',
    ),
  };
}
