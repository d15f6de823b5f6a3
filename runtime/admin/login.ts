/**
 * Signing in and out. Only active users with the admin flag get in; failed
 * attempts are limited per address and per username, each counted before its
 * password is verified (auth/login-limiter.ts), and verifications wait their
 * turn in the process's queue (auth/verification-gate.ts); `next=` only ever
 * leads to a page of the admin panel.
 */
import type { FastifyInstance } from 'fastify';
import { isRefusal, LoginLimiter } from '../auth/login-limiter.js';
import { dummyHash, hashPassword, verifyPassword, type VerifyResult } from '../auth/password.js';
import type { UserRecord } from '../auth/user-store.js';
import { GateFullError, verificationGate, type VerificationGate } from '../auth/verification-gate.js';
import { fieldText, seeOther, sendPage, type AdminContext } from './context.js';
import { html } from './html.js';
import type { Flash } from './layout.js';

/** A path inside the admin panel, or undefined: never another site (`//evil.com`, `https://…`, `/\\evil.com`). */
export function safeNext(next: string | undefined): string | undefined {
  if (next === undefined || !next.startsWith('/admin') || /[\\\x00-\x1f\x7f]/.test(next) || next.startsWith('//'))
    return undefined;
  const base = 'http://admin.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return undefined;
  }
  if (url.origin !== base || !/^\/admin(\/|$)/.test(url.pathname) || url.pathname.startsWith('/admin/login'))
    return undefined;
  return url.pathname + url.search;
}

export interface LoginOptions {
  maxFailures: number;
  failureWindowMs: number;
  /** Where verifications wait for a turn; the process's shared gate unless a test gives its own. */
  gate?: VerificationGate;
}

/** Retry-After of a sign-in refused because the verification queue is full. */
const BUSY_RETRY_AFTER_SECONDS = 1;

export function registerLogin(app: FastifyInstance, context: AdminContext, options: LoginOptions): void {
  const limiter = new LoginLimiter({ maxFailures: options.maxFailures, windowMs: options.failureWindowMs });
  const gate = options.gate ?? verificationGate;

  const loginPage = (next: string | undefined, username: string) => (csrf: string) =>
    html`<div class="panel">
  <h1>Sign in</h1>
  <p class="lead">A2Billing administration</p>
  <form method="post" action="/admin/login">
    <input type="hidden" name="_csrf" value="${csrf}">
    ${next && html`<input type="hidden" name="next" value="${next}">`}
    <div class="field"><label for="username">Username</label>
      <input id="username" name="username" value="${username}" autocomplete="username" required autofocus></div>
    <div class="field"><label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required></div>
    <button class="primary" type="submit">Sign in</button>
  </form>
</div>`;

  app.get('/login', { config: { adminPublic: true } }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const next = safeNext(query.next);
    if (request.adminUser) return seeOther(reply, next ?? '/admin/');
    const flashes: Flash[] = query.signed_out !== undefined ? [{ kind: 'info', text: 'You have signed out.' }] : [];
    return sendPage(context, request, reply, { title: 'Sign in', body: loginPage(next, ''), flashes });
  });

  app.post('/login', { config: { adminPublic: true } }, async (request, reply) => {
    const username = fieldText(request.body, 'username') ?? '';
    const password = fieldText(request.body, 'password') ?? '';
    const next = safeNext(fieldText(request.body, 'next'));
    const refuse = (status: number, text: string) => {
      const flashes: Flash[] = [{ kind: 'error', text }];
      return sendPage(context, request, reply, { title: 'Sign in', status, body: loginPage(next, username), flashes });
    };
    // Counted before the password is verified, so parallel sign-ins meet the limit like a sequence does.
    const attempt = limiter.begin(request.ip, username);
    if (isRefusal(attempt)) {
      reply.header('Retry-After', String(attempt.retryAfter));
      const whose = attempt.scope === 'address' ? 'from your address' : 'for this username';
      return refuse(429, `Too many failed sign-ins ${whose}. Try again in ${attempt.retryAfter} seconds.`);
    }
    let user: UserRecord | undefined;
    let verdict: VerifyResult;
    try {
      user = username === '' ? undefined : await context.users.findByUsername(username);
      // An unknown user costs the same as a wrong password, and gets the same answer.
      const stored = user?.password ?? (await dummyHash());
      verdict = await gate.run({ key: request.ip, suspect: attempt.suspect }, () => verifyPassword(stored, password));
    } catch (error) {
      // No verdict (the database failed, or the queue is full): the attempt counts for nothing.
      attempt.release();
      if (!(error instanceof GateFullError)) throw error;
      reply.header('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
      return refuse(503, 'Too many sign-ins are being checked right now. Try again in a moment.');
    }
    const { ok, needsRehash } = verdict;
    if (user === undefined || !ok || !user.active) {
      attempt.failed();
      return refuse(401, 'Wrong username or password.');
    }
    // The password was right (even for a user without the admin flag): not a failure.
    attempt.succeeded();
    if (!user.admin) return refuse(403, 'This account may use the API but not the admin panel: it has no admin flag.');
    let passwordHash = user.password;
    if (needsRehash) {
      try {
        passwordHash = await hashPassword(password);
        await context.users.setPasswordHash(user.id, passwordHash);
      } catch (error) {
        passwordHash = user.password;
        request.log.warn({ err: error, userId: user.id }, 'could not upgrade the stored password hash');
      }
    }
    // A new session on every sign-in: nothing from before it (a planted cookie) survives.
    request.session.regenerate();
    request.session.set('sid', await context.sessions.create(user.id, passwordHash));
    request.session.set('flash', [{ kind: 'success', text: `Welcome, ${user.username}.` }]);
    return seeOther(reply, next ?? '/admin/');
  });

  app.post('/logout', async (request, reply) => {
    // Deleted on the server too: a copy of the cookie kept from before opens nothing.
    const token = request.session.get('sid');
    if (token !== undefined) await context.sessions.end(token);
    request.session.delete();
    return seeOther(reply, '/admin/login?signed_out=1');
  });
}
