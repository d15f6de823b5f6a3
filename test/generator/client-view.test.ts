/**
 * The typed client describes what the runtime serves: for every model, its
 * row fields are the columns a response carries, its create and patch fields
 * the columns a create and an update take, its key the key columns in order,
 * and each filterable field takes exactly the operators the runtime accepts
 * for that column (runtime/store/resource.ts, from common/operators.ts).
 */
import t from 'tap';
import { COMPARISON_OPERATORS, TEXT_OPERATORS } from '../../common/operators.js';
import { models as generatedModels } from '../../generated/index.js';
import { clientView } from '../../generator/client-view.js';
import { loadSchemas } from '../../generator/load-schemas.js';
import { buildTableModel } from '../../generator/model.js';
import { resourceSchemas } from '../../runtime/http/schemas.js';
import { Registry } from '../../runtime/store/resource.js';
import { repoRoot } from './fixtures/helpers.js';

const view = clientView((await loadSchemas(repoRoot)).map(buildTableModel));
const registry = new Registry(generatedModels);
const GROUPS: Record<string, readonly string[]> = {
  ComparisonOperator: COMPARISON_OPERATORS,
  PatternOperator: TEXT_OPERATORS,
};
const sets = new Map(view.operatorSets.map((set) => [set.name, set.members]));

/** The operators a named set stands for. */
function operatorsOf(name: string): string[] {
  const members = sets.get(name) ?? name;
  return members
    .split(' | ')
    .flatMap((member) => GROUPS[member] ?? [member.replace(/'/g, '')])
    .sort();
}

t.equal(view.tables.length, generatedModels.length, 'one entry a model');
for (const table of view.tables) {
  t.test(table.resource, async (t) => {
    const resource = registry.get(table.resource)!;
    const schemas = resourceSchemas(resource);
    const names = (fields: { name: string }[]) => fields.map((field) => field.name).sort();
    t.strictSame(names(table.row), Object.keys((schemas.row as { properties: object }).properties).sort(), 'row');
    t.equal(table.readOnly, resource.readOnly, 'read-only or not');
    if (!resource.readOnly) {
      const writable = (schema: object) =>
        Object.entries((schema as { properties: Record<string, { readOnlyColumn?: boolean }> }).properties)
          .filter(([, property]) => property.readOnlyColumn !== true)
          .map(([name]) => name)
          .sort();
      t.strictSame(names(table.create), writable(schemas.create), 'create: what the create schema takes');
      t.strictSame(names(table.patch), writable(schemas.update), 'patch: what the update schema takes');
      const required = (schemas.create as { required: string[] }).required;
      t.strictSame(
        table.create.filter((field) => !field.optional).map((field) => field.name),
        required,
        'required on create',
      );
    }
    t.equal(table.keyed, resource.keyed, 'keyed or list-only');
    if (resource.keyed)
      t.match(table.keyType, new RegExp(`readonly \\[${resource.key.map((column) => `${column.name}: `).join('.*')}`));
    for (const column of resource.columns) {
      const filter = table.filters.find((candidate) => candidate.name === column.name);
      if (column.operators.length === 0) {
        t.equal(filter, undefined, `${column.name}: no filter`);
        continue;
      }
      t.strictSame(operatorsOf(filter!.operators), [...column.operators].sort(), `${column.name}: its operators`);
      t.equal(filter!.via !== undefined, resource.target(column.name) !== undefined, `${column.name}: via a reference`);
    }
  });
}
