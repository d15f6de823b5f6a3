/**
 * FOREIGN KEY constraints: checked against the file's properties, declared
 * in the DDL where both databases can enforce them, and the order tables
 * are created in so that a referenced table exists before its references.
 */
import type { ForeignKeySchema } from './load-schemas.js';
import type { ColumnModel, ForeignKeyModel, TableModel } from './table-model.js';

export function foreignKeysOf(
  keys: readonly ForeignKeySchema[],
  byName: ReadonlyMap<string, ColumnModel>,
  fail: (pointer: string, message: string) => never,
): ForeignKeyModel[] {
  return keys.map((key, position) => {
    const pointer = `/x-a2gen/foreignKeys/${position}`;
    const columns = key.columns.map(
      (name, index) => byName.get(name) ?? fail(`${pointer}/columns/${index}`, `"${name}" is not a property`),
    );
    if (key.references.columns.length !== columns.length)
      fail(
        `${pointer}/references/columns`,
        `${columns.length} column(s) cannot reference ${key.references.columns.length} column(s)`,
      );
    return {
      name: key.name,
      properties: columns.map((column) => column.name),
      columns: columns.map((column) => column.column),
      table: key.references.table,
      referencedColumns: key.references.columns,
      onDelete: key.onDelete ?? 'RESTRICT',
      onUpdate: key.onUpdate ?? 'RESTRICT',
    };
  });
}

/** The same columns, in any order. */
function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((column) => b.includes(column));
}

/**
 * The constraints the generated DDL declares: those whose referenced table is
 * built too and whose referenced columns are its primary key or a unique key
 * (SQLite enforces nothing else, and MySQL cannot point at a table it lacks).
 * The others stay data in the model; the live MySQL database still enforces them.
 */
export function declaredForeignKeys(model: TableModel, models: readonly TableModel[]): ForeignKeyModel[] {
  return model.foreignKeys.filter((key) => {
    const target = models.find((other) => other.table === key.table);
    if (target === undefined) return false;
    const keys = [
      target.primaryKey.map((column) => column.column),
      ...target.indexes.filter((index) => index.unique).map((index) => index.columns),
    ];
    return keys.some((columns) => sameColumns(columns, key.referencedColumns));
  });
}

/**
 * The models in the order their tables are created: each after the tables it
 * references, otherwise in their usual order. On a cycle of references each
 * table still comes once, but one of them is created before a table it
 * references, which MySQL refuses unless foreign_key_checks is off.
 */
export function creationOrder(models: readonly TableModel[]): TableModel[] {
  const ordered: TableModel[] = [];
  const placed = new Set<TableModel>();
  const visiting = new Set<TableModel>();
  const place = (model: TableModel) => {
    if (placed.has(model) || visiting.has(model)) return;
    visiting.add(model);
    for (const key of declaredForeignKeys(model, models)) {
      const target = models.find((other) => other.table === key.table);
      if (target !== undefined && target !== model) place(target);
    }
    visiting.delete(model);
    placed.add(model);
    ordered.push(model);
  };
  for (const model of models) place(model);
  return ordered;
}
