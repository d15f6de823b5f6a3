/**
 * Before a bulk create writes anything: rows that would break a unique key,
 * either two rows of the batch with the same value or a row whose value the
 * table already holds. Found here, the answer names each row (`[3].username`);
 * the database's own refusal, which names no row, remains the backstop.
 */
import type { Db, SqlValue } from '../db/db.js';
import { bound } from './sql-builder.js';
import { selectTaken, MAX_PARAMETERS } from './bulk-sql.js';
import { conflict, type FieldProblem } from './errors.js';
import type { Column, Resource } from './resource.js';

/** How many problems an answer lists (as for a body's fields). */
const LISTED = 20;

/** Every unique key whose values a create sends: unique indexes, and a key chosen by the client. */
function uniqueColumnSets(resource: Resource): Column[][] {
  const sets = resource.uniqueKeys.map((key) => key.columns.map((name) => resource.byName.get(name)!));
  if (resource.key.length > 0 && !resource.key.some((column) => column.spec.autoIncrement))
    sets.unshift([...resource.key]);
  return sets.filter((columns) => columns.every((column) => column !== undefined));
}

/** The values a row binds for `columns`, or undefined when one is left to the database or NULL (NULLs never collide). */
function valuesOf(
  resource: Resource,
  row: Record<string, unknown>,
  columns: readonly Column[],
): SqlValue[] | undefined {
  const values: SqlValue[] = [];
  for (const column of columns) {
    const value = row[column.name] ?? resource.createDefaults[column.name];
    if (value === undefined || value === null) return undefined;
    values.push(bound(column, value));
  }
  return values;
}

const signature = (values: readonly unknown[]) => JSON.stringify(values.map((value) => String(value)));

export async function checkUniqueValues(
  db: Db,
  resource: Resource,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const problems: FieldProblem[] = [];
  let more = 0;
  const report = (index: number, columns: readonly Column[], message: string) => {
    if (problems.length >= LISTED) return void more++;
    problems.push({ field: `[${index}].${columns.map((column) => column.name).join(',')}`, message });
  };
  for (const columns of uniqueColumnSets(resource)) {
    const first = new Map<string, number>();
    const candidates: { index: number; values: SqlValue[] }[] = [];
    rows.forEach((row, index) => {
      const values = valuesOf(resource, row, columns);
      if (values === undefined) return;
      const seen = first.get(signature(values));
      if (seen !== undefined) return report(index, columns, `has the same value as row [${seen}]`);
      first.set(signature(values), index);
      candidates.push({ index, values });
    });
    const perStatement = Math.floor(MAX_PARAMETERS / columns.length);
    for (let start = 0; start < candidates.length; start += perStatement) {
      const slice = candidates.slice(start, start + perStatement);
      const statement = selectTaken(
        resource,
        columns,
        slice.map((candidate) => candidate.values),
      );
      const taken = new Set(
        (await db.all(statement.sql, statement.params)).map((row) =>
          signature(columns.map((column) => row[column.name])),
        ),
      );
      for (const { index, values } of slice)
        if (taken.has(signature(values))) report(index, columns, 'is already taken by another row');
    }
  }
  if (problems.length === 0) return;
  const rest = more > 0 ? `; and ${more} more` : '';
  throw conflict(
    `${problems.length + more} row${problems.length + more === 1 ? '' : 's'} would repeat a unique value: nothing was written${rest}`,
    problems,
  );
}
