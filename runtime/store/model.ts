/**
 * What `a2gen build` tells the runtime about one table: its column model as
 * data, and its fixed statements with their binders (generated/<resource>/).
 * The runtime derives everything else (SQL names, operators, schemas, admin
 * fields) from this, once per model, in store/resource.ts.
 */
import type { ValueRule } from '../../common/value-rules.js';
import type { DatabaseName, SqlValue, Statement } from '../db/db.js';
import type { SeedRows } from '../db/seed.js';

/** A primary key's values, in key order: one for a single-column key. */
export type KeyValues = readonly SqlValue[];

export interface ColumnChoice {
  readonly value: string | number;
  readonly label: string;
}

/** One column. Flags that are false, and values a column does not have, are left out. */
export interface ColumnSpec {
  /** JSON property name. */
  readonly name: string;
  /** The SQL column, where it differs from `name`. */
  readonly column?: string;
  /** What people call it; the property name where absent. */
  readonly title?: string;
  readonly description?: string;
  /** The SQL type as the database shows it: `int(11)`, `decimal(15,5)`. */
  readonly type: string;
  /** What a value must be; also decides its JSON type (common/json-values.ts). */
  readonly rule: ValueRule;
  /** null may be sent and returned: the column is NULL-able, or a zero date stands for null. */
  readonly nullable?: boolean;
  /** The database default as the schema states it (`null`, `'0'`, `CURRENT_TIMESTAMP`); absent: none. */
  readonly sqlDefault?: string | null;
  readonly autoIncrement?: boolean;
  /** NOT NULL date column whose zero date stands for null. */
  readonly zeroDate?: boolean;
  readonly readOnly?: boolean;
  readonly writeOnly?: boolean;
  /** A create must send it. */
  readonly required?: boolean;
  /** What a create gets when it leaves the column out (the schema's `default`). */
  readonly default?: string | number | null;
  readonly minLength?: number;
  /** The values are email addresses (or empty). */
  readonly format?: 'email';
  readonly choices?: readonly ColumnChoice[];
  /** Holds another model's key; `label` names the target's column that describes a row to people. */
  readonly references?: {
    readonly resource: string;
    readonly label?: string;
    /** Deleting the referenced row in the admin: `protect` refuses while rows refer to it; `leave` (default) leaves them. */
    readonly onDelete?: 'protect' | 'leave';
  };
}

export interface IndexSpec {
  readonly name: string;
  readonly unique?: boolean;
  /** SQL column names. */
  readonly columns: readonly string[];
}

/** A FOREIGN KEY constraint: the database refuses a row that points nowhere, and the delete of a row pointed at. */
export interface ForeignKeySpec {
  readonly name: string;
  /** JSON property names, in key order. */
  readonly columns: readonly string[];
  /** The referenced table and its SQL columns, position by position. */
  readonly table: string;
  readonly referencedColumns: readonly string[];
  /** Absent: RESTRICT. */
  readonly onDelete?: string;
  readonly onUpdate?: string;
}

/**
 * The generated binders of a table's fixed statements (generated/<resource>/statements.ts).
 * Method syntax on purpose: each binder takes its table's own key tuple, which the store passes as KeyValues.
 */
export interface ResourceStatements {
  /** One row by key: every readable column. Absent when rows have no key. */
  select?(key: KeyValues): Statement;
  /** The same with FOR UPDATE (InnoDB tables). */
  selectForUpdate?(key: KeyValues): Statement;
  delete?(key: KeyValues): Statement;
  /** `column = column + delta` by column name; with `atLeast`, only while the result stays at or above it. */
  readonly adjust?: Readonly<Record<string, AdjustBinder>>;
}

/** A method's type, so that it too may take its table's own key tuple (TypeScript checks methods bivariantly). */
export type AdjustBinder = {
  bind(database: DatabaseName, key: KeyValues, delta: string, atLeast?: string): Statement;
}['bind'];

export interface AdminHints {
  readonly list: readonly string[];
  readonly search: readonly string[];
  /** `resource.column` of models that reference this one, searched too ("callerid.cid"). */
  readonly searchRelated?: readonly string[];
  readonly filter: readonly string[];
  /** Rows the admin refuses to delete, by key in URL form, with the reason shown. */
  readonly protectedRows: readonly { readonly key: string; readonly reason: string }[];
  /** The edit form's fieldsets, in order; absent: one grid in column order. */
  readonly groups?: readonly {
    readonly title: string;
    readonly description?: string;
    readonly fields: readonly string[];
  }[];
  /** Columns the admin shows read-only: something else keeps them up to date (the engine's counters). */
  readonly maintained?: readonly string[];
  /** The admin shows the rows and never changes them (call records); the API is not affected. */
  readonly readOnly?: boolean;
  /** The list's ordering when the URL names none: `-id` is newest first. */
  readonly ordering?: string;
  /** Changes an operator makes to one row or to the rows selected, after a confirmation. */
  readonly actions?: readonly AdminActionHint[];
}

export interface AdminActionHint {
  /** In the URL: /admin/<resource>/action/<name>/. */
  readonly name: string;
  readonly label: string;
  readonly description?: string;
  /** Fixed values written, by column name. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Columns the operator chooses a value for on the confirmation page. */
  readonly ask?: readonly string[];
}

export interface ResourceModel {
  /** URL name: /api/<resource>/ */
  readonly resource: string;
  readonly table: string;
  /** "Card group". */
  readonly title: string;
  readonly description?: string;
  /** JSON property names of the table's primary key, in key order; empty for a view or a table without one. */
  readonly primaryKey: readonly string[];
  /**
   * The key rows are addressed by (URLs, ETags, the audit trail), where it is not the primary key: a NOT NULL
   * unique key standing in for a missing one, or a view's key declared by hand. Absent: the primary key. No key
   * at all: the resource serves its list only.
   */
  readonly key?: readonly string[];
  /** A view: read-only, never created on MySQL. */
  readonly view?: boolean;
  readonly engine: string;
  readonly charset: string;
  readonly collation?: string;
  /** Served for reading only (a2gen's audit trail, a view, rows without a key): no create, update or delete. */
  readonly readOnly?: boolean;
  /** a2gen's own table: created when missing, on MySQL too. */
  readonly managed?: boolean;
  /** Decimal columns with an atomic adjustment route. */
  readonly adjustments?: readonly string[];
  /** Every column, in table order. */
  readonly columns: readonly ColumnSpec[];
  /** Every index but the primary key. */
  readonly indexes: readonly IndexSpec[];
  /** The table's FOREIGN KEY constraints, as introspected. */
  readonly foreignKeys?: readonly ForeignKeySpec[];
  readonly admin: AdminHints;
  /** Rows the embedded database starts with (never written to MySQL). */
  readonly seed?: readonly SeedRows[];
  readonly statements: ResourceStatements;
}
