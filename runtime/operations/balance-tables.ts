/**
 * The statements of A2Billing's two balance operations (refill, extra
 * charge), named from the models (cc_card, cc_logrefill, cc_logpayment,
 * cc_charge), built once. Absent when the schema lacks one of those tables:
 * a database that is not A2Billing has no refill to offer.
 */
import type { DatabaseName, Statement } from '../db/db.js';
import { journalledAdjustment } from './journalled-adjustment.js';
import type { Registry, Resource } from '../store/resource.js';

/** How a log row an operation inserted is found again when the process died before noting its id. */
interface LogTable {
  insert(values: Record<string, string | number | null>): Statement;
  /** The newest row at or below this id cannot be the operation's: ids grow. */
  readonly newestId: string;
}

export interface BalanceTables {
  readonly card: Resource;
  /** Decimal places of the balance. */
  readonly scale: number;
  readonly precision: number;
  readonly logrefill: LogTable;
  readonly logpayment: LogTable;
  readonly charge: LogTable;
  /** The card's balance and VAT, for the answer and the net amount. */
  selectCard(cardId: number | string): Statement;
  /** A refill's log row inserted after `afterId` for this card, date and amount: its own, after a crash. */
  findRefillLog(cardId: number | string, date: string, credit: string, afterId: number): Statement;
  findPaymentLog(cardId: number | string, logrefillId: number): Statement;
  findCharge(cardId: number | string, date: string, afterId: number): Statement;
  deleteCharge(chargeId: number): Statement;
  /** The balance change and the journal's step as one unit (journalled-adjustment.ts). */
  apply(
    database: DatabaseName,
    change: {
      operationId: number;
      cardId: number | string;
      delta: string;
      atLeast?: string;
      fromStep: string;
      toStep: string;
      now: number;
    },
  ): Statement[];
}

/** A table of A2Billing's without a column the operations need: then there are no operations. */
class MissingColumn extends Error {}

/**
 * A column by its name in A2Billing's SQL, whatever the schema file calls it (the shipped files call
 * cc_logrefill.card_id `card`, as the old API did; a freshly introspected file keeps `card_id`).
 */
function sql(resource: Resource, name: string): string {
  const column = resource.columns.find((candidate) => (candidate.spec.column ?? candidate.name) === name);
  if (column === undefined) throw new MissingColumn(`${resource.name} has no column ${name}`);
  return column.sql;
}

/** `columns`: [the key its value goes by in insert(), the SQL column]. */
function logTable(resource: Resource, columns: readonly (readonly [string, string])[]): LogTable {
  const names = columns.map(([, column]) => sql(resource, column));
  const placeholders = columns.map(() => '?').join(', ');
  const insertSql = `INSERT INTO ${resource.table} (${names.join(', ')}) VALUES (${placeholders})`;
  return {
    insert: (values) => ({ sql: insertSql, params: columns.map(([key]) => values[key] ?? null) }),
    newestId: `SELECT COALESCE(MAX(${sql(resource, 'id')}), 0) AS id FROM ${resource.table}`,
  };
}

const same = (...names: string[]) => names.map((name) => [name, name] as const);

export function balanceTables(registry: Registry): BalanceTables | undefined {
  try {
    return buildBalanceTables(registry);
  } catch (error) {
    if (error instanceof MissingColumn) return undefined;
    throw error;
  }
}

function buildBalanceTables(registry: Registry): BalanceTables | undefined {
  const card = registry.get('card');
  const logrefill = registry.get('logrefill');
  const logpayment = registry.get('logpayment');
  const charge = registry.get('charge');
  if (!card || !logrefill || !logpayment || !charge) return undefined;
  const rule = card.byName.get('credit')?.rule;
  if (rule?.kind !== 'decimal') return undefined;
  const { scale, precision } = rule;
  const [credit, id, vat] = [sql(card, 'credit'), sql(card, 'id'), sql(card, 'vat')];
  const decimal = `DECIMAL(${precision},${scale})`;
  const refillCard = sql(logrefill, 'card_id');
  const paymentCard = sql(logpayment, 'card_id');
  const chargeCard = sql(charge, 'id_cc_card');

  return {
    card,
    scale,
    precision,
    logrefill: logTable(logrefill, [
      ...same('date', 'credit'),
      ['card', 'card_id'],
      ...same('description', 'refill_type'),
    ]),
    logpayment: logTable(logpayment, [
      ...same('date', 'payment'),
      ['card', 'card_id'],
      ...same('id_logrefill', 'description', 'payment_type'),
    ]),
    charge: logTable(charge, same('id_cc_card', 'creationdate', 'amount', 'chargetype', 'description')),
    selectCard: (cardId) => ({
      sql: `SELECT ${credit} AS credit, ${vat} AS vat FROM ${card.table} WHERE ${id} = ?`,
      params: [cardId],
    }),
    findRefillLog: (cardId, date, amount, afterId) => ({
      sql:
        `SELECT ${sql(logrefill, 'id')} AS id FROM ${logrefill.table} WHERE ${refillCard} = ? AND ${sql(logrefill, 'date')} = ? ` +
        `AND ${sql(logrefill, 'credit')} = CAST(? AS ${decimal}) AND ${sql(logrefill, 'id')} > ? ORDER BY ${sql(logrefill, 'id')} LIMIT 1`,
      params: [cardId, date, amount, afterId],
    }),
    findPaymentLog: (cardId, logrefillId) => ({
      sql: `SELECT ${sql(logpayment, 'id')} AS id FROM ${logpayment.table} WHERE ${paymentCard} = ? AND ${sql(logpayment, 'id_logrefill')} = ? LIMIT 1`,
      params: [cardId, logrefillId],
    }),
    findCharge: (cardId, date, afterId) => ({
      sql:
        `SELECT ${sql(charge, 'id')} AS id FROM ${charge.table} WHERE ${chargeCard} = ? AND ${sql(charge, 'creationdate')} = ? ` +
        `AND ${sql(charge, 'chargetype')} = 4 AND ${sql(charge, 'id')} > ? ORDER BY ${sql(charge, 'id')} LIMIT 1`,
      params: [cardId, date, afterId],
    }),
    deleteCharge: (chargeId) => ({
      sql: `DELETE FROM ${charge.table} WHERE ${sql(charge, 'id')} = ?`,
      params: [chargeId],
    }),
    apply: (database, change) =>
      journalledAdjustment(
        database,
        { table: card.table, column: credit, keyColumns: [id], precision, scale },
        { ...change, key: [change.cardId] },
      ),
  };
}
