/**
 * Sheds load with 503 + Retry-After (@fastify/under-pressure) when the event
 * loop lags, so a saturated process answers quickly instead of queueing
 * everyone. The lag of the service's own startup (compiling every route's
 * schemas) is not load: it is ignored until the sampler has seen the service
 * settled.
 */
import createError from '@fastify/error';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';

const RETRY_AFTER_SECONDS = 5;
/** under-pressure measures over 1 s windows: two of them after ready cover the startup stall. */
const SETTLE_MS = 2000;

const OverloadedError = createError('overloaded', 'the service is overloaded; retry shortly', 503);

export async function registerLoadShedding(app: FastifyInstance, maxEventLoopDelayMs: number): Promise<void> {
  let settledAt = Number.POSITIVE_INFINITY;
  app.addHook('onReady', async () => {
    settledAt = Date.now() + SETTLE_MS;
  });
  await app.register(underPressure, {
    maxEventLoopDelay: maxEventLoopDelayMs,
    retryAfter: RETRY_AFTER_SECONDS,
    pressureHandler: async (_request, reply) => {
      if (Date.now() < settledAt) return;
      reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
      throw new OverloadedError();
    },
  });
}
