/**
 * Errors as JSON {"error", "code"} with the right status, like the service it is compared with.
 */
import type { FastifyError, FastifyInstance } from 'fastify';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError & { sqlMessage?: string }, request, reply) => {
    if (error instanceof HttpError)
      return reply.status(error.statusCode).send({ error: error.message, code: error.code });
    if (error.validation) return reply.status(400).send({ error: error.message, code: 'invalid_body' });
    if (error.code === 'ER_DUP_ENTRY') return reply.status(409).send({ error: 'duplicate key', code: 'conflict' });
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: error.message, code: 'bad_request' });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: 'internal error', code: 'internal_error' });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: `no route for ${request.method} ${request.url.split('?')[0]}`, code: 'not_found' });
  });
}
