import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyError } from 'fastify';
import tap from 'tap';
import { AUTH_CHALLENGE, registerBasicAuth, type BasicAuthOptions } from '../../runtime/auth/basic-auth.js';
import { CredentialCache } from '../../runtime/auth/credential-cache.js';
import { FailureLimiter } from '../../runtime/auth/failure-limiter.js';
import { hashPassword, verifyPassword } from '../../runtime/auth/password.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { DatabaseUnavailableError } from '../../runtime/db/errors.js';
import { emptyDatabases as dialects, type Scope } from '../helpers/empty-databases.js';

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

const INSERT = 'INSERT INTO `user` (`username`, `password`, `email`, `active`, `admin`) VALUES (?, ?, ?, ?, ?)';

interface TestApp {
  /** GET /api/ping with these headers. */
  ping(headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** Password verifications run so far. */
  verifications(): number;
}

/** A tiny app: /api/ guarded, /health not; errors rendered as the real app does, {"error", "code"}. */
async function startApp(t: Scope, users: UserStore, options: Partial<BasicAuthOptions> = {}): Promise<TestApp> {
  let verifications = 0;
  // trustProxy lets a test speak for another client address through X-Forwarded-For.
  const app = Fastify({ trustProxy: true });
  app.setErrorHandler((error: FastifyError, _request, reply) =>
    reply.status(error.statusCode ?? 500).send({ error: error.message, code: error.code }),
  );
  await app.register(async (api) => {
    registerBasicAuth(api, { users, onVerify: () => (verifications += 1), ...options });
    api.get('/api/ping', async (request) => ({ pong: true, user: request.user }));
  });
  app.get('/health', async () => ({ ok: true }));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${address}${path}`, { headers });
  return { get, ping: (headers) => get('/api/ping', headers), verifications: () => verifications };
}

/** Every refusal looks the same, whatever the reason. */
async function assertUnauthorized(
  t: { equal: typeof tap.equal; strictSame: typeof tap.strictSame },
  response: Response,
  message = 'refused',
) {
  t.equal(response.status, 401, message);
  t.equal(response.headers.get('www-authenticate'), AUTH_CHALLENGE, 'exact challenge header');
  t.strictSame(await response.json(), { error: 'invalid or missing credentials', code: 'unauthorized' });
}

for (const [dialect, open] of Object.entries(dialects)) {
  tap.test(dialect, async (t) => {
    const db = await open(t);
    const users = new UserStore(db);
    await users.ensureTable();
    await users.createOrResetAdmin({ username: 'alice', password: 'alice pw' });
    await db.run(INSERT, ['bob', await hashPassword('bob pw'), 'bob@example.com', 1, 0]);
    await db.run(INSERT, ['ivan', await hashPassword('ivan pw'), 'ivan@example.com', 0, 0]);
    await db.run(INSERT, ['zoë', await hashPassword('pässwörd€'), 'zoe@example.com', 1, 0]);
    const legacySalt = 'a1b2c';
    const legacyHash = `${legacySalt}$${createHash('sha1').update(`${legacySalt}old pw`).digest('hex')}`;
    await db.run(INSERT, ['olga', legacyHash, 'olga@example.com', 1, 0]);

    t.test('refusals: all 401 with the exact header and the same body', async (t) => {
      const app = await startApp(t, users);
      await assertUnauthorized(t, await app.ping(), 'missing header');
      await assertUnauthorized(t, await app.ping({ authorization: 'Bearer abc' }), 'other scheme');
      await assertUnauthorized(t, await app.ping({ authorization: 'Basic !!!' }), 'not base64');
      await assertUnauthorized(
        t,
        await app.ping({ authorization: `Basic ${Buffer.from('alice').toString('base64')}` }),
        'no colon',
      );
      t.equal(app.verifications(), 0, 'malformed headers run no verification');

      await assertUnauthorized(t, await app.ping({ authorization: basic('alice', 'wrong') }), 'wrong password');
      t.equal(app.verifications(), 1, 'wrong password: one verification');
      await assertUnauthorized(t, await app.ping({ authorization: basic('nobody', 'alice pw') }), 'unknown user');
      t.equal(app.verifications(), 2, 'unknown user: one verification too');
      await assertUnauthorized(t, await app.ping({ authorization: basic('ivan', 'ivan pw') }), 'inactive user');
      await assertUnauthorized(t, await app.ping({ authorization: basic('', '') }), 'empty credentials');
    });

    t.test('a scrypt row logs in; request.user is set; no admin flag needed', async (t) => {
      const app = await startApp(t, users);
      const alice = await app.ping({ authorization: basic('alice', 'alice pw') });
      t.equal(alice.status, 200);
      const aliceRow = await users.findByUsername('alice');
      t.strictSame(await alice.json(), {
        pong: true,
        user: { kind: 'user', id: aliceRow!.id, username: 'alice', admin: true, role: 'admin', attributes: {} },
      });
      const bob = await app.ping({ authorization: basic('bob', 'bob pw') });
      t.equal(bob.status, 200);
      t.match(await bob.json(), { user: { username: 'bob', admin: false } });
      t.equal((await app.ping({ authorization: basic('zoë', 'pässwörd€') })).status, 200, 'UTF-8 credentials');
    });

    t.test('a legacy SHA-1 row logs in once and is upgraded to scrypt in the table', async (t) => {
      const app = await startApp(t, users);
      await assertUnauthorized(t, await app.ping({ authorization: basic('olga', 'wrong') }), 'wrong legacy password');
      t.equal((await users.findByUsername('olga'))!.password, legacyHash, 'a failure does not touch the row');
      t.equal((await app.ping({ authorization: basic('olga', 'old pw') })).status, 200);
      const stored = (await users.findByUsername('olga'))!.password;
      t.match(stored, /^scrypt\$32768\$8\$1\$/);
      t.strictSame(await verifyPassword(stored, 'old pw'), { ok: true, needsRehash: false });
      const fresh = await startApp(t, users); // no cache: proves the new hash works
      t.equal((await fresh.ping({ authorization: basic('olga', 'old pw') })).status, 200);
    });

    t.test('successes are cached: the same credentials run no second verification', async (t) => {
      const app = await startApp(t, users);
      t.equal((await app.ping({ authorization: basic('bob', 'bob pw') })).status, 200);
      t.equal(app.verifications(), 1);
      t.equal((await app.ping({ authorization: basic('bob', 'bob pw') })).status, 200);
      t.equal(app.verifications(), 1, 'second request served from the cache');
      await assertUnauthorized(t, await app.ping({ authorization: basic('bob', 'wrong') }), 'wrong password');
      await assertUnauthorized(t, await app.ping({ authorization: basic('bob', 'wrong') }), 'wrong password');
      t.equal(app.verifications(), 3, 'failures are never cached');
    });

    t.test('concurrent requests with the same new credentials share one verification', async (t) => {
      const app = await startApp(t, users, { maxFailures: 1000 });
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => app.ping({ authorization: basic('bob', 'bob pw') })),
      );
      t.same(
        responses.map((response) => response.status),
        Array(20).fill(200),
        'all 20 succeed',
      );
      t.equal(app.verifications(), 1, 'one scrypt run for 20 concurrent requests');
      const wrong = await Promise.all(
        Array.from({ length: 5 }, () => app.ping({ authorization: basic('bob', 'nope') })),
      );
      t.same(
        wrong.map((response) => response.status),
        Array(5).fill(401),
        'a shared failure fails every waiter',
      );
      t.ok(app.verifications() <= 1 + 5, 'failures are verified, never taken from the cache');
    });

    t.test('cached successes expire after the TTL', async (t) => {
      const app = await startApp(t, users, { cacheTtlMs: 50 });
      await app.ping({ authorization: basic('bob', 'bob pw') });
      await sleep(120);
      t.equal((await app.ping({ authorization: basic('bob', 'bob pw') })).status, 200);
      t.equal(app.verifications(), 2);
    });

    t.test('repeated failures from one address get 429; valid users are not slowed', async (t) => {
      const app = await startApp(t, users, { maxFailures: 3, failureWindowMs: 60_000 });
      t.equal((await app.ping({ authorization: basic('alice', 'alice pw') })).status, 200, 'alice logs in first');
      for (let i = 0; i < 5; i++) await assertUnauthorized(t, await app.ping(), 'no credentials: not counted');
      for (let i = 0; i < 3; i++)
        await assertUnauthorized(t, await app.ping({ authorization: basic('alice', `guess ${i}`) }), 'guess');
      const before = app.verifications();

      const blocked = await app.ping({ authorization: basic('alice', 'guess 4') });
      t.equal(blocked.status, 429);
      const retryAfter = Number(blocked.headers.get('retry-after'));
      t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      t.strictSame(await blocked.json(), {
        error: 'too many failed logins from this address; retry later',
        code: 'too_many_requests',
      });
      t.equal((await app.ping({ authorization: basic('nobody', 'x') })).status, 429, 'unknown user too');
      t.equal(app.verifications(), before, 'blocked before any verification');

      const alice = await app.ping({ authorization: basic('alice', 'alice pw') });
      t.equal(alice.status, 200, 'a valid user already logged in still gets through');
      t.equal(app.verifications(), before);
      const uncached = await app.ping({ authorization: basic('bob', 'bob pw') });
      t.equal(uncached.status, 429, 'credentials not verified recently wait like everyone at that address');

      const elsewhere = await app.ping({ authorization: basic('bob', 'bob pw'), 'x-forwarded-for': '203.0.113.7' });
      t.equal(elsewhere.status, 200, 'another address is unaffected');
      t.equal((await app.get('/health')).status, 200, 'routes outside the guarded instance stay open');
    });

    t.test('the block lifts when the window passes', async (t) => {
      const app = await startApp(t, users, { maxFailures: 2, failureWindowMs: 1500 });
      await app.ping({ authorization: basic('bob', 'x') });
      await app.ping({ authorization: basic('bob', 'y') });
      const blocked = await app.ping({ authorization: basic('bob', 'bob pw') });
      t.equal(blocked.status, 429);
      t.match(blocked.headers.get('retry-after'), /^[12]$/);
      await sleep(1600);
      t.equal((await app.ping({ authorization: basic('bob', 'bob pw') })).status, 200);
    });
  });
}

tap.test('a database failure while verifying is a 503, not a 401', async (t) => {
  const broken = {
    async findByUsername() {
      throw new DatabaseUnavailableError('database unavailable: connect ECONNREFUSED');
    },
  } as unknown as UserStore;
  const app = await startApp(t, broken);
  const response = await app.ping({ authorization: basic('alice', 'alice pw') });
  t.equal(response.status, 503);
  t.equal(response.headers.get('www-authenticate'), null);
  t.equal(app.verifications(), 0);
});

tap.test('FailureLimiter', async (t) => {
  let now = 1_000_000;
  const limiter = new FailureLimiter({ maxFailures: 2, windowMs: 10_000, maxAddresses: 3, now: () => now });
  t.equal(limiter.isBlocked('a'), 0);
  limiter.recordFailure('a');
  t.equal(limiter.isBlocked('a'), 0, 'below the limit');
  limiter.recordFailure('a');
  t.equal(limiter.isBlocked('a'), 10);
  now += 2500;
  t.equal(limiter.isBlocked('a'), 8, 'rounded up to whole seconds');
  t.equal(limiter.isBlocked('b'), 0, 'per address');
  now += 7500;
  t.equal(limiter.isBlocked('a'), 0, 'fixed window ends');
  limiter.recordFailure('a');
  t.equal(limiter.isBlocked('a'), 0, 'a new window starts from one');

  // Bounded: windows a, b, c fill it; each new address evicts the oldest window.
  limiter.recordFailure('b');
  limiter.recordFailure('b');
  limiter.recordFailure('c');
  limiter.recordFailure('d'); // evicts a
  t.equal(limiter.isBlocked('b'), 10, 'b still tracked');
  limiter.recordFailure('e'); // evicts b
  t.equal(limiter.isBlocked('b'), 0, 'oldest window evicted to make room');
  limiter.recordFailure('c');
  t.equal(limiter.isBlocked('c'), 10, 'newer windows kept');
});

tap.test('A2B_AUTH_CACHE_SECONDS=0 caches nothing: every request is verified', async (t) => {
  const cache = new CredentialCache<{ id: number }>({ ttlMs: 0 });
  cache.set('Basic one', { id: 1 });
  t.equal(cache.get('Basic one'), undefined, 'not kept (lru-cache alone would keep it forever)');
  const cached = new CredentialCache<{ id: number }>({ ttlMs: 50 });
  cached.set('Basic one', { id: 1 });
  t.strictSame(cached.get('Basic one'), { id: 1 }, 'a positive TTL keeps it');
});

tap.test('CredentialCache keys by HMAC, bounded', async (t) => {
  const cache = new CredentialCache<{ id: number }>({ maxEntries: 2 });
  cache.set('Basic one', { id: 1 });
  cache.set('Basic two', { id: 2 });
  t.strictSame(cache.get('Basic one'), { id: 1 });
  t.equal(cache.get('basic one'), undefined, 'exact header only');
  cache.set('Basic three', { id: 3 });
  t.equal(cache.get('Basic two'), undefined, 'least recently used dropped');
  const keys = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
  t.notOk(
    keys.some((key) => key.includes('one') || key.includes('three')),
    'raw headers never stored',
  );
});
