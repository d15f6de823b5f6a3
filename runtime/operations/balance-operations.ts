/**
 * A2Billing's refill and extra charge, as the old API's
 * /custom_api/refill/<card> and /custom_api/extra_charge/<card> offered them,
 * done right: exact decimal arithmetic in one statement, the card's real VAT,
 * log rows dated now, and never half-done. A2Billing's tables are MyISAM, so
 * the steps cannot share a transaction; each operation is journalled
 * (journal.ts) and its steps ordered so that every crash point can be
 * finished: the log rows first, then the balance change together with the
 * journal's step, then the answer.
 *
 * refill:        recorded → marked → refill-logged → payment-logged → applied → done
 * extra charge:  recorded → marked → charge-logged → applied → done
 *                                         ↘ refused (below min_balance: the charge row is removed)
 */
import { addDecimals, formatDecimal, netOfPercent } from '../../common/decimal.js';
import type { Db, RunResult, Statement } from '../db/db.js';
import type { Actor, AuditEntry } from '../store/audit-log.js';
import { floatToNumber } from '../store/decoders.js';
import { conflict, notFound } from '../store/errors.js';
import type { BalanceTables } from './balance-tables.js';
import { DONE, FIRST_STEP, REFUSED, type Journal, type Operation, type Replay } from './journal.js';

export type Kind = 'refill' | 'extra_charge';

export interface BalanceRequest {
  readonly kind: Kind;
  /** Who asks, for the audit row (recorded with the operation, so a recovery audits it the same). */
  readonly actor: Actor;
  readonly cardId: number;
  /** Exact decimal text, positive, checked against the balance column. */
  readonly amount: string;
  /** extra charge: the balance may not fall below this. */
  readonly minBalance?: string;
  readonly note?: string;
  readonly username: string;
  readonly idempotency?: { readonly key: string; readonly request: string };
}

/** The answer: the JSON text (exact decimals written as JSON numbers) and its status. */
export interface BalanceAnswer {
  readonly status: number;
  readonly body: string;
}

/** `2026-12-05 23:59:01`: the log rows' date, in the session time zone (UTC) both databases use. */
function timestamp(now: number): string {
  return new Date(now).toISOString().slice(0, 19).replace('T', ' ');
}

/** JSON with some values written as they are: exact decimal text as JSON numbers. */
function jsonWithNumbers(fields: Record<string, string | number>): string {
  return `{${Object.entries(fields)
    .map(([key, value]) => `${JSON.stringify(key)}:${typeof value === 'number' ? JSON.stringify(value) : value}`)
    .join(',')}}`;
}

export class BalanceOperations {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly journal: Journal,
    private readonly tables: BalanceTables,
    /** Appends the audit row of a finished operation (the store's trail). */
    private readonly audit: (actor: Actor, entry: AuditEntry) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs one operation to its end; a retry with the same Idempotency-Key answers the first result. */
  run(request: BalanceRequest): Promise<BalanceAnswer | Replay> {
    // One at a time per card in this process (the journal makes it so across processes, by polling).
    return this.serially(`card:${request.cardId}`, () => this.runNow(request));
  }

  private serially<T>(target: string, work: () => Promise<T>): Promise<T> {
    const next = (this.queues.get(target) ?? Promise.resolve()).then(work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(target, settled);
    void settled.then(() => {
      if (this.queues.get(target) === settled) this.queues.delete(target);
    });
    return next;
  }

  private async runNow(request: BalanceRequest): Promise<BalanceAnswer | Replay> {
    const [card] = await this.db.all(this.tables.selectCard(request.cardId).sql, [request.cardId]);
    if (card === undefined) throw notFound('card', String(request.cardId));
    const begun = await this.journal.begin({
      kind: request.kind,
      target: `card:${request.cardId}`,
      username: request.username,
      idempotency: request.idempotency,
      input: {
        card_id: request.cardId,
        amount: request.amount,
        min_balance: request.minBalance ?? null,
        note: request.note ?? null,
        // Fixed now, so a recovery writes the same values the first attempt would have.
        vat: floatToNumber(card.vat) as number,
        date: timestamp(this.now()),
        actor: { ...request.actor },
      },
    });
    if ('outcome' in begun) return begun;
    return this.continue(begun, false);
  }

  /** Takes an operation from its current step to the end; `recovering`: its last step may be done unnoted. */
  async continue(operation: Operation, recovering: boolean): Promise<BalanceAnswer> {
    return operation.kind === 'refill' ? this.refill(operation, recovering) : this.extraCharge(operation, recovering);
  }

  private async refill(operation: Operation, recovering: boolean): Promise<BalanceAnswer> {
    const input = inputOf(operation);
    const { tables, journal } = this;
    const amount = formatDecimal(input.amount, tables.scale);
    if (operation.step === FIRST_STEP) await this.mark(operation, tables.logrefill);
    if (operation.step === MARKED) {
      const found = recovering
        ? await this.first(tables.findRefillLog(input.card_id, input.date, amount, afterId(operation)))
        : undefined;
      const id =
        found ??
        (
          await this.insert(
            tables.logrefill.insert({
              date: input.date,
              credit: amount,
              card: input.card_id,
              description: input.note,
              refill_type: 0,
            }),
          )
        ).insertId;
      await journal.advance(operation, 'refill-logged', { logrefill_id: id });
    }
    if (operation.step === 'refill-logged') {
      const logrefillId = Number(operation.progress.logrefill_id);
      const found = recovering ? await this.first(tables.findPaymentLog(input.card_id, logrefillId)) : undefined;
      const id =
        found ??
        (
          await this.insert(
            tables.logpayment.insert({
              date: input.date,
              payment: amount,
              card: input.card_id,
              id_logrefill: logrefillId,
              description: input.note,
              payment_type: 0,
            }),
          )
        ).insertId;
      await journal.advance(operation, 'payment-logged', { logpayment_id: id });
    }
    if (operation.step === 'payment-logged') await this.apply(operation, amount, undefined);
    const balance = await this.balance(input.card_id);
    const body = jsonWithNumbers({
      card_id: input.card_id,
      current_balance: balance,
      credit_without_vat: netOfPercent(amount, input.vat, tables.scale),
      credited: amount,
      vat: input.vat,
      logrefill_id: Number(operation.progress.logrefill_id),
      logpayment_id: Number(operation.progress.logpayment_id),
    });
    await journal.finish(operation, DONE, 200, body);
    await this.audited(operation, amount, balance);
    return { status: 200, body };
  }

  private async extraCharge(operation: Operation, recovering: boolean): Promise<BalanceAnswer> {
    const input = inputOf(operation);
    const { tables, journal } = this;
    const amount = formatDecimal(input.amount, tables.scale);
    if (operation.step === FIRST_STEP) await this.mark(operation, tables.charge);
    if (operation.step === MARKED) {
      const found = recovering
        ? await this.first(tables.findCharge(input.card_id, input.date, afterId(operation)))
        : undefined;
      const id =
        found ??
        (
          await this.insert(
            tables.charge.insert({
              id_cc_card: input.card_id,
              creationdate: input.date,
              amount,
              chargetype: 4,
              description: input.note,
            }),
          )
        ).insertId;
      await journal.advance(operation, 'charge-logged', { charge_id: id });
    }
    const chargeId = Number(operation.progress.charge_id);
    if (operation.step === 'charge-logged') {
      const applied = await this.apply(operation, `-${amount}`, input.min_balance ?? undefined);
      if (!applied) {
        // Below min_balance: the charge row goes too, and the operation ends refused (a retry gets the same 409).
        await this.db.run(tables.deleteCharge(chargeId).sql, tables.deleteCharge(chargeId).params);
        const refused = conflict(
          `the balance of card ${input.card_id} would fall below ${input.min_balance}: nothing was charged`,
          [{ field: 'amount', message: `would take the balance below min_balance ${input.min_balance}` }],
        );
        const body = JSON.stringify({ error: refused.message, code: refused.code, fields: refused.fields });
        await journal.finish(operation, REFUSED, 409, body);
        return { status: 409, body };
      }
    }
    const balance = await this.balance(input.card_id);
    const body = jsonWithNumbers({ card_id: input.card_id, current_balance: balance, amount, charge_id: chargeId });
    await journal.finish(operation, DONE, 200, body);
    await this.audited(operation, `-${amount}`, balance);
    return { status: 200, body };
  }

  /** The balance change in the audit trail, as an adjustment of the card's credit by the operation's amount. */
  private async audited(operation: Operation, delta: string, balance: string): Promise<void> {
    const input = inputOf(operation);
    const before = addDecimals(balance, delta.startsWith('-') ? delta.slice(1) : `-${delta}`, this.tables.scale);
    const note = `${operation.kind === 'refill' ? 'refill' : 'extra charge'} (operation ${operation.id})`;
    await this.audit(input.actor, {
      action: 'adjust',
      resource: this.tables.card.name,
      key: String(input.card_id),
      before: { credit: before },
      after: { credit: balance },
      note: input.note === null ? note : `${note}: ${input.note}`,
    });
  }

  /**
   * Notes the newest log row before inserting one: with the card held by this operation, a row for it
   * above that id, with its date and amount, can only be the one this operation wrote before a crash.
   */
  private async mark(operation: Operation, logs: { readonly newestId: string }): Promise<void> {
    const [newest] = await this.db.all(logs.newestId);
    await this.journal.advance(operation, MARKED, { after_id: Number(newest?.id ?? 0) });
  }

  /** The balance change coupled with the journal's step; false when min_balance refused it. */
  private async apply(operation: Operation, delta: string, atLeast: string | undefined): Promise<boolean> {
    const input = inputOf(operation);
    const statements = this.tables.apply(this.db.dialect, {
      operationId: operation.id,
      cardId: input.card_id,
      delta,
      atLeast: atLeast === undefined ? undefined : formatDecimal(atLeast, this.tables.scale),
      fromStep: operation.step,
      toStep: 'applied',
      now: this.now(),
    });
    this.journal.reaching('applied');
    const results = await this.db.atomically(statements);
    if (results.some((result) => result.affectedRows > 0)) {
      this.journal.reached(operation, 'applied');
      return true;
    }
    // Nothing changed: either the bound refused it, or another process applied it meanwhile.
    const current = await this.journal.get(operation.id);
    if (current !== undefined && current.step !== operation.step) {
      this.journal.reached(operation, current.step);
      return true;
    }
    return false;
  }

  private async balance(cardId: number): Promise<string> {
    const [row] = await this.db.all(this.tables.selectCard(cardId).sql, [cardId]);
    return formatDecimal(addDecimals(row?.credit ?? 0, 0, this.tables.scale), this.tables.scale);
  }

  private async first(statement: Statement): Promise<number | undefined> {
    const [row] = await this.db.all(statement.sql, statement.params);
    return row === undefined ? undefined : Number(row.id);
  }

  private insert(statement: Statement): Promise<RunResult> {
    return this.db.run(statement.sql, statement.params);
  }
}

/** What run() records for both kinds. */
interface RefillInput {
  card_id: number;
  amount: string;
  min_balance: string | null;
  note: string | null;
  vat: number;
  date: string;
  actor: Actor;
}

const MARKED = 'marked';

function afterId(operation: Operation): number {
  return Number(operation.progress.after_id ?? 0);
}

/** The input as run() recorded it in the journal. */
function inputOf(operation: Operation): RefillInput {
  return operation.input as unknown as RefillInput;
}
