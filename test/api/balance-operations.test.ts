/**
 * The old API's refill and extra charge, as its documentation's curl
 * examples call them (docs/source/api-documentation-refill.rst and
 * -extra-charge.rst of areski/a2billing-flask-api), checked in the database:
 * the balance exact, the log rows dated and linked, the VAT figure from the
 * card; bad amounts answered 400 naming the field; retries with an
 * Idempotency-Key applied once; concurrent operations on one card all
 * counted exactly once.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService, type Service } from '../helpers/service.js';

async function newCard(service: Service, username: string, credit: string, vat = 0): Promise<number> {
  const response = await service.request('/api/card/', {
    method: 'POST',
    body: { username, useralias: `${username}-web`, uipass: '4321', credit, tariff: 1, vat },
  });
  if (response.status !== 200) throw new Error(`card not created: ${response.text}`);
  return response.json.id as number;
}

async function storedCredit(service: Service, id: number): Promise<string> {
  const [row] = await service.backend.raw('SELECT credit FROM cc_card WHERE id = ?', [id]);
  const value = row!.credit;
  return typeof value === 'number' ? value.toFixed(5) : String(value);
}

/** Seconds between a stored `YYYY-MM-DD HH:MM:SS` (UTC) and now. */
function ageSeconds(stored: unknown): number {
  return Math.abs(Date.now() - Date.parse(`${String(stored).replace(' ', 'T')}Z`)) / 1000;
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const { request } = service;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(path, { method: 'POST', body, headers });

    await t.test("refill: the old curl example's answer, and what it wrote", async (t) => {
      const id = await newCard(service, `refill-${name}`, '6506', 19.6);
      const answer = await post(`/custom_api/refill/${id}`, { credit: 5 });
      t.equal(answer.status, 200, answer.text);
      t.same(Object.keys(answer.json).sort(), [
        'card_id',
        'credit_without_vat',
        'credited',
        'current_balance',
        'logpayment_id',
        'logrefill_id',
        'vat',
      ]);
      t.match(answer.text, /"current_balance":6511\.00000\b/, 'exact, written as a JSON number');
      t.match(answer.json, { card_id: id, current_balance: 6511, credited: 5, vat: 19.6 });
      t.equal(answer.json.credit_without_vat, 4.1806, 'credit / (1 + vat / 100), the card’s real VAT');
      t.equal(await storedCredit(service, id), '6511.00000');
      const [refill] = await service.backend.raw('SELECT * FROM cc_logrefill WHERE id = ?', [answer.json.logrefill_id]);
      t.match(refill, { card_id: id, refill_type: 0 });
      t.equal(Number(refill!.credit), 5);
      t.ok(ageSeconds(refill!.date) < 60, `dated now (${String(refill!.date)}), not a zero date`);
      const [payment] = await service.backend.raw('SELECT * FROM cc_logpayment WHERE id = ?', [
        answer.json.logpayment_id,
      ]);
      t.match(payment, { card_id: id, payment_type: 0, id_logrefill: answer.json.logrefill_id });
      t.equal(Number(payment!.payment), 5);
      t.ok(ageSeconds(payment!.date) < 60, 'dated now');
      const [audit] = await service.backend.raw(
        "SELECT * FROM a2gen_audit WHERE resource = 'card' AND row_key = ? AND action = 'adjust'",
        [String(id)],
      );
      t.match(audit, { username: 'operator', note: /^refill \(operation \d+\)$/ }, 'in the audit trail');
      t.match(JSON.parse(String(audit!.new_values)), { credit: '6511.00000' });
      t.equal((await post(`/custom_api/refill/${id}/`, { credit: '0.00001' })).status, 200, 'with a slash too');
    });

    await t.test("extra charge: the old curl example's answer, and what it wrote", async (t) => {
      const id = await newCard(service, `charge-${name}`, '6501');
      const answer = await post(`/custom_api/extra_charge/${id}`, { amount: 5 });
      t.equal(answer.status, 200, answer.text);
      t.same(Object.keys(answer.json).sort(), ['amount', 'card_id', 'charge_id', 'current_balance']);
      t.match(answer.json, { card_id: id, current_balance: 6496, amount: 5 });
      t.equal(await storedCredit(service, id), '6496.00000');
      const [charge] = await service.backend.raw('SELECT * FROM cc_charge WHERE id = ?', [answer.json.charge_id]);
      t.match(charge, { id_cc_card: id, chargetype: 4 });
      t.equal(Number(charge!.amount), 5);
      t.ok(ageSeconds(charge!.creationdate) < 60, 'dated now');
    });

    await t.test('min_balance: a charge that would go below it is refused, and nothing stays', async (t) => {
      const id = await newCard(service, `bound-${name}`, '3');
      const [before] = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_charge WHERE id_cc_card = ?', [id]);
      const refused = await post(`/custom_api/extra_charge/${id}`, { amount: '5', min_balance: '0' });
      t.equal(refused.status, 409, refused.text);
      t.match(refused.json, { code: 'conflict', fields: [{ field: 'amount' }] });
      t.equal(await storedCredit(service, id), '3.00000', 'balance unchanged');
      const [after] = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_charge WHERE id_cc_card = ?', [id]);
      t.equal(Number(after!.n), Number(before!.n), 'no charge row left behind');
      t.equal((await post(`/custom_api/extra_charge/${id}`, { amount: '3', min_balance: '0' })).status, 200);
    });

    await t.test('bad requests: 404 for a missing card, 400 naming the field, 405 for GET', async (t) => {
      const id = await newCard(service, `bad-${name}`, '10');
      const missing = await post('/custom_api/refill/999999', { credit: 5 });
      t.equal(missing.status, 404);
      t.equal(missing.json.code, 'not_found');
      for (const [body, field] of [
        [{ credit: 'abc' }, 'credit'],
        [{ credit: 0 }, 'credit'],
        [{ credit: -5 }, 'credit'],
        [{ credit: '1.000001' }, 'credit'],
        [{}, 'credit'],
        [{ credit: 5, extra: 1 }, 'extra'],
      ] as const) {
        const answer = await post(`/custom_api/refill/${id}`, body);
        t.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
        t.match(answer.json.fields, [{ field }], `names ${field}`);
      }
      t.equal((await post(`/custom_api/extra_charge/${id}`, { amount: '-1' })).status, 400);
      t.equal((await request(`/custom_api/refill/${id}`)).status, 405, 'GET is not allowed');
      t.equal(await storedCredit(service, id), '10.00000', 'nothing was written');
    });

    await t.test('Idempotency-Key: a retry answers the first result and applies nothing twice', async (t) => {
      const id = await newCard(service, `idem-${name}`, '100');
      const key = { 'idempotency-key': `refill-${name}-1` };
      const first = await post(`/custom_api/refill/${id}`, { credit: '7.5' }, key);
      const retry = await post(`/custom_api/refill/${id}`, { credit: '7.5' }, key);
      t.equal(retry.status, 200);
      t.equal(retry.text, first.text, 'the same answer, byte for byte');
      t.equal(retry.headers.get('idempotent-replayed'), 'true');
      t.equal(await storedCredit(service, id), '107.50000', 'credited once');
      const [logs] = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_logrefill WHERE card_id = ?', [id]);
      t.equal(Number(logs!.n), 1, 'one log row');
      const reused = await post(`/custom_api/refill/${id}`, { credit: '8' }, key);
      t.equal(reused.status, 422, 'the same key with another body');
      t.equal(reused.json.code, 'idempotency_key_reused');
    });

    await t.test('200 concurrent refills and charges on one card: exact, one log row each', async (t) => {
      const id = await newCard(service, `crowd-${name}`, '1000');
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          index % 2 === 0
            ? post(`/custom_api/refill/${id}`, { credit: '0.10001' })
            : post(`/custom_api/extra_charge/${id}`, { amount: '0.05' }),
        ),
      );
      t.same([...new Set(answers.map((answer) => answer.status))], [200], 'every one answered 200');
      // 1000 + 100 × 0.10001 − 100 × 0.05
      t.equal(await storedCredit(service, id), '1005.00100', 'exact final balance');
      const [refills] = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_logrefill WHERE card_id = ?', [id]);
      const [payments] = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_logpayment WHERE card_id = ?', [id]);
      const [charges] = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_charge WHERE id_cc_card = ?', [id]);
      t.same([refills!.n, payments!.n, charges!.n].map(Number), [100, 100, 100], 'one log row per operation');
    });
  });
}
