/**
 * Does the live database still match the schema files the service was
 * generated from? Checked at startup (differences are logged) and by the
 * readiness endpoint, with the same comparison as `a2gen diff`.
 */
import { diffTable, type ExpectedTable } from '../introspection/diff-table.js';
import { readTables } from '../introspection/read-table.js';
import type { ResourceModel } from './store/model.js';
import type { Db } from './db/db.js';

const USER_TABLE_EXISTS = {
  mysql: "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'user'",
  sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'user'",
} as const;

export interface SchemaReport {
  /** Every table exists and matches its schema file. */
  agrees: boolean;
  /** Differences per table, as `a2gen diff` prints them. */
  differences: Record<string, string[]>;
}

/** The table as its schema file describes it (columns, keys, options), to check the live database against. */
export function expectedTable(model: ResourceModel): ExpectedTable {
  const properties: ExpectedTable['properties'] = {};
  for (const column of model.columns) {
    properties[column.name] = {
      'x-sql': {
        type: column.type,
        nullable: column.nullable === true && column.zeroDate !== true,
        default: column.sqlDefault,
        autoIncrement: column.autoIncrement,
        column: column.column,
      },
    };
  }
  const keyColumns = model.primaryKey.map((name) => model.columns.find((column) => column.name === name)!);
  return {
    'x-a2gen': {
      table: model.table,
      primaryKey: keyColumns.map((column) => column.column ?? column.name),
      view: model.view,
      engine: model.engine,
      collation: model.collation,
      indexes: model.indexes.map((index) => ({ name: index.name, unique: index.unique, columns: [...index.columns] })),
    },
    properties,
  };
}

export async function checkSchema(db: Db, models: readonly ResourceModel[]): Promise<SchemaReport> {
  const differences: Record<string, string[]> = {};
  // Every table's facts in four queries, however many tables there are.
  const live = db.adapter.introspection
    ? await readTables(
        (sql, params) => db.all(sql, (params ?? []) as never[]),
        models.map((model) => model.table),
      )
    : undefined;
  for (const model of models) {
    const table = model.table;
    let found: string[];
    if (live !== undefined) {
      found = diffTable(expectedTable(model), live.get(table));
    } else {
      // The embedded tables are created from the generated DDL: only their presence can drift. A view
      // there is a view when its schema file defines it, else a table of its columns.
      const rows = await db.all("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", [table]);
      found = rows.length === 0 ? [`${table}: table missing from the database`] : [];
    }
    if (found.length > 0) differences[table] = found;
  }
  // The runtime's own table: without it no one can log in.
  if ((await db.all(USER_TABLE_EXISTS[db.dialect])).length === 0)
    differences.user = ['user: table missing (the service creates it as soon as it can)'];
  return { agrees: Object.keys(differences).length === 0, differences };
}

/** Caches the last report briefly, so a busy readiness probe does not query information_schema each time. */
export class SchemaMonitor {
  private last: { at: number; report: Promise<SchemaReport> } | undefined;

  constructor(
    private readonly db: Db,
    private readonly models: readonly ResourceModel[],
    private readonly maxAgeMs = 10_000,
  ) {}

  report(): Promise<SchemaReport> {
    const now = Date.now();
    if (this.last === undefined || now - this.last.at > this.maxAgeMs) {
      const report = checkSchema(this.db, this.models);
      // A failed check (database away) is not cached: the next probe tries again.
      report.catch(() => (this.last = undefined));
      this.last = { at: now, report };
    }
    return this.last.report;
  }
}
