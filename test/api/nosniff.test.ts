/**
 * `X-Content-Type-Options: nosniff` on every answer, so no browser ever
 * guesses that a JSON answer (which may hold text a client stored) is HTML:
 * the API's answers and errors of every kind, /docs and the OpenAPI
 * document, health, the admin panel, errors Fastify raises before routing,
 * the raw answers to requests Node's parser refuses, and the metrics
 * listener. On both databases.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { models } from '../../generated/index.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { loadConfig } from '../../runtime/config.js';
import { buildServer } from '../../runtime/server.js';
import { BACKENDS, createBackend } from '../helpers/backends.js';
import { basicAuth, PASSWORD, USERNAME } from '../helpers/service.js';

/** A raw HTTP exchange, for requests fetch() will not send. */
function rawHttp(port: number, request: string, keepOpenMs = 0): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => (keepOpenMs > 0 ? socket.write(request) : socket.end(request)));
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer));
  });
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const backend = await createBackend(name);
    await new UserStore(backend.db).createOrResetAdmin({ username: USERNAME, password: PASSWORD });
    const config = { ...loadConfig({}), metricsPort: 0, metricsHost: '127.0.0.1', requestTimeoutMs: 1000 };
    const app = await buildServer({
      db: backend.db,
      models,
      config,
      logger: false,
      admin: { sessionKey: randomBytes(32) },
    });
    t.teardown(async () => {
      await app.close();
      await backend.cleanup();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    const metrics = `http://127.0.0.1:${(app.metricsListener!.server.address() as AddressInfo).port}`;
    const auth = basicAuth(USERNAME, PASSWORD);
    const json = { authorization: auth, 'content-type': 'application/json' };

    const cases: Array<[string, string, RequestInit, number]> = [
      ['API list', `${base}/api/card/`, { headers: { authorization: auth } }, 200],
      ['API row', `${base}/api/cardgroup/1/`, { headers: { authorization: auth } }, 200],
      ['API create', `${base}/api/cardgroup/`, { method: 'POST', headers: json, body: '{"name":"n"}' }, 200],
      ['API index', `${base}/api/`, { headers: { authorization: auth } }, 200],
      ['401', `${base}/api/card/`, {}, 401],
      ['400 bad query', `${base}/api/card/?nope=1`, { headers: { authorization: auth } }, 400],
      ['400 bad body', `${base}/api/cardgroup/`, { method: 'POST', headers: json, body: '{"nmae":1}' }, 400],
      ['400 malformed JSON', `${base}/api/cardgroup/`, { method: 'POST', headers: json, body: '{' }, 400],
      [
        '403 cross-site',
        `${base}/api/cardgroup/`,
        { method: 'POST', headers: { ...json, origin: 'http://evil' } },
        403,
      ],
      ['404 row', `${base}/api/cardgroup/999/`, { headers: { authorization: auth } }, 404],
      ['404 resource', `${base}/api/nope/`, { headers: { authorization: auth } }, 404],
      ['404 outside the API', `${base}/nowhere`, {}, 404],
      ['405', `${base}/api/audit/`, { method: 'POST', headers: json, body: '{}' }, 405],
      ['413', `${base}/api/cardgroup/`, { method: 'POST', headers: json, body: 'x'.repeat(2 << 20) }, 413],
      [
        '415',
        `${base}/api/cardgroup/`,
        { method: 'POST', headers: { authorization: auth, 'content-type': 'text/plain' }, body: '{}' },
        415,
      ],
      ['400 bad URL (before routing)', `${base}/api/card/%ZZ/`, { headers: { authorization: auth } }, 400],
      ['docs', `${base}/docs`, {}, 200],
      ['OpenAPI document', `${base}/api/openapi.json`, {}, 200],
      ['health live', `${base}/health/live`, {}, 200],
      ['health ready', `${base}/health/ready`, {}, 200],
      ['health ready, details', `${base}/health/ready`, { headers: { authorization: auth } }, 200],
      ['admin sign-in page', `${base}/admin/login`, {}, 200],
      ['admin redirect', `${base}/admin/card/`, { redirect: 'manual' }, 303],
      ['metrics listener', `${metrics}/metrics`, {}, 200],
      ['metrics listener, health', `${metrics}/health/ready`, {}, 200],
      ['metrics listener, 404', `${metrics}/nowhere`, {}, 404],
    ];
    for (const [label, url, init, status] of cases) {
      const response = await fetch(url, init);
      await response.arrayBuffer();
      t.equal(response.status, status, `${label}: ${status}`);
      t.equal(response.headers.get('x-content-type-options'), 'nosniff', `${label}: nosniff`);
    }

    const malformed = await rawHttp(port, 'NOT HTTP AT ALL\r\n\r\n');
    t.match(malformed, /^HTTP\/1\.1 400 [^]*\r\nX-Content-Type-Options: nosniff\r\n/, 'a malformed request: nosniff');
    const huge = await rawHttp(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
    t.match(huge, /^HTTP\/1\.1 431 [^]*\r\nX-Content-Type-Options: nosniff\r\n/, 'headers too large: nosniff');
    const late = await rawHttp(
      port,
      `POST /api/cardgroup/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Length: 10\r\n\r\n{`,
      1,
    );
    t.match(late, /^HTTP\/1\.1 408 [^]*\r\nX-Content-Type-Options: nosniff\r\n/, 'a request too slow: nosniff');
  });
}
