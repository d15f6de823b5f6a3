/**
 * Microbenchmark: CPU per log line when lines come one per event-loop turn,
 * as access lines do under load (`node dist/bench/micro/log-writes.js`):
 * a write per line against 4 KB blocks (runtime/access-log.ts). Each turn
 * also spins ~100 µs, like a request; that share is the same for both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import pino from 'pino';
import { interleaved } from './interleaved.js';

const directory = mkdtempSync(path.join(os.tmpdir(), 'a2gen-micro-writes-'));
const line = {
  reqId: 'req-1a',
  req: { method: 'GET', url: '/api/card/1234/', host: '127.0.0.1:8008', remoteAddress: '127.0.0.1' },
  res: { statusCode: 200 },
};
function spin(microseconds: number): void {
  const until = performance.now() + microseconds / 1000;
  while (performance.now() < until);
}
try {
  const perLine = pino({ level: 'info' }, pino.destination({ dest: path.join(directory, 'a.log') }));
  const blocks = pino(
    { level: 'info' },
    pino.destination({ dest: path.join(directory, 'b.log'), minLength: 4096, periodicFlush: 1000 }),
  );
  const none = pino({ level: 'warn' }, pino.destination({ dest: path.join(directory, 'c.log') }));
  const turn = (logger: pino.Logger) => async () => {
    spin(100);
    logger.info({ ...line, responseTime: 0.5 }, 'request completed');
    await nextTurn();
  };
  await interleaved(
    {
      'a write per line (before)': turn(perLine),
      'written in 4 KB blocks (now)': turn(blocks),
      'not logged (reference)': turn(none),
    },
    { calls: 3000, unit: 'turn (100 µs of it spinning)' },
  );
} finally {
  rmSync(directory, { recursive: true, force: true });
}
