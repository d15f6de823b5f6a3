/**
 * Microbenchmark: CPU per request of the access log (`node dist/bench/micro/access-log.js`):
 * Fastify's two lines against runtime/access-log.ts's one, with no access
 * log for reference. Requests are injected (no sockets), to a file logger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { AccessLogController } from '../../runtime/access-log.js';
import { interleaved } from './interleaved.js';

const directory = mkdtempSync(path.join(os.tmpdir(), 'a2gen-micro-log-'));
let files = 0;
async function app(level: string, logController?: AccessLogController, buffered = false): Promise<FastifyInstance> {
  const dest = path.join(directory, `${files++}.log`);
  const stream = pino.destination(buffered ? { dest, minLength: 4096, periodicFlush: 1000 } : { dest });
  const logger = { level, redact: ['req.headers.authorization'], stream };
  const server = Fastify({ logger, ...(logController ? { logController } : {}) });
  server.get('/api/card/:id/', async () => ({ id: 1, username: 'x' }));
  await server.ready();
  return server;
}
try {
  const two = await app('info');
  const one = await app('info', new AccessLogController());
  const buffered = await app('info', new AccessLogController(), true);
  const none = await app('warn');
  const headers = { authorization: 'Basic YWRtaW46c2VjcmV0' };
  await interleaved(
    {
      "Fastify's two lines (before)": () => two.inject({ url: '/api/card/7/', headers }),
      'one line': () => one.inject({ url: '/api/card/7/', headers }),
      'one line, written in 4 KB blocks (now)': () => buffered.inject({ url: '/api/card/7/', headers }),
      'no access log (level warn)': () => none.inject({ url: '/api/card/7/', headers }),
    },
    { concurrency: 10, calls: 5000, unit: 'injected request' },
  );
  await Promise.all([two.close(), one.close(), buffered.close(), none.close()]);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
