/**
 * What the generator tells the runtime about one table. Generated modules
 * export a ResourceSpec per model; the runtime reads nothing else.
 */
import type { FastifyInstance } from 'fastify';
import type { ExpectedTable } from '../../introspection/diff-table.js';
import type { Db } from '../db/db.js';
import type { SeedRows } from '../sql/seed.js';
import type { ValueRule } from '../../common/value-rules.js';

export type FilterOperator =
  | 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'not_in' | 'between'
  | 'like' | 'ilike' | 'regexp' | 'contains' | 'icontains' | 'startswith' | 'endswith'
  | 'is_null';

export interface ColumnSpec {
  /** JSON property name. */
  readonly name: string;
  /** The quoted SQL column: `credit`. */
  readonly sql: string;
  /** How it appears in a SELECT list: `card_id` AS `card` when the names differ. */
  readonly select: string;
  readonly rule: ValueRule;
  /** NULL (or a zero date read as null) is possible. */
  readonly nullable: boolean;
  /** NOT NULL date column whose zero date stands for null. */
  readonly zeroDate: boolean;
  readonly readOnly: boolean;
  readonly writeOnly: boolean;
  /** Operators `?name__op=` accepts; empty for write-only columns. */
  readonly operators: readonly FilterOperator[];
  readonly sortable: boolean;
}

export interface UniqueKey {
  readonly name: string;
  /** JSON property names. */
  readonly columns: readonly string[];
}

/** A column that holds another resource's primary key. */
export interface Relation {
  readonly target: () => ResourceSpec;
  /** The target's column that names a row for people (admin pickers). */
  readonly label: string | undefined;
}

export interface ResourceSpec {
  /** URL name: /api/<resource>/ */
  readonly resource: string;
  readonly table: string;
  readonly primaryKey: string;
  /** Served for reading only (a2gen's audit trail): no create, update or delete. */
  readonly readOnly: boolean;
  readonly columns: readonly ColumnSpec[];
  readonly uniqueKeys: readonly UniqueKey[];
  /** By column name: filters may follow these (`?id_group__name=DEFAULT`). */
  readonly relations: Readonly<Record<string, Relation>>;
}

/** What every generated route module receives. */
export interface RouteContext {
  readonly db: Db;
  /** Largest page size a list request may ask for. */
  readonly maxLimit: number;
  /** Every write appends a row to a2gen_audit (A2B_AUDIT, on by default). */
  readonly audit: boolean;
}

/** One generated model as the runtime registers it. */
export interface ResourceModule {
  readonly spec: ResourceSpec;
  readonly routes: (app: FastifyInstance, context: RouteContext) => Promise<void>;
  /** a2gen's own table (the audit trail): created when missing, on MySQL too. */
  readonly managed: boolean;
  readonly ddl: { readonly mysql: readonly string[]; readonly sqlite: readonly string[] };
  /** The table as the schema file describes it (columns, keys, options), to check the live database against. */
  readonly expected: ExpectedTable;
  /** Rows the embedded database starts with (never written to MySQL by the service). */
  readonly seed: readonly SeedRows[];
}
