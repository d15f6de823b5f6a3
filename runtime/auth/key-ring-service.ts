/**
 * The key ring of one server: filled before the server is ready (a valid
 * key works from the first request), kept in step by the key watch while it
 * runs, its last uses written when it closes.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/db.js';
import { ApiKeyStore } from './api-key-store.js';
import { KeyRing } from './key-ring.js';
import { KeyWatch } from './key-watch.js';

export function keyRingOf(app: FastifyInstance, db: Db, intervalMs: number): KeyRing {
  const ring = new KeyRing();
  const watch = new KeyWatch(new ApiKeyStore(db), ring, {
    intervalMs,
    onError: (error) => app.log.warn({ err: error }, 'could not read or update the API keys; retrying'),
    onUnreadable: (names) =>
      app.log.error({ keys: names }, 'API keys refused: their stored attributes are not a JSON object of strings'),
  });
  app.addHook('onReady', () => watch.start());
  app.addHook('onClose', () => watch.stop());
  return ring;
}
