/**
 * What the API's routes need of one model beyond its column model: which
 * methods each of its URLs answers, its request body validators and its
 * response serialisers. One set of routes serves every model
 * (resource-routes.ts), so these are per model data, built on the model's
 * first request: a process pays for the tables it serves, not for every
 * table of the schema.
 */
import type { Ajv } from 'ajv';
import { compileLazily, type LazyValidateFunction } from '../http/validation.js';
import { lazySerializer } from '../http/lazy-serializers.js';
import { resourceSchemas } from '../http/schemas.js';
import type { Registry, Resource } from '../store/resource.js';
import { createOrBulkSchema } from './bulk-routes.js';

/** The three URLs of a model: its list, a row, and the old API's delete alias of a row. */
export type UrlKind = 'list' | 'row' | 'deleteAlias';

type Serialize = (value: unknown) => string;

function listSchema(row: object): object {
  const meta = {
    model: { type: 'string' },
    next: { type: 'string' },
    previous: { type: 'string' },
    page: { type: 'integer' },
    total: { type: 'integer' },
    total_estimated: { type: 'boolean' },
  };
  return {
    type: 'object',
    properties: { meta: { type: 'object', properties: meta }, objects: { type: 'array', items: row } },
  };
}

/** Why a resource takes no writes, in the words of its 405s and 404s. */
function readOnlyReason(resource: Resource): string {
  if (resource.model.view) return `${resource.name} is a view: read-only`;
  if (!resource.keyed) return `${resource.name} has no key (no primary key, no NOT NULL unique key): read-only`;
  return `${resource.name} is read-only`;
}

const READ = ['GET', 'HEAD'] as const;

export class ServedResource {
  /** The methods each URL answers; a URL absent here is not one of the model's. */
  readonly methods: Partial<Record<UrlKind, readonly string[]>>;
  /** Why the other methods are refused, for a model that takes no writes. */
  readonly readOnlyReason: string | undefined;
  /** A GET of a row of a model whose rows have no URL: the 404's words. */
  readonly noRowUrl: string | undefined;
  /** POST's body: one row, or an array of rows. */
  readonly createBody: LazyValidateFunction;
  /** PUT/PATCH/POST of a row, and PATCH of the list: any subset of the writable columns. */
  readonly updateBody: LazyValidateFunction;
  /** One row as the API answers it (its ETag is the hash of this text). */
  readonly serializeRow: Serialize;
  readonly serializeList: Serialize;

  constructor(
    readonly resource: Resource,
    validator: Ajv,
  ) {
    const schemas = resourceSchemas(resource);
    const writable = resource.keyed && !resource.readOnly;
    this.readOnlyReason = writable ? undefined : readOnlyReason(resource);
    if (!resource.keyed) {
      const noun = resource.model.view ? 'a view without a declared key' : 'a table without a key';
      this.noRowUrl = `${resource.name} is ${noun}: its rows have no URL of their own; list them at /api/${resource.name}/`;
    }
    this.methods = writable
      ? {
          list: [...READ, 'POST', 'PATCH', 'DELETE'],
          row: [...READ, 'POST', 'PUT', 'PATCH', 'DELETE'],
          deleteAlias: ['POST', 'DELETE'],
        }
      : resource.keyed
        ? { list: READ, row: READ }
        : { list: READ };
    this.createBody = compileLazily(validator, createOrBulkSchema(schemas.create));
    this.updateBody = compileLazily(validator, schemas.update);
    this.serializeRow = lazySerializer(schemas.row);
    this.serializeList = lazySerializer(listSchema(schemas.row));
  }
}

/** Every model the API serves, by name, each built on its first request. */
export class ServedResources {
  readonly #built = new Map<string, ServedResource>();

  constructor(
    private readonly registry: Registry,
    private readonly validator: Ajv,
  ) {}

  get(name: string): ServedResource | undefined {
    let served = this.#built.get(name);
    if (served === undefined) {
      const resource = this.registry.get(name);
      if (resource === undefined) return undefined;
      served = new ServedResource(resource, this.validator);
      this.#built.set(name, served);
    }
    return served;
  }
}
