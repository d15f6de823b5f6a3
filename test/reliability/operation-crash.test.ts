/**
 * A refill or an extra charge stopped at any step is finished by the next
 * process, never left half-done: on MariaDB with A2Billing's MyISAM tables
 * (no transaction can hold the steps together) and on the embedded SQLite
 * file. Each run kills the service right after one step
 * (A2B_TEST_CRASH_AFTER_STEP, a test hook), then starts a normal one on the
 * same database and checks the balance changed exactly once with exactly
 * one set of log rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { UserStore } from '../../runtime/auth/user-store.js';
import type { Db } from '../../runtime/db/db.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import { openSqlite } from '../../runtime/db/sqlite/driver.js';
import { createMysqlDatabase } from '../helpers/backends.js';
import { basicAuth } from '../helpers/service.js';
import { spawnService } from '../helpers/spawned-service.js';
import { waitFor } from '../helpers/wait-for.js';

/** Where the process dies: after a step is noted, or (`before:`) after its work, before the note. */
const STEPS = {
  refill: [
    'recorded',
    'before:marked',
    'marked',
    'before:refill-logged',
    'refill-logged',
    'before:payment-logged',
    'payment-logged',
    'before:applied',
    'applied',
  ],
  extra_charge: ['recorded', 'marked', 'before:charge-logged', 'charge-logged', 'before:applied', 'applied'],
  /** POST /api/card/<id>/credit with an Idempotency-Key (journalled only with one). */
  credit: ['recorded', 'before:applied', 'applied'],
  /** A card created with its SIP and IAX accounts. */
  card: [
    'recorded',
    'before:card-created',
    'card-created',
    'before:sip-created',
    'sip-created',
    'before:iax-created',
    'iax-created',
  ],
} as const;
// 22 processes are started and killed, then one recovers them all: minutes on a busy machine.
t.setTimeout(10 * 60_000);
const READY = /serving http:\/\/127\.0\.0\.1:(\d+)/;
const PASSWORD = 'a password of some length';
const auth = basicAuth('operator', PASSWORD);

interface Place {
  /** Environment that points a service at the database. */
  env: Record<string, string>;
  /** The test's own connection, once the first service has created what it creates. */
  db(): Db;
}

type Scope = { teardown(fn: () => unknown): void };

async function sqlitePlace(t: Scope): Promise<Place> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-crash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  let db: Db | undefined;
  t.teardown(() => db?.close());
  return {
    env: { A2B_DATA_DIR: dir },
    db: () => (db ??= openSqlite(path.join(dir, 'a2billing.sqlite'))),
  };
}

async function mysqlPlace(t: Scope): Promise<Place> {
  const database = await createMysqlDatabase();
  const db = openMysql(database.url);
  t.teardown(async () => {
    await db.close();
    await database.drop();
  });
  return { env: { A2B_DATABASE_URL: database.url }, db: () => db };
}

for (const [name, makePlace] of [
  ['sqlite', sqlitePlace],
  ['mysql', mysqlPlace],
] as const) {
  t.test(`${name}: a crash after any step is finished by the next process`, async (t) => {
    const place = await makePlace(t);
    const env = { ...place.env, A2B_RECOVER_AFTER_MS: '200' };
    const start = async (extra: Record<string, string> = {}) => {
      const service = await spawnService(t, { env: { ...env, ...extra }, ready: READY, timeoutMs: 30_000 });
      return { ...service, base: `http://127.0.0.1:${READY.exec(service.output())![1]}` };
    };
    // The first start creates the embedded database; then the test's user.
    const first = await start();
    await new UserStore(place.db()).createOrResetAdmin({ username: 'operator', password: PASSWORD });
    const post = (base: string, url: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(base + url, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const cases: { kind: keyof typeof STEPS; step: string; card: number }[] = [];
    for (const kind of ['refill', 'extra_charge', 'credit'] as const) {
      for (const step of STEPS[kind]) {
        const created = await post(first.base, '/api/card/', {
          username: `${kind}-${step.replace(':', '-')}`,
          useralias: `${kind}-${step.replace(':', '-')}-web`,
          uipass: '4321',
          credit: '100',
          tariff: 1,
        });
        t.equal(created.status, 200, `card for ${kind} after ${step}`);
        cases.push({ kind, step, card: ((await created.json()) as { id: number }).id });
      }
    }
    first.kill('SIGTERM');
    await first.exited;

    const accounts = STEPS.card.map((step, index) => ({ step, username: `55502${String(index).padStart(2, '0')}` }));
    for (const { kind, step, card } of cases) {
      // Recovering the earlier cases is the survivor's job: this one would die on them before serving.
      const doomed = await start({ A2B_TEST_CRASH_AFTER_STEP: step, A2B_RECOVER_AFTER_MS: '3600000' });
      const [url, body] =
        kind === 'credit'
          ? [`/api/card/${card}/credit`, { delta: '5' }]
          : [`/custom_api/${kind}/${card}`, kind === 'refill' ? { credit: '5' } : { amount: '5' }];
      const outcome = await post(doomed.base, url, body, { 'idempotency-key': `crash-${step}` }).then(
        (response) => `answered ${response.status}`,
        () => 'no answer',
      );
      t.equal(outcome, 'no answer', `${kind}: the process died after "${step}"`);
      if (outcome !== 'no answer') doomed.kill('SIGKILL');
      await doomed.exited;
    }
    for (const { step, username } of accounts) {
      const doomed = await start({ A2B_TEST_CRASH_AFTER_STEP: step, A2B_RECOVER_AFTER_MS: '3600000' });
      const body = {
        ...{ username, useralias: `${username}-web`, uipass: 'S3cret', credit: '0', tariff: 1 },
        ...{ sip_buddy: 1, iax_buddy: 1 },
      };
      const outcome = await post(doomed.base, '/api/card/', body).then(
        async (response) => `answered ${response.status}: ${await response.text()}`,
        () => 'no answer',
      );
      t.equal(outcome, 'no answer', `card with accounts: the process died after "${step}"`);
      if (outcome !== 'no answer') doomed.kill('SIGKILL');
      await doomed.exited;
    }

    const survivor = await start();
    const db = place.db();
    const steps = async () =>
      (await db.all('SELECT target, step FROM a2gen_operation ORDER BY id')).map((row) => `${row.target} ${row.step}`);
    await waitFor(async () => (await steps()).every((line) => line.endsWith(' done')), {
      what: 'every operation to be done',
      timeoutMs: 20_000,
    });
    t.equal(
      (await steps()).length,
      cases.length + accounts.length,
      'one journal entry per interrupted operation, each done',
    );
    // Its log says what it finished (log lines leave in blocks, or within a second).
    const finished = /finished operation \d+ \(refill on card:\d+\) that a stopped process left at step/;
    t.ok(await waitFor(() => finished.test(survivor.output()), { what: 'the log line', timeoutMs: 5000 }), 'logged');

    for (const { kind, step, card } of cases) {
      const [row] = await db.all('SELECT credit FROM cc_card WHERE id = ?', [card]);
      const expected = kind === 'extra_charge' ? 95 : 105;
      t.equal(Number(row!.credit), expected, `${kind} stopped after "${step}": the balance changed once`);
      const [operation] = await db.all('SELECT result FROM a2gen_operation WHERE target = ?', [`card:${card}`]);
      const answer = JSON.parse(JSON.parse(String(operation!.result)) as string) as Record<string, unknown>;
      if (kind === 'credit') {
        t.match(answer, { credit: '105.00000', delta: '5.00000' }, `${step}: the answer a retry gets`);
      } else if (kind === 'refill') {
        const refills = await db.all('SELECT id FROM cc_logrefill WHERE card_id = ?', [card]);
        const payments = await db.all('SELECT id, id_logrefill FROM cc_logpayment WHERE card_id = ?', [card]);
        t.equal(refills.length, 1, `${step}: one cc_logrefill row`);
        t.equal(payments.length, 1, `${step}: one cc_logpayment row`);
        t.equal(Number(payments[0]!.id_logrefill), Number(refills[0]!.id), `${step}: linked`);
        t.match(answer, { logrefill_id: Number(refills[0]!.id), logpayment_id: Number(payments[0]!.id) });
      } else {
        const charges = await db.all('SELECT id FROM cc_charge WHERE id_cc_card = ?', [card]);
        t.equal(charges.length, 1, `${step}: one cc_charge row`);
        t.match(answer, { charge_id: Number(charges[0]!.id) });
      }
    }

    for (const { step, username } of accounts) {
      const cards = await db.all('SELECT id, sip_buddy, iax_buddy FROM cc_card WHERE username = ?', [username]);
      t.equal(cards.length, 1, `card stopped after "${step}": one card`);
      t.match(cards[0], { sip_buddy: 1, iax_buddy: 1 }, `${step}: its flags set`);
      const id = Number(cards[0]!.id);
      const sip = await db.all('SELECT name, secret FROM cc_sip_buddies WHERE id_cc_card = ?', [id]);
      const iax = await db.all('SELECT name FROM cc_iax_buddies WHERE id_cc_card = ?', [id]);
      t.same([sip.length, iax.length], [1, 1], `${step}: one SIP and one IAX account`);
      t.match(sip[0], { name: username, secret: 'S3cret' });
    }
    survivor.kill('SIGTERM');
    await survivor.exited;
  });
}
