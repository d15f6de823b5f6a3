/**
 * Health endpoints, and what happens when the database drifts from the
 * schema files or loses a table.
 */
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, startService, USERNAME } from '../helpers/service.js';

/** Every table a schema file describes, with no difference from the database. */
const AGREEING = {
  a2gen_audit: 0,
  cc_call: 0,
  cc_callerid: 0,
  cc_card: 0,
  cc_card_group: 0,
  cc_charge: 0,
  cc_country: 0,
  cc_iax_buddies: 0,
  cc_iso639: 0,
  cc_logpayment: 0,
  cc_logrefill: 0,
  cc_sip_buddies: 0,
  cc_tariffgroup: 0,
  cc_tariffgroup_plan: 0,
};

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

/** What anyone may learn: ready or not, nothing about the tables. */
function anonymousOnly(t: Test, text: string, status: 'ok' | 'unavailable') {
  t.same(JSON.parse(text), { status }, `anonymous: {"status": "${status}"} and nothing more`);
  t.notMatch(text, /cc_|a2gen_|user|sqlite|mysql|differences|replica/, 'anonymous: no table names, no database kind');
}

for (const name of BACKENDS) {
  t.test(`${name}: live and ready; details only with credentials`, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const live = await service.request('/health/live', { auth: false });
    t.equal(live.status, 200);
    const ready = await service.request('/health/ready', { auth: false });
    t.equal(ready.status, 200, 'ready, without credentials');
    anonymousOnly(t, ready.text, 'ok');
    const detailed = await service.request('/health/ready');
    t.equal(detailed.status, 200, 'with credentials');
    t.same(detailed.json, { status: 'ok', database: name, differences: AGREEING }, 'with credentials: the details');
    const wrong = await service.request('/health/ready', { auth: basicAuth(USERNAME, 'not the password') });
    t.equal(wrong.status, 401, 'wrong credentials: 401, as anywhere in the API');
    t.notMatch(wrong.text, /cc_card/, 'and no details');
    const head = await service.request('/health/ready', { method: 'HEAD', auth: false });
    t.equal(head.status, 200, 'HEAD without credentials');
  });

  t.test(`${name}: a missing table is a 503 naming it; the other resources keep working`, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    await service.backend.raw('DROP TABLE cc_card_group');
    const missing = await service.request('/api/cardgroup/');
    t.equal(missing.status, 503);
    t.same(missing.json, { error: 'table cc_card_group is missing from the database', code: 'table_missing' });
    t.equal((await service.request('/api/card/')).status, 200, 'cards still answer');
    const anonymous = await service.request('/health/ready', { auth: false });
    t.equal(anonymous.status, 503, 'not ready, without credentials');
    anonymousOnly(t, anonymous.text, 'unavailable');
    const ready = await service.request('/health/ready');
    t.equal(ready.status, 503);
    t.equal(ready.json.status, 'schema_mismatch');
    t.equal(ready.json.differences.cc_card_group, 1);
  });
}

t.test('mysql: readiness reports a column altered behind the service', async (t) => {
  const service = await startService('mysql');
  t.teardown(() => service.close());
  await service.backend.raw("ALTER TABLE cc_card MODIFY credit decimal(12,2) NOT NULL DEFAULT '0.00'");
  const ready = await service.request('/health/ready');
  t.equal(ready.status, 503);
  t.same(ready.json, { status: 'schema_mismatch', database: 'mysql', differences: { ...AGREEING, cc_card: 2 } });
  const anonymous = await service.request('/health/ready', { auth: false });
  t.equal(anonymous.status, 503);
  anonymousOnly(t, anonymous.text, 'unavailable');
});

for (const name of BACKENDS) {
  t.test(`${name}: the metrics listener (A2B_METRICS_PORT) serves the details without credentials`, async (t) => {
    const service = await startService(name, { metricsPort: 0, metricsHost: '127.0.0.1' });
    t.teardown(() => service.close());
    const address = service.app.metricsListener!.server.address() as AddressInfo;
    const ready = await fetch(`http://127.0.0.1:${address.port}/health/ready`);
    t.equal(ready.status, 200);
    t.same(await ready.json(), { status: 'ok', database: name, differences: AGREEING });
    t.equal(ready.headers.get('x-content-type-options'), 'nosniff', 'nosniff there too');
    const main = await service.request('/health/ready', { auth: false });
    anonymousOnly(t, main.text, 'ok');
  });
}
