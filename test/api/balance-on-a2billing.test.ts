/**
 * The old API documentation's two curl examples, run unchanged (but for the
 * address and credentials) against a2gen on MariaDB holding a real
 * A2Billing v2.0.8 install (../shared/a2billing/a2billing-v2.0.8-install.sql:
 * MyISAM tables, utf8_bin, its own rows), checked in the database.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { models } from '../../generated/index.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { loadConfig } from '../../runtime/config.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import { buildServer } from '../../runtime/server.js';
import { loadA2BillingDump } from '../helpers/a2billing-dump.js';

const run = promisify(execFile);
const PASSWORD = 'a password of some length';

t.test('refill and extra charge on a real A2Billing database', async (t) => {
  const dump = await loadA2BillingDump(t);
  const db = openMysql(dump.url);
  const users = new UserStore(db);
  await users.ensureTable();
  await users.createOrResetAdmin({ username: 'username', password: PASSWORD });
  const app = await buildServer({ db, models, config: loadConfig({}), logger: false, openapi: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const query = dump.query;
  const [card] = await query('SELECT credit, vat FROM cc_card WHERE id = 1');
  const before = Number(card!.credit);

  // As printed in docs/source/api-documentation-refill.rst and -extra-charge.rst.
  const curl = async (line: string) => {
    const command = line
      .replace('username:password', `'username:${PASSWORD}'`)
      .replace('http://localhost:8008', base)
      .replace('curl ', 'curl -sS ');
    return (await run('sh', ['-c', command])).stdout;
  };
  const refill = await curl(
    `curl -u username:password --dump-header - -H "Content-Type:application/json" -X POST --data '{"credit": 5}' http://localhost:8008/custom_api/refill/1`,
  );
  t.match(refill, /^HTTP\/1\.1 200/, 'refill: 200');
  const refilled = JSON.parse(refill.slice(refill.indexOf('{'))) as Record<string, number>;
  t.match(refilled, { card_id: 1, credited: 5, vat: Number(card!.vat), current_balance: before + 5 });
  t.equal(
    refilled.credit_without_vat,
    Math.round((5 / (1 + Number(card!.vat) / 100)) * 1e5) / 1e5,
    'VAT from the card',
  );
  const [balance] = await query('SELECT credit FROM cc_card WHERE id = 1');
  t.equal(Number(balance!.credit), before + 5, 'the balance in cc_card');
  const [logrefill] = await query('SELECT * FROM cc_logrefill WHERE id = ?', [refilled.logrefill_id]);
  t.match(logrefill, { card_id: 1, refill_type: 0 });
  t.notOk(String(logrefill!.date).startsWith('0000'), `dated ${String(logrefill!.date)}`);
  const [logpayment] = await query('SELECT * FROM cc_logpayment WHERE id = ?', [refilled.logpayment_id]);
  t.match(logpayment, { card_id: 1, payment_type: 0, id_logrefill: refilled.logrefill_id });

  const charge = await curl(
    `curl -u username:password --dump-header - -H "Content-Type:application/json" -X POST --data '{"amount": 5}' http://localhost:8008/custom_api/extra_charge/1`,
  );
  t.match(charge, /^HTTP\/1\.1 200/, 'extra charge: 200');
  const charged = JSON.parse(charge.slice(charge.indexOf('{'))) as Record<string, number>;
  t.match(charged, { card_id: 1, amount: 5, current_balance: before });
  const [row] = await query('SELECT * FROM cc_charge WHERE id = ?', [charged.charge_id]);
  t.match(row, { id_cc_card: 1, chargetype: 4 });
  t.equal(Number(row!.amount), 5);
  const [engine] = await query(
    "SELECT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'cc_card'",
  );
  t.equal(engine!.engine, 'MyISAM', "on A2Billing's own MyISAM table");
});
