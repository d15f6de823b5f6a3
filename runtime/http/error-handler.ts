/**
 * Renders every error as JSON {"error", "code", "fields"} with the right
 * status. Client mistakes are 4xx; a database that is away is 503; only a
 * bug in a2gen itself can still be a 500, and it is logged as one.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { DatabaseUnavailableError, InvalidValueError, MissingTableError } from '../db/errors.js';
import { describeProblems, statusOf, type FieldProblem } from './errors.js';
import { StoreError } from '../store/errors.js';
import { firstBodyProblems } from './validation.js';

export interface ErrorBody {
  error: string;
  code: string;
  fields?: FieldProblem[];
}

/** Fastify's own client-error codes, mapped to ours. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_body',
  FST_ERR_BAD_URL: 'bad_url',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

/** Our codes are created upper case by @fastify/error; the API shows them in lower case. */
function stableCode(code: string | undefined): string {
  if (code === undefined) return 'bad_request';
  if (code in FASTIFY_CODES) return FASTIFY_CODES[code]!;
  // Ours: upper case from @fastify/error, or already lower case (the Basic auth error's `unauthorized`).
  if (/^[a-z_]+$/.test(code)) return code;
  return code.startsWith('FST_') || !/^[A-Z_]+$/.test(code) ? 'bad_request' : code.toLowerCase();
}

export function errorResponse(error: FastifyError & { fields?: FieldProblem[] }): { status: number; body: ErrorBody } {
  if (error.validation) {
    const { fields, more } = firstBodyProblems(error.validation as unknown as ErrorObject[]);
    const rest = more > 0 ? `; and ${more} more field${more === 1 ? '' : 's'}` : '';
    return {
      status: 400,
      body: { error: `invalid request body: ${describeProblems(fields)}${rest}`, code: 'invalid_body', fields },
    };
  }
  if (error instanceof StoreError) {
    return {
      status: statusOf(error),
      body: { error: error.message, code: error.code, ...(error.fields && { fields: error.fields }) },
    };
  }
  if (error instanceof MissingTableError) {
    return { status: 503, body: { error: `table ${error.table} is missing from the database`, code: 'table_missing' } };
  }
  if (error instanceof DatabaseUnavailableError) {
    return {
      status: 503,
      body: { error: 'the database is unavailable; try again shortly', code: 'database_unavailable' },
    };
  }
  if (error instanceof InvalidValueError) {
    const fields = error.column ? [{ field: error.column, message: 'is not accepted by the database' }] : undefined;
    return {
      status: 400,
      body: {
        error: `the database refused a value: ${error.message}`,
        code: 'invalid_value',
        ...(fields && { fields }),
      },
    };
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = stableCode(error.code);
    return { status, body: { error: error.message, code, ...(error.fields && { fields: error.fields }) } };
  }
  if (status === 503) return { status, body: { error: error.message, code: stableCode(error.code) } };
  return { status: 500, body: { error: 'internal error', code: 'internal_error' } };
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = errorResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).type('application/json; charset=utf-8').send(body);
  });
}
