/**
 * Signing in and out. Only active users with the admin flag get in; failed
 * attempts from one address are limited; `next=` only ever leads to a page
 * of the admin panel.
 */
import type { FastifyInstance } from 'fastify';
import { FailureLimiter } from '../auth/failure-limiter.js';
import { dummyHash, hashPassword, verifyPassword } from '../auth/password.js';
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
}

export function registerLogin(app: FastifyInstance, context: AdminContext, options: LoginOptions): void {
  const limiter = new FailureLimiter({ maxFailures: options.maxFailures, windowMs: options.failureWindowMs });

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
    const wait = limiter.isBlocked(request.ip);
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      return refuse(429, `Too many failed sign-ins from your address. Try again in ${wait} seconds.`);
    }
    const user = username === '' ? undefined : await context.users.findByUsername(username);
    // An unknown user costs the same as a wrong password, and gets the same answer.
    const { ok, needsRehash } = await verifyPassword(user?.password ?? (await dummyHash()), password);
    if (user === undefined || !ok || !user.active) {
      limiter.recordFailure(request.ip);
      return refuse(401, 'Wrong username or password.');
    }
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
