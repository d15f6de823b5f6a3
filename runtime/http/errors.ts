/**
 * Errors only HTTP has: each a stable `code` and a status. The store's own
 * errors (runtime/store/errors.ts) get their status in the error handler.
 * Rendered as {"error": "...", "code": "...", "fields": [...]}.
 */
import createError, { type FastifyError } from '@fastify/error';
import { describeProblems, type FieldProblem } from '../store/errors.js';

export { describeProblems, type FieldProblem } from '../store/errors.js';

export const InvalidBodyError = createError('invalid_body', 'invalid request body: %s', 400);
export const NotFoundError = createError('not_found', '%s', 404);
export const MethodNotAllowedError = createError('method_not_allowed', 'method %s is not allowed on %s', 405);
export const DatabaseUnavailableHttpError = createError('database_unavailable', '%s', 503);
export const TableMissingHttpError = createError('table_missing', '%s', 503);

export interface ApiErrorWithFields extends FastifyError {
  fields?: FieldProblem[];
}

export function invalidBody(problems: FieldProblem[]): ApiErrorWithFields {
  return Object.assign(new InvalidBodyError(describeProblems(problems)), { fields: problems });
}
