/**
 * A write the database refused for a unique key becomes the store's conflict
 * naming the fields of that key, whatever the database called it.
 */
import { DuplicateKeyError } from '../db/errors.js';
import { conflict, type FieldProblem } from './errors.js';
import type { Resource } from './resource.js';

export function conflictFor(resource: Resource, error: unknown): unknown {
  if (!(error instanceof DuplicateKeyError)) return error;
  let fields =
    error.key === 'PRIMARY'
      ? resource.key.map((column) => column.name)
      : resource.uniqueKeys.find((key) => key.name === error.key)?.columns;
  if (fields === undefined) {
    const bySqlName = new Map(resource.columns.map((column) => [column.spec.column ?? column.name, column.name]));
    fields = error.columns.map((name) => bySqlName.get(name) ?? name);
  }
  const problems: FieldProblem[] = fields.map((field) => ({ field, message: 'is already taken by another row' }));
  const names = fields.join(', ') || 'a unique key';
  return conflict(`a ${resource.name} with this ${names} already exists`, problems);
}
