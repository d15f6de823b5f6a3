/**
 * The shipped nginx site (deploy/nginx/a2gen.conf) in front of the real
 * service, as "Deploy next to A2Billing" sets it up: Debian's nginx with a
 * self-signed certificate, the service started with A2B_TRUST_PROXY=127.0.0.1.
 * Only the ports, the upstream and the certificate paths are changed.
 *
 * Clients connect from 127.0.0.2 (and .3, .4): addresses that are not the
 * proxy's, so the address the service records says which header it believed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { PROJECT_ROOT } from '../helpers/backends.js';
import { ensureDebianCommand } from '../helpers/debian-package.js';
import { basicAuth } from '../helpers/service.js';
import { spawnService } from '../helpers/spawned-service.js';
import { waitFor } from '../helpers/wait-for.js';

const CLIENT = '127.0.0.2';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

interface Send {
  scheme: 'http' | 'https';
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The address the client connects from. */
  from?: string;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The site with the test's ports and files; each replaced line must be there, or the test is stale. */
function siteForTest(ports: { http: number; https: number; service: number }, dir: string): string {
  let site = readFileSync(path.join(PROJECT_ROOT, 'deploy/nginx/a2gen.conf'), 'utf8');
  const replacements: [string, string][] = [
    ['listen 80;', `listen 127.0.0.1:${ports.http};`],
    ['listen [::]:80;', ''],
    ['listen 443 ssl http2;', `listen 127.0.0.1:${ports.https} ssl http2;`],
    ['listen [::]:443 ssl http2;', ''],
    ['server 127.0.0.1:8008;', `server 127.0.0.1:${ports.service};`],
    ['/etc/ssl/certs/a2gen.crt', path.join(dir, 'cert.pem')],
    ['/etc/ssl/private/a2gen.key', path.join(dir, 'key.pem')],
  ];
  for (const [from, to] of replacements) {
    if (!site.includes(from)) throw new Error(`deploy/nginx/a2gen.conf no longer has "${from}": update this test`);
    site = site.replaceAll(from, to);
  }
  return site;
}

/** nginx's main file around the site: everything in `dir`, in the foreground. */
function mainConfig(dir: string): string {
  const runAsRoot = process.getuid?.() === 0 ? 'user root;' : '';
  return `${runAsRoot}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/a2gen.conf;
}
`;
}

t.test('nginx with the shipped site, in front of the service', async (t) => {
  const nginx = ensureDebianCommand('nginx', 'nginx');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-nginx-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const ca = readFileSync(path.join(dir, 'cert.pem'));

  const dataDir = path.join(dir, 'data');
  const service = await spawnService(t, {
    env: { A2B_DATA_DIR: dataDir, A2B_TRUST_PROXY: '127.0.0.1', A2B_AUTH_MAX_FAILURES: '3' },
    ready: /serving http:\/\/127\.0\.0\.1:\d+/,
  });
  const servicePort = Number(/serving http:\/\/127\.0\.0\.1:(\d+)/.exec(service.output())![1]);
  const password = /admin password: (\S+)/.exec(service.output())![1]!;
  const auth = basicAuth('admin', password);

  const ports = { http: await freePort(), https: await freePort(), service: servicePort };
  writeFileSync(path.join(dir, 'a2gen.conf'), siteForTest(ports, dir));
  writeFileSync(path.join(dir, 'nginx.conf'), mainConfig(dir));
  const nginxArgs = ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')];
  execFileSync(nginx, ['-t', '-q', ...nginxArgs]);
  const proxy = spawn(nginx, nginxArgs, { stdio: 'ignore' });
  t.teardown(() => proxy.kill('SIGKILL'));

  const send = ({ scheme, port, path: url, method = 'GET', headers = {}, body, from = CLIENT }: Send) =>
    new Promise<Answer>((resolve, reject) => {
      const request = (scheme === 'https' ? https : http).request(
        { host: '127.0.0.1', port, path: url, method, headers, localAddress: from, ca, agent: false },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const viaProxy = (options: Omit<Send, 'scheme' | 'port'>) => send({ scheme: 'https', port: ports.https, ...options });
  const direct = (options: Omit<Send, 'scheme' | 'port'>) => send({ scheme: 'http', port: servicePort, ...options });
  await waitFor(
    () =>
      viaProxy({ path: '/health/live' })
        .then((answer) => answer.status === 200)
        .catch(() => false),
    {
      timeoutMs: 10_000,
      what: 'nginx to answer over HTTPS',
    },
  );

  const database = new Database(path.join(dataDir, 'a2billing.sqlite'), { readonly: true });
  t.teardown(() => database.close());
  const auditClient = (id: number) =>
    (
      database
        .prepare("SELECT client FROM a2gen_audit WHERE resource = 'cardgroup' AND row_key = ? AND action = 'create'")
        .get(String(id)) as { client: string } | undefined
    )?.client;
  const createGroup = async (through: typeof viaProxy, name: string, forwardedFor: string) => {
    const answer = await through({
      path: '/api/cardgroup/',
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ name }),
    });
    t.equal(answer.status, 200, `created ${name}: ${answer.text}`);
    return JSON.parse(answer.text).id as number;
  };

  await t.test('HTTPS with Basic auth answers 200', async (t) => {
    const answer = await viaProxy({ path: '/api/cardgroup/', headers: { authorization: auth } });
    t.equal(answer.status, 200);
    t.ok(Array.isArray(JSON.parse(answer.text).objects), 'the list');
    t.equal((await viaProxy({ path: '/api/cardgroup/' })).status, 401, 'and without credentials, 401');
  });

  await t.test('plain HTTP is redirected to HTTPS', async (t) => {
    const answer = await send({ scheme: 'http', port: ports.http, path: '/api/cardgroup/?limit=5' });
    t.equal(answer.status, 301);
    t.match(answer.headers.location, /^https:\/\/127\.0\.0\.1\/api\/cardgroup\/\?limit=5$/);
  });

  await t.test("a write through the proxy records the client's address from X-Forwarded-For", async (t) => {
    // The client tries to pick its own address; nginx appends the real one, and only that one is believed.
    const id = await createGroup(viaProxy, 'via-proxy', '203.0.113.9');
    t.equal(auditClient(id), CLIENT, 'the audit row has the address nginx saw, not 127.0.0.1 or the forged one');
    // The access log is written in blocks or once a second.
    const postLine = (line: string) => line.includes('"method":"POST"') && line.includes('"url":"/api/cardgroup/"');
    const line = await waitFor(() => service.output().split('\n').find(postLine), {
      what: 'the access log line of the POST',
      timeoutMs: 5000,
    });
    t.equal(JSON.parse(line).req.remoteAddress, CLIENT, 'so does the access log');
  });

  await t.test('X-Forwarded-For sent straight to the service is ignored', async (t) => {
    const id = await createGroup(direct, 'direct', '198.51.100.7');
    t.equal(auditClient(id), CLIENT, 'the audit row has the socket address');
  });

  await t.test('the admin session cookie is Secure through the proxy, not over plain HTTP', async (t) => {
    const page = await viaProxy({ path: '/admin/login' });
    t.equal(page.status, 200);
    const cookie = page.headers['set-cookie']?.[0] ?? '';
    t.match(cookie, /; Secure/i, 'login page over HTTPS');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const signedIn = await viaProxy({
      path: '/admin/login',
      method: 'POST',
      headers: { cookie: cookie.split(';')[0]!, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, username: 'admin', password }).toString(),
    });
    t.equal(signedIn.status, 303, 'signed in');
    t.match(signedIn.headers['set-cookie']?.[0], /; Secure/i, 'the session cookie is Secure');

    const plain = await direct({ path: '/admin/login' });
    t.notMatch(plain.headers['set-cookie']?.[0] ?? '', /; Secure/i, 'straight to the service over HTTP it is not');
  });

  await t.test('the login limiter counts each client behind the proxy on its own', async (t) => {
    const wrong = basicAuth('admin', 'not the password');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++)
      statuses.push(
        (await viaProxy({ path: '/api/cardgroup/', headers: { authorization: wrong }, from: '127.0.0.3' })).status,
      );
    t.same(statuses, [401, 401, 401, 429], 'one client is limited after A2B_AUTH_MAX_FAILURES');
    // A wrong password, not the right one: a cached valid credential passes even a blocked address.
    const other = await viaProxy({ path: '/api/cardgroup/', headers: { authorization: wrong }, from: '127.0.0.4' });
    t.equal(other.status, 401, 'another client behind the same proxy is not: its guess is checked');
  });
});
