/**
 * `X-Content-Type-Options: nosniff` on every answer (API, admin, docs,
 * health, errors, 404s): a browser must never guess that a JSON answer, which
 * may hold text a client stored, is HTML or a script.
 */
import type { FastifyInstance } from 'fastify';

export const NOSNIFF: readonly [string, string] = ['x-content-type-options', 'nosniff'];

/** On the root instance, before any route: every scope inherits it. Null: nothing to do. */
export function registerNoSniff(app: FastifyInstance | null): void {
  app?.addHook('onRequest', (_request, reply, done) => {
    reply.header(NOSNIFF[0], NOSNIFF[1]);
    done();
  });
}
