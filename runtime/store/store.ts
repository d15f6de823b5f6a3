/**
 * The store: every read and write of a model's rows, the same for every
 * table, for the API and the admin panel alike. No HTTP here: callers say
 * who writes (an Actor for the audit trail) and get rows or StoreErrors.
 *
 * A2Billing's tables are MyISAM: no transactions. So each change is one
 * statement that is safe on its own: a conditional write (If-Match) carries
 * its condition in the UPDATE/DELETE's WHERE clause, and an adjustment adds
 * in SQL. The audit row follows the change as a second statement; if it
 * cannot be written the change stands, and the entry goes to the error log
 * instead. On InnoDB tables the change and its audit row commit together.
 */
import type { Db, Row, Statement } from '../db/db.js';
import { appendAudit, appendAuditEntries, AUDIT_TABLE, AuditWriter, type AuditEntry } from './audit-log.js';
import { createRows, type BulkScope } from './bulk-create.js';
import { deleteMatching, updateMatching, type Match } from './bulk-writes.js';
import { countRows, type CountMode, type Total } from './count.js';
import { invalidValues, type FieldProblem } from './errors.js';
import { checkUniqueValues } from './unique-values.js';
import { takeBackCreated, type Watermark, watermark } from './take-back.js';
import { conflictFor } from './conflicts.js';
import { referenceConflict, type RefusedWrite } from './reference-conflicts.js';
import { notFound } from './errors.js';
import { formatKey } from './keys.js';
import type { ListQuery } from './list-query.js';
import type { KeyValues } from './model.js';
import type { Registry, Resource } from './resource.js';
import { existsInScope, listStatement, selectInScope, type RowScope } from './sql-builder.js';
import { adjustColumn, type AdjustRequest, type AdjustResult } from './adjust.js';
import { createRow, deleteRow, updateRow, type Precondition } from './writes.js';
import type { WriteContext, WriteScope } from './write-scope.js';

export type { Logger, WriteContext, WriteScope } from './write-scope.js';
export type { CountMode, Total } from './count.js';
export type { Match } from './bulk-writes.js';
export type { RowScope } from './sql-builder.js';

/** A create that does more than insert the row; `plain` inserts it as any other create would. */
export type CreateOperation = (
  context: WriteContext,
  values: Record<string, unknown>,
  plain: () => Promise<Row>,
) => Promise<Row>;

/**
 * The generated read of one row, or the same narrowed to a caller's row scope; a resource without a key
 * has none, and no route asks for it.
 */
function selectByKey(resource: Resource, key: KeyValues, scope?: RowScope): Statement {
  if (scope !== undefined) return selectInScope(resource, key, scope);
  const select = resource.model.statements.select;
  if (select === undefined) throw new Error(`${resource.name} has no key: its rows cannot be read one by one`);
  return select(key);
}

/**
 * Whether the row is in a caller's row scope, read where the write will be made; inside a transaction
 * (InnoDB) the row stays locked, so it cannot leave the scope before the write.
 */
async function existsIn(scope: WriteScope, key: KeyValues, rowScope: RowScope): Promise<boolean> {
  const statement = existsInScope(scope.resource, key, rowScope, scope.locked);
  return (await scope.db.all(statement.sql, statement.params)).length > 0;
}

/** A write to a row outside the caller's scope is a 404, as for a row that does not exist. */
async function inRowScope(scope: WriteScope, key: KeyValues, rowScope: RowScope | undefined): Promise<void> {
  if (rowScope !== undefined && !(await existsIn(scope, key, rowScope)))
    throw notFound(scope.resource.name, formatKey(key));
}

export class Store {
  /** Where writes go and the rows they decide on are read: the primary, never a lagging replica. */
  private readonly writer: Db;
  private readonly auditWriter: AuditWriter;
  private readonly createOperations = new Map<string, CreateOperation>();
  /** Why a row cannot go in a bulk create of its resource (it needs its create operation), by resource. */
  private readonly bulkRefusals = new Map<string, (values: Record<string, unknown>) => FieldProblem | undefined>();

  constructor(
    readonly db: Db,
    readonly registry: Registry,
    /** False when A2B_AUDIT=off. */
    readonly audit: boolean,
  ) {
    this.writer = db.writer ?? db;
    this.auditWriter = new AuditWriter(this.writer);
  }

  resource(name: string): Resource | undefined {
    return this.registry.get(name);
  }

  /** One row by key, decoded; undefined when there is none (or none in `scope`). */
  async get(resource: Resource, key: KeyValues, scope?: RowScope): Promise<Row | undefined> {
    const statement = selectByKey(resource, key, scope);
    const [row] = await this.db.all(statement.sql, statement.params);
    return row === undefined ? undefined : resource.decode(row);
  }

  /** A row that must exist (in `scope`, when given): a 404 otherwise. */
  async found(resource: Resource, key: KeyValues, scope?: RowScope): Promise<Row> {
    // The same read as get(), in one async step: this is every GET of one row.
    const statement = selectByKey(resource, key, scope);
    const [row] = await this.db.all(statement.sql, statement.params);
    if (row === undefined) throw notFound(resource.name, formatKey(key));
    return resource.decode(row);
  }

  /** One page of a list query, plus one row to tell whether there is a next page. */
  async list(resource: Resource, query: ListQuery, db: Db = this.db): Promise<Row[]> {
    const statement = listStatement(resource, query);
    return (await db.all(statement.sql, statement.params, { client: query.client })).map((row) => resource.decode(row));
  }

  create(context: WriteContext, resource: Resource, values: Record<string, unknown>): Promise<Row> {
    const plain = () =>
      this.explained(
        resource,
        { action: 'create', rows: [values] },
        this.inScope(context, resource, (scope) => createRow(scope, values)),
      );
    const operation = this.createOperations.get(resource.name);
    return operation === undefined ? plain() : operation(context, values, plain);
  }

  /**
   * Makes every create of `resource` (API and admin alike) go through `operation`, which may do more
   * around the plain create it is handed (a card's VoIP accounts: runtime/operations/card-accounts.ts).
   */
  createThrough(
    resource: string,
    operation: CreateOperation,
    /** A row that needs `operation` cannot be part of a bulk create, which inserts rows plainly: why, or undefined. */
    refuseInBulk?: (values: Record<string, unknown>) => FieldProblem | undefined,
  ): void {
    this.createOperations.set(resource, operation);
    if (refuseInBulk !== undefined) this.bulkRefusals.set(resource, refuseInBulk);
  }

  /** How many rows a list query matches (see count.ts). */
  count(resource: Resource, match: Match & { client?: string }, mode: CountMode): Promise<Total> {
    return countRows(this.db, resource, match, mode);
  }

  /**
   * Many rows, all or none, in the order sent (see bulk-create.ts); each row was validated by the caller.
   * A unique value repeated within the rows or already in the table is a conflict naming the row.
   */
  createMany(context: WriteContext, resource: Resource, rows: readonly Record<string, unknown>[]): Promise<Row[]> {
    return this.explained(resource, { action: 'create', rows }, this.createAll(context, resource, rows));
  }

  private async createAll(
    context: WriteContext,
    resource: Resource,
    rows: readonly Record<string, unknown>[],
  ): Promise<Row[]> {
    this.refuseInBulk(resource, rows);
    const writer = this.writer;
    if (!writer.adapter.transactions) {
      // SQLite: the check, then every INSERT in one synchronous transaction; the trail follows, as for any write there.
      await checkUniqueValues(writer, resource, rows);
      return createRows(
        { ...this.scope(context, resource, writer, false), mode: 'atomically', tableLocked: false },
        rows,
      );
    }
    if (resource.transactional) {
      return writer.pinned(
        async (connection) => {
          await checkUniqueValues(connection, resource, rows);
          return createRows(
            { ...this.scope(context, resource, connection, true), mode: 'in-scope', tableLocked: false },
            rows,
          );
        },
        { transaction: true },
      );
    }
    // MyISAM: nothing rolls back, so nothing else may write meanwhile, and a failure takes the new rows out again.
    const lock = writer.adapter.lockTables!([resource.table, ...(this.audit ? [AUDIT_TABLE] : [])]);
    return writer.pinned(async (connection) => {
      await connection.run(lock.lock);
      let mark: Watermark | undefined;
      try {
        await checkUniqueValues(connection, resource, rows);
        mark = await watermark(connection, resource);
        const scope: BulkScope = {
          ...this.scope(context, resource, connection, true),
          mode: 'in-scope',
          tableLocked: true,
        };
        return await createRows(scope, rows);
      } catch (error) {
        if (mark !== undefined) await takeBackCreated(connection, resource, mark, rows);
        throw error;
      } finally {
        await connection.run(lock.unlock);
      }
    });
  }

  /** What createMany would refuse before writing anything, for a preview: the same errors; nothing is written. */
  async checkMany(resource: Resource, rows: readonly Record<string, unknown>[]): Promise<void> {
    this.refuseInBulk(resource, rows);
    await checkUniqueValues(this.writer, resource, rows);
  }

  /** Rows that need their resource's create operation cannot go in a bulk create: a 400 naming them. */
  private refuseInBulk(resource: Resource, rows: readonly Record<string, unknown>[]): void {
    const refuse = this.bulkRefusals.get(resource.name);
    if (refuse === undefined) return;
    const refused = rows.flatMap((row, index) => {
      const problem = refuse(row);
      return problem === undefined ? [] : [{ ...problem, field: `[${index}].${problem.field}` }];
    });
    if (refused.length > 0) throw invalidValues(refused);
  }

  /** Writes `values` to every row `match` finds, if there are at most `limit`; returns how many. */
  updateWhere(
    context: WriteContext,
    resource: Resource,
    match: Match,
    values: Record<string, unknown>,
    limit: number,
  ): Promise<number> {
    return this.explained(
      resource,
      { action: 'update', values, target: { match } },
      this.inScope(context, resource, (scope) => updateMatching(scope, match, values, limit)),
    );
  }

  /** Deletes every row `match` finds, if there are at most `limit`; returns how many. */
  deleteWhere(context: WriteContext, resource: Resource, match: Match, limit: number): Promise<number> {
    return this.explained(
      resource,
      { action: 'delete', target: { match } },
      this.inScope(context, resource, (scope) => deleteMatching(scope, match, limit)),
    );
  }

  /** Writes only the columns in `values`; `{}` writes nothing (and is not audited). */
  update(
    context: WriteContext,
    resource: Resource,
    key: KeyValues,
    values: Record<string, unknown>,
    precondition?: Precondition,
    rowScope?: RowScope,
  ): Promise<Row> {
    return this.explained(
      resource,
      { action: 'update', values, target: { key } },
      this.inScope(context, resource, async (scope) => {
        await inRowScope(scope, key, rowScope);
        return updateRow(scope, key, values, precondition);
      }),
    );
  }

  /** Returns whether a row was deleted (false: there was none, or none in `rowScope`). */
  delete(
    context: WriteContext,
    resource: Resource,
    key: KeyValues,
    precondition?: Precondition,
    rowScope?: RowScope,
  ): Promise<boolean> {
    return this.explained(
      resource,
      { action: 'delete', target: { key } },
      this.inScope(context, resource, async (scope) => {
        if (rowScope !== undefined && !(await existsIn(scope, key, rowScope))) return false;
        return deleteRow(scope, key, precondition);
      }),
    );
  }

  /** `column = column + delta` in one statement; answers the value that statement stored. */
  adjust(
    context: WriteContext,
    resource: Resource,
    column: string,
    key: KeyValues,
    request: AdjustRequest,
    rowScope?: RowScope,
  ): Promise<AdjustResult> {
    return this.inScope(context, resource, async (scope) => {
      await inRowScope(scope, key, rowScope);
      return adjustColumn(scope, column, key, request);
    });
  }

  /** A row by key that must be in `scope` for a write made elsewhere (a journalled operation): a 404 otherwise. */
  async requireInScope(resource: Resource, key: KeyValues, scope: RowScope): Promise<void> {
    const statement = existsInScope(resource, key, scope, false);
    if ((await this.writer.all(statement.sql, statement.params)).length === 0)
      throw notFound(resource.name, formatKey(key));
  }

  /**
   * An audit row for a change made outside the store's own writes (a refill, through the operation
   * journal); like theirs, a failure to write it is logged and does not fail the change.
   */
  recordChange(context: WriteContext, entry: AuditEntry): Promise<void> {
    return this.record(context, this.writer, false, entry);
  }

  /** A write a foreign key refused becomes a 409 saying which reference (after its transaction rolled back). */
  private async explained<R>(resource: Resource, write: RefusedWrite, work: Promise<R>): Promise<R> {
    try {
      return await work;
    } catch (error) {
      throw await referenceConflict(this.writer, this.registry, resource, error, write);
    }
  }

  /** Runs `work` in a transaction where the table and the database have them (InnoDB on MySQL); else as it is. */
  private inScope<R>(context: WriteContext, resource: Resource, work: (scope: WriteScope) => Promise<R>): Promise<R> {
    const transaction = resource.transactional && this.writer.adapter.transactions;
    if (!transaction) return work(this.scope(context, resource, this.writer, false));
    return this.writer.pinned((connection) => work(this.scope(context, resource, connection, true)), {
      transaction: true,
    });
  }

  private scope(context: WriteContext, resource: Resource, db: Db, locked: boolean): WriteScope {
    return {
      db,
      resource,
      locked,
      audited: this.audit,
      record: (entry) => this.record(context, db, locked, entry),
      recordAll: (entries) => this.recordAll(context, db, locked, entries),
      writing: async (pending) => {
        try {
          return await pending;
        } catch (error) {
          throw conflictFor(resource, error);
        }
      },
    };
  }

  private async recordAll(
    context: WriteContext,
    db: Db,
    locked: boolean,
    entries: readonly AuditEntry[],
  ): Promise<void> {
    if (!this.audit || entries.length === 0) return;
    if (locked) return appendAuditEntries(db, context.actor, entries);
    // Appended together, they go in the AuditWriter's batches.
    await Promise.all(entries.map((entry) => this.record(context, db, false, entry)));
  }

  private async record(context: WriteContext, db: Db, locked: boolean, entry: AuditEntry): Promise<void> {
    if (!this.audit) return;
    // Inside a transaction the row goes with the change, on its connection; the change rolls back if it fails.
    if (locked) return appendAudit(db, context.actor, entry);
    try {
      await this.auditWriter.append(context.actor, entry);
    } catch (error) {
      // Without a transaction the change has happened and must not be reported as failed.
      context.log.error(
        { err: error, audit: entry, actor: context.actor },
        'audit row not written; the change itself was applied',
      );
    }
  }
}
