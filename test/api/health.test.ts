/**
 * Health endpoints, and what happens when the database drifts from the
 * schema files or loses a table.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';

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

for (const name of BACKENDS) {
  t.test(`${name}: live and ready, without credentials`, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const live = await service.request('/health/live', { auth: false });
    t.equal(live.status, 200);
    const ready = await service.request('/health/ready', { auth: false });
    t.equal(ready.status, 200);
    t.same(ready.json, { status: 'ok', database: name, differences: AGREEING });
  });

  t.test(`${name}: a missing table is a 503 naming it; the other resources keep working`, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    await service.backend.raw('DROP TABLE cc_card_group');
    const missing = await service.request('/api/cardgroup/');
    t.equal(missing.status, 503);
    t.same(missing.json, { error: 'table cc_card_group is missing from the database', code: 'table_missing' });
    t.equal((await service.request('/api/card/')).status, 200, 'cards still answer');
    const ready = await service.request('/health/ready', { auth: false });
    t.equal(ready.status, 503);
    t.equal(ready.json.status, 'schema_mismatch');
    t.equal(ready.json.differences.cc_card_group, 1);
  });
}

t.test('mysql: readiness reports a column altered behind the service', async (t) => {
  const service = await startService('mysql');
  t.teardown(() => service.close());
  await service.backend.raw("ALTER TABLE cc_card MODIFY credit decimal(12,2) NOT NULL DEFAULT '0.00'");
  const ready = await service.request('/health/ready', { auth: false });
  t.equal(ready.status, 503);
  t.same(ready.json, { status: 'schema_mismatch', database: 'mysql', differences: { ...AGREEING, cc_card: 2 } });
});
