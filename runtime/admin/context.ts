/**
 * What every admin handler shares: the database, the models' pages, the
 * users, and the small helpers that render a page, set a flash message and
 * redirect.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ajv } from 'ajv';
import type { SessionStore } from '../auth/session-store.js';
import type { ApiKeyStore } from '../auth/api-key-store.js';
import type { RoleCheck } from '../auth/role-attributes.js';
import type { UserStore, UserSummary } from '../auth/user-store.js';
import type { Db } from '../db/db.js';
import { formatKey, keyOf } from '../store/keys.js';
import { writeContext } from '../http/request.js';
import type { Store, WriteContext } from '../store/store.js';
import type { AdminPage } from './contract.js';
import type { Access, AccessControl } from '../access/access.js';
import { DEFAULT_ROLE, type Principal } from '../access/principal.js';
import { renderPage, type Flash, type FlashKind } from './layout.js';
import type { SafeHtml } from './html.js';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** The token of the session in `a2gen_session` (runtime/auth/session-store.ts): whoever is signed in. */
    sid: string;
    /** Messages for the next page. */
    flash: Flash[];
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in admin, set by the admin panel's guard. */
    adminUser: UserSummary | null;
  }
}

export interface AdminContext {
  store: Store;
  /** Every page reaches rows through the signed-in user's Access: its role's operations, columns and row scope. */
  access: AccessControl;
  /** The store's database: lookups and labels read it directly. */
  db: Db;
  pages: readonly AdminPage[];
  users: UserStore;
  /** The API keys (runtime/admin/keys-page.ts). */
  apiKeys: ApiKeyStore;
  /** The roles file's word on a role name, beside the form check (role-attributes.ts). */
  checkRole?: RoleCheck;
  sessions: SessionStore;
  validator: Ajv;
  /** Links to actions on one row (a card's Refill), by resource: `/admin/<resource>/<key>/<path>/`. */
  rowActions: ReadonlyMap<string, readonly { readonly label: string; readonly path: string }[]>;
  /** Drops a user's cached API credentials after a change on the users page. */
  onUserChanged: (userId: number) => void;
}

/** The signed-in user as a principal: its role and attributes (a user without a role has the admin role). */
export function adminPrincipal(user: UserSummary): Principal {
  return {
    kind: 'user',
    id: user.id,
    username: user.username,
    role: user.role ?? DEFAULT_ROLE,
    attributes: user.attributes ?? {},
  };
}

const principals = new WeakMap<UserSummary, Principal>();

/** The signed-in user's access to the rows (every admin page is behind the sign-in guard). */
export function callerOf(context: AdminContext, request: FastifyRequest): Access {
  const user = request.adminUser!;
  let principal = principals.get(user);
  if (principal === undefined) principals.set(user, (principal = adminPrincipal(user)));
  return context.access.of(principal);
}

const pagesByView = new WeakMap<object, AdminPage>();

/**
 * The page as the caller's role sees it: the columns it hides are not there, the ones it may not write
 * are shown read-only. The same page when the role limits no column.
 */
export function pageFor(caller: Access, page: AdminPage): AdminPage {
  const view = caller.on(page.model);
  const grant = view.grant;
  if (grant === undefined || (grant.hidden.size === 0 && grant.readOnly.size === 0)) return page;
  let seen = pagesByView.get(view);
  if (seen === undefined) {
    const shown = (name: string) => !grant.hidden.has(name);
    seen = {
      ...page,
      list: page.list.filter(shown),
      search: page.search.filter(shown),
      filters: page.filters.filter((filter) => shown(filter.name.split('__')[0]!)),
      fields: page.fields
        .filter((field) => shown(field.name))
        .map((field) => (grant.readOnly.has(field.name) ? { ...field, readOnly: true } : field)),
    };
    pagesByView.set(view, seen);
  }
  return seen;
}

/** Users and API keys are managed by the admin role only. */
export function managesUsers(request: FastifyRequest): boolean {
  return (request.adminUser?.role ?? DEFAULT_ROLE) === DEFAULT_ROLE;
}

/** The signed-in admin's write, for the audit trail. */
export function adminWriteContext(request: FastifyRequest): WriteContext {
  return writeContext(request, request.adminUser?.username ?? '');
}

/** A row's key in URL form: `7`, `fr`, `1,2`. */
export function rowKey(page: AdminPage, row: Record<string, unknown>): string {
  return formatKey(keyOf(page.model, row));
}

export function flash(request: FastifyRequest, kind: FlashKind, text: string): void {
  const flashes = request.session.get('flash') ?? [];
  request.session.set('flash', [...flashes, { kind, text }]);
}

function takeFlashes(request: FastifyRequest): Flash[] {
  const flashes = request.session.get('flash') ?? [];
  if (flashes.length > 0) request.session.set('flash', undefined);
  return flashes;
}

export interface PageOptions {
  title: string;
  body: (csrf: string) => SafeHtml;
  status?: number;
  /** Sidebar link to mark as current. */
  current?: string;
  /** Messages for this response only (not stored in the session). */
  flashes?: Flash[];
}

/** Sends a full HTML page with the shell: top bar, sidebar, flash messages. */
export function sendPage(
  context: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: PageOptions,
): FastifyReply {
  const csrf = reply.generateCsrf();
  const user = request.adminUser;
  const caller = user ? callerOf(context, request) : undefined;
  const page = renderPage({
    title: options.title,
    body: options.body(csrf),
    flashes: [...takeFlashes(request), ...(options.flashes ?? [])],
    user: user ? { username: user.username, csrf } : undefined,
    nav: caller
      ? [
          ...context.pages
            .filter((page) => caller.allows(page.model, 'list'))
            .map((page) => ({ href: `/admin/${page.resource}/`, label: page.plural })),
          ...(managesUsers(request)
            ? [
                { href: '/admin/user/', label: 'Users' },
                { href: '/admin/keys/', label: 'API keys' },
              ]
            : []),
        ]
      : undefined,
    current: options.current,
  });
  return reply
    .status(options.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(page);
}

export function seeOther(reply: FastifyReply, url: string): FastifyReply {
  return reply.redirect(url, 303);
}

/** One form field's text: the last value when a name was sent more than once. */
export function fieldText(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) return value.length > 0 ? String(value[value.length - 1]) : undefined;
  return value === undefined ? undefined : String(value);
}

/** Every value of a repeated form or query field. */
export function fieldTexts(source: unknown, name: string): string[] {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
