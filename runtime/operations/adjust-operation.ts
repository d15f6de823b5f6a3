/**
 * `POST /api/<resource>/<key>/<column>` with an `Idempotency-Key`: the same
 * adjustment as the store's (one exact statement), journalled so that a
 * retry answers the first result instead of adding twice, across restarts
 * and workers. The change and its journal step are one unit
 * (journalled-adjustment.ts); a crash before the answer is finished by the
 * recovery.
 *
 *   recorded → applied → done   (or refused: no such row, or below min_balance)
 */
import { addDecimals, formatDecimal } from '../../common/decimal.js';
import type { Db, SqlValue } from '../db/db.js';
import type { Actor, AuditEntry } from '../store/audit-log.js';
import { conflict, notFound } from '../store/errors.js';
import { formatKey } from '../store/keys.js';
import type { KeyValues } from '../store/model.js';
import type { Registry, Resource } from '../store/resource.js';
import { DONE, FIRST_STEP, REFUSED, type Journal, type Operation, type Replay } from './journal.js';
import { journalledAdjustment } from './journalled-adjustment.js';

export const KIND = 'adjust';

export interface AdjustOperationRequest {
  readonly resource: Resource;
  readonly column: string;
  readonly key: KeyValues;
  /** Exact decimal text, as validated against the column. */
  readonly delta: string;
  readonly atLeast?: string;
  readonly note?: string;
  readonly actor: Actor;
  readonly idempotency: { readonly key: string; readonly request: string };
}

/** The answer as the route sends it: JSON text and status (a replay sends the same). */
export interface AdjustAnswer {
  readonly status: number;
  readonly body: string;
}

interface AdjustInput {
  resource: string;
  column: string;
  key: SqlValue[];
  delta: string;
  at_least: string | null;
  note: string | null;
  actor: Actor;
}

export class AdjustOperations {
  constructor(
    private readonly db: Db,
    private readonly journal: Journal,
    private readonly registry: Registry,
    private readonly audit: (actor: Actor, entry: AuditEntry) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  async run(request: AdjustOperationRequest): Promise<AdjustAnswer | Replay> {
    const begun = await this.journal.begin({
      kind: KIND,
      target: `${request.resource.name}:${formatKey(request.key)}`,
      username: request.actor.user,
      idempotency: request.idempotency,
      input: {
        resource: request.resource.name,
        column: request.column,
        key: [...request.key],
        delta: request.delta,
        at_least: request.atLeast ?? null,
        note: request.note ?? null,
        actor: { ...request.actor },
      } satisfies AdjustInput,
    });
    if ('outcome' in begun) return begun;
    return this.continue(begun);
  }

  /** From the operation's step to the end (the apply is guarded by the step: never twice). */
  async continue(operation: Operation): Promise<AdjustAnswer> {
    const input = operation.input as unknown as AdjustInput;
    const resource = this.registry.get(input.resource);
    const column = resource?.byName.get(input.column);
    if (resource === undefined || column?.rule.kind !== 'decimal') {
      throw new Error(`operation ${operation.id}: ${input.resource} has no adjustable ${input.column}`);
    }
    const { scale, precision } = column.rule;
    const key = formatKey(input.key);
    if (operation.step === FIRST_STEP) {
      const statements = journalledAdjustment(
        this.db.dialect,
        {
          table: resource.table,
          column: column.sql,
          keyColumns: resource.key.map((part) => part.sql),
          precision,
          scale,
        },
        {
          operationId: operation.id,
          key: input.key,
          delta: input.delta,
          atLeast: input.at_least ?? undefined,
          fromStep: FIRST_STEP,
          toStep: 'applied',
          now: this.now(),
        },
      );
      this.journal.reaching('applied');
      const results = await this.db.atomically(statements);
      if (results.some((result) => result.affectedRows > 0)) this.journal.reached(operation, 'applied');
      else {
        const current = await this.journal.get(operation.id);
        if (current?.step === 'applied') this.journal.reached(operation, 'applied');
        else return this.refuse(operation, resource, input);
      }
    }
    // The row as GET reads it, for the value the change left (the adjusted column is never write-only).
    const select = resource.model.statements.select!(input.key);
    const [row] = await this.db.all(select.sql, select.params);
    const value = formatDecimal(row?.[input.column] ?? 0, scale);
    const delta = formatDecimal(input.delta, scale);
    const body = JSON.stringify({
      ...Object.fromEntries(resource.key.map((part, index) => [part.name, input.key[index]])),
      [input.column]: value,
      delta,
    });
    await this.journal.finish(operation, DONE, 200, body);
    await this.audit(input.actor, {
      action: 'adjust',
      resource: resource.name,
      key,
      before: { [input.column]: addDecimals(value, delta.startsWith('-') ? delta.slice(1) : `-${delta}`, scale) },
      after: { [input.column]: value },
      note: input.note ?? undefined,
    });
    return { status: 200, body };
  }

  /** Nothing changed: the row is missing (404) or the bound refused it (409); a retry gets the same. */
  private async refuse(operation: Operation, resource: Resource, input: AdjustInput): Promise<AdjustAnswer> {
    const select = resource.model.statements.select!(input.key);
    const exists = (await this.db.all(select.sql, select.params)).length > 0;
    const error = exists
      ? conflict(
          `${input.column} of ${resource.name} ${formatKey(input.key)} would fall below ${input.at_least}: nothing was written`,
          [{ field: 'delta', message: `would take ${input.column} below min_balance ${input.at_least}` }],
        )
      : notFound(resource.name, formatKey(input.key));
    const status = exists ? 409 : 404;
    const body = JSON.stringify({
      error: error.message,
      code: error.code,
      ...(error.fields && { fields: error.fields }),
    });
    await this.journal.finish(operation, REFUSED, status, body);
    return { status, body };
  }
}
