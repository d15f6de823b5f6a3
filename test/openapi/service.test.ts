/**
 * The OpenAPI document against the running service: it lists exactly the
 * routes and methods served, every documented filter is accepted and an
 * undocumented one is a 400 (both ways, over every field and operator); /api/openapi.json and /docs are public while the
 * rest of /api/ stays behind Basic auth.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { models } from '../../generated/index.js';
import { formatKey, keyOf } from '../../runtime/store/keys.js';
import { Registry } from '../../runtime/store/resource.js';

const registry = new Registry(models);
import { PROJECT_ROOT } from '../helpers/backends.js';
import { startService, type Service } from '../helpers/service.js';

const text = readFileSync(path.join(PROJECT_ROOT, 'generated/openapi.json'), 'utf8');
const doc = JSON.parse(text);

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Every filter operator the service knows, for the negative cases. */
const ALL_OPERATORS = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'not_in',
  'between',
  'like',
  'ilike',
  'regexp',
  'contains',
  'icontains',
  'startswith',
  'endswith',
  'is_null',
];

function resolve(node: any): any {
  if (node && typeof node.$ref === 'string') {
    return resolve(
      node.$ref
        .slice(2)
        .split('/')
        .reduce((object: any, key: string) => object?.[key], doc),
    );
  }
  return node;
}

/** A valid value for a schema, as the query string or a JSON body carries it. */
function sample(schema: any): unknown {
  schema = resolve(schema);
  if (schema.enum) return schema.enum[0];
  if (schema.examples) return schema.examples[0];
  const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('boolean')) return true;
  if (types.includes('integer') || types.includes('number')) {
    return Math.min(Math.max(1, schema.minimum ?? 1), schema.maximum ?? 1);
  }
  return 'a';
}

/** A query value for a parameter: arrays (style form, explode false) comma-separated. */
function queryValue(parameter: any): string {
  const schema = parameter.schema;
  if (schema.type === 'array')
    return Array.from({ length: schema.minItems ?? 1 }, () => String(sample(schema.items))).join(',');
  return String(sample(schema));
}

let counter = 0;

/** A create body with every required field, unique where a unique key may apply. */
function createBody(schemaName: string, resource: string): Record<string, unknown> {
  const schema = doc.components.schemas[schemaName];
  const keys = registry.get(resource)!.key.map((column) => column.name);
  const body: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    const property = schema.properties[name];
    const value = sample(property);
    const unique = value === 'a' || keys.includes(name);
    // Every probe creates a row: text and key values differ each time, within the column's length.
    const text = () => `probe${++counter}`.slice(-(resolve(property).maxLength ?? 40));
    body[name] = !unique ? value : typeof value === 'number' ? 1000 + ++counter : text();
  }
  return body;
}

/** The routes Fastify really serves, from printRoutes' tree: full path → methods. */
function servedRoutes(service: Service): Map<string, Set<string>> {
  const routes = new Map<string, Set<string>>();
  const stack: string[] = [];
  for (const line of service.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const marker = line.indexOf('── ');
    if (marker < 0) continue;
    const depth = (marker - 1) / 4;
    const match = /^(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(marker + 3).trim());
    if (!match) continue;
    stack.length = depth;
    stack.push(match[1]!);
    if (match[2]) routes.set(stack.join(''), new Set(match[2].split(', ')));
  }
  return routes;
}

const service = await startService('sqlite');
t.teardown(() => service.close());

t.test('/api/openapi.json is the committed file, served without credentials', async (t) => {
  const response = await service.request('/api/openapi.json', { auth: false });
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type'), /^application\/json/);
  t.equal(response.text, text, 'byte for byte the committed generated/openapi.json');
  t.equal(
    (await service.request('/api/openapi.json', { auth: 'Basic d3Jvbmc6d3Jvbmc=' })).status,
    200,
    'wrong credentials do not matter',
  );
  t.equal((await service.request('/api/openapi.json/', { auth: false })).status, 200, 'with a trailing slash too');
});

t.test('/docs is a public HTML reference of the same document', async (t) => {
  for (const url of ['/docs', '/docs/']) {
    const response = await service.request(url, { auth: false });
    t.equal(response.status, 200, `${url} answers 200`);
    t.match(response.headers.get('content-type'), /^text\/html/, `${url} is HTML`);
    t.match(response.text, /swagger-ui/i);
  }
  const json = await service.request('/docs/json', { auth: false });
  t.equal(json.status, 200);
  t.strictSame(json.json, doc, '/docs shows generated/openapi.json');
  const initializer = await service.request('/docs/static/swagger-initializer.js', { auth: false });
  t.equal(initializer.status, 200, 'the UI assets are served');
});

t.test('everything else under /api/ still needs credentials', async (t) => {
  for (const url of ['/api/', '/api/card/', '/api/cardgroup/1/', '/api/nothing/', '/api/openapi.yaml']) {
    const response = await service.request(url, { auth: false });
    t.equal(response.status, 401, `${url} without credentials: 401`);
    t.equal(response.json?.code, 'unauthorized', 'with the code the document names');
    t.equal(response.headers.get('www-authenticate'), 'Basic realm="Login Required"');
  }
});

/**
 * The /api/ URLs the service answers, with their methods. The routes every model shares (`/api/:resource/:id/`)
 * stand for each model's own URLs: an OPTIONS request tells which a model has (204 with Allow) and which it
 * does not (404), as a client finds out.
 */
async function servedApiUrls(t: Test, service: Service): Promise<Map<string, Set<string>>> {
  const urls = new Map<string, Set<string>>();
  // The catch-all (/api/*) only answers 404, or 401, for unknown resources.
  for (const [url, methods] of servedRoutes(service)) {
    if (!(url.startsWith('/api') || url.startsWith('/custom_api')) || url.includes('*')) continue;
    if (!url.includes(':resource')) {
      urls.set(url, methods);
      continue;
    }
    for (const resource of registry.all()) {
      const concrete = url.replace(':resource', resource.name);
      const probe = await service.request(`${concrete.replace(':id', '1')}/`, { method: 'OPTIONS' });
      if (probe.status === 204) urls.set(concrete, new Set(probe.headers.get('allow')!.split(', ')));
      else t.equal(probe.status, 404, `OPTIONS ${concrete}/: 204, or 404 where ${resource.name} has no such URL`);
    }
  }
  return urls;
}

t.test('the document lists exactly the /api/ routes the service serves', async (t) => {
  const served = await servedApiUrls(t, service);
  const apiRoutes = [...served.keys()];
  const documented = Object.keys(doc.paths).map((url) => url.replace(/\{(\w+)\}/g, ':$1').replace(/\/$/, ''));
  t.ok(apiRoutes.length >= 8, `${apiRoutes.length} /api/ routes served`, { served: apiRoutes });
  t.strictSame(apiRoutes.sort(), [...documented].sort(), 'served /api/ routes = documented paths');
  for (const url of Object.keys(doc.paths)) {
    const methods = served.get(url.replace(/\{(\w+)\}/g, ':$1').replace(/\/$/, '')) ?? new Set<string>();
    for (const method of Object.keys(doc.paths[url]).filter((key) => doc.paths[url][key]?.responses)) {
      t.ok(methods.has(method.toUpperCase()), `${method.toUpperCase()} ${url} is served`);
    }
  }
});

t.test('documented methods are served; the others answer 405 with Allow', async (t) => {
  for (const [url, item] of Object.entries(doc.paths) as [string, any][]) {
    if (!url.includes('{id}') && !/^\/api\/\w+\/$/.test(url)) continue;
    const resource = url.split('/')[2]!;
    const typeName = Object.keys(doc.components.schemas).find(
      (name) => doc.components.schemas[`${name}List`]?.properties.meta.properties.model.const === resource,
    )!;
    const documented = HTTP_METHODS.filter((method) => item[method.toLowerCase()] || (method === 'HEAD' && item.get));
    const readOnly = registry.get(resource)!.readOnly;
    for (const method of HTTP_METHODS) {
      // Each probe gets a fresh row, so deleting it is as fine as reading it. The read-only audit trail gets one by any write.
      const created = readOnly
        ? await service
            .request('/api/cardgroup/', { method: 'POST', body: { name: 'probe' } })
            .then(async () => (await service.request(`/api/${resource}/?ordering=-id&limit=1`)).json.objects[0])
        : (
            await service.request(`/api/${resource}/`, {
              method: 'POST',
              body: createBody(`${typeName}Create`, resource),
            })
          ).json;
      const key = created && formatKey(keyOf(registry.get(resource)!, created));
      t.ok(key, `a ${resource} to probe`, { body: created });
      // The collection's PATCH and DELETE need a filter and a guard: this row, at most one.
      const collectionWrite = !url.includes('{id}') && (method === 'PATCH' || method === 'DELETE');
      const filter = registry
        .get(resource)!
        .key.map((column) => `${column.name}=${encodeURIComponent(String(created[column.name]))}`)
        .join('&');
      const concrete = collectionWrite ? `${url}?${filter}` : url.replace('{id}', key);
      const adjustment = /\{id\}\/\w+$/.test(url) && !url.endsWith('/delete/');
      const body = ['POST', 'PUT', 'PATCH'].includes(method)
        ? adjustment
          ? { delta: '1' }
          : url.endsWith('/delete/')
            ? undefined
            : url.includes('{id}') || collectionWrite
              ? {}
              : createBody(`${typeName}Create`, resource)
        : undefined;
      const response = await service.request(concrete, {
        method,
        body,
        ...(collectionWrite && { headers: { prefer: 'max-affected=1' } }),
      });
      if (documented.includes(method)) {
        t.equal(response.status, 200, `${method} ${url} is served`, { body: response.text });
      } else {
        t.equal(response.status, 405, `${method} ${url} is 405`);
        t.strictSame(
          response.headers.get('allow')?.split(', ').sort(),
          [...documented].sort(),
          `${method} ${url}: Allow names the documented methods`,
        );
        t.match(
          item.description,
          `Allow: ${response.headers.get('allow')}`,
          `${url}: the description names the same Allow header`,
        );
      }
    }
  }
});

const SPECIAL = ['in', 'not_in', 'between', 'is_null'];

function listOperation(resource: string): any {
  return doc.paths[`/api/${resource}/`].get;
}

function typeNameOf(resource: string): string {
  return listOperation(resource)
    .responses['200'].content['application/json'].schema.$ref.split('/')
    .pop()
    .replace(/List$/, '');
}

/**
 * A valid query value for a parameter name if the document lists it (as a
 * parameter of its own or by a pattern of the `filters` schema), else
 * undefined. Through a reference, the referenced model's own filter says what
 * a value looks like.
 */
function documentedValue(resource: string, name: string): string | undefined {
  const own = listOperation(resource).parameters.find(
    (parameter: any) => parameter.name === name && parameter.name !== 'filters',
  );
  if (own) return queryValue(own);
  const patterns = Object.entries(
    doc.components.schemas[`${typeNameOf(resource)}Filters`].patternProperties as Record<string, any>,
  );
  const matches = patterns.filter(([pattern]) => new RegExp(pattern, 'u').test(name));
  if (matches.length === 0) return undefined;
  const [head, ...rest] = name.split('__');
  const target = registry.get(resource)!.target(head!);
  if (target && rest.length > 0 && !ALL_OPERATORS.includes(rest[0]!))
    return documentedValue(target.name, rest.join('__'));
  const operator = rest.at(-1)!;
  if (operator === 'is_null') return 'true';
  if (SPECIAL.includes(operator)) {
    const one = documentedValue(resource, head!)!;
    return operator === 'between' ? `${one},${one}` : one;
  }
  return String(sample(matches[0]![1]));
}

t.test('documented filters are accepted; undocumented ones are a 400 naming them', async (t) => {
  for (const module of registry.all()) {
    const { name: resource, columns } = module;
    const url = `/api/${resource}/`;
    // Query parameters only: the Prefer header is a $ref to a header parameter.
    const paging = listOperation(resource).parameters.filter(
      (parameter: any) =>
        parameter.in === 'query' &&
        !columns.some((column) => column.name === parameter.name) &&
        parameter.name !== 'filters',
    );
    const candidates = [
      'nosuchfield',
      'usrname',
      'page__gt',
      'limit__eq',
      'filters',
      ...paging.map((parameter: any) => parameter.name),
    ];
    for (const column of columns) {
      candidates.push(column.name);
      for (const operator of [...ALL_OPERATORS, 'nope']) candidates.push(`${column.name}__${operator}`);
      const target = module.target(column.name);
      if (target === undefined) continue;
      for (const other of target.columns) {
        candidates.push(
          `${column.name}__${other.name}`,
          `${column.name}__${other.name}__ilike`,
          `${column.name}__${other.name}__is_null`,
          `${column.name}__${other.name}__nope`,
        );
      }
    }
    const wrong: string[] = [];
    let documented = 0;
    for (const name of candidates) {
      const value = documentedValue(resource, name);
      if (value !== undefined) documented++;
      const response = await service.request(`${url}?${encodeURIComponent(name)}=${encodeURIComponent(value ?? '1')}`);
      if (value !== undefined && (response.status !== 200 || !Array.isArray(response.json?.objects))) {
        wrong.push(`documented ${name}=${value}: ${response.status} ${response.text}`);
      }
      if (
        value === undefined &&
        (response.status !== 400 ||
          response.json?.code !== 'invalid_query' ||
          response.json.fields?.[0]?.field !== name)
      ) {
        wrong.push(`undocumented ${name}: ${response.status} ${response.text}`);
      }
    }
    t.ok(
      documented > 10 && candidates.length - documented > 10,
      `${url}: ${documented} documented and ${candidates.length - documented} undocumented names tried`,
    );
    t.strictSame(wrong, [], `${url}: the document and the service agree on every one`);
  }
});
