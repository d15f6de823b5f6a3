/**
 * Errors only HTTP has: each a stable `code` and a status. The store's own
 * errors (runtime/store/errors.ts) get their status in the error handler.
 * Rendered as {"error": "...", "code": "...", "fields": [...]}.
 */
import createError, { type FastifyError } from '@fastify/error';
import { describeProblems, StoreError, type FieldProblem, type StoreErrorCode } from '../store/errors.js';

export { describeProblems, type FieldProblem } from '../store/errors.js';

export const InvalidBodyError = createError('invalid_body', 'invalid request body: %s', 400);
export const NotFoundError = createError('not_found', '%s', 404);
export const MethodNotAllowedError = createError('method_not_allowed', 'method %s is not allowed on %s', 405);
/** The same, saying why (a read-only resource). */
export const ReadOnlyMethodError = createError('method_not_allowed', 'method %s is not allowed on %s: %s', 405);
export const DatabaseUnavailableHttpError = createError('database_unavailable', '%s', 503);
export const TableMissingHttpError = createError('table_missing', '%s', 503);

export interface ApiErrorWithFields extends FastifyError {
  fields?: FieldProblem[];
}

export function invalidBody(problems: FieldProblem[]): ApiErrorWithFields {
  return Object.assign(new InvalidBodyError(describeProblems(problems)), { fields: problems });
}

/** The status of each of the store's errors. */
const STORE_STATUS: Record<StoreErrorCode, number> = {
  not_found: 404,
  conflict: 409,
  reference_not_found: 409,
  still_referenced: 409,
  precondition_failed: 412,
  invalid_query: 400,
  invalid_body: 400,
  too_many_rows: 409,
  forbidden: 403,
};

/** The HTTP status an error stands for: the store's by its code, Fastify's and ours by their statusCode, else 500. */
export function statusOf(error: unknown): number {
  if (error instanceof StoreError) return STORE_STATUS[error.code];
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : 500;
}
