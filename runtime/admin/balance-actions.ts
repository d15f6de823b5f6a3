/**
 * "Refill" and "Extra charge" on a card's page: the same operations as the
 * old API's /custom_api/ endpoints (runtime/operations/balance-operations.ts),
 * journalled, exact and audited, with the signed-in admin as the actor.
 *
 *   GET/POST /admin/card/<id>/refill/        amount, note
 *   GET/POST /admin/card/<id>/extra-charge/  amount, note
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { compareDecimals } from '../../common/decimal.js';
import { checkValue } from '../../common/value-rules.js';
import type { BalanceOperations, Kind } from '../operations/balance-operations.js';
import { StoreError } from '../store/errors.js';
import type { Resource } from '../store/resource.js';
import { adminWriteContext, callerOf, fieldText, flash, seeOther, sendPage, type AdminContext } from './context.js';
import { html } from './html.js';

export interface BalanceActionsOptions {
  readonly operations: BalanceOperations;
  readonly card: Resource;
}

/** The actions, for the card page's header. */
export const BALANCE_ACTIONS: readonly { kind: Kind; path: string; label: string; verb: string }[] = [
  { kind: 'refill', path: 'refill', label: 'Refill', verb: 'Refilled' },
  { kind: 'extra_charge', path: 'extra-charge', label: 'Extra charge', verb: 'Charged' },
];

const CARD_ID = /^[1-9][0-9]{0,17}$/;

export function registerBalanceActions(
  app: FastifyInstance,
  context: AdminContext,
  { operations, card }: BalanceActionsOptions,
): void {
  const rule = { ...card.byName.get('credit')!.rule, unsigned: false };
  const admin = context;
  for (const action of BALANCE_ACTIONS) {
    const url = `/${card.name}/:id/${action.path}/`;
    const form = (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      values: { amount: string; note: string },
      error?: string,
    ) =>
      sendPage(context, request, reply, {
        title: `${action.label}: card ${id}`,
        current: `/admin/${card.name}/`,
        status: error === undefined ? 200 : 400,
        body: (csrf) => html`<div class="head"><h1>${action.label}: card ${id}</h1>
  <a class="button" href="/admin/${card.name}/${id}/">Back to card ${id}</a></div>
<form method="post" class="panel">
  <input type="hidden" name="_csrf" value="${csrf}">
  <div class="field"><label for="amount">Amount</label>
    <input id="amount" name="amount" inputmode="decimal" value="${values.amount}" required autofocus>
    <div class="help">${action.kind === 'refill' ? 'Added to the balance' : 'Subtracted from the balance'}, exactly; at most ${rule.kind === 'decimal' ? rule.scale : 0} decimal places.</div>
    ${error && html`<div class="error">${error}</div>`}</div>
  <div class="field"><label for="note">Note</label>
    <input id="note" name="note" maxlength="1000" value="${values.note}">
    <div class="help">Kept with the ${action.kind === 'refill' ? 'refill and payment' : 'charge'} and in the history.</div></div>
  <button class="primary" type="submit">${action.label}</button>
</form>`,
      });

    app.get(url, async (request, reply) => {
      const { id } = request.params as { id: string };
      return form(request, reply, id, { amount: '', note: '' });
    });

    app.post(url, async (request, reply) => {
      const { id } = request.params as { id: string };
      const amount = (fieldText(request.body, 'amount') ?? '').trim();
      const note = (fieldText(request.body, 'note') ?? '').trim();
      const checked = checkValue(rule, amount);
      const problem = !checked.ok
        ? `The amount ${checked.message}.`
        : compareDecimals(checked.value, '0', 30) <= 0
          ? 'The amount must be more than 0.'
          : undefined;
      if (problem !== undefined || !CARD_ID.test(id)) return form(request, reply, id, { amount, note }, problem);
      const context = adminWriteContext(request);
      try {
        // A refill or a charge is the card's adjust operation, on a card in the signed-in user's scope.
        await callerOf(admin, request).requireRow(card, [Number(id)], 'adjust');
        const outcome = await operations.run({
          kind: action.kind,
          cardId: Number(id),
          amount: String(checked.ok ? checked.value : amount),
          note: note === '' ? undefined : note,
          username: context.actor.user,
          actor: context.actor,
        });
        if ('outcome' in outcome || outcome.status !== 200) throw new Error('the operation did not complete');
        // The answer writes the balance exactly (20.50000); shown as written.
        const balance = /"current_balance":(-?[0-9.]+)/.exec(outcome.body)?.[1] ?? '?';
        flash(request, 'success', `${action.verb} card ${id}: ${amount}. The balance is now ${balance}.`);
      } catch (error) {
        if (error instanceof StoreError && error.code === 'not_found') {
          flash(request, 'error', `There is no card ${id}.`);
          return seeOther(reply, `/admin/${card.name}/`);
        }
        throw error;
      }
      return seeOther(reply, `/admin/${card.name}/${id}/`);
    });
  }
}
