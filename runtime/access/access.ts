/**
 * One caller's access to the store: every read and write a route makes,
 * checked against the caller's role (runtime/access/policy.ts) and kept to
 * its row scope, which goes into the SQL of the statement itself. The API
 * and the admin panel both reach rows only through an Access.
 *
 *   403  the role lacks the operation, or may not write a column sent
 *   404  the row is outside the caller's scope (as if it did not exist)
 */
import type { Db, Row, SqlAdapter, SqlValue } from '../db/db.js';
import { forbidden, invalidValues, type FieldProblem } from '../store/errors.js';
import type { ListView } from '../store/list-filters.js';
import type { ListQuery } from '../store/list-query.js';
import type { KeyValues } from '../store/model.js';
import type { Column, Resource } from '../store/resource.js';
import type { AdjustRequest, AdjustResult } from '../store/adjust.js';
import type { CountMode, Match, RowScope, Store, Total, WriteContext } from '../store/store.js';
import type { Precondition } from '../store/writes.js';
import type { Grant, Policy, Role } from './policy.js';
import type { Principal } from './principal.js';
import type { Operation } from './roles-file.js';
import type { ValueCheck } from './row-scope.js';

/** What a caller may do with one model: its grant, with the scope bound to the caller's attributes. */
export class ResourceAccess implements ListView {
  /** Bound to the caller: the scope's SQL with the caller's attribute values as its parameters. */
  readonly scope: RowScope | undefined;
  /** Why every row is out of reach (a required attribute the caller lacks); undefined when none. */
  private readonly unusable: string | undefined;

  constructor(
    readonly resource: Resource,
    readonly grant: Grant | undefined,
    private readonly access: Access,
  ) {
    const template = grant?.scope;
    if (template === undefined) return;
    const missing = template.attributes.find((name) => access.principal.attributes[name] === undefined);
    if (missing !== undefined)
      this.unusable = `${describe(access.principal)} has no attribute ${missing}, which role ${access.principal.role} needs`;
    this.scope = {
      sql: template.sql,
      params: template.attributes.map((name) => access.principal.attributes[name] ?? null),
    };
  }

  allows(operation: Operation): boolean {
    return this.grant !== undefined && this.unusable === undefined && this.grant.operations.has(operation);
  }

  /** A 403 unless the role may do `operation` here. */
  require(operation: Operation): void {
    if (this.allows(operation)) return;
    const { principal } = this.access;
    if (this.unusable !== undefined) throw forbidden(this.unusable);
    throw forbidden(`role ${principal.role} may not ${operation} ${this.resource.name}`);
  }

  /** ListView: what the caller's role hides is not there for it. */
  visible(resource: Resource, column: Column): boolean {
    const grant = resource === this.resource ? this.grant : this.access.on(resource).grant;
    return grant !== undefined && !grant.hidden.has(column.name);
  }

  /** ListView: a model a filter goes through must be readable to the caller, and only its rows in scope count. */
  scopeOf(resource: Resource): RowScope | undefined | null {
    const other = this.access.on(resource);
    return other.allows('list') || other.allows('get') ? other.scope : null;
  }

  /** A row without the columns the role hides (in place). */
  shown<R extends Row>(row: R): R {
    if (this.grant !== undefined) for (const name of this.grant.hidden) delete row[name];
    return row;
  }

  /** A 403 naming the columns sent that the role may not write; hidden ones count as such. */
  checkWritable(values: Record<string, unknown>, row?: number): void {
    const grant = this.grant;
    if (grant === undefined || (grant.readOnly.size === 0 && grant.hidden.size === 0)) return;
    const refused: FieldProblem[] = [];
    for (const name of Object.keys(values)) {
      if (values[name] === undefined) continue;
      if (grant.readOnly.has(name) || grant.hidden.has(name))
        refused.push({
          field: row === undefined ? name : `[${row}].${name}`,
          message: `may not be written by role ${this.access.principal.role}`,
        });
    }
    if (refused.length > 0)
      throw forbidden(
        `role ${this.access.principal.role} may not write ${refused.map((p) => p.field).join(', ')}`,
        refused,
      );
  }

  /**
   * Creates and updates must leave their rows in scope: each scoped column written (or, for a create,
   * taking its default) holds a value the scope admits. A 400 naming the column (`[i].column` for many
   * rows) otherwise; nothing is written. One statement per scoped reference, however many rows.
   */
  async admits(db: Db, rows: readonly Record<string, unknown>[], creating: boolean, many = false): Promise<void> {
    const template = this.grant?.scope;
    if (template === undefined) return;
    const problems: FieldProblem[] = [];
    for (const check of template.checks) {
      const name = check.column.name;
      const fallback = creating ? defaultOf(this.resource, check.column) : undefined;
      const values = rows.map((row) => (row[name] !== undefined ? row[name] : fallback));
      const admitted = await this.admitted(db, check, values);
      values.forEach((value, index) => {
        if (value === undefined || (value !== null && admitted.has(String(value)))) return;
        problems.push({
          field: many ? `[${index}].${name}` : name,
          message:
            value === null
              ? 'is required by your scope: it must name a row you may use'
              : `${JSON.stringify(value)} is outside your scope`,
        });
      });
    }
    if (problems.length > 0) throw invalidValues(problems);
  }

  /** Which of `values` (as text) the check admits. */
  private async admitted(db: Db, check: ValueCheck, values: readonly unknown[]): Promise<Set<string>> {
    const distinct = new Map<string, SqlValue>();
    for (const value of values)
      if (value !== undefined && value !== null) distinct.set(String(value), value as SqlValue);
    const { attributes } = this.access.principal;
    if ('attribute' in check)
      return new Set([...distinct.keys()].filter((text) => text === attributes[check.attribute]));
    const admitted = new Set<string>();
    const scopeParams = check.attributes.map((name) => attributes[name] ?? null);
    const all = [...distinct.values()];
    for (let start = 0; start < all.length; start += KEYS_PER_CHECK) {
      const chunk = all.slice(start, start + KEYS_PER_CHECK);
      for (const row of await db.all(check.keysInScope(chunk.length), [...chunk, ...scopeParams]))
        admitted.add(String(row.k));
    }
    return admitted;
  }

  /** Whether `values` write a column the scope tests. */
  touchesScope(values: Record<string, unknown>): boolean {
    return (this.grant?.scope?.checks ?? []).some((check) => values[check.column.name] !== undefined);
  }
}

/** Values one scope check sends in a statement: well under every database's limit on parameters. */
const KEYS_PER_CHECK = 500;

/** What a create that leaves `column` out stores: the schema's default, else the database's, else NULL. */
function defaultOf(resource: Resource, column: Column): unknown {
  if (column.name in resource.createDefaults) return resource.createDefaults[column.name];
  if (column.spec.default !== undefined) return column.spec.default;
  return column.spec.sqlDefault ?? null;
}

function describe(principal: Principal): string {
  return principal.kind === 'key' ? `API key ${principal.username.replace(/^key:/, '')}` : `user ${principal.username}`;
}

export class Access {
  private readonly resources = new Map<string, ResourceAccess>();

  constructor(
    readonly principal: Principal,
    /** Undefined: the caller's role is not in the roles file, so it may do nothing. */
    readonly role: Role | undefined,
    private readonly store: Store,
  ) {}

  /** The store's SQL spellings, for parsing queries. */
  get adapter(): SqlAdapter {
    return this.store.db.adapter;
  }

  on(resource: Resource): ResourceAccess {
    let access = this.resources.get(resource.name);
    if (access === undefined) {
      access = new ResourceAccess(resource, this.role?.grant(resource), this);
      this.resources.set(resource.name, access);
    }
    return access;
  }

  allows(resource: Resource, operation: Operation): boolean {
    return this.on(resource).allows(operation);
  }

  async found(resource: Resource, key: KeyValues): Promise<Row> {
    const access = this.on(resource);
    access.require('get');
    return access.shown(await this.store.found(resource, key, access.scope));
  }

  /** One row for a caller allowed to `operation` (the admin's edit form reads with `update`); undefined when out of reach. */
  async get(resource: Resource, key: KeyValues, operation: Operation = 'get'): Promise<Row | undefined> {
    const access = this.on(resource);
    access.require(operation);
    const row = await this.store.get(resource, key, access.scope);
    return row === undefined ? undefined : access.shown(row);
  }

  /** A page of a query parsed with this caller's view (`on(resource)`), so its WHERE holds the scope. */
  async list(resource: Resource, query: ListQuery, operation: Operation = 'list'): Promise<Row[]> {
    const access = this.on(resource);
    access.require(operation);
    const rows = await this.store.list(resource, query);
    if (access.grant?.hidden.size) for (const row of rows) access.shown(row);
    return rows;
  }

  count(resource: Resource, match: Match & { client?: string }, mode: CountMode): Promise<Total> {
    this.on(resource).require('list');
    return this.store.count(resource, match, mode);
  }

  async create(context: WriteContext, resource: Resource, values: Record<string, unknown>): Promise<Row> {
    const access = this.on(resource);
    access.require('create');
    access.checkWritable(values);
    await access.admits(this.store.db.writer ?? this.store.db, [values], true);
    return access.shown(await this.store.create(context, resource, values));
  }

  async createMany(
    context: WriteContext,
    resource: Resource,
    rows: readonly Record<string, unknown>[],
  ): Promise<Row[]> {
    await this.checkRows(resource, rows);
    const created = await this.store.createMany(context, resource, rows);
    const access = this.on(resource);
    return created.map((row) => access.shown(row));
  }

  /** What createMany would refuse, for a preview: nothing is written. */
  async checkMany(resource: Resource, rows: readonly Record<string, unknown>[]): Promise<void> {
    await this.checkRows(resource, rows);
    await this.store.checkMany(resource, rows);
  }

  private async checkRows(resource: Resource, rows: readonly Record<string, unknown>[]): Promise<void> {
    const access = this.on(resource);
    access.require('create');
    for (const [index, row] of rows.entries()) access.checkWritable(row, index);
    await access.admits(this.store.db.writer ?? this.store.db, rows, true, true);
  }

  async update(
    context: WriteContext,
    resource: Resource,
    key: KeyValues,
    values: Record<string, unknown>,
    precondition?: Precondition,
  ): Promise<Row> {
    const access = this.on(resource);
    access.require('update');
    access.checkWritable(values);
    // The values first: their 400 says nothing of the row, whose scope the store checks where it writes (404).
    if (access.scope !== undefined && access.touchesScope(values))
      await access.admits(this.store.db.writer ?? this.store.db, [values], false);
    return access.shown(await this.store.update(context, resource, key, values, precondition, access.scope));
  }

  async delete(
    context: WriteContext,
    resource: Resource,
    key: KeyValues,
    precondition?: Precondition,
  ): Promise<boolean> {
    const access = this.on(resource);
    access.require('delete');
    return this.store.delete(context, resource, key, precondition, access.scope);
  }

  adjust(
    context: WriteContext,
    resource: Resource,
    column: string,
    key: KeyValues,
    request: AdjustRequest,
  ): Promise<AdjustResult> {
    const access = this.on(resource);
    access.require('adjust');
    return this.store.adjust(context, resource, column, key, request, access.scope);
  }

  /** Before a write made outside the store (a journalled adjustment, a refill): the operation allowed, the row in scope. */
  async requireRow(resource: Resource, key: KeyValues, operation: Operation): Promise<void> {
    const access = this.on(resource);
    access.require(operation);
    if (access.scope !== undefined) await this.store.requireInScope(resource, key, access.scope);
  }

  /** `match` comes from a query parsed with this caller's view, so it holds the scope. */
  updateWhere(
    context: WriteContext,
    resource: Resource,
    match: Match,
    values: Record<string, unknown>,
    limit: number,
  ): Promise<number> {
    const access = this.on(resource);
    access.require('update');
    access.checkWritable(values);
    return this.admitsThen(access, values, () => this.store.updateWhere(context, resource, match, values, limit));
  }

  deleteWhere(context: WriteContext, resource: Resource, match: Match, limit: number): Promise<number> {
    this.on(resource).require('delete');
    return this.store.deleteWhere(context, resource, match, limit);
  }

  private async admitsThen<R>(
    access: ResourceAccess,
    values: Record<string, unknown>,
    work: () => Promise<R>,
  ): Promise<R> {
    await access.admits(this.store.db.writer ?? this.store.db, [values], false);
    return work();
  }
}

/** Each caller's Access, made once per verified principal (the credential cache keeps the same object). */
export class AccessControl {
  private readonly accesses = new WeakMap<Principal, Access>();

  constructor(
    readonly policy: Policy,
    private readonly store: Store,
  ) {}

  of(principal: Principal): Access {
    let access = this.accesses.get(principal);
    if (access === undefined) {
      access = new Access(principal, this.policy.role(principal.role), this.store);
      this.accesses.set(principal, access);
    }
    return access;
  }
}
