/**
 * A model as the runtime works with it: what every request needs, derived
 * once from the generated column model (SQL names, select lists, operators,
 * decoders, the key), so no request recomputes it and no table needs code
 * of its own.
 */
import { decoderOf, isBigint, jsonTypeOf, type Decoder, type JsonType } from '../../common/json-values.js';
import { operatorsFor, sortableBy, type FilterOperator } from '../../common/operators.js';
import { orderedExpression, readExpression, writePlaceholder } from '../../common/sql-expressions.js';
import { sqlName } from '../../common/sql-identifier.js';
import type { ValueRule } from '../../common/value-rules.js';
import type { Row } from '../db/db.js';
import {
  bitsToInteger,
  bytesToBase64,
  decimalToNumber,
  floatToNumber,
  parseJson,
  setToArray,
  trimFraction,
  zeroDateToNull,
} from './decoders.js';
import { keyPartParser, type KeyPartParser } from './key-parts.js';
import type { ColumnSpec, ResourceModel } from './model.js';

/** A column with what the runtime derives from it. */
export interface Column {
  readonly spec: ColumnSpec;
  /** JSON property name. */
  readonly name: string;
  /** What people call it. */
  readonly title: string;
  /** The JSON type of its values (wide decimals travel as strings, SET words as an array, JSON as itself). */
  readonly json: JsonType;
  /** BIGINT: past 2^53 a value is a string. */
  readonly bigint: boolean;
  /** The SQL column, quoted where it must be: `credit`. */
  readonly sql: string;
  /** What reads its value: the column, or `ST_AsText(location)` (common/sql-expressions.ts). */
  readonly read: string;
  /** What an INSERT or UPDATE writes for its bound value: `?`, or `ST_GeomFromText(?)`. */
  readonly write: string;
  /** What ordering and range filters compare: the column, or `TIME_TO_SEC(duration)`. */
  readonly ordered: string;
  /** In a SELECT list: `card_id AS card` where the names differ, `ST_AsText(g) AS g` where it is read through a function. */
  readonly select: string;
  readonly rule: ValueRule;
  readonly nullable: boolean;
  readonly zeroDate: boolean;
  readonly readOnly: boolean;
  readonly writeOnly: boolean;
  readonly primaryKey: boolean;
  /** Operators `?name__op=` accepts; none for write-only columns. */
  readonly operators: readonly FilterOperator[];
  readonly sortable: boolean;
}

export interface UniqueKey {
  readonly name: string;
  /** JSON property names. */
  readonly columns: readonly string[];
}

/** Decoders by number, so decode() calls each one directly (inlinable) rather than through a table of functions. */
const DECODERS: readonly Decoder[] = [
  'decimalToNumber',
  'floatToNumber',
  'zeroDateToNull',
  'bitsToInteger',
  'bytesToBase64',
  'setToArray',
  'parseJson',
  'trimFraction',
];

function columnOf(spec: ColumnSpec, primaryKey: readonly string[]): Column {
  const sql = sqlName(spec.column ?? spec.name);
  const nullable = spec.nullable === true;
  const writeOnly = spec.writeOnly === true;
  const zeroDate = spec.zeroDate === true;
  const read = readExpression(spec.rule, sql);
  return {
    spec,
    name: spec.name,
    title: spec.title ?? spec.name,
    json: jsonTypeOf(spec.rule),
    bigint: isBigint(spec.type),
    sql,
    read,
    write: writePlaceholder(spec.rule),
    ordered: orderedExpression(spec.rule, sql),
    select: spec.column === undefined && read === sql ? sql : `${read} AS ${sqlName(spec.name)}`,
    rule: spec.rule,
    nullable,
    zeroDate,
    readOnly: spec.readOnly === true,
    writeOnly,
    primaryKey: primaryKey.includes(spec.name),
    operators: operatorsFor(spec.rule, nullable, writeOnly),
    sortable: sortableBy(spec.rule, writeOnly),
  };
}

export class Resource {
  readonly name: string;
  readonly table: string;
  readonly columns: readonly Column[];
  readonly byName: ReadonlyMap<string, Column>;
  /** The columns rows are addressed by, in key order: the primary key or what stands in for it; empty: none. */
  readonly key: readonly Column[];
  /** Rows have a key: each has a URL (get, and writes unless read-only). Without one, the list alone is served. */
  readonly keyed: boolean;
  /** How each part of a key in a URL is read, in key order. */
  readonly keyParts: readonly KeyPartParser[];
  /** Every readable column, as GET one and an unfiltered list select them. */
  readonly readableSelect: string;
  readonly uniqueKeys: readonly UniqueKey[];
  /** InnoDB: a write and its audit row commit in one transaction. */
  readonly transactional: boolean;
  readonly readOnly: boolean;
  /** `/<resource>/`: where a URL names the resource, the row key follows. */
  readonly segmentMarker: string;
  /** The columns an update can write and its audit row shows: writable, not the key, not write-only. */
  readonly auditable: readonly Column[];
  /** What a create gets for columns it leaves out that have no database default (the schema's `default`). */
  readonly createDefaults: Readonly<Record<string, unknown>>;
  /** The columns whose values need decoding, and their decoders' numbers in DECODERS, index by index. */
  private readonly decodedNames: readonly string[];
  private readonly decoders: readonly number[];
  /** FLOAT(p,s) columns' scale, index by index (undefined for every other column). */
  private readonly floatScales: readonly (number | undefined)[];

  constructor(
    readonly model: ResourceModel,
    /** Finds another resource by name, to follow a reference. */
    private readonly lookup: (resource: string) => Resource | undefined,
  ) {
    this.name = model.resource;
    this.table = sqlName(model.table);
    const key = model.key ?? model.primaryKey;
    this.columns = model.columns.map((spec) => columnOf(spec, key));
    this.byName = new Map(this.columns.map((column) => [column.name, column]));
    this.key = key.map((name) => this.byName.get(name)!);
    this.keyed = this.key.length > 0;
    this.keyParts = this.key.map((column) => keyPartParser(column.rule));
    this.readableSelect = this.columns
      .filter((column) => !column.writeOnly)
      .map((column) => column.select)
      .join(', ');
    const bySqlName = new Map(model.columns.map((spec) => [spec.column ?? spec.name, spec.name]));
    this.uniqueKeys = model.indexes
      .filter((index) => index.unique)
      .map((index) => ({ name: index.name, columns: index.columns.map((column) => bySqlName.get(column) ?? column) }));
    this.transactional = model.engine.toLowerCase() === 'innodb';
    this.readOnly = model.readOnly === true || model.view === true || !this.keyed;
    this.segmentMarker = `/${model.resource}/`;
    this.auditable = this.columns.filter((column) => !column.readOnly && !column.primaryKey && !column.writeOnly);
    this.createDefaults = Object.fromEntries(
      model.columns
        .filter((spec) => 'default' in spec && spec.readOnly !== true)
        .map((spec) => [spec.name, spec.default]),
    );
    const decoded = this.columns.filter(
      (column) => !column.writeOnly && decoderOf(column.rule, column.zeroDate) !== undefined,
    );
    this.decodedNames = decoded.map((column) => column.name);
    this.decoders = decoded.map((column) => DECODERS.indexOf(decoderOf(column.rule, column.zeroDate)!));
    this.floatScales = decoded.map((column) => (column.rule.kind === 'float' ? column.rule.scale : undefined));
  }

  /** The resource a column refers to, when it holds another model's key. */
  target(column: string): Resource | undefined {
    const reference = this.byName.get(column)?.spec.references;
    return reference === undefined ? undefined : this.lookup(reference.resource);
  }

  /** The label column a reference names, if any. */
  label(column: string): string | undefined {
    return this.byName.get(column)?.spec.references?.label;
  }

  /** Driver row → API values, in place. Works on partial rows (`fields=`). */
  decode(row: Row): Row {
    // Indexed loops: this runs for every row read.
    for (let index = 0; index < this.decodedNames.length; index++) {
      const name = this.decodedNames[index]!;
      const value = row[name];
      // A partial row (`fields=`) lacks some columns: those stay absent.
      if (value === undefined) continue;
      switch (this.decoders[index]) {
        case 0:
          row[name] = decimalToNumber(value);
          break;
        case 1:
          row[name] = floatToNumber(value, this.floatScales[index]);
          break;
        case 2:
          row[name] = zeroDateToNull(value);
          break;
        case 3:
          row[name] = bitsToInteger(value);
          break;
        case 4:
          row[name] = bytesToBase64(value);
          break;
        case 5:
          row[name] = setToArray(value);
          break;
        case 6:
          row[name] = parseJson(value);
          break;
        case 7:
          row[name] = trimFraction(value);
      }
    }
    return row;
  }
}

/** Every model by resource name, each able to follow its references to the others. */
export class Registry {
  private readonly resources = new Map<string, Resource>();

  constructor(models: readonly ResourceModel[]) {
    for (const model of models)
      this.resources.set(model.resource, new Resource(model, (name) => this.resources.get(name)));
  }

  get(name: string): Resource | undefined {
    return this.resources.get(name);
  }

  all(): Resource[] {
    return [...this.resources.values()];
  }
}
