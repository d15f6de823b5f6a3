/**
 * The panel serves every model's pages through one route per page kind, so
 * its number of routes does not grow with the tables; and a URL that names
 * no model, or a page its model does not have, is answered as when each
 * model had routes of its own.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { models } from '../../generated/index.js';
import { loadConfig } from '../../runtime/config.js';
import type { ResourceModel } from '../../runtime/store/model.js';
import { buildServer } from '../../runtime/server.js';
import { createBackend } from '../helpers/backends.js';
import { parseExposition, sampleValue } from '../helpers/prometheus-text.js';
import { basicAuth, PASSWORD, USERNAME } from '../helpers/service.js';
import { adminClient, startAdminService } from './admin-service.js';

/** The methods of every route under /admin, counted in Fastify's route tree. */
function adminRouteCount(app: FastifyInstance): number {
  let top = '';
  let count = 0;
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    if (/^[├└]── /.test(line)) top = line.slice(4);
    const methods = / \(([^)]*)\)$/.exec(line)?.[1];
    if (top.startsWith('/admin') && methods !== undefined) count += methods.split(', ').length;
  }
  return count;
}

t.test('as many admin routes for 27 tables as for 14', async (t) => {
  const backend = await createBackend('sqlite');
  t.teardown(() => backend.cleanup());
  const serve = async (served: readonly ResourceModel[]) => {
    const app = await buildServer({
      db: backend.db,
      models: served,
      config: loadConfig({}),
      logger: false,
      openapi: false,
      admin: { sessionKey: randomBytes(32) },
    });
    t.teardown(() => app.close());
    await app.ready();
    return app;
  };
  const copies = models
    .filter((model) => model.table !== 'a2gen_audit')
    .map((model) => ({ ...model, resource: `${model.resource}copy`, table: `${model.table}_copy` }));
  const shipped = await serve(models);
  const more = await serve([...models, ...copies]);
  t.ok(adminRouteCount(shipped) > 0);
  t.equal(adminRouteCount(more), adminRouteCount(shipped));
  t.ok(shipped.hasRoute({ method: 'GET', url: '/admin/:resource/' }), 'one list route for every model');
  t.notOk(shipped.hasRoute({ method: 'GET', url: '/admin/card/' }), 'none of its own for a model');
});

t.test('URLs without a page of their own', async (t) => {
  const service = await startAdminService('sqlite');
  t.teardown(() => service.close());
  const client = service.client();
  await client.login();
  const notFound = async (path: string, text: string) => {
    const page = await client.get(path);
    t.equal(page.status, 404, path);
    t.match(page.text, text, path);
  };
  await notFound('/admin/nosuchmodel/', 'There is no admin page at /admin/nosuchmodel/.');
  await notFound('/admin/nosuchmodel/add/', 'There is no admin page at /admin/nosuchmodel/add/.');
  await notFound('/admin/user/1/history/', 'There is no admin page at /admin/user/1/history/.');
  await notFound('/admin/card/lookup/nosuch/', 'There is no admin page at /admin/card/lookup/nosuch/.');
  // A word the model has no page for is a row key, as the route of its row pages took it.
  await notFound('/admin/audit/add/', 'audit add not found');
  await notFound('/admin/card/lookup/history/', 'card lookup not found');
  await notFound('/admin/card/action/history/', 'card action not found');
  const forged = await client.post('/admin/nosuchmodel/add/', { _csrf: 'nope' });
  t.equal(forged.status, 403, 'a POST without a valid token is refused first, as before');

  const anonymous = adminClient(service.baseUrl);
  const lookup = await anonymous.get('/admin/card/lookup/id_group/');
  t.equal(lookup.status, 401, 'a lookup without a session: 401');
  t.equal(lookup.headers.get('content-type'), 'application/json; charset=utf-8');
  for (const path of ['/admin/card/lookup/nosuch/', '/admin/card/lookup/history/', '/admin/nosuchmodel/']) {
    const page = await anonymous.get(path);
    t.equal(page.status, 303, `${path}: to the sign-in page`);
    t.equal(page.location, `/admin/login?next=${encodeURIComponent(path)}`);
  }
});

t.test('metrics name each page as if it had a route of its own', async (t) => {
  const service = await startAdminService('sqlite');
  t.teardown(() => service.close());
  const client = service.client();
  await client.login();
  t.equal((await client.get('/admin/card/lookup/id_group/?q=')).status, 200);
  t.equal((await client.get('/admin/card/')).status, 200);
  t.equal((await client.get('/admin/nosuchmodel/')).status, 404);
  const response = await fetch(`${service.baseUrl}/metrics`, {
    headers: { authorization: basicAuth(USERNAME, PASSWORD) },
  });
  const exposition = parseExposition(await response.text());
  const requests = (route: string, statusClass: string) =>
    sampleValue(exposition, 'http_requests_total', { method: 'GET', route, status_class: statusClass });
  t.equal(requests('/admin/card/lookup/id_group/', '2xx'), 1, 'the lookup names its field');
  t.equal(requests('/admin/card/', '2xx'), 1, 'the list names its model');
  const routes = exposition.samples
    .filter((sample) => sample.name === 'http_requests_total')
    .map((s) => s.labels.route);
  t.notOk(
    routes.some((route) => route?.includes('nosuchmodel')),
    'a name the service does not serve is no label',
  );
});
