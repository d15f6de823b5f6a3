/**
 * The admin panel at /admin/: an encapsulated Fastify plugin with its own
 * form parser, security headers (strict CSP: no inline code, scripts and
 * styles from the panel's own files only), an encrypted and
 * signed session cookie, CSRF checks on every POST, and HTML error pages.
 * The pages of the models come from generated/admin/; this shell holds
 * nothing model-specific.
 */
import csrfProtection from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import secureSession from '@fastify/secure-session';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../http/errors.js';
import { createBodyValidator } from '../http/validation.js';
import type { SessionStore } from '../auth/session-store.js';
import type { UserStore } from '../auth/user-store.js';
import type { ApiKeyStore } from '../auth/api-key-store.js';
import type { RoleCheck } from '../auth/role-attributes.js';
import type { Store } from '../store/store.js';
import { adminPage } from './page-model.js';
import type { AdminPage } from './contract.js';
import { DatabaseUnavailableError, MissingTableError } from '../db/errors.js';
import { callerOf, flash, managesUsers, seeOther, sendPage, type AdminContext } from './context.js';
import type { AccessControl } from '../access/access.js';
import { forbidden } from '../store/errors.js';
import { html } from './html.js';
import { registerModelRoutes } from './model-routes.js';
import { registerLogin } from './login.js';
import { SCRIPT, STYLESHEET } from './static-files.js';
import { registerUsersPage } from './users-page.js';
import { registerKeysPage } from './keys-page.js';
import { BALANCE_ACTIONS, registerBalanceActions, type BalanceActionsOptions } from './balance-actions.js';

export interface AdminOptions {
  /** Every model's rows; each model gets a page. */
  store: Store;
  /** Each signed-in user's access to the rows, by its role. */
  access: AccessControl;
  users: UserStore;
  /** The API keys, listed, created and revoked at /admin/keys/. */
  apiKeys: ApiKeyStore;
  /** The roles file's word on a role name given on the users and keys pages, beside the form check. */
  checkRole?: RoleCheck;
  /** 32 bytes: encrypts and signs the session cookie. */
  sessionKey: Buffer;
  /** Mark the cookie Secure always; false: only on requests that came over HTTPS. */
  secureCookie: boolean;
  /** Failed sign-ins one address may make per window. */
  maxFailures: number;
  failureWindowMs: number;
  /** The card page's Refill and Extra charge, when the schema has A2Billing's tables. */
  balance?: BalanceActionsOptions;
  /** Who is signed in, kept in the database; its lifetime is the cookie's. */
  sessions: SessionStore;
  /** Most rows one CSV import may carry (A2B_MAX_BULK). */
  maxBulk: number;
  /** Called after a user changed on the users page (to forget cached API credentials). */
  onUserChanged?: (userId: number) => void;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without signing in (the sign-in page, the stylesheet, the script). */
    adminPublic?: boolean;
    /**
     * Answers JSON (the pickers' lookups): a request without a session gets 401 JSON, not a redirect. A
     * function says it per request, for a route that serves other pages too.
     */
    adminJson?: boolean | ((request: FastifyRequest) => boolean);
  }
}

const CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    styleSrc: ["'self'"],
    // The panel's one script file (pickers, select-all); never inline code.
    scriptSrc: ["'self'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
};

function answersJson(request: FastifyRequest): boolean {
  const json = request.routeOptions.config?.adminJson;
  return typeof json === 'function' ? json(request) : json === true;
}

/** Register with `{ prefix: '/admin' }`. */
export async function adminPlugin(app: FastifyInstance, options: AdminOptions): Promise<void> {
  let pages: AdminPage[] | undefined;
  const context: AdminContext = {
    store: options.store,
    access: options.access,
    db: options.store.db,
    // Made on the first request that shows them, not at start.
    get pages() {
      return (pages ??= options.store.registry
        .all()
        .filter((resource) => resource.name !== 'user')
        .map(adminPage));
    },
    users: options.users,
    apiKeys: options.apiKeys,
    checkRole: options.checkRole,
    sessions: options.sessions,
    rowActions: new Map(options.balance ? [[options.balance.card.name, BALANCE_ACTIONS]] : []),
    validator: createBodyValidator(),
    onUserChanged: options.onUserChanged ?? (() => {}),
  };

  // Body parsers are per plugin: HTML forms only, repeated names (id=1&id=2) as arrays.
  app.removeAllContentTypeParsers();
  await app.register(formbody);
  await app.register(helmet, {
    contentSecurityPolicy: CSP,
    hsts: options.secureCookie,
    crossOriginEmbedderPolicy: false,
  });
  await app.register(secureSession, {
    key: options.sessionKey,
    cookieName: 'a2gen_admin',
    expiry: Math.round(options.sessions.ttlMs / 1000),
    // 'auto': Secure when the request came over HTTPS, which behind a trusted proxy its X-Forwarded-Proto says.
    cookie: { path: '/admin', httpOnly: true, sameSite: 'lax', secure: options.secureCookie ? true : 'auto' },
  });
  await app.register(csrfProtection, { sessionPlugin: '@fastify/secure-session' });
  app.decorateRequest('adminUser', null);

  // Pages hold customer data: never cache them.
  app.addHook('onSend', async (request, reply) => {
    if (!request.routeOptions.config?.adminPublic || request.url.startsWith('/admin/login'))
      reply.header('cache-control', 'no-store');
  });

  // CSRF in preHandler, where the form body is parsed; the token never reaches a query.
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method !== 'POST') return done();
    app.csrfProtection(request, reply, () => {
      if (request.body && typeof request.body === 'object') delete (request.body as Record<string, unknown>)._csrf;
      done();
    });
  });

  // Who is signed in: a session still in the database, of an active admin whose password and session
  // version are what they were at sign-in; checked on every request. A session that fails is deleted, so
  // restoring the user later does not revive it.
  app.addHook('preHandler', async (request) => {
    const token = request.session.get('sid');
    if (token === undefined) return;
    const session = await options.sessions.find(token);
    if (session?.valid) {
      request.adminUser = session.user;
      await options.sessions.extend(token, session);
      request.session.touch();
      return;
    }
    if (session !== undefined) await options.sessions.end(token);
    request.session.set('sid', undefined);
    const user = session?.user;
    flash(
      request,
      'error',
      session === undefined
        ? 'Your session has ended. Sign in again.'
        : user?.active && user.admin
          ? 'You were signed out: your password was changed or your account was updated. Sign in again.'
          : 'Your account can no longer use the admin panel.',
    );
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.adminUser || request.routeOptions.config?.adminPublic) return;
    if (answersJson(request)) {
      return reply
        .status(401)
        .type('application/json; charset=utf-8')
        .send({ error: 'sign in to the admin panel first', code: 'unauthorized' });
    }
    const next = request.method === 'GET' ? request.url : '/admin/';
    return seeOther(
      reply,
      next === '/admin/' || next === '/admin' ? '/admin/login' : `/admin/login?next=${encodeURIComponent(next)}`,
    );
  });

  // Users, their roles and the API keys are managed by the admin role only.
  app.addHook('preHandler', async (request) => {
    if (request.adminUser && /^\/admin\/(?:user|keys)(?:[/?]|$)/.test(request.url) && !managesUsers(request))
      throw forbidden(`role ${request.adminUser.role ?? ''} may not manage users or API keys`);
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let status = statusOf(error);
    let text = error.message;
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      status = 403;
      text =
        'This form has expired or was not sent from this site, so nothing was changed. Go back, reload the page and try again.';
    } else if (error instanceof DatabaseUnavailableError || error instanceof MissingTableError) {
      status = 503;
      text =
        error instanceof MissingTableError
          ? `The table ${error.table} is missing from the database.`
          : 'The database is unavailable; try again shortly.';
    } else if (status >= 500) {
      request.log.error({ err: error }, 'admin request failed');
      status = 500;
      text = 'Something went wrong on the server. The error was logged.';
    }
    if (!request.session) return reply.status(status).type('text/plain; charset=utf-8').send(text);
    // The pickers' lookups read JSON, errors included.
    if (answersJson(request)) {
      const code =
        error instanceof MissingTableError
          ? 'table_missing'
          : error instanceof DatabaseUnavailableError
            ? 'database_unavailable'
            : 'error';
      return reply.status(status).type('application/json; charset=utf-8').send({ error: text, code });
    }
    return sendPage(context, request, reply, {
      title: status === 404 ? 'Not found' : 'Error',
      status,
      flashes: [{ kind: 'error', text }],
      body: () => html`<p><a class="button" href="/admin/">Back to the dashboard</a></p>`,
    });
  });

  app.setNotFoundHandler(async (request, reply) =>
    sendPage(context, request, reply, {
      title: 'Not found',
      status: 404,
      flashes: [{ kind: 'error', text: `There is no admin page at ${request.url.split('?')[0]}.` }],
      body: () => html`<p><a class="button" href="/admin/">Back to the dashboard</a></p>`,
    }),
  );

  // The stylesheet and the script, read from runtime/admin/static/ at startup; their URLs change with their contents.
  for (const file of [STYLESHEET, SCRIPT]) {
    app.get(file.url.slice('/admin'.length), { config: { adminPublic: true } }, async (_request, reply) =>
      reply.type(file.contentType).header('cache-control', 'public, max-age=31536000, immutable').send(file.body),
    );
  }

  app.get('/', async (request, reply) =>
    sendPage(context, request, reply, {
      title: 'Dashboard',
      current: '/admin/',
      body: () => html`<div class="head"><h1>Dashboard</h1></div>
<p class="lead">Signed in as <strong>${request.adminUser!.username}</strong>.</p>
<div class="cards">
${context.pages
  .filter((page) => callerOf(context, request).allows(page.model, 'list'))
  .map(
    (
      page,
    ) => html`<section class="panel"><h2><a href="/admin/${page.resource}/">${page.plural}</a></h2><p>${page.description}</p>
  <div class="toolbar"><a class="button" href="/admin/${page.resource}/">List</a>${!page.readOnly && callerOf(context, request).allows(page.model, 'create') && html`<a class="button primary" href="/admin/${page.resource}/add/">Add new</a>`}</div></section>`,
  )}
${
  managesUsers(request) &&
  html`<section class="panel"><h2><a href="/admin/user/">Users</a></h2><p>Who may use the API and this panel.</p>
  <div class="toolbar"><a class="button" href="/admin/user/">List</a><a class="button primary" href="/admin/user/add/">Add new</a></div></section>
<section class="panel"><h2><a href="/admin/keys/">API keys</a></h2><p>Tokens that call the API with a role, for scripts and other services.</p>
  <div class="toolbar"><a class="button" href="/admin/keys/">List</a><a class="button primary" href="/admin/keys/add/">Add new</a></div></section>`
}
</div>`,
    }),
  );

  registerLogin(app, context, { maxFailures: options.maxFailures, failureWindowMs: options.failureWindowMs });
  registerUsersPage(app, context);
  registerKeysPage(app, context);
  if (options.balance) registerBalanceActions(app, context, options.balance);
  registerModelRoutes(app, context, options.maxBulk);
}
