/**
 * POST /api/card/<id>/credit: atomic, exact balance adjustments. Concurrent
 * refills and debits (and concurrent edits of other fields) must leave
 * exactly the expected balance: the old API's read-add-write lost money.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService, type Service } from '../helpers/service.js';

async function newCard(service: Service, username: string, credit: string): Promise<number> {
  const response = await service.request('/api/card/', {
    method: 'POST',
    body: { username, useralias: `${username}-web`, uipass: '4321', credit, tariff: 1 },
  });
  if (response.status !== 200) throw new Error(`card not created: ${response.text}`);
  return response.json.id as number;
}

/** The balance exactly as stored, as text with the column's five decimal places. */
async function storedCredit(service: Service, id: number): Promise<string> {
  const [row] = await service.backend.raw('SELECT credit FROM cc_card WHERE id = ?', [id]);
  const value = row!.credit;
  return typeof value === 'number' ? value.toFixed(5) : String(value);
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const { request } = service;
    const credit = (id: number, body: unknown) => request(`/api/card/${id}/credit`, { method: 'POST', body });

    await t.test('an adjustment adds exactly and answers the new balance', async (t) => {
      const id = await newCard(service, `adj-${name}-1`, '10');
      const added = await credit(id, { delta: '5.00001', note: 'top-up by bank transfer' });
      t.equal(added.status, 200, added.text);
      t.same(added.json, { id, credit: '15.00001', delta: '5.00001' });
      const subtracted = await credit(id, { delta: -0.1 });
      t.same(
        subtracted.json,
        { id, credit: '14.90001', delta: '-0.10000' },
        'a JSON number works too, and a negative delta subtracts',
      );
      t.equal(await storedCredit(service, id), '14.90001', 'stored exactly');
      t.equal((await request(`/api/card/${id}/`)).json.credit, 14.90001, 'the card shows it');
      // 0.1 + 0.2 is 0.30000000000000004 in floating point; here it is 0.3.
      const exact = await newCard(service, `adj-${name}-2`, '0');
      await credit(exact, { delta: '0.1' });
      t.same((await credit(exact, { delta: '0.2' })).json.credit, '0.30000', 'no float anywhere');
    });

    await t.test('Idempotency-Key: a retried adjustment answers the first result and adds once', async (t) => {
      const id = await newCard(service, `adj-${name}-idem`, '10');
      const send = (body: unknown, key: string) =>
        request(`/api/card/${id}/credit`, { method: 'POST', body, headers: { 'idempotency-key': key } });
      const first = await send({ delta: '2.5', note: 'payment 77' }, 'payment-77');
      t.equal(first.status, 200, first.text);
      t.same(first.json, { id, credit: '12.50000', delta: '2.50000' }, 'the same answer as without a key');
      const retry = await send({ delta: '2.5', note: 'payment 77' }, 'payment-77');
      t.equal(retry.text, first.text, 'a retry: the first answer');
      t.equal(retry.headers.get('idempotent-replayed'), 'true');
      t.equal(await storedCredit(service, id), '12.50000', 'added once');
      t.equal((await send({ delta: '3' }, 'payment-77')).status, 422, 'the key with another body');
      const refused = await send({ delta: '-50', min_balance: '0' }, 'debit-1');
      t.equal(refused.status, 409, 'a bound still refuses');
      t.equal(
        (await send({ delta: '-50', min_balance: '0' }, 'debit-1')).status,
        409,
        'and its retry answers the same',
      );
      const missing = await request('/api/card/999999/credit', {
        method: 'POST',
        body: { delta: '1' },
        headers: { 'idempotency-key': 'nobody' },
      });
      t.equal(missing.status, 404, 'no such card');
      t.equal(await storedCredit(service, id), '12.50000', 'nothing else changed');
    });

    await t.test('a hundred small adjustments on a large balance add up exactly', async (t) => {
      // A double near 10^10 keeps about six decimals: adding 0.00001 a hundred times in floating point
      // ends at 9999999999.00095 (each sum rounded); exact decimal addition ends at .00100.
      const id = await newCard(service, `adj-${name}-big`, '9999999999');
      for (let step = 0; step < 100; step += 1) {
        const answer = await credit(id, { delta: '0.00001' });
        if (answer.status !== 200) t.fail(answer.text);
      }
      t.equal(await storedCredit(service, id), '9999999999.00100', 'stored exactly');
    });

    await t.test('min_balance refuses an adjustment that would go below it, and writes nothing', async (t) => {
      const id = await newCard(service, `adj-${name}-3`, '3');
      const refused = await credit(id, { delta: '-5', min_balance: '0' });
      t.equal(refused.status, 409, refused.text);
      t.equal(refused.json.code, 'conflict');
      t.match(refused.json.error, /would fall below 0/);
      t.equal(await storedCredit(service, id), '3.00000', 'unchanged');
      const allowed = await credit(id, { delta: '-3', min_balance: '0' });
      t.same(allowed.json, { id, credit: '0.00000', delta: '-3.00000' }, 'down to the bound exactly is fine');
      const credited = await credit(id, { delta: '-2', min_balance: '-2' });
      t.equal(credited.json.credit, '-2.00000', 'a negative bound allows credit up to it');
    });

    await t.test('bad adjustments are 4xx naming the field; unknown cards 404', async (t) => {
      const id = await newCard(service, `adj-${name}-4`, '1');
      const cases: [unknown, string][] = [
        [{}, 'delta'],
        [{ delta: '1.000001' }, 'delta'],
        [{ delta: 'ten' }, 'delta'],
        [{ delta: '99999999999' }, 'delta'],
        [{ delta: '1', min_balance: 'zero' }, 'min_balance'],
        [{ delta: '1', bonus: 2 }, 'bonus'],
        [{ delta: '1', note: 'x'.repeat(1001) }, 'note'],
      ];
      for (const [body, field] of cases) {
        const response = await credit(id, body);
        t.equal(response.status, 400, `${JSON.stringify(body).slice(0, 60)} → 400`);
        t.equal(response.json.fields?.[0]?.field, field, `names ${field}`);
      }
      t.equal(await storedCredit(service, id), '1.00000', 'nothing was written');
      t.equal((await credit(999999, { delta: '1' })).status, 404);
      t.equal((await request(`/api/card/${id}/credit`)).status, 405, 'GET is not an adjustment');
      t.equal(
        (await request(`/api/card/${id}/credit`, { auth: false, method: 'POST', body: { delta: '1' } })).status,
        401,
      );
    });

    await t.test(
      '200 concurrent +1 and -1 adjustments, with concurrent edits of other fields, leave the exact balance',
      async (t) => {
        const id = await newCard(service, `adj-${name}-5`, '100');
        const deltas = Array.from({ length: 200 }, (_, index) => (index % 5 < 3 ? '1' : '-1'));
        const expected = 100 + deltas.reduce((sum, delta) => sum + Number(delta), 0);
        const edits = Array.from({ length: 40 }, (_, index) =>
          request(`/api/card/${id}/`, { method: 'PATCH', body: { lastname: `Name ${index}`, city: `City ${index}` } }),
        );
        const responses = await Promise.all([...deltas.map((delta) => credit(id, { delta })), ...edits]);
        const statuses = responses.map((response) => response.status);
        t.equal(statuses.filter((status) => status === 200).length, 240, 'every request succeeded');
        t.equal(
          await storedCredit(service, id),
          `${expected}.00000`,
          `${deltas.length} adjustments sent: 100 + 120 - 80 = ${expected}`,
        );
      },
    );

    await t.test('each of 100 concurrent refills answers the balance its own statement made', async (t) => {
      const id = await newCard(service, `adj-${name}-7`, '0');
      const responses = await Promise.all(Array.from({ length: 100 }, () => credit(id, { delta: '0.01' })));
      const balances = responses
        .map((response) => response.json.credit as string)
        .sort((a, b) => Number(a) - Number(b));
      const expected = Array.from({ length: 100 }, (_, index) => ((index + 1) / 100).toFixed(5));
      t.same(balances, expected, '0.01, 0.02 … 1.00 once each: no two read the same balance');
      t.equal(await storedCredit(service, id), '1.00000');
    });

    await t.test('concurrent debits with a lower bound never overdraw', async (t) => {
      const id = await newCard(service, `adj-${name}-6`, '10');
      const responses = await Promise.all(
        Array.from({ length: 30 }, () => credit(id, { delta: '-1', min_balance: '0' })),
      );
      const statuses = responses.map((response) => response.status);
      t.equal(statuses.filter((status) => status === 200).length, 10, 'exactly the ten that fit');
      t.equal(statuses.filter((status) => status === 409).length, 20, 'the rest refused');
      t.equal(await storedCredit(service, id), '0.00000');
    });
  });
}
