/**
 * Issue 19, finding 1, on the API's Basic auth, on SQLite and on MariaDB:
 * the failed-login limit used to be checked before failures were counted,
 * so a parallel burst all got through it (200 parallel guesses, the right
 * password last: 199 × 401 and 1 × 200, no 429), and 300 parallel wrong
 * logins queued 300 scrypt runs in front of a real user (35 s here). Now an
 * attempt is counted before it is verified, per address and per username,
 * and verifications wait their turn in a bounded, fair queue.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { AUTH_CHALLENGE } from '../../runtime/auth/basic-auth.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { BACKENDS } from '../helpers/backends.js';
import { PASSWORD, startService, USERNAME } from '../helpers/service.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  basic,
  countVerifications,
  fillGate,
  floodFromWorker,
  retryAfter,
  send,
  tally,
  type Answer,
} from './login-clients.js';

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

const MAX_FAILURES = 10;
const WINDOW_SECONDS = 60;
/** A username's allowance from all addresses together: twice an address's (runtime/auth/login-limiter.ts). */
const USER_MAX_FAILURES = 2 * MAX_FAILURES;

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    // A cache of 1 s, so a test can get past a cached success by waiting for it to expire.
    const service = await startService(name, {
      authMaxFailures: MAX_FAILURES,
      authWindowSeconds: WINDOW_SECONDS,
      authCacheSeconds: 1,
    });
    t.teardown(() => service.close());
    const users = new UserStore(service.backend.db);
    for (const user of ['bob', 'carol', 'dave', 'frank'])
      await users.create({
        username: user,
        email: `${user}@example.com`,
        password: `${user} pw`,
        active: true,
        admin: false,
      });
    const verifications = countVerifications(t);
    const api = (authorization: string, from: string) =>
      send(service.baseUrl, '/api/', { headers: { authorization }, from });

    const assertRefused = (t: Test, answer: Answer, message: string) => {
      t.equal(answer.status, 429, `${message}: 429`);
      const seconds = retryAfter(answer);
      t.ok(
        Number.isInteger(seconds) && seconds >= 1 && seconds <= WINDOW_SECONDS,
        `${message}: Retry-After ${seconds}`,
      );
      t.equal(answer.headers['www-authenticate'], undefined, `${message}: no challenge, nothing to retry with now`);
      t.equal(JSON.parse(answer.text).code, 'too_many_requests');
    };

    await t.test(
      '200 parallel guesses, then the right password in the same burst: 10 verified, the rest 429',
      async (t) => {
        const from = '127.0.1.1';
        const asked = verifications.asked();
        const ran = verifications.ran();
        const guesses = Promise.all(Array.from({ length: 199 }, (_, i) => api(basic(USERNAME, `guess ${i}`), from)));
        // The right password arrives while the guesses are being verified (as the last of a burst does):
        // once the limit's worth of them has been let through.
        await waitFor(() => verifications.asked() - asked >= MAX_FAILURES, {
          what: 'the first guesses to be let through',
        });
        const right = await api(basic(USERNAME, PASSWORD), from);
        const answers = await guesses;

        assertRefused(t, right, 'the right password inside the burst');
        t.strictSame(
          tally(answers),
          { 401: MAX_FAILURES, 429: 199 - MAX_FAILURES },
          'a burst is limited like a sequence',
        );
        for (const answer of answers.filter((answer) => answer.status === 401))
          t.equal(answer.headers['www-authenticate'], AUTH_CHALLENGE, 'each 401 has the exact old challenge');
        for (const answer of answers.filter((answer) => answer.status === 429)) assertRefused(t, answer, 'a guess');
        t.equal(verifications.ran() - ran, MAX_FAILURES, `at most ${MAX_FAILURES} verifications ran`);

        const later = await api(basic(USERNAME, PASSWORD), from);
        assertRefused(t, later, 'the right password after the burst');
        t.ok(retryAfter(later) > 1, 'the address now waits for the rest of the window');
        t.equal((await api(basic(USERNAME, PASSWORD), '127.0.1.2')).status, 200, 'another address is unaffected');
        t.equal(verifications.ran() - ran, MAX_FAILURES + 1);
      },
    );

    await t.test(
      'the same guess sent 50 times at once: at most the limit verified, and the address is blocked',
      async (t) => {
        // Identical headers share one verification when they overlap (single-flight); each still counts as a failure,
        // as it would in a sequence. Any 429 means the limit was full, and what filled it settles as failures.
        const from = '127.0.1.3';
        const ran = verifications.ran();
        const answers = await Promise.all(Array.from({ length: 50 }, () => api(basic('erin', 'one guess'), from)));
        t.equal((tally(answers)[401] ?? 0) + (tally(answers)[429] ?? 0), 50, 'every one refused');
        t.ok(verifications.ran() - ran <= MAX_FAILURES, `${verifications.ran() - ran} verifications`);
        assertRefused(t, await api(basic('erin', 'another guess'), from), 'the next guess from that address');
      },
    );

    await t.test('guesses against one username from many addresses are limited too', async (t) => {
      // Bob signs in from his usual address first; the cache then lapses, so he is verified again below.
      const home = '127.0.2.200';
      t.equal((await api(basic('bob', 'bob pw'), home)).status, 200);
      await sleep(1100);

      const ran = verifications.ran();
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => api(basic('bob', `guess ${i}`), `127.0.2.${i + 1}`)),
      );
      t.strictSame(
        tally(answers),
        { 401: USER_MAX_FAILURES, 429: 40 - USER_MAX_FAILURES },
        'one allowance for the username, twice an address’s',
      );
      t.equal(verifications.ran() - ran, USER_MAX_FAILURES);
      for (const answer of answers.filter((answer) => answer.status === 429)) {
        assertRefused(t, answer, 'a guess from yet another address');
        t.equal(JSON.parse(answer.text).error, 'too many failed logins for this username; retry later');
      }
      assertRefused(t, await api(basic('BOB', 'guess'), '127.0.2.50'), 'the same username in other case');

      // Slowed, not locked: from a new address Bob waits for the window like a guesser…
      const elsewhere = await api(basic('bob', 'bob pw'), '127.0.2.51');
      assertRefused(t, elsewhere, 'bob from a new address');
      // …but the address he signed in from before is not shut out by guesses made elsewhere.
      const atHome = await api(basic('bob', 'bob pw'), home);
      t.equal(atHome.status, 200, 'bob from his usual address gets in, verified');
      t.equal(verifications.ran() - ran, USER_MAX_FAILURES + 1);
      // Each guessing address failed once: under its own limit, so its other users are unaffected.
      t.equal((await api(basic('dave', 'dave pw'), '127.0.2.1')).status, 200, 'another user from a guessing address');
    });

    await t.test('under 300 parallel wrong logins, a real first login from elsewhere stays fast', async (t) => {
      const ran = verifications.ran();
      const flood = floodFromWorker(
        service.baseUrl,
        Array.from({ length: 300 }, (_, i) => ({
          path: '/api/',
          headers: { authorization: basic(`nobody${i}`, `guess ${i}`) },
          from: '127.0.3.1',
        })),
      );
      await waitFor(() => verifications.ran() > ran, { what: 'the flood to reach the verifications' });
      const real = await api(basic('carol', 'carol pw'), '127.0.3.2');
      const answers = await flood;
      t.equal(real.status, 200, 'the real user gets in');
      t.comment(`real user's first login: ${real.ms.toFixed(0)} ms; flood ${JSON.stringify(tally(answers))}`);
      // What the machine's load cannot change: the real user waited for no more than the flood's current turn.
      t.ok(verifications.overtakenBy('127.0.3.2')! <= 1, `overtaken by ${verifications.overtakenBy('127.0.3.2')}`);
      // ~0.2-0.4 s here on 2 busy cores, 35 s before the fix; the bound leaves room for a loaded machine.
      t.ok(real.ms < 2000, `${real.ms.toFixed(0)} ms`);
      t.strictSame(tally(answers), { 401: MAX_FAILURES, 429: 300 - MAX_FAILURES }, 'the flood: 10 verified');
    });

    await t.test(
      'a flood from 300 addresses at once: the queue stays bounded, the overflow is refused at once',
      async (t) => {
        // 300 fresh addresses, one wrong login each: nothing tells them from real users, so the queue is bounded
        // by the wait it implies and the overflow answers 503 + Retry-After at once instead of queueing.
        const ran = verifications.ran();
        const answers = await floodFromWorker(
          service.baseUrl,
          Array.from({ length: 300 }, (_, i) => ({
            path: '/api/',
            headers: { authorization: basic(`stranger${i}`, 'guess') },
            from: `127.0.${4 + Math.floor(i / 200)}.${1 + (i % 200)}`,
          })),
        );
        const slowest = Math.max(...answers.map((answer) => answer.ms));
        t.comment(
          `flood from 300 addresses: ${JSON.stringify(tally(answers))}, slowest answer ${slowest.toFixed(0)} ms`,
        );
        const verified = verifications.ran() - ran;
        t.ok(verified <= 64, `${verified} verified (a bounded queue), the rest refused`);
        t.strictSame(tally(answers), { 401: verified, 503: 300 - verified }, 'nobody got in');
        for (const answer of answers.filter((answer) => answer.status === 503)) {
          t.equal(retryAfter(answer), 1, 'a full queue: retry in a second');
          t.equal(JSON.parse(answer.text).code, 'overloaded');
        }
        t.equal((await api(basic('dave', 'dave pw'), '127.0.6.1')).status, 200, 'afterwards, a real login gets in');
      },
    );

    await t.test('a full verification queue answers 503 + Retry-After at once, and counts no failure', async (t) => {
      const empty = await fillGate();
      const from = '127.0.7.1';
      const busy = await api(basic('frank', 'frank pw'), from);
      t.equal(busy.status, 503);
      t.equal(retryAfter(busy), 1);
      t.strictSame(JSON.parse(busy.text), {
        error: 'too many logins are being verified; retry shortly',
        code: 'overloaded',
      });
      t.equal(busy.headers['www-authenticate'], undefined);
      for (let i = 0; i < MAX_FAILURES; i++) t.equal((await api(basic('gina', `guess ${i}`), from)).status, 503);
      await empty();
      t.equal((await api(basic('frank', 'frank pw'), from)).status, 200, 'no failure was counted: the address is free');
    });
  });
}
