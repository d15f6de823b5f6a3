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
  for (const model of models) checkSearchRelated(model, byResource);
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

/** `x-admin.searchRelated`: a model with one column referencing this one, and a readable text column of it. */
function checkSearchRelated(model: TableModel, byResource: Map<string, TableModel>): void {
  (model.admin.searchRelated ?? []).forEach((entry, position) => {
    const pointer = `/x-admin/searchRelated/${position}`;
    const [resource, name] = entry.split('.') as [string, string];
    const other = byResource.get(resource);
    if (other === undefined) throw new ModelError(model.source, pointer, `no model has the resource "${resource}"`);
    const referring = other.columns.filter((column) => column.references?.resource === model.resource);
    if (referring.length !== 1)
      throw new ModelError(
        model.source,
        pointer,
        `${resource} must have exactly one column referencing ${model.resource}; it has ${referring.length}`,
      );
    const column = other.columns.find((candidate) => candidate.name === name);
    if (column === undefined || column.writeOnly || column.kind !== 'string')
      throw new ModelError(model.source, pointer, `"${name}" is not a readable text property of ${resource}`);
  });
}
