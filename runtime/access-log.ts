/**
 * One access log line per request instead of Fastify's two ("incoming
 * request" and "request completed"): the completed line carries everything
 * the pair did (request id, method, URL, client, status, time), for half the
 * logging CPU or less (bench/micro/access-log.ts). Errors keep Fastify's own lines.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import pino from 'pino';

/**
 * Standard output, written in blocks of 4 KB (about fifteen access lines)
 * or once a second, whichever comes first: a write per line cost ~13 µs of
 * CPU more per request (bench/micro/log-writes.ts), ~10 % of a GET. pino
 * flushes what is left when the process exits; a SIGKILL can lose the last second.
 */
export function logDestination(): ReturnType<typeof pino.destination> {
  return pino.destination({ dest: 1, minLength: 4096, periodicFlush: 1000 });
}

export class AccessLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (error) {
      super.requestCompleted(error, request, reply, metadata);
      return;
    }
    if (this.isLogDisabled(request)) return;
    reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
