/**
 * HTTP Basic against the `user` table, with scrypt hashes in the
 * `scrypt$N$r$p$salt$key` form. scrypt costs tens of milliseconds of CPU, so
 * successes are cached: keyed by an HMAC of the header (never the password),
 * bounded, short TTL; concurrent misses for one header share one
 * verification; failures are never cached and are throttled per address.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Pool, RowDataPacket } from 'mysql2/promise';

const FIND_USER = 'SELECT id, password, active FROM `user` WHERE username = ? LIMIT 1';
const CHALLENGE = 'Basic realm="Login Required"';
const MAX_MEMORY = 64 * 1024 * 1024;

export interface AuthOptions {
  ttlMs?: number;
  maxEntries?: number;
  maxFailures?: number;
  failureWindowMs?: number;
}

function deriveKey(password: string, salt: Buffer, length: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { N, r, p, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

async function verifyScrypt(stored: string, password: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || key === undefined) return false;
  const expected = Buffer.from(key, 'base64');
  try {
    const actual = await deriveKey(
      password,
      Buffer.from(salt!, 'base64'),
      expected.length,
      Number(n),
      Number(r),
      Number(p),
    );
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

export function registerBasicAuth(app: FastifyInstance, pool: Pool, options: AuthOptions = {}): void {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const maxFailures = options.maxFailures ?? 10;
  const failureWindowMs = options.failureWindowMs ?? 60_000;
  const hmacKey = randomBytes(32);
  // Same cost for an unknown user as for a wrong password.
  const dummy = `scrypt$32768$8$1$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`;

  const verified = new Map<string, number>(); // digest → expiry time
  const pending = new Map<string, Promise<boolean>>();
  const failures = new Map<string, { until: number; count: number }>();

  async function check(header: string): Promise<boolean> {
    if (!header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const [rows] = await pool.execute<RowDataPacket[]>(FIND_USER, [decoded.slice(0, colon)]);
    const user = rows[0];
    const ok = await verifyScrypt(user ? String(user.password) : dummy, decoded.slice(colon + 1));
    return ok && user !== undefined && Number(user.active) !== 0;
  }

  function remember(digest: string): void {
    if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
    verified.set(digest, Date.now() + ttlMs);
  }

  function reject(request: FastifyRequest, reply: FastifyReply, counted: boolean): void {
    if (counted) {
      const now = Date.now();
      const entry = failures.get(request.ip);
      if (entry === undefined || entry.until < now)
        failures.set(request.ip, { until: now + failureWindowMs, count: 1 });
      else entry.count++;
    }
    void reply
      .status(401)
      .header('WWW-Authenticate', CHALLENGE)
      .send({ error: 'invalid or missing credentials', code: 'unauthorized' });
  }

  app.addHook('onRequest', (request, reply, done) => {
    const header = request.headers.authorization;
    if (header === undefined) return reject(request, reply, false);
    const digest = createHmac('sha256', hmacKey).update(header).digest('base64');
    const expires = verified.get(digest);
    if (expires !== undefined) {
      if (expires > Date.now()) return done();
      verified.delete(digest);
    }
    const failed = failures.get(request.ip);
    if (failed !== undefined && failed.count >= maxFailures && failed.until > Date.now()) {
      void reply
        .status(429)
        .header('Retry-After', String(Math.ceil((failed.until - Date.now()) / 1000)))
        .send({ error: 'too many failed logins', code: 'too_many_requests' });
      return;
    }
    let verification = pending.get(digest);
    if (verification === undefined) {
      verification = check(header).finally(() => pending.delete(digest));
      pending.set(digest, verification);
    }
    verification.then(
      (ok) => {
        if (!ok) return reject(request, reply, true);
        remember(digest);
        done();
      },
      (error: unknown) => done(error as Error),
    );
  });
}
