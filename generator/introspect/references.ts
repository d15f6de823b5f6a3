/**
 * Which introspected foreign keys become a column's x-references: a
 * single-column key pointing at the whole primary key of a table a2gen
 * serves (a schema file already there, or one written in the same run).
 * The label is the referenced table's first NOT NULL CHAR/VARCHAR column
 * outside its key: what people most likely call its rows by; else none.
 */
import type { PropertySchema, TableSchema } from '../load-schemas.js';
import type { ForeignKeyFacts } from '../../introspection/read-foreign-keys.js';

export interface Reference {
  resource: string;
  label?: string;
}

const sqlColumn = ([name, property]: [string, PropertySchema]) => property['x-sql'].column ?? name;

function labelOf(target: TableSchema): string | undefined {
  const key = new Set(target['x-a2gen'].primaryKey ?? []);
  const found = Object.entries(target.properties).find(
    ([name, property]) =>
      !key.has(name) &&
      !property.writeOnly &&
      !property['x-sql'].nullable &&
      /^(var)?char\b/.test(property['x-sql'].type),
  );
  return found?.[0];
}

/** x-references by referencing SQL column, for the keys whose target is known (schemas by table). */
export function referencesOf(
  foreignKeys: readonly ForeignKeyFacts[],
  known: ReadonlyMap<string, TableSchema>,
): Map<string, Reference> {
  const references = new Map<string, Reference>();
  for (const key of foreignKeys) {
    const target = known.get(key.referencedTable);
    if (target === undefined || key.columns.length !== 1) continue;
    // A table without a primary key (served by a unique key) is not referenced this way.
    const targetKey = target['x-a2gen'].primaryKey ?? [];
    const keyProperty = Object.entries(target.properties).find(([name]) => name === targetKey[0]);
    if (targetKey.length !== 1 || keyProperty === undefined || sqlColumn(keyProperty) !== key.referencedColumns[0])
      continue;
    const label = labelOf(target);
    references.set(key.columns[0]!, { resource: target['x-a2gen'].resource, ...(label && { label }) });
  }
  return references;
}
