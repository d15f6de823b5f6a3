/**
 * Hostile input: property-based runs (fast-check) over the query-string and
 * body parsers, plus a fixed battery. Every answer is JSON with a status
 * below 500, the table is unchanged where nothing valid was sent, and the
 * process stays up.
 */
import net from 'node:net';
import fc from 'fast-check';
import t from 'tap';
import { models } from '../../generated/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { propertySeed } from '../helpers/property-seed.js';
import { basicAuth, PASSWORD, startService, USERNAME, type Service } from '../helpers/service.js';

const seed = propertySeed(t);

const card = models.find((model) => model.resource === 'card')!;
const columnNames = card.columns.map((column) => column.name);
const operators = [
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
  'is_null',
  'nope',
];
const nasty = [
  "'",
  '"',
  ';',
  '--',
  '/*',
  '*/',
  '`',
  '\\',
  '%',
  '_',
  '\u0000',
  '😀',
  '\uD800',
  ' OR 1=1',
  ') OR (1=1',
  'DROP TABLE cc_card',
  '%FF',
  '%00',
  '+',
];

/** Keys that are, or look like, real parameters. */
const key = fc.oneof(
  fc.constantFrom(...columnNames, 'page', 'limit', 'ordering', 'fields', 'after'),
  fc.tuple(fc.constantFrom(...columnNames), fc.constantFrom(...operators)).map(([name, op]) => `${name}__${op}`),
  fc.string({ maxLength: 20 }),
);
const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom(...nasty),
  fc.constantFrom('-1', '0', '2147483648', '1e309', 'NaN', ''),
);
const query = fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => new URLSearchParams(pairs).toString());

const bodyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(...nasty),
  fc.string({ maxLength: 80 }),
  fc.double(),
  fc.bigInt().map(String),
);
const body = fc.dictionary(fc.oneof(fc.constantFrom(...columnNames), fc.string({ maxLength: 12 })), bodyValue, {
  maxKeys: 6,
});

async function snapshot(service: Service): Promise<string> {
  return JSON.stringify(await service.backend.raw('SELECT * FROM cc_card ORDER BY id'));
}

/** A raw HTTP exchange, for requests fetch() refuses to send. */
async function rawHttp(port: number, request: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const victim = await service.request('/api/card/', {
      method: 'POST',
      body: { username: 'victim', useralias: 'victim', uipass: 'x', credit: 5, tariff: 1 },
    });
    const id = victim.json.id;
    const port = Number(new URL(service.baseUrl).port);

    await t.test('any query string: 200 or 400 JSON, table unchanged', async (t) => {
      const before = await snapshot(service);
      const seen = new Set<number>();
      await fc.assert(
        fc.asyncProperty(query, async (text) => {
          const response = await service.request(`/api/card/?${text}`);
          seen.add(response.status);
          return (response.status === 200 || response.status === 400) && response.json !== undefined;
        }),
        { numRuns: 300, seed },
      );
      t.ok(seen.has(400), `statuses seen: ${[...seen].join(', ')}`);
      t.equal(await snapshot(service), before, 'table unchanged');
    });

    await t.test('any JSON body on update: 200, 400 or 409, never 500', async (t) => {
      const seen = new Set<number>();
      await fc.assert(
        fc.asyncProperty(body, async (object) => {
          const response = await service.request(`/api/card/${id}/`, { method: 'PATCH', body: object });
          seen.add(response.status);
          return [200, 400, 409].includes(response.status) && response.json !== undefined;
        }),
        { numRuns: 300, seed },
      );
      t.ok(seen.has(400), `statuses seen: ${[...seen].join(', ')}`);
      const row = await service.request(`/api/card/${id}/`);
      t.equal(row.status, 200, 'the row is still readable');
    });

    await t.test('a fixed battery of hostile requests', async (t) => {
      const before = await snapshot(service);
      const expect = async (label: string, status: number, response: { status: number; json: any }) => {
        t.equal(response.status, status, label);
        t.type(response.json?.code, 'string', `${label}: JSON error with a code`);
      };
      await expect(
        'deeply nested body',
        400,
        await service.request('/api/card/', {
          method: 'POST',
          body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
          headers: { 'content-type': 'application/json' },
        }),
      );
      await expect(
        '2 MiB body',
        413,
        await service.request('/api/card/', {
          method: 'POST',
          body: JSON.stringify({ lastname: 'x'.repeat(2 << 20) }),
          headers: { 'content-type': 'application/json' },
        }),
      );
      const invalidUtf8 = Buffer.concat([
        Buffer.from('{"username": "'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('", "useralias": "u", "uipass": "p", "credit": 1, "tariff": 1}'),
      ]);
      const response = await fetch(`${service.baseUrl}/api/card/`, {
        method: 'POST',
        body: invalidUtf8,
        headers: { authorization: basicAuth(USERNAME, PASSWORD), 'content-type': 'application/json' },
      });
      await expect('invalid UTF-8 in a JSON body', 400, { status: response.status, json: await response.json() });
      const form = await fetch(`${service.baseUrl}/api/cardgroup/`, {
        method: 'POST',
        body: Buffer.from('name=%FF%FE&x=\xff'),
        headers: { authorization: basicAuth(USERNAME, PASSWORD), 'content-type': 'application/x-www-form-urlencoded' },
      });
      t.equal(form.status, 400, 'invalid UTF-8 in a form body');
      await expect('invalid UTF-8 in the query', 400, await service.request('/api/card/?username=%FF%FE'));
      await expect(
        'a NUL byte in a body value',
        400,
        await service.request(`/api/card/${id}/`, { method: 'PATCH', body: { lastname: 'a\u0000b' } }),
      );
      await expect('a NUL byte in a filter', 400, await service.request('/api/card/?username=a%00b'));
      await expect(
        'a lone surrogate',
        400,
        await service.request(`/api/card/${id}/`, {
          method: 'PATCH',
          body: '{"lastname": "\\ud800"}',
          headers: { 'content-type': 'application/json' },
        }),
      );
      await expect(
        'an emoji in a utf8 column',
        400,
        await service.request(`/api/card/${id}/`, { method: 'PATCH', body: { lastname: '😀' } }),
      );
      await expect('page past 2^31', 400, await service.request('/api/card/?page=2147483648'));
      await expect('negative limit', 400, await service.request('/api/card/?limit=-5'));
      await expect('repeated page', 400, await service.request('/api/card/?page=1&page=2'));
      const headers = await rawHttp(
        port,
        `GET /api/card/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
      );
      t.match(headers, /^HTTP\/1\.1 431 /, 'oversized headers: 431');
      t.match(headers, /"code":"headers_too_large"/, 'oversized headers: a JSON error');
      const garbage = await rawHttp(port, 'NOT HTTP AT ALL\r\n\r\n');
      t.match(garbage, /^HTTP\/1\.1 400 .*"code":"bad_request"/s, 'a malformed request line: 400 JSON');
      t.equal(await snapshot(service), before, 'table unchanged');
      t.equal((await service.request('/health/live', { auth: false })).status, 200, 'the process is alive');
    });
  });
}
