/**
 * Which client a database call is made for, so the read/write split can send
 * a client's reads to the primary for a while after that client wrote. The
 * request travels from an onRequest hook down to the Db wrapper in an
 * AsyncLocalStorage, because generated query modules only ever see a Db.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const storage = new AsyncLocalStorage<FastifyRequest>();

/**
 * The current request's client: its user once authenticated (API Basic auth
 * or admin session), else its address; undefined outside any request (startup,
 * CLI commands).
 */
export function currentClient(): string | undefined {
  const request = storage.getStore();
  return request === undefined ? undefined : clientOf(request);
}

/** A request's client: its user once authenticated (API Basic auth or admin session), else its address. */
export function clientOf(request: FastifyRequest): string {
  const user = request.user ?? (request as { adminUser?: { id: number } | null }).adminUser;
  return user ? `user:${user.id}` : `address:${request.ip}`;
}

/** Makes currentClient() answer for every request of `app` (register it on the root instance, first). */
export function registerClientContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => storage.run(request, done));
  // A parsed body resumes in the socket's async context, not the request's: enter it again before the handler.
  app.addHook('preHandler', (request, _reply, done) => storage.run(request, done));
}

/** Runs `fn` as if serving `request` (tests, and code outside the hook chain). */
export function runAsClient<T>(request: FastifyRequest, fn: () => T): T {
  return storage.run(request, fn);
}
