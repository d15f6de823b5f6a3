/**
 * The models' pages behind one Fastify route per page kind
 * (`/admin/:resource/add/`), not one per model and kind: the number of
 * routes, the time Fastify takes to register them and the memory they hold
 * no longer grow with the number of tables. A model's handlers are made by
 * the page modules on its first request, into a table of its own keyed by
 * method and path (`GET /lookup/id_group/`, `POST /:id/`).
 *
 * A URL that names no model, or a page its model does not have, takes the
 * panel's not-found path exactly as it did when there was no route for it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminContext } from './context.js';
import type { AdminPage } from './contract.js';
import type { PageHandler, PageRoutes } from './page-routes.js';
import { registerActions } from './actions-page.js';
import { registerDeletePage } from './delete-page.js';
import { registerExport } from './export.js';
import { registerFormPages } from './form-page.js';
import { registerHistoryPage } from './history-page.js';
import { registerImportPage } from './import-page.js';
import { registerListPage } from './list-page.js';
import { registerRecordPage } from './record-page.js';
import { registerLookups } from './references.js';

/**
 * Every path a model's pages use, under /admin/:resource. `:id` is the row key (read from the URL by the
 * handler); `:field` and `:action` name one of the model's references and actions, as literals in its table.
 */
const ROUTES: readonly { method: 'GET' | 'POST'; path: string; json?: true }[] = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/export/' },
  { method: 'GET', path: '/add/' },
  { method: 'POST', path: '/add/' },
  { method: 'GET', path: '/delete/' },
  { method: 'POST', path: '/delete/' },
  { method: 'GET', path: '/import/' },
  { method: 'POST', path: '/import/' },
  { method: 'GET', path: '/:id/' },
  { method: 'POST', path: '/:id/' },
  { method: 'GET', path: '/:id/history/' },
  // The pickers' lookups answer JSON (a request without a session gets 401 JSON).
  { method: 'GET', path: '/lookup/:field/', json: true },
  { method: 'GET', path: '/action/:action/' },
  { method: 'POST', path: '/action/:action/' },
];

/** The handler that serves a request, whether it is the path's own or a row's page, and the route it names. */
interface Found {
  handler: PageHandler;
  own: boolean;
  route: string;
}

/** Makes one model's handler table, as each page module adds to it. */
function tableOf(context: AdminContext, page: AdminPage, maxBulk: number): Map<string, PageHandler> {
  const table = new Map<string, PageHandler>();
  const routes: PageRoutes = {
    get: (path, handler) => void table.set(`GET ${path}`, handler),
    post: (path, handler) => void table.set(`POST ${path}`, handler),
  };
  registerListPage(routes, context, page);
  registerExport(routes, context, page);
  registerHistoryPage(routes, context, page);
  if (page.readOnly) {
    // Rows without a key have no page of their own: the list is all there is.
    if (page.model.keyed) registerRecordPage(routes, context, page);
    return table;
  }
  registerDeletePage(routes, context, page);
  registerActions(routes, context, page);
  registerFormPages(routes, context, page);
  registerImportPage(routes, context, page, maxBulk);
  registerLookups(routes, context, page);
  return table;
}

/** Adds the routes of every model's pages to the panel (registered with the /admin prefix). */
export function registerModelRoutes(app: FastifyInstance, context: AdminContext, maxBulk: number): void {
  let pages: Map<string, AdminPage> | undefined;
  const tables = new Map<string, Map<string, PageHandler>>();
  const tableFor = (resource: string) => {
    pages ??= new Map(context.pages.map((page) => [page.resource, page]));
    const page = pages.get(resource);
    if (page === undefined) return undefined;
    let table = tables.get(resource);
    if (table === undefined) tables.set(resource, (table = tableOf(context, page, maxBulk)));
    return table;
  };

  /**
   * What serves the request, found once per request: the model's own handler of the path (its `:field` or
   * `:action` filled in), or, where one route per model would have sent it, a row's page. A word the model has
   * no page for is a row key (`/admin/audit/add/` of the read-only trail is its row `add`;
   * `/lookup/history/` the history of `lookup`). Undefined: the panel's not-found page.
   */
  const found = new WeakMap<FastifyRequest, Found | undefined>();
  const resolve = (request: FastifyRequest, method: string, path: string): Found | undefined => {
    if (found.has(request)) return found.get(request);
    const params = request.params as Record<string, string>;
    const table = tableFor(params.resource!);
    const named = path.replace(/:(field|action)\b/, (_, name: string) => params[name]!);
    const own = table?.get(`${method} ${named}`);
    const asRow = named.replace(/^\/[^/:]+\//, '/:id/');
    const handler = own ?? table?.get(`${method} ${asRow}`);
    const result =
      handler === undefined
        ? undefined
        : { handler, own: own !== undefined, route: `/admin/${params.resource!}${own ? named : asRow}` };
    found.set(request, result);
    return result;
  };

  for (const { method, path, json } of ROUTES) {
    app.route({
      method,
      url: `/:resource${path}`,
      // A lookup answers JSON; a URL of its shape that is another page (`/lookup/history/`) answers HTML.
      config: json ? { adminJson: (request) => resolve(request, method, path)?.own === true } : {},
      // After the body is read (the not-found path checks a POST's CSRF token in it), before the sign-in guard.
      preValidation: (request, reply, done) => {
        const served = resolve(request, method, path);
        if (served === undefined) return reply.callNotFound();
        // Metrics and the audit trail name the page as if it had a route of its own.
        request.servedRoute = served.route;
        done();
      },
      handler: (request, reply) => resolve(request, method, path)!.handler(request, reply),
    });
  }
}
