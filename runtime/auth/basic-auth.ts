/**
 * HTTP Basic authentication for /api/: any active user of the `user` table,
 * with a success cache (scrypt is too slow to run per request), failed-login
 * limits per address and per username that count an attempt before its
 * verification (login-limiter.ts), and a process-wide cap on verifications
 * running at once (verification-gate.ts). Beside it, API keys
 * (`Authorization: Bearer <token>`), checked against the in-memory key ring
 * (key-ring.ts); a wrong token counts as a failed login of its address.
 */
import fastifyBasicAuth from '@fastify/basic-auth';
import createError from '@fastify/error';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { DatabaseUnavailableError, MissingTableError } from '../db/errors.js';
import { CredentialCache } from './credential-cache.js';
import { bearerCredentials } from './api-key-token.js';
import type { KeyRing } from './key-ring.js';
import { isRefusal, LoginLimiter } from './login-limiter.js';
import { dummyHash, hashPassword, verifyPassword } from './password.js';
import type { UserRecord, UserStore } from './user-store.js';
import type { Principal } from '../access/principal.js';
import { GateFullError, verificationGate, type VerificationGate } from './verification-gate.js';

/** Who made the request, once verified: a user or an API key, with its role. */
export interface AuthUser extends Principal {
  /** May sign in to the admin panel (the old table's flag); always false for a key. */
  admin: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the Basic auth hook; null on routes it does not guard. */
    user: AuthUser | null;
  }
}

const keyUsers = new WeakMap<Principal, AuthUser>();

/** A key's principal as a request's user: one object per key for as long as the ring holds it, so what is
 * derived from the caller (its Access, runtime/access/) is made once, not per request. */
function keyUser(principal: Principal): AuthUser {
  let user = keyUsers.get(principal);
  if (user === undefined) keyUsers.set(principal, (user = { ...principal, admin: false }));
  return user;
}

/** The old API's challenge, byte for byte: clients and docs match on it. */
export const AUTH_CHALLENGE = 'Basic realm="Login Required"';
/** The answer to a Bearer token that opens nothing (RFC 6750): the client learns its key, not its password, failed. */
export const BEARER_CHALLENGE = 'Bearer realm="Login Required", error="invalid_token"';

// @fastify/error upper-cases codes; the API's codes are lower snake case, so each subclass sets its own.
/** Every authentication failure: one message for every reason, so an unknown user looks like a wrong password. */
export class UnauthorizedError extends createError<string, 401>('UNAUTHORIZED', 'invalid or missing credentials', 401) {
  override code = 'unauthorized';
}

/** Too many failed logins from one address in the current window. */
export class TooManyRequestsError extends createError<string, 429>(
  'TOO_MANY_REQUESTS',
  'too many failed logins from this address; retry later',
  429,
) {
  override code = 'too_many_requests';
}

/** Too many failed logins for one username, from all addresses together, in the current window. */
export class TooManyUserFailuresError extends createError<string, 429>(
  'TOO_MANY_REQUESTS',
  'too many failed logins for this username; retry later',
  429,
) {
  override code = 'too_many_requests';
}

/** The verification queue is full (a flood of logins): retry in a moment. Nothing was verified or counted. */
export class LoginsBusyError extends createError<string, 503>(
  'OVERLOADED',
  'too many logins are being verified; retry shortly',
  503,
) {
  override code = 'overloaded';
}

/** Retry-After of a login refused because the verification queue is full: it drains within a second or two. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

export interface BasicAuthOptions {
  users: UserStore;
  /** Failed logins one address may make per window (default 10); one username, twice as many from all addresses. */
  maxFailures?: number;
  failureWindowMs?: number;
  /** How long a verified Authorization header is trusted without re-verifying (default 30 s). */
  cacheTtlMs?: number;
  /** Called once per password verification (scrypt or legacy); lets tests count them. */
  onVerify?: () => void;
  /** The success cache, when the caller needs to reach it (the admin panel forgets a user it changed). */
  cache?: CredentialCache<AuthUser>;
  /** Where verifications wait for a turn; the process's shared gate unless a test gives its own. */
  gate?: VerificationGate;
  /** The API keys accepted as `Authorization: Bearer <token>`; without it, a Bearer header is refused like any other scheme. */
  keys?: KeyRing;
}

/** Guards every route of `app` (an encapsulated instance) with Basic auth. */
export function registerBasicAuth(app: FastifyInstance, options: BasicAuthOptions): void {
  const { users, onVerify } = options;
  const limiter = new LoginLimiter({ maxFailures: options.maxFailures, windowMs: options.failureWindowMs });
  const cache = options.cache ?? new CredentialCache<AuthUser>({ ttlMs: options.cacheTtlMs });
  const gate = options.gate ?? verificationGate;

  // Concurrent requests with the same uncached header share one verification (single-flight):
  // otherwise a cache expiry under load sets off one scrypt run per waiting request. Only the first of
  // them is counted before verifying; the others wait for its verdict, so a valid user's parallel
  // requests are never refused for each other, and a guess sent many times at once is still one guess
  // to the attacker, though each of its failures counts, as it would in a sequence.
  const inflight = new Map<string, Promise<AuthUser>>();

  async function validate(username: string, password: string, request: FastifyRequest, reply: FastifyReply) {
    const key = cache.digest(request.headers.authorization ?? '');
    let pending = inflight.get(key);
    let shared = true;
    if (pending === undefined) {
      // Counted before the verification starts, so parallel guesses meet the limit like a sequence does.
      const attempt = limiter.begin(request.ip, username);
      if (isRefusal(attempt)) {
        reply.header('Retry-After', String(attempt.retryAfter));
        throw attempt.scope === 'address' ? new TooManyRequestsError() : new TooManyUserFailuresError();
      }
      shared = false;
      pending = verify(username, password, request, { key: request.ip, suspect: attempt.suspect })
        .then(
          (user) => (attempt.succeeded(), user),
          (error: unknown) => {
            // Only wrong credentials are failures; a database error or a full queue counts for nothing.
            if (error instanceof UnauthorizedError) attempt.failed();
            else attempt.release();
            throw error;
          },
        )
        .finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    try {
      request.user = await pending;
    } catch (error) {
      if (shared && error instanceof UnauthorizedError) limiter.recordFailure(request.ip, username);
      if (error instanceof GateFullError) {
        reply.header('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
        throw new LoginsBusyError();
      }
      throw error;
    }
  }

  async function verify(
    username: string,
    password: string,
    request: FastifyRequest,
    ticket: { key: string; suspect: boolean },
  ): Promise<AuthUser> {
    const user = await findUser(users, username);
    // An unknown user is checked against a dummy hash: same work, same answer as a wrong password.
    const stored = user?.password ?? (await dummyHash());
    // The CPU-heavy part waits for its turn in the process's queue (a flood must not starve real users).
    const { ok, needsRehash } = await gate.run(ticket, () => {
      onVerify?.();
      return verifyPassword(stored, password);
    });
    if (user === undefined || !ok || !user.active) throw new UnauthorizedError();
    // Attributes a hand-made UPDATE broke: neither a wrong password nor a role's worth of nothing.
    if (user.attributes === undefined)
      throw Object.assign(new Error(`the attributes of user ${user.username} are not a JSON object of strings`), {
        statusCode: 500,
      });
    if (needsRehash) await upgradeHash(users, user, password, request);
    return {
      kind: 'user',
      id: user.id,
      username: user.username,
      admin: user.admin,
      role: user.role,
      attributes: user.attributes,
    };
  }

  /** A Bearer token: the key ring answers at once, no query. A wrong one is a failed login of the address. */
  function bearer(token: string, request: FastifyRequest, reply: FastifyReply, keys: KeyRing): Error | undefined {
    // Refused before the token is looked at, so a blocked address learns nothing more from its guesses.
    const waitSeconds = limiter.addressBlocked(request.ip);
    if (waitSeconds > 0) {
      reply.header('Retry-After', String(waitSeconds));
      return new TooManyRequestsError();
    }
    // The table was not read lately (the database is down): no verdict, and not a failure either.
    if (!keys.fresh) return new DatabaseUnavailableError('the API keys could not be read lately; retry shortly');
    const principal = keys.verify(token);
    if (principal === undefined) {
      limiter.recordFailure(request.ip);
      reply.header('WWW-Authenticate', BEARER_CHALLENGE);
      return new UnauthorizedError();
    }
    request.user = keyUser(principal);
    return undefined;
  }

  if (!app.hasRequestDecorator('user')) app.decorateRequest('user', null);
  app.register(fastifyBasicAuth, {
    validate,
    // utf8 stays on so non-ASCII passwords decode correctly; the plugin then appends
    // `, charset="UTF-8"` to the challenge, which the onRequest hook replaces with the exact old one.
    authenticate: { realm: 'Login Required' },
  });
  // Start the dummy hash as the server gets ready, so an unknown user's first try is not slower;
  // not awaited: listening need not wait ~70 ms for it (a request that needs it waits for the same promise).
  app.addHook('onReady', (done) => {
    void dummyHash().catch(() => undefined);
    done();
  });

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const header = request.headers.authorization;
    const token = options.keys !== undefined && typeof header === 'string' ? bearerCredentials(header) : undefined;
    if (token !== undefined) {
      done(bearer(token, request, reply, options.keys!));
      return;
    }
    // A recent success is trusted before the limiter looks: valid users are never slowed or blocked.
    const cached = typeof header === 'string' ? cache.get(header) : undefined;
    if (cached !== undefined) {
      request.user = cached;
      done();
      return;
    }
    // A blocked address is refused before its header is even read (validate checks the username's limit).
    const waitSeconds = limiter.addressBlocked(request.ip);
    if (waitSeconds > 0) {
      reply.header('Retry-After', String(waitSeconds));
      done(new TooManyRequestsError());
      return;
    }
    const basicAuth = app.basicAuth as onRequestHookHandler;
    basicAuth.call(app, request, reply, (error?: Error & { statusCode?: number }) => {
      if (error === undefined) {
        if (typeof header === 'string' && request.user !== null) cache.set(header, request.user);
        done();
        return;
      }
      // 429 and 503 from validate pass as they are, with their Retry-After.
      if (error.statusCode !== 401) {
        done(error);
        return;
      }
      // Rejected credentials were counted in validate. A header the plugin could not read verifies
      // nothing, but it is a try all the same: count it for the address. No header at all is not a guess.
      if (header !== undefined && !(error instanceof UnauthorizedError)) limiter.recordFailure(request.ip);
      reply.header('WWW-Authenticate', AUTH_CHALLENGE);
      done(new UnauthorizedError());
    });
  });
}

async function findUser(users: UserStore, username: string): Promise<UserRecord | undefined> {
  try {
    return await users.findByUsername(username);
  } catch (error) {
    throw withStatus(error);
  }
}

/**
 * @fastify/basic-auth turns any error without a statusCode into a 401; a
 * database failure must not look like a wrong password, so give it its own.
 */
function withStatus(error: unknown): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  if ((failure as { statusCode?: number }).statusCode === undefined) {
    const unavailable = failure instanceof DatabaseUnavailableError || failure instanceof MissingTableError;
    Object.assign(failure, { statusCode: unavailable ? 503 : 500 });
  }
  return failure;
}

/** First success with a weak stored hash: store scrypt instead. A failed write does not fail the login. */
async function upgradeHash(users: UserStore, user: UserRecord, password: string, request: FastifyRequest) {
  try {
    await users.setPasswordHash(user.id, await hashPassword(password));
  } catch (error) {
    request.log.warn({ err: error, userId: user.id }, 'could not upgrade the stored password hash');
  }
}
