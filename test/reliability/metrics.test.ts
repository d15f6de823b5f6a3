/**
 * Prometheus metrics at /metrics, against the real service over a socket:
 * behind Basic auth on the main port by default, without auth on a loopback
 * listener of its own with A2B_METRICS_PORT. Counters must move by exactly
 * what the test did, labelled by route pattern, never by raw URL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import mysql from 'mysql2/promise';
import t from 'tap';
import { spawnService } from '../helpers/spawned-service.js';
import { models } from '../../generated/index.js';
import { ConfigError, loadConfig } from '../../runtime/config.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import { withErrorCounting } from '../../runtime/metrics/instrumented-db.js';
import { ServiceMetrics } from '../../runtime/metrics/service-metrics.js';
import { buildServer } from '../../runtime/server.js';
import { MYSQL_SERVER } from '../helpers/backends.js';
import { parseExposition, sampleValue, sampleValueOrZero, type Exposition } from '../helpers/prometheus-text.js';
import { basicAuth, PASSWORD, startService, USERNAME, type Service } from '../helpers/service.js';
import { waitFor } from '../helpers/wait-for.js';

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

/** Every request the tests send, for the closing figures. */
let sent = 0;

async function scrape(t: Test, service: Service): Promise<Exposition> {
  sent += 1;
  const response = await service.request('/metrics');
  t.equal(response.status, 200, 'GET /metrics with credentials: 200');
  t.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/, 'Prometheus text format');
  return parseExposition(response.text);
}

const requests = (exposition: Exposition, method: string, route: string, statusClass: string) =>
  sampleValue(exposition, 'http_requests_total', { method, route, status_class: statusClass });

/** How much a series grew between two scrapes: it must exist after; before, it may not yet (labelled series appear once first counted). */
const growth = (before: Exposition, after: Exposition, name: string, labels: Record<string, string> = {}) =>
  sampleValue(after, name, labels) - sampleValueOrZero(before, name, labels);

const requestGrowth = (before: Exposition, after: Exposition, method: string, route: string, statusClass: string) =>
  growth(before, after, 'http_requests_total', { method, route, status_class: statusClass });

t.test('MariaDB, /metrics on the main port behind Basic auth', async (t) => {
  const service = await startService('mysql');
  t.teardown(() => service.close());
  const N = 25;

  await t.test('without or with wrong credentials: 401', async (t) => {
    const anonymous = await service.request('/metrics', { auth: false });
    const wrong = await service.request('/metrics', { auth: basicAuth(USERNAME, `${PASSWORD}!`) });
    sent += 2;
    t.equal(anonymous.status, 401);
    t.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="Login Required"');
    t.equal(wrong.status, 401);
    t.notMatch(anonymous.text, /http_requests_total/, 'no metric leaks with the 401');
  });

  await t.test('the exposition parses and has the process, request, error and pool families', async (t) => {
    const exposition = await scrape(t, service);
    for (const [family, type] of [
      ['http_requests_total', 'counter'],
      ['http_request_duration_seconds', 'histogram'],
      ['db_errors_total', 'counter'],
      ['db_pool_connections', 'gauge'],
      ['db_pool_queued_requests', 'gauge'],
      ['db_pool_max_connections', 'gauge'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_gc_duration_seconds', 'histogram'],
    ] as const) {
      t.equal(exposition.types.get(family), type, `${family} is a ${type}`);
    }
    t.ok(sampleValue(exposition, 'process_resident_memory_bytes') > 0, 'RSS is measured');
    t.equal(
      sampleValue(exposition, 'db_pool_max_connections'),
      loadConfig({}).dbPoolSize,
      'pool limit is A2B_DB_POOL_SIZE',
    );
    t.equal(
      sampleValue(exposition, 'db_pool_connections', { state: 'in_use' }),
      0,
      'no connection in use between requests',
    );
    t.ok(
      sampleValue(exposition, 'db_pool_connections', { state: 'idle' }) >= 1,
      'the connections the requests used are idle',
    );
    t.equal(sampleValue(exposition, 'db_pool_queued_requests'), 0);
    t.equal(
      sampleValue(exposition, 'db_errors_total', { kind: 'duplicate_key' }),
      0,
      'every error kind is there from the start',
    );
  });

  await t.test(`${N} list requests: the route's counter and histogram grow by exactly ${N}`, async (t) => {
    const before = await scrape(t, service);
    const statuses: number[] = [];
    for (let index = 0; index < N; index += 1) statuses.push((await service.request('/api/cardgroup/?limit=1')).status);
    t.same(statuses, Array(N).fill(200), `${N} answers 200`);
    sent += N;
    const after = await scrape(t, service);
    t.equal(requestGrowth(before, after, 'GET', '/api/cardgroup/', '2xx'), N);
    const labels = { method: 'GET', route: '/api/cardgroup/', status_class: '2xx' };
    t.equal(growth(before, after, 'http_request_duration_seconds_count', labels), N, 'each one timed');
    t.ok(
      growth(before, after, 'http_request_duration_seconds_sum', labels) > 0,
      'their latencies add up to more than nothing',
    );
  });

  await t.test('routes are labelled by pattern: ids and unknown URLs never become labels', async (t) => {
    const before = await scrape(t, service);
    const existing = Number((await service.backend.raw('SELECT MIN(id) AS id FROM cc_card_group'))[0]!.id);
    for (const id of [existing, existing, 999_998, 999_999]) await service.request(`/api/cardgroup/${id}/`);
    for (let index = 0; index < 5; index += 1) await service.request(`/no-such-page-${index}`);
    sent += 9;
    const after = await scrape(t, service);
    const detail = (statusClass: string) => requestGrowth(before, after, 'GET', '/api/cardgroup/:id/', statusClass);
    t.equal(detail('2xx') + detail('4xx'), 4, 'four detail requests');
    t.equal(detail('2xx'), 2, 'the existing id twice: one 2xx series');
    t.equal(detail('4xx'), 2, 'the missing ids are 4xx of the same route');
    t.equal(requestGrowth(before, after, 'GET', 'unmatched', '4xx'), 5, 'unknown URLs share one series');
    const routes = new Set(after.samples.map((sample) => sample.labels.route).filter((route) => route !== undefined));
    t.notOk(
      [...routes].some((route) => /\d|no-such-page/.test(route)),
      `route labels are patterns: ${[...routes].join(' ')}`,
    );
  });

  await t.test('a duplicate key (409) counts one duplicate_key database error', async (t) => {
    const before = await scrape(t, service);
    const card = { username: 'metrics-dup', useralias: 'metrics-dup-1', uipass: 'x', credit: 1, tariff: 1 };
    const first = await service.request('/api/card/', { method: 'POST', body: card });
    const second = await service.request('/api/card/', {
      method: 'POST',
      body: { ...card, useralias: 'metrics-dup-2' },
    });
    sent += 2;
    t.equal(first.status, 200);
    t.equal(second.status, 409);
    const after = await scrape(t, service);
    t.equal(growth(before, after, 'db_errors_total', { kind: 'duplicate_key' }), 1);
    t.equal(growth(before, after, 'db_errors_total', { kind: 'unavailable' }), 0, 'no other kind moved');
    t.equal(requestGrowth(before, after, 'POST', '/api/card/', '4xx'), 1, 'the 409 is a 4xx');
    t.comment(
      `MariaDB main port: GET /api/cardgroup/ 2xx = ${requests(after, 'GET', '/api/cardgroup/', '2xx')}, ` +
        `db_errors_total{duplicate_key} = ${sampleValue(after, 'db_errors_total', { kind: 'duplicate_key' })}`,
    );
  });
});

t.test('MariaDB, 100 concurrent creates of one username: counters exact under concurrency', async (t) => {
  const service = await startService('mysql');
  t.teardown(() => service.close());
  const before = await scrape(t, service);
  const answers = await Promise.all(
    Array.from({ length: 100 }, (_, index) =>
      service.request('/api/card/', {
        method: 'POST',
        body: { username: 'metrics-race', useralias: `metrics-race-${index}`, uipass: 'x', credit: 1, tariff: 1 },
      }),
    ),
  );
  sent += 100;
  t.equal(answers.filter((answer) => answer.status === 200).length, 1, 'one winner');
  const after = await scrape(t, service);
  const delta = (name: string, labels: Record<string, string>) => growth(before, after, name, labels);
  t.equal(
    delta('http_requests_total', { method: 'POST', route: '/api/card/', status_class: '2xx' }),
    1,
    'one 2xx counted',
  );
  t.equal(
    delta('http_requests_total', { method: 'POST', route: '/api/card/', status_class: '4xx' }),
    99,
    '99 4xx (409) counted',
  );
  t.equal(delta('db_errors_total', { kind: 'duplicate_key' }), 99, '99 duplicate-key errors counted');
  t.equal(
    delta('http_request_duration_seconds_count', { method: 'POST', route: '/api/card/', status_class: '4xx' }),
    99,
    '99 timed',
  );
  t.equal(sampleValue(after, 'db_pool_connections', { state: 'in_use' }), 0, 'every connection back in the pool');
  t.ok(sampleValue(after, 'db_pool_connections', { state: 'idle' }) > 1, 'the burst opened several connections');
});

t.test('MariaDB, A2B_METRICS_PORT: a loopback listener without auth; the main port has no /metrics', async (t) => {
  const service = await startService('mysql', { metricsPort: 0, metricsHost: '127.0.0.1' });
  t.teardown(() => service.close());
  const address = service.app.metricsListener?.server.address() as AddressInfo | null;
  t.ok(address, 'the metrics listener is up once the service listens');
  t.equal(address!.address, '127.0.0.1', 'bound to loopback');
  t.not(`http://127.0.0.1:${address!.port}`, service.baseUrl, 'a port of its own');
  const metricsUrl = `http://127.0.0.1:${address!.port}/metrics`;

  const onMainPort = await service.request('/metrics');
  t.equal(onMainPort.status, 404, 'main port, even with credentials: 404');
  const before = parseExposition(await (await fetch(metricsUrl)).text());
  for (let index = 0; index < 3; index += 1) await service.request('/api/card/?limit=1');
  const response = await fetch(metricsUrl);
  sent += 6;
  t.equal(response.status, 200, 'no credentials needed');
  t.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const after = parseExposition(await response.text());
  t.equal(requestGrowth(before, after, 'GET', '/api/card/', '2xx'), 3, 'main-port requests counted');
  t.equal(requests(after, 'GET', 'unmatched', '4xx'), 1, 'the refused /metrics on the main port is an unmatched 404');
  t.ok(after.types.has('db_pool_connections'));
  t.equal((await fetch(`http://127.0.0.1:${address!.port}/api/card/`)).status, 404, 'the listener serves nothing else');
  sent += 1;
});

t.test('MariaDB down: 503s, and unavailable database errors counted on the metrics port', async (t) => {
  const deadPort = await closedPort();
  const db = openMysql(`mysql://root@127.0.0.1:${deadPort}/a2billing`, { queryTimeoutMs: 1000 });
  const config = { ...loadConfig({}), metricsPort: 0, metricsHost: '127.0.0.1' };
  const app = await buildServer({ db, models, config, logger: false, openapi: false });
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const metricsUrl = `http://127.0.0.1:${(app.metricsListener!.server.address() as AddressInfo).port}/metrics`;

  const api = await fetch(`${base}/api/cardgroup/`, { headers: { authorization: basicAuth(USERNAME, PASSWORD) } });
  const ready = await fetch(`${base}/health/ready`);
  const metrics = await fetch(metricsUrl);
  sent += 3;
  t.equal(api.status, 503, 'the API answers 503');
  t.equal(ready.status, 503, 'readiness answers 503');
  t.equal(metrics.status, 200, '/metrics still answers');
  const exposition = parseExposition(await metrics.text());
  // The login lookup and the readiness ping, at least; the background readers (the user table's watch,
  // the operation recovery) count their failed attempts too.
  t.ok(
    sampleValue(exposition, 'db_errors_total', { kind: 'unavailable' }) >= 2,
    'the login lookup and the readiness ping are counted',
  );
  t.equal(sampleValue(exposition, 'db_pool_connections', { state: 'in_use' }), 0, 'no connection held');
  t.equal(requests(exposition, 'GET', '/api/cardgroup/', '5xx'), 1);
  t.equal(requests(exposition, 'GET', '/health/ready', '5xx'), 1);
});

t.test('what is counted before prom-client is loaded is in /metrics once it is', async (t) => {
  const metrics = new ServiceMetrics();
  // Requests answered and a statement failed in the first moments of a start.
  const early = metrics.requestSeries('GET', '/api/card/:id/', '2xx');
  early.count();
  early.observe(0.003);
  early.count();
  early.observe(0.2);
  metrics.countDbError(new Error('not a database error'));
  const exposition = parseExposition((await metrics.exposition()).text);
  const labels = { method: 'GET', route: '/api/card/:id/', status_class: '2xx' };
  t.equal(sampleValue(exposition, 'http_requests_total', labels), 2, 'both requests counted');
  t.equal(sampleValue(exposition, 'http_request_duration_seconds_count', labels), 2, 'both timed');
  t.equal(sampleValue(exposition, 'http_request_duration_seconds_bucket', { ...labels, le: '0.005' }), 1);
  t.equal(sampleValue(exposition, 'db_errors_total', { kind: 'other' }), 1, 'the failed statement counted');
  // The series handed out before the load keeps counting into the loaded registry.
  early.count();
  const later = parseExposition((await metrics.exposition()).text);
  t.equal(sampleValue(later, 'http_requests_total', labels), 3);
});

t.test('MariaDB: a statement past the query timeout counts as a timeout, not as unavailable', async (t) => {
  const metrics = new ServiceMetrics();
  const driver = openMysql(MYSQL_SERVER, { queryTimeoutMs: 200 });
  t.teardown(() => driver.close());
  const db = withErrorCounting(driver, metrics);
  await t.rejects(db.all('SELECT SLEEP(1) AS slept'), { name: 'DatabaseUnavailableError' });
  const exposition = parseExposition((await metrics.exposition()).text);
  t.equal(sampleValue(exposition, 'db_errors_total', { kind: 'timeout' }), 1);
  t.equal(sampleValue(exposition, 'db_errors_total', { kind: 'unavailable' }), 0);
});

t.test('MariaDB: the pool gauges follow a busy pool (2 connections, 4 slow statements)', async (t) => {
  // The statements are slow for as long as the test holds a lock they wait for, not for a fixed
  // time a busy machine could outlast before the gauges are read; each takes and frees the lock.
  const lock = `a2gen-metrics-${process.pid}-${Date.now()}`;
  const holder = await mysql.createConnection(MYSQL_SERVER);
  t.teardown(() => holder.end());
  await holder.query('SELECT GET_LOCK(?, 0)', [lock]);
  const metrics = new ServiceMetrics();
  const db = withErrorCounting(openMysql(MYSQL_SERVER, { poolSize: 2, queryTimeoutMs: 120_000 }), metrics);
  t.teardown(() => db.close());
  metrics.watchPool(db);
  const gauges = async () => {
    const exposition = parseExposition((await metrics.exposition()).text);
    return {
      inUse: sampleValue(exposition, 'db_pool_connections', { state: 'in_use' }),
      idle: sampleValue(exposition, 'db_pool_connections', { state: 'idle' }),
      queued: sampleValue(exposition, 'db_pool_queued_requests'),
      max: sampleValue(exposition, 'db_pool_max_connections'),
    };
  };
  const slow = Array.from({ length: 4 }, () =>
    db.all('SELECT GET_LOCK(?, 60) AS got, RELEASE_LOCK(?) AS freed', [lock, lock]),
  );
  const busy = { inUse: 2, idle: 0, queued: 2, max: 2 };
  t.same(await gaugesReach(gauges, busy), busy, 'while busy: 2 in use, 2 waiting');
  await holder.query('SELECT RELEASE_LOCK(?)', [lock]);
  t.same(
    (await Promise.all(slow)).map((rows) => rows[0]),
    Array(4).fill({ got: 1, freed: 1 }),
    'each statement had its turn',
  );
  const done = { inUse: 0, idle: 2, queued: 0, max: 2 };
  t.same(await gaugesReach(gauges, done), done, 'afterwards: both idle, none waiting');
});

/** What the gauges read once they read `expected`, or at the deadline (for t.same to show the difference). */
async function gaugesReach<T>(gauges: () => Promise<T>, expected: T): Promise<T> {
  let last: T | undefined;
  await waitFor(async () => isDeepStrictEqual((last = await gauges()), expected), { what: 'the pool gauges' }).catch(
    () => undefined,
  );
  return last!;
}

t.test('SQLite: counters work, no pool gauges', async (t) => {
  const service = await startService('sqlite');
  t.teardown(() => service.close());
  const before = await scrape(t, service);
  t.notOk(before.types.has('db_pool_connections'), 'an embedded database has no pool');
  for (let index = 0; index < 10; index += 1) await service.request('/api/country/?limit=1');
  const card = { username: 'metrics-lite', useralias: 'metrics-lite', uipass: 'x', credit: 1, tariff: 1 };
  await service.request('/api/card/', { method: 'POST', body: card });
  const duplicate = await service.request('/api/card/', {
    method: 'POST',
    body: { ...card, useralias: 'metrics-lite-2' },
  });
  sent += 12;
  t.equal(duplicate.status, 409);
  const after = await scrape(t, service);
  t.equal(requestGrowth(before, after, 'GET', '/api/country/', '2xx'), 10);
  t.equal(sampleValue(after, 'db_errors_total', { kind: 'duplicate_key' }), 1);
});

t.test(
  'node dist/runtime/main.js with A2B_METRICS_PORT: announces the listener, serves it, SIGTERM still exits 0',
  async (t) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-metrics-'));
    t.teardown(() => rm(dataDir, { recursive: true, force: true }));
    const announced = /metrics \(no auth, for Prometheus\): (http:\/\/127\.0\.0\.1:\d+\/metrics)/;
    const child = await spawnService(t, { env: { A2B_DATA_DIR: dataDir, A2B_METRICS_PORT: '0' }, ready: announced });
    const output = child.output();
    const exited = child.exited;
    const mainPort = Number(/serving http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]);
    const metrics = await fetch(announced.exec(output)![1]!);
    const onMainPort = await fetch(`http://127.0.0.1:${mainPort}/metrics`);
    sent += 2;
    t.equal(metrics.status, 200, 'served without credentials');
    t.ok(parseExposition(await metrics.text()).types.has('http_requests_total'), 'and it parses');
    t.equal(onMainPort.status, 404, 'the main port has no /metrics');
    child.kill('SIGTERM');
    t.equal(await exited, 0, 'the extra listener does not hold the process open');
  },
);

t.test('A2B_METRICS_PORT and A2B_METRICS_HOST are read and checked', async (t) => {
  t.equal(loadConfig({}).metricsPort, undefined, 'unset: /metrics on the main port');
  t.match(
    loadConfig({ A2B_METRICS_PORT: '9464' }),
    { metricsPort: 9464, metricsHost: '127.0.0.1' },
    'loopback by default',
  );
  t.equal(loadConfig({ A2B_METRICS_PORT: '9464', A2B_METRICS_HOST: '10.0.0.5' }).metricsHost, '10.0.0.5');
  t.throws(() => loadConfig({ A2B_METRICS_PORT: 'nine' }), ConfigError, 'not a number');
  t.throws(
    () => loadConfig({ A2B_METRICS_PORT: '8008' }),
    { message: /must differ from PORT/ },
    'the main port itself',
  );
});

t.teardown(() => {
  console.log(`# metrics tests: ${sent} HTTP requests sent`);
});

/** A TCP port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
