/**
 * The roles file compiled against the models: for each role and model, the
 * operations allowed, the columns hidden or read-only, and the row scope as
 * SQL. Grants a role names are compiled (and their mistakes reported) at
 * startup; a `*` grant is compiled for a model the first time it is asked
 * for, so a schema of a hundred tables pays only for the models used.
 */
import { didYouMean } from '../store/did-you-mean.js';
import type { Registry, Resource } from '../store/resource.js';
import {
  OPERATIONS,
  RolesFileError,
  type ColumnPredicate,
  type GrantSpec,
  type Operation,
  type RoleSpec,
  type RolesFile,
} from './roles-file.js';
import { scopeTemplate, type ScopePart, type ScopeTemplate } from './row-scope.js';

export interface Grant {
  readonly resource: Resource;
  readonly operations: ReadonlySet<Operation>;
  /** Property names this role never sees. */
  readonly hidden: ReadonlySet<string>;
  /** Property names this role may not write. */
  readonly readOnly: ReadonlySet<string>;
  readonly scope: ScopeTemplate | undefined;
  /** No hidden or read-only column and no scope: only the operation needs checking. */
  readonly plain: boolean;
}

const ALL_OPERATIONS: ReadonlySet<Operation> = new Set(OPERATIONS);

function normalised(spec: RoleSpec['grants'][string]): GrantSpec {
  if (spec === '*') return { operations: ['*'] };
  if (Array.isArray(spec)) return { operations: spec as GrantSpec['operations'] };
  return spec as GrantSpec;
}

export class Role {
  /** Compiled grants by model; null: this role has none on it. */
  private readonly grants = new Map<string, Grant | null>();
  private readonly compiling = new Set<string>();

  constructor(
    readonly name: string,
    readonly spec: RoleSpec,
    private readonly registry: Registry,
  ) {}

  /** The attributes a user or key of this role must carry. */
  get attributes(): readonly string[] {
    return this.spec.attributes ?? [];
  }

  /** What this role may do to `resource`'s rows; undefined: nothing. */
  grant(resource: Resource): Grant | undefined {
    let grant = this.grants.get(resource.name);
    if (grant === undefined) {
      grant = this.compile(resource);
      this.grants.set(resource.name, grant);
    }
    return grant ?? undefined;
  }

  private where(resource: Resource): string {
    return `role ${this.name}, grant ${resource.name}`;
  }

  private compile(resource: Resource): Grant | null {
    const named = this.spec.grants[resource.name];
    const raw = named ?? this.spec.grants['*'];
    if (raw === undefined) return null;
    if (this.compiling.has(resource.name))
      throw new RolesFileError(`${this.where(resource)}: its scope refers back to itself`);
    this.compiling.add(resource.name);
    try {
      const spec = normalised(raw);
      const explicit = named !== undefined;
      const scope = spec.scope === undefined ? undefined : this.scopeOf(resource, spec.scope, explicit);
      // A `*` grant scoped by a reference does not reach a model without that reference.
      if (scope === null) return null;
      const operations = spec.operations.includes('*') ? ALL_OPERATIONS : new Set(spec.operations as Operation[]);
      const hidden = this.columnsOf(resource, spec.hidden, 'hidden', explicit);
      const readOnly = this.columnsOf(resource, spec.readOnly, 'readOnly', explicit);
      for (const column of resource.key)
        if (hidden.has(column.name))
          throw new RolesFileError(`${this.where(resource)}: cannot hide ${column.name}, part of the key`);
      return {
        resource,
        operations,
        hidden,
        readOnly,
        scope,
        plain: hidden.size === 0 && readOnly.size === 0 && scope === undefined,
      };
    } finally {
      this.compiling.delete(resource.name);
    }
  }

  /** Named columns must exist in a grant of their own model; a `*` grant's apply where they do. */
  private columnsOf(
    resource: Resource,
    names: readonly string[] | undefined,
    what: string,
    explicit: boolean,
  ): ReadonlySet<string> {
    const found = new Set<string>();
    for (const name of names ?? []) {
      if (resource.byName.has(name)) found.add(name);
      else if (explicit) throw this.unknownColumn(resource, what, name);
    }
    return found;
  }

  private unknownColumn(resource: Resource, what: string, name: string): RolesFileError {
    const hint = didYouMean(
      name,
      resource.columns.map((column) => column.name),
    );
    return new RolesFileError(
      `${this.where(resource)}: ${what} names ${name}, which ${resource.name} does not have${hint ? ` (${hint})` : ''}`,
    );
  }

  /** null: a `referencing` scope whose model `resource` does not reference. */
  private scopeOf(resource: Resource, spec: NonNullable<GrantSpec['scope']>, explicit: boolean): ScopeTemplate | null {
    const { referencing } = spec as { referencing?: unknown };
    if (typeof referencing === 'string') {
      const columns = resource.columns.filter((column) => column.spec.references?.resource === referencing);
      if (columns.length === 0) {
        if (explicit)
          throw new RolesFileError(`${this.where(resource)}: no column of ${resource.name} references ${referencing}`);
        return null;
      }
      return scopeTemplate(
        resource,
        columns.map((column) => this.part(resource, column.name, { in: referencing })),
      );
    }
    const predicates = Object.entries(spec as Record<string, ColumnPredicate>);
    return scopeTemplate(
      resource,
      predicates.map(([name, predicate]) => this.part(resource, name, predicate)),
    );
  }

  private part(resource: Resource, name: string, predicate: ColumnPredicate): ScopePart {
    const column = resource.byName.get(name);
    if (column === undefined) throw this.unknownColumn(resource, 'scope', name);
    if ('attribute' in predicate) {
      if (!this.attributes.includes(predicate.attribute))
        throw new RolesFileError(
          `${this.where(resource)}: scope uses attribute ${predicate.attribute}, which the role does not declare in "attributes"`,
        );
      return { column, attribute: predicate.attribute };
    }
    const target = this.registry.get(predicate.in);
    if (target === undefined)
      throw new RolesFileError(
        `${this.where(resource)}: scope of ${name} names model ${predicate.in}, which is not served`,
      );
    if (target.key.length !== 1)
      throw new RolesFileError(`${this.where(resource)}: ${predicate.in} has no single-column key for ${name} to hold`);
    const targetGrant = this.grant(target);
    if (targetGrant === undefined)
      throw new RolesFileError(
        `${this.where(resource)}: scope of ${name} is rows of ${predicate.in}, on which the role has no grant`,
      );
    return { column, target, targetScope: targetGrant.scope };
  }
}

export class Policy {
  private readonly roles = new Map<string, Role>();

  /**
   * Checks every grant a role names against the models; a model that is not served is reported to
   * `warn` and skipped (the shipped roles name A2Billing's models; another database has others).
   */
  constructor(file: RolesFile, registry: Registry, warn: (message: string) => void) {
    const served = registry.all().map((resource) => resource.name);
    for (const [name, spec] of Object.entries(file.roles)) {
      const role = new Role(name, spec, registry);
      this.roles.set(name, role);
      for (const model of Object.keys(spec.grants)) {
        if (model === '*') continue;
        const resource = registry.get(model);
        if (resource === undefined) {
          const hint = didYouMean(model, served);
          warn(`roles: role ${name} grants ${model}, which is not served; skipped${hint ? ` (${hint})` : ''}`);
          continue;
        }
        role.grant(resource);
      }
    }
  }

  role(name: string): Role | undefined {
    return this.roles.get(name);
  }

  roleNames(): string[] {
    return [...this.roles.keys()];
  }
}
