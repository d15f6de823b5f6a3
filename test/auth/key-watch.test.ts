/**
 * The key watch against a database that fails: the failure is reported once
 * until a reading succeeds, the ring keeps what it last read only for as long
 * as it may be trusted, and last uses that could not be written are written
 * by the next beat that can, never lost and never moved back in time.
 */
import t from 'tap';
import { ApiKeyStore, READ_LIVE_KEYS } from '../../runtime/auth/api-key-store.js';
import { KEY_RING_MAX_AGE_MS, KeyRing } from '../../runtime/auth/key-ring.js';
import { KeyWatch } from '../../runtime/auth/key-watch.js';
import { DatabaseUnavailableError } from '../../runtime/db/errors.js';
import { emptyDatabases } from '../helpers/empty-databases.js';
import { wrapDb } from '../helpers/wrapped-db.js';

t.test('a failing database: reported once, the ring trusted for a while, uses kept', async (t) => {
  const db = await emptyDatabases.sqlite!(t);
  let down = false;
  const unavailable = () => Promise.reject(new DatabaseUnavailableError('database unavailable: connect ECONNREFUSED'));
  const flaky = wrapDb(db, {
    all: (sql, params) => (down ? unavailable() : db.all(sql, params)),
    run: (sql, params) => (down ? unavailable() : db.run(sql, params)),
  });
  let now = Date.now();
  const keys = new ApiKeyStore(flaky, () => now);
  await keys.ensureTable();
  const { token } = await keys.create({ name: 'k', role: 'admin', attributes: {}, owner: '', expiresAt: null });
  const ring = new KeyRing(() => now);
  const errors: unknown[] = [];
  const watch = new KeyWatch(keys, ring, {
    intervalMs: 60_000,
    onError: (error) => errors.push(error),
    onUnreadable: () => undefined,
  });
  t.teardown(() => watch.stop());
  await watch.start();
  t.ok(ring.fresh);
  t.match(ring.verify(token), { username: 'key:k' });

  down = true;
  now += 1000;
  await watch.check();
  await watch.check();
  t.equal(errors.length, 1, 'reported once while it lasts');
  t.match(ring.verify(token), { username: 'key:k' }, 'the last reading still holds');
  now += KEY_RING_MAX_AGE_MS;
  t.notOk(ring.fresh, 'but not past the limit: Bearer requests get 503');

  down = false;
  now += 1000;
  await watch.check();
  t.ok(ring.fresh, 'fresh again once read');
  const [row] = await db.all('SELECT `last_used_at` FROM `a2gen_api_key` WHERE `name` = ?', ['k']);
  t.equal(Number(row!.last_used_at), now - 1000 - KEY_RING_MAX_AGE_MS, 'the use made while it was down, written now');
  t.equal(errors.length, 1);

  await db.run('UPDATE `a2gen_api_key` SET `last_used_at` = ? WHERE `name` = ?', [now + 5000, 'k']);
  ring.verify(token);
  await watch.check();
  const [later] = await db.all('SELECT `last_used_at` FROM `a2gen_api_key` WHERE `name` = ?', ['k']);
  t.equal(Number(later!.last_used_at), now + 5000, 'a later use another worker wrote is not moved back');
  t.ok(READ_LIVE_KEYS.includes('`revoked_at` IS NULL'), 'the reading leaves revoked keys out');
});
