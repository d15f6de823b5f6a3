/**
 * The typed model of one schema file that templates render: every decision
 * about types, defaults, validation and SQL, made by generator/model.ts.
 */
import type { Decoder, JsonType } from '../common/json-values.js';
import type { ValueRule } from '../common/value-rules.js';
import type { SqlDefault } from './column-facts.js';
import type { SqlType, ValueKind } from './sql-type.js';

export interface ColumnModel {
  /** JSON property name. */
  name: string;
  /** SQL column name. */
  column: string;
  title: string;
  description: string | undefined;
  sql: SqlType;
  kind: ValueKind;
  sqlNullable: boolean;
  sqlDefault: SqlDefault;
  autoIncrement: boolean;
  /** Computed by the database (VIRTUAL or STORED): read-only. */
  generated: { stored: boolean; expression: string } | undefined;
  /** Part of the key rows are addressed by (TableModel.key): chosen on create, never updated. */
  primaryKey: boolean;
  readOnly: boolean;
  writeOnly: boolean;
  requiredOnCreate: boolean;
  /** NOT NULL date column whose zero date reads as null and is written for null. */
  zeroDate: boolean;
  /** null may be sent and returned. */
  jsonNullable: boolean;
  jsonType: JsonType;
  /** The value a create request gets when it leaves the column out. */
  jsonDefault: { value: unknown } | undefined;
  minLength: number | undefined;
  /** The values' format: `email`. */
  format: 'email' | undefined;
  maxLength: number | undefined;
  choices: { value: unknown; label: string }[] | undefined;
  /** Another model whose primary key this column holds; `label` names the column that describes its rows. */
  references: { resource: string; label: string | undefined; onDelete: 'protect' | 'leave' | undefined } | undefined;
  rule: ValueRule;
  operators: string[];
  sortable: boolean;
  /** Runtime function that turns the driver's value into the JSON value, if any is needed. */
  decoder: Decoder | undefined;
  tsType: string;
}

export interface IndexModel {
  name: string;
  unique: boolean;
  columns: string[];
}

/** A FOREIGN KEY constraint of the table. */
export interface ForeignKeyModel {
  name: string;
  /** The referencing columns: JSON property names, and SQL names, in key order. */
  properties: string[];
  columns: string[];
  /** The referenced table and its SQL columns, position by position. */
  table: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

export interface TableModel {
  /** schema/cc_card.json, relative to the project. */
  source: string;
  table: string;
  resource: string;
  title: string;
  description: string | undefined;
  /** PascalCase name for types: Card, CardGroup. */
  typeName: string;
  /** camelCase name for values: card, cardGroup. */
  valueName: string;
  engine: string;
  charset: string;
  collation: string | undefined;
  /** The table's PRIMARY KEY, in key order: one or more columns of any kind; none for a view or a keyless table. */
  primaryKey: ColumnModel[];
  /**
   * The key rows are addressed by (URLs, ETags, the audit trail): the primary key, else a NOT NULL unique
   * key (generator/row-key.ts), or a view's key declared by hand. Empty: the resource serves its list only.
   */
  key: ColumnModel[];
  /** The unique index standing in for a missing primary key. */
  keyIndex: string | undefined;
  /** A view: read-only; no engine, no indexes, and no CREATE TABLE on MySQL. */
  view: boolean;
  /** A view's SELECT, as the schema gives it: the embedded database creates the view from it. */
  definition: string | undefined;
  columns: ColumnModel[];
  indexes: IndexModel[];
  foreignKeys: ForeignKeyModel[];
  seed: Record<string, unknown>[];
  admin: {
    list: string[];
    search: string[];
    /** `resource.column` of models that reference this one: the search looks in their rows too. */
    searchRelated?: string[];
    /** Columns the list page offers filters for. */
    filter: string[];
    /** Rows the admin refuses to delete (by primary key, as text), with the reason shown. */
    protectedRows: { key: string; reason: string }[];
    /** The edit form's fieldsets; absent: one grid in column order. */
    groups?: { title: string; description?: string; fields: string[] }[];
    /** Columns the admin shows read-only: something else keeps them up to date. */
    maintained?: string[];
    /** The admin shows the rows and never changes them. */
    readOnly?: true;
    /** The list's default ordering (`-id`: newest first). */
    ordering?: string;
    /** Changes an operator makes to one row or many after a confirmation: fixed values, and columns asked for. */
    actions?: { name: string; label: string; description?: string; set?: Record<string, unknown>; ask?: string[] }[];
  };
  /** Columns with an atomic `POST /api/<resource>/<id>/<column>` adjustment (credit = credit + delta). */
  adjustments: ColumnModel[];
  /** Served for reading only: no create, update or delete routes (always so for a view or a table without a key). */
  readOnly: boolean;
  /** a2gen's own table: the service creates it when it is missing, on MySQL too. */
  managed: boolean;
  /** InnoDB: a write and its audit row commit in one transaction. */
  transactional: boolean;
}

export class ModelError extends Error {
  constructor(
    readonly file: string,
    readonly pointer: string,
    message: string,
  ) {
    super(`${file}${pointer ? ` at ${pointer}` : ''}: ${message}`);
    this.name = 'ModelError';
  }
}
