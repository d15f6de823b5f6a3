/**
 * The store's own errors: what went wrong with a read or a write, in terms of
 * rows and fields, with a stable code. The HTTP faces turn them into statuses
 * (runtime/http/error-handler.ts); the store knows nothing of HTTP.
 */

export interface FieldProblem {
  /** The body field or query parameter at fault. */
  field: string;
  message: string;
  /** "did you mean …" when the name looks like a typo. */
  hint?: string;
}

export type StoreErrorCode =
  | 'not_found'
  | 'conflict'
  | 'reference_not_found'
  | 'still_referenced'
  | 'precondition_failed'
  | 'invalid_query'
  | 'invalid_body'
  | 'too_many_rows'
  | 'forbidden';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly fields?: FieldProblem[],
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Summarises field problems into one readable sentence. */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems
    .map((problem) => `${problem.field} ${problem.message}${problem.hint ? ` (${problem.hint})` : ''}`)
    .join('; ');
}

/** No row has that key (any more). */
export function notFound(resource: string, key: string): StoreError {
  return new StoreError('not_found', `${resource} ${key} not found`);
}

/** A unique key or a bound would be violated: nothing was written. */
export function conflict(message: string, fields?: FieldProblem[]): StoreError {
  return new StoreError('conflict', message, fields);
}

/** A column (or the columns of a composite foreign key) points at no row of the table it references: nothing was written. */
export function referenceNotFound(message: string, fields?: FieldProblem[]): StoreError {
  return new StoreError('reference_not_found', message, fields);
}

/** Rows of another table point at the row being deleted or re-keyed: it stays as it was. */
export function stillReferenced(message: string, fields?: FieldProblem[]): StoreError {
  return new StoreError('still_referenced', message, fields);
}

/** The row is no longer what the caller read (If-Match, the admin's edit form): nothing was written. */
export function preconditionFailed(resource: string, key: string): StoreError {
  return new StoreError(
    'precondition_failed',
    `${resource} ${key} has changed since it was read (If-Match): nothing was written`,
  );
}

/** Values that pass their own columns' rules but not what an operation makes of them: nothing was written. */
export function invalidValues(problems: FieldProblem[]): StoreError {
  return new StoreError('invalid_body', `invalid request body: ${describeProblems(problems)}`, problems);
}

/** A list query names unknown fields or operators, or values that do not fit them. */
export function invalidQuery(problems: FieldProblem[]): StoreError {
  return new StoreError('invalid_query', `invalid query: ${describeProblems(problems)}`, problems);
}

/** A bulk update or delete matches more rows than its caller allowed (Prefer: max-affected): nothing changed. */
export function tooManyRows(resource: string, limit: number): StoreError {
  return new StoreError(
    'too_many_rows',
    `more than ${limit} ${resource} row${limit === 1 ? '' : 's'} match (Prefer: max-affected=${limit}): nothing was changed`,
  );
}

/** The caller's role may not do this (an operation, or writing a column); `fields` names the columns. */
export function forbidden(message: string, fields?: FieldProblem[]): StoreError {
  return new StoreError('forbidden', message, fields);
}
