/**
 * The API's errors: each a stable `code`, an HTTP status and, for bad input,
 * the fields at fault. The error handler renders them as
 * {"error": "...", "code": "...", "fields": [...]}.
 */
import createError, { type FastifyError } from '@fastify/error';

export interface FieldProblem {
  /** The body field or query parameter at fault. */
  field: string;
  message: string;
  /** "did you mean …" when the name looks like a typo. */
  hint?: string;
}

export const InvalidBodyError = createError('invalid_body', 'invalid request body: %s', 400);
export const InvalidQueryError = createError('invalid_query', 'invalid query: %s', 400);
export const NotFoundError = createError('not_found', '%s', 404);
export const MethodNotAllowedError = createError('method_not_allowed', 'method %s is not allowed on %s', 405);
export const ConflictError = createError('conflict', '%s', 409);
/** If-Match named a version of the row that is no longer current: nothing was written. */
export const PreconditionFailedError = createError('precondition_failed', '%s', 412);
export const DatabaseUnavailableHttpError = createError('database_unavailable', '%s', 503);
export const TableMissingHttpError = createError('table_missing', '%s', 503);

export interface ApiErrorWithFields extends FastifyError {
  fields?: FieldProblem[];
}

/** Summarises field problems into one readable sentence. */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems
    .map((problem) => `${problem.field} ${problem.message}${problem.hint ? ` (${problem.hint})` : ''}`)
    .join('; ');
}

export function invalidQuery(problems: FieldProblem[]): ApiErrorWithFields {
  return Object.assign(new InvalidQueryError(describeProblems(problems)), { fields: problems });
}

export function invalidBody(problems: FieldProblem[]): ApiErrorWithFields {
  return Object.assign(new InvalidBodyError(describeProblems(problems)), { fields: problems });
}
