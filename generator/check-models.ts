/**
 * What only makes sense across schema files: unique tables, resources and
 * type names, and references that point at a model with a fitting key.
 */
import { ModelError, type TableModel } from './model.js';

/** Checks what only makes sense across files: unique tables, resources and type names; references. */
export function checkModels(models: TableModel[]): void {
  const byResource = new Map(models.map((model) => [model.resource, model]));
  for (const model of models) {
    for (const column of model.columns) {
      if (column.references === undefined) continue;
      const pointer = `/properties/${column.name}/x-references`;
      const target = byResource.get(column.references.resource);
      if (target === undefined)
        throw new ModelError(model.source, pointer, `no model has the resource "${column.references.resource}"`);
      const [targetKey, ...more] = target.key;
      if (targetKey === undefined)
        throw new ModelError(
          model.source,
          pointer,
          `${target.resource} has no key; a column cannot reference its rows`,
        );
      if (more.length > 0)
        throw new ModelError(
          model.source,
          pointer,
          `${target.resource} has a composite key; a column can reference a single-column key only`,
        );
      if (column.kind !== targetKey!.kind) {
        throw new ModelError(
          model.source,
          pointer,
          `${column.name} is ${column.sql.text}, but ${target.resource}'s key ${targetKey!.name} is ${targetKey!.sql.text}`,
        );
      }
      const label = column.references.label;
      if (label !== undefined && !target.columns.some((other) => other.name === label && !other.writeOnly)) {
        throw new ModelError(
          model.source,
          `${pointer}/label`,
          `"${label}" is not a readable property of ${target.resource}`,
        );
      }
    }
  }
  for (const key of ['table', 'resource', 'typeName'] as const) {
    const seen = new Map<string, string>();
    for (const model of models) {
      const other = seen.get(model[key]);
      const pointer = key === 'typeName' ? '/title' : `/x-a2gen/${key}`;
      if (other !== undefined)
        throw new ModelError(model.source, pointer, `${key} "${model[key]}" is also used by ${other}`);
      seen.set(model[key], model.source);
    }
  }
}
